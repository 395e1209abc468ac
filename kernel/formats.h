#pragma once
// Weight formats of the reference kernel, with GGUF's exact block layouts (ggml-common.h):
//   F32   4 bytes per weight
//   F16   2 bytes per weight (IEEE binary16)
//   Q8_0  blocks of 32 weights, 34 bytes: f16 scale d, then 32 int8 q; value = q * d
//   Q4_0  blocks of 32 weights, 18 bytes: f16 scale d, then 16 bytes of nibbles; byte j holds
//         element j in its low nibble and element j + 16 in its high nibble; value = (q - 8) * d
// Quantizers follow ggml's reference quantize_row_*_ref, so a block written here is a block
// llama.cpp would have written for the same floats.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace siliconsim::kernel {

/// Storage type of the weight matrices (norm vectors are always F32).
enum class WeightFormat { kF32, kF16, kQ8_0, kQ4_0 };

/// `F32`, `F16`, `Q8_0`, `Q4_0` (the ggml type names).
const char* ToString(WeightFormat format);
/// Case-insensitive inverse of ToString.
std::optional<WeightFormat> ParseWeightFormat(std::string_view name);

inline constexpr int kQuantBlockElements = 32;  ///< QK8_0 == QK4_0 == 32
inline constexpr int kQ8_0BlockBytes = 34;      ///< sizeof(block_q8_0)
inline constexpr int kQ4_0BlockBytes = 18;      ///< sizeof(block_q4_0)

/// Whether the format stores 32-weight blocks (rows must then be a multiple of 32 long).
bool IsBlockQuantized(WeightFormat format);
/// Bytes of one row of `row_elements` weights (a multiple of 32 for the quantized formats).
int64_t RowBytes(WeightFormat format, int64_t row_elements);

/// IEEE binary16 <-> binary32, round to nearest even, subnormals, infinities and NaN kept.
uint16_t Fp32ToFp16(float value);
float Fp16ToFp32(uint16_t bits);

/// Encodes `x` (a multiple of 32 elements for the block formats) into `out` (RowBytes bytes).
void QuantizeRow(WeightFormat format, std::span<const float> x, std::span<uint8_t> out);
/// Decodes `x.size()` weights from `in` (RowBytes bytes).
void DequantizeRow(WeightFormat format, std::span<const uint8_t> in, std::span<float> x);

/// The largest error QuantizeRow + DequantizeRow may make on an element of the block whose
/// largest magnitude is `block_amax` (the block is the whole row for F32/F16, which use
/// `value_abs` instead): Q8_0 rounds to d/2 with d = amax/127; Q4_0 to d/2 except the end of
/// the range opposite the signed maximum, which clamps to one step (d = amax/8); both plus the
/// rounding of d to f16. F16 is half an ulp of binary16, F32 exact.
double QuantizationErrorBound(WeightFormat format, double block_amax, double value_abs);

}  // namespace siliconsim::kernel
