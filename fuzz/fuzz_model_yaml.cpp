// libFuzzer target: the model YAML loader (model/model_loader.h). Whatever it accepts, the
// writer must write and the loader read back (the `import hf` -> `models` path relies on it).
#include "fuzz/fuzz_util.h"
#include "model/model_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<siliconsim::ModelSpec> models;
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    siliconsim::Warnings warnings;
    models = siliconsim::LoadModelsFromString(siliconsim::fuzz::AsText(data, size), "fuzz.yaml", &warnings);
  });
  for (const siliconsim::ModelSpec& m : models) {
    siliconsim::fuzz::RequireSuccess([&] { siliconsim::LoadModelsFromString(siliconsim::WriteModelYaml(m), "w.yaml"); });
  }
  return 0;
}
