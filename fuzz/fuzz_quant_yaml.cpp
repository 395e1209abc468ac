// libFuzzer target: the quant YAML loader (model/quant_loader.h).
#include "fuzz/fuzz_util.h"
#include "model/quant_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    siliconsim::Warnings warnings;
    siliconsim::LoadQuantsFromString(siliconsim::fuzz::AsText(data, size), "fuzz.yaml", &warnings);
  });
  return 0;
}
