// libFuzzer target: the engine YAML loader (engine/engine_loader.h). Whatever it accepts, the
// writer must write and the loader read back: `siliconsim calibrate --save-engines` rewrites
// engine files through WriteEngineYaml.
#include "engine/engine_loader.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<siliconsim::EngineSpec> engines;
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    engines = siliconsim::LoadEnginesFromString(siliconsim::fuzz::AsText(data, size), "fuzz.yaml");
  });
  if (!engines.empty()) {
    siliconsim::fuzz::RequireSuccess(
        [&] { siliconsim::LoadEnginesFromString(siliconsim::WriteEngineYaml(engines, "fuzz"), "written.yaml"); });
  }
  return 0;
}
