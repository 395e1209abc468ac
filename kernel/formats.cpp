#include "kernel/formats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "common/diagnostics.h"

namespace siliconsim::kernel {

const char* ToString(WeightFormat format) {
  switch (format) {
    case WeightFormat::kF32: return "F32";
    case WeightFormat::kF16: return "F16";
    case WeightFormat::kQ8_0: return "Q8_0";
    case WeightFormat::kQ4_0: return "Q4_0";
  }
  return "?";
}

std::optional<WeightFormat> ParseWeightFormat(std::string_view name) {
  for (WeightFormat f : {WeightFormat::kF32, WeightFormat::kF16, WeightFormat::kQ8_0, WeightFormat::kQ4_0}) {
    const std::string_view known = ToString(f);
    if (known.size() == name.size() &&
        std::equal(known.begin(), known.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return f;
    }
  }
  return std::nullopt;
}

bool IsBlockQuantized(WeightFormat format) {
  return format == WeightFormat::kQ8_0 || format == WeightFormat::kQ4_0;
}

int64_t RowBytes(WeightFormat format, int64_t row_elements) {
  switch (format) {
    case WeightFormat::kF32: return row_elements * 4;
    case WeightFormat::kF16: return row_elements * 2;
    case WeightFormat::kQ8_0: return row_elements / kQuantBlockElements * kQ8_0BlockBytes;
    case WeightFormat::kQ4_0: return row_elements / kQuantBlockElements * kQ4_0BlockBytes;
  }
  return 0;
}

uint16_t Fp32ToFp16(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or NaN (keep NaN quiet and non-zero)
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {  // below the smallest normal half (2^-14): subnormal or zero
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);  // below 2^-25: rounds to zero
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - exponent;  // 14..24: value = mantissa * 2^(exponent-150)
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = ((abs >> 13) - (112u << 10));  // rebias exponent 127 -> 15
  const uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent: fine
  return static_cast<uint16_t>(sign | half);
}

float Fp16ToFp32(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  const uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

namespace {

void CheckSizes(WeightFormat format, size_t elements, size_t bytes) {
  if (IsBlockQuantized(format) && elements % kQuantBlockElements != 0) {
    throw std::invalid_argument("kernel: a quantized row must be a multiple of 32 elements");
  }
  if (bytes != static_cast<size_t>(RowBytes(format, static_cast<int64_t>(elements)))) {
    throw std::invalid_argument("kernel: row buffer has the wrong size for its format");
  }
}

void StoreFp16(uint8_t* at, uint16_t bits) { std::memcpy(at, &bits, 2); }
uint16_t LoadFp16(const uint8_t* at) {
  uint16_t bits;
  std::memcpy(&bits, at, 2);
  return bits;
}

}  // namespace

void QuantizeRow(WeightFormat format, std::span<const float> x, std::span<uint8_t> out) {
  CheckSizes(format, x.size(), out.size());
  const size_t n = x.size();
  switch (format) {
    case WeightFormat::kF32: std::memcpy(out.data(), x.data(), n * 4); return;
    case WeightFormat::kF16:
      for (size_t i = 0; i < n; ++i) StoreFp16(out.data() + 2 * i, Fp32ToFp16(x[i]));
      return;
    case WeightFormat::kQ8_0:
      for (size_t b = 0; b < n / kQuantBlockElements; ++b) {
        const float* v = x.data() + b * kQuantBlockElements;
        uint8_t* blk = out.data() + b * kQ8_0BlockBytes;
        float amax = 0;
        for (int j = 0; j < kQuantBlockElements; ++j) amax = std::max(amax, std::fabs(v[j]));
        const float d = amax / 127.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        StoreFp16(blk, Fp32ToFp16(d));
        for (int j = 0; j < kQuantBlockElements; ++j) {
          const auto q = static_cast<int8_t>(std::round(v[j] * id));
          std::memcpy(blk + 2 + j, &q, 1);
        }
      }
      return;
    case WeightFormat::kQ4_0:
      for (size_t b = 0; b < n / kQuantBlockElements; ++b) {
        const float* v = x.data() + b * kQuantBlockElements;
        uint8_t* blk = out.data() + b * kQ4_0BlockBytes;
        float amax = 0;
        float max = 0;  // the signed value of largest magnitude: it maps to q = 0 (-8 * d)
        for (int j = 0; j < kQuantBlockElements; ++j) {
          if (amax < std::fabs(v[j])) {
            amax = std::fabs(v[j]);
            max = v[j];
          }
        }
        const float d = max / -8.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        StoreFp16(blk, Fp32ToFp16(d));
        for (int j = 0; j < kQuantBlockElements / 2; ++j) {
          // ggml: MIN(15, (int8_t)(x * id + 8.5f)): truncation of a non-negative value rounds half up.
          const int lo = std::min(15, static_cast<int>(v[j] * id + 8.5f));
          const int hi = std::min(15, static_cast<int>(v[j + 16] * id + 8.5f));
          blk[2 + j] = static_cast<uint8_t>(lo | (hi << 4));
        }
      }
      return;
  }
}

void DequantizeRow(WeightFormat format, std::span<const uint8_t> in, std::span<float> x) {
  CheckSizes(format, x.size(), in.size());
  const size_t n = x.size();
  switch (format) {
    case WeightFormat::kF32: std::memcpy(x.data(), in.data(), n * 4); return;
    case WeightFormat::kF16:
      for (size_t i = 0; i < n; ++i) x[i] = Fp16ToFp32(LoadFp16(in.data() + 2 * i));
      return;
    case WeightFormat::kQ8_0:
      for (size_t b = 0; b < n / kQuantBlockElements; ++b) {
        const uint8_t* blk = in.data() + b * kQ8_0BlockBytes;
        const float d = Fp16ToFp32(LoadFp16(blk));
        for (int j = 0; j < kQuantBlockElements; ++j) {
          int8_t q;
          std::memcpy(&q, blk + 2 + j, 1);
          x[b * kQuantBlockElements + j] = static_cast<float>(q) * d;
        }
      }
      return;
    case WeightFormat::kQ4_0:
      for (size_t b = 0; b < n / kQuantBlockElements; ++b) {
        const uint8_t* blk = in.data() + b * kQ4_0BlockBytes;
        const float d = Fp16ToFp32(LoadFp16(blk));
        for (int j = 0; j < kQuantBlockElements / 2; ++j) {
          x[b * kQuantBlockElements + j] = static_cast<float>((blk[2 + j] & 0x0f) - 8) * d;
          x[b * kQuantBlockElements + j + 16] = static_cast<float>((blk[2 + j] >> 4) - 8) * d;
        }
      }
      return;
  }
}

double QuantizationErrorBound(WeightFormat format, double block_amax, double value_abs) {
  constexpr double kHalfUlpF16 = 1.0 / 2048.0;  // relative rounding of a normal binary16
  constexpr double kF16MinSubnormal = 5.960464477539063e-08;
  switch (format) {
    case WeightFormat::kF32: return 0;
    case WeightFormat::kF16: return value_abs * kHalfUlpF16 + kF16MinSubnormal / 2;
    case WeightFormat::kQ8_0: {
      const double d = block_amax / 127.0;
      return d / 2 + 127.0 * (d * kHalfUlpF16 + kF16MinSubnormal / 2) + 1e-6 * block_amax;
    }
    case WeightFormat::kQ4_0: {
      const double d = block_amax / 8.0;
      return d + 8.0 * (d * kHalfUlpF16 + kF16MinSubnormal / 2) + 1e-6 * block_amax;
    }
  }
  return 0;
}

}  // namespace siliconsim::kernel
