// libFuzzer target: the engine YAML loader (engine/engine_loader.h).
//
// Not checked here: that WriteEngineYaml output reads back. It writes values with 6 significant
// digits, so an accepted `dispatch_seconds: 0.99999999` is written as 1, which the loader's
// "below 1" bound rejects (docs/reliability.md, "Known, not fixed").
#include "engine/engine_loader.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    siliconsim::LoadEnginesFromString(siliconsim::fuzz::AsText(data, size), "fuzz.yaml");
  });
  return 0;
}
