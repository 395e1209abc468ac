// libFuzzer target: the readers of published measurements (measure/measurement.h), with and
// without defaults (with them, more inputs get past the "which chip?" check).
#include "fuzz/fuzz_util.h"
#include "measure/measurement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = siliconsim::fuzz::AsText(data, size);
  siliconsim::MeasurementDefaults defaults;
  defaults.chip = "M2 Max";
  defaults.model = "llama-2-7b";
  defaults.quant = "Q4_0";
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    for (const siliconsim::Measurement& m : siliconsim::ParseMeasurements(text, "fuzz.txt", defaults)) {
      if (!(m.tokens_per_second > 0) || m.chip.empty() || m.where.line <= 0) __builtin_trap();
    }
  });
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] { siliconsim::ParseMeasurements(text, "fuzz.txt"); });
  return 0;
}
