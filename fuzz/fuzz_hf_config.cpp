// libFuzzer target: the Hugging Face config.json importer (model/hf_import.h). What it imports,
// the model writer must write and the loader read back, as `siliconsim import hf` does.
#include <optional>

#include "fuzz/fuzz_util.h"
#include "model/hf_import.h"
#include "model/model_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<siliconsim::ModelSpec> model;
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    model = siliconsim::ImportHfConfig(siliconsim::fuzz::AsText(data, size), "config.json");
  });
  if (model) {
    // What `siliconsim import hf` fills in from its flags before writing.
    model->id = "fuzz";
    model->name = "fuzz";
    model->source = "config.json";
    siliconsim::fuzz::RequireSuccess(
        [&] { siliconsim::LoadModelsFromString(siliconsim::WriteModelYaml(*model), "imported.yaml"); });
  }
  return 0;
}
