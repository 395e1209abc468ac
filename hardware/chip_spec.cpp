#include "hardware/chip_spec.h"

#include <cctype>
#include <cstdlib>

namespace siliconsim {

const char* ToString(ChipTier tier) {
  switch (tier) {
    case ChipTier::kBase: return "base";
    case ChipTier::kPro: return "pro";
    case ChipTier::kMax: return "max";
    case ChipTier::kUltra: return "ultra";
  }
  return "?";
}

const char* ToString(ChipKind kind) { return kind == ChipKind::kCpu ? "cpu" : "apple-silicon"; }

const char* ToString(Confidence confidence) { return confidence == Confidence::kHigh ? "high" : "low"; }

std::optional<double> ComputeFp32Tflops(const ChipSpec& chip) {
  if (!chip.gpu_cores.known() || !chip.gpu_alus_per_core.known() || !chip.gpu_clock_mhz.known()) {
    return std::nullopt;
  }
  constexpr double kFlopsPerFma = 2.0;
  return *chip.gpu_cores.value * *chip.gpu_alus_per_core.value * kFlopsPerFma * *chip.gpu_clock_mhz.value *
         1e6 / 1e12;
}

std::optional<double> TransferRateMts(const std::string& memory_type) {
  // The rate is the number after the last '-': LPDDR5-6400, LPDDR5X-8533.
  const size_t dash = memory_type.rfind('-');
  if (dash == std::string::npos || dash + 1 >= memory_type.size()) return std::nullopt;
  for (size_t i = dash + 1; i < memory_type.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(memory_type[i]))) return std::nullopt;
  }
  return std::strtod(memory_type.c_str() + dash + 1, nullptr);
}

std::optional<double> ComputeBandwidthGbs(const ChipSpec& chip) {
  if (!chip.memory_bus_width_bits.known() || !chip.memory_type.known()) return std::nullopt;
  const std::optional<double> mts = TransferRateMts(*chip.memory_type.value);
  if (!mts) return std::nullopt;
  constexpr double kBitsPerByte = 8.0;
  return *chip.memory_bus_width_bits.value / kBitsPerByte * *mts * 1e6 / 1e9;
}

}  // namespace siliconsim
