// libFuzzer target: the chip YAML loader (hardware/chip_loader.h).
#include "fuzz/fuzz_util.h"
#include "hardware/chip_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    siliconsim::Warnings warnings;
    siliconsim::LoadChipsFromString(siliconsim::fuzz::AsText(data, size), "fuzz.yaml", &warnings);
  });
  return 0;
}
