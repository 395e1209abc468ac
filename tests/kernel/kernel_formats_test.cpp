// GGUF block formats of the reference kernel: layouts, f16 conversion, quantize/dequantize round
// trips within each format's error bound, exact for representable values.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernel/formats.h"
#include "kernel/simd.h"
#include "model/ggml_types.h"

namespace siliconsim::kernel {
namespace {

constexpr WeightFormat kFormats[] = {WeightFormat::kF32, WeightFormat::kF16, WeightFormat::kQ8_0,
                                     WeightFormat::kQ4_0};

TEST(KernelFormats, BlockSizesMatchGgml) {
  for (WeightFormat f : kFormats) {
    const auto type = GgmlTypeByName(ToString(f));
    ASSERT_TRUE(type.has_value()) << ToString(f);
    EXPECT_EQ(RowBytes(f, 4096), 4096 / type->block_elements * type->block_bytes) << ToString(f);
    EXPECT_EQ(ParseWeightFormat(ToString(f)), f);
  }
  EXPECT_EQ(RowBytes(WeightFormat::kQ8_0, 32), 34);
  EXPECT_EQ(RowBytes(WeightFormat::kQ4_0, 32), 18);
  EXPECT_EQ(ParseWeightFormat("q4_0"), WeightFormat::kQ4_0);
  EXPECT_FALSE(ParseWeightFormat("q4_k").has_value());
}

TEST(KernelFormats, Fp16KnownValues) {
  EXPECT_EQ(Fp32ToFp16(1.0f), 0x3c00);
  EXPECT_EQ(Fp32ToFp16(-2.0f), 0xc000);
  EXPECT_EQ(Fp32ToFp16(65504.0f), 0x7bff);
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7c00);                 // rounds to infinity
  EXPECT_EQ(Fp32ToFp16(0.1f), 0x2e66);
  EXPECT_EQ(Fp32ToFp16(1.0f + 1.0f / 2048), 0x3c00);       // tie to even
  EXPECT_EQ(Fp32ToFp16(1.0f + 3.0f / 2048), 0x3c02);       // tie to even, upwards
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -24)), 0x0001);    // smallest subnormal
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -25)), 0x0000);    // tie to even: zero
  EXPECT_EQ(Fp32ToFp16(std::ldexp(3.0f, -26)), 0x0001);
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1023.0f, -24) + std::ldexp(1.0f, -25)), 0x0400);  // carries into normal
  EXPECT_EQ(Fp32ToFp16(INFINITY), 0x7c00);
  EXPECT_TRUE(std::isnan(Fp16ToFp32(Fp32ToFp16(NAN))));
  EXPECT_EQ(Fp16ToFp32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(Fp16ToFp32(0x7bff), 65504.0f);
}

TEST(KernelFormats, Fp16EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto bits = static_cast<uint16_t>(h);
    const float f = Fp16ToFp32(bits);
    if (std::isnan(f)) continue;
    ASSERT_EQ(Fp32ToFp16(f), bits) << std::hex << h;
  }
}

TEST(KernelFormats, Fp16ConversionSameOnEverySimdLevel) {
  std::mt19937 rng(3);
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = std::ldexp(std::uniform_real_distribution<float>(-1, 1)(rng), static_cast<int>(i % 40) - 28);
  }
  std::vector<uint16_t> expected(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected[i] = Fp32ToFp16(x[i]);
  for (SimdLevel level : SupportedSimdLevels()) {
    const KernelTable& k = KernelsFor(level);
    std::vector<uint16_t> got(x.size());
    k.fp32_to_fp16(x.data(), got.data(), static_cast<int64_t>(x.size()));
    EXPECT_EQ(got, expected) << k.name;
    std::vector<float> back(x.size());
    k.fp16_to_fp32(got.data(), back.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(back[i], Fp16ToFp32(expected[i])) << k.name;
  }
}

TEST(KernelFormats, Q4_0NibbleLayout) {
  // Elements 0..15 in the low nibbles, 16..31 in the high ones; value = (q - 8) * d.
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[static_cast<size_t>(j)] = static_cast<float>((j % 16) - 8);  // d = 1
  std::vector<uint8_t> block(18);
  QuantizeRow(WeightFormat::kQ4_0, x, block);
  uint16_t d_bits;
  std::memcpy(&d_bits, block.data(), 2);
  EXPECT_EQ(Fp16ToFp32(d_bits), 1.0f);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(block[static_cast<size_t>(2 + j)], (j & 0x0f) | (j << 4)) << j;
}

TEST(KernelFormats, Q8_0Layout) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[static_cast<size_t>(j)] = static_cast<float>(j - 16) * 0.5f;
  x[0] = 63.5f;  // amax = 127 * 0.5: d = 0.5
  std::vector<uint8_t> block(34);
  QuantizeRow(WeightFormat::kQ8_0, x, block);
  uint16_t d_bits;
  std::memcpy(&d_bits, block.data(), 2);
  EXPECT_EQ(Fp16ToFp32(d_bits), 0.5f);
  EXPECT_EQ(static_cast<int8_t>(block[2]), 127);
  EXPECT_EQ(static_cast<int8_t>(block[3]), -15);
}

TEST(KernelFormats, RoundTripWithinErrorBound) {
  std::mt19937 rng(1);
  for (WeightFormat f : kFormats) {
    for (float magnitude : {1e-3f, 0.05f, 1.0f, 300.0f}) {
      std::vector<float> x(256);
      for (float& v : x) v = magnitude * std::uniform_real_distribution<float>(-1, 1)(rng);
      x[37] = 0;  // exact zeros stay zero
      std::vector<uint8_t> bytes(static_cast<size_t>(RowBytes(f, 256)));
      std::vector<float> back(256);
      QuantizeRow(f, x, bytes);
      DequantizeRow(f, bytes, back);
      for (size_t b = 0; b < 8; ++b) {
        double amax = 0;
        for (size_t j = 0; j < 32; ++j) amax = std::max(amax, double{std::fabs(x[b * 32 + j])});
        for (size_t j = 0; j < 32; ++j) {
          const size_t i = b * 32 + j;
          ASSERT_LE(std::fabs(double{back[i]} - x[i]), QuantizationErrorBound(f, amax, std::fabs(x[i])))
              << ToString(f) << " magnitude " << magnitude << " element " << i;
        }
      }
      EXPECT_EQ(back[37], 0.0f) << ToString(f);
    }
  }
}

TEST(KernelFormats, RepresentableValuesAreExact) {
  std::mt19937 rng(2);
  for (WeightFormat f : kFormats) {
    std::vector<float> x(128);
    for (size_t b = 0; b < 4; ++b) {
      const float d = std::ldexp(1.0f, static_cast<int>(b) - 6);
      for (size_t j = 0; j < 32; ++j) {
        float v;
        if (f == WeightFormat::kQ4_0) {
          v = static_cast<float>(std::uniform_int_distribution<int>(1, 15)(rng) - 8) * d;  // -7d..7d
        } else {
          v = static_cast<float>(std::uniform_int_distribution<int>(-127, 127)(rng)) * d;
        }
        x[b * 32 + j] = v;
      }
      // Pin the block's scale: Q8_0's amax is 127 d, Q4_0's signed maximum is -8 d.
      x[b * 32 + 5] = (f == WeightFormat::kQ4_0 ? -8.0f : 127.0f) * d;
    }
    std::vector<uint8_t> bytes(static_cast<size_t>(RowBytes(f, 128)));
    std::vector<float> back(128);
    QuantizeRow(f, x, bytes);
    DequantizeRow(f, bytes, back);
    EXPECT_EQ(back, x) << ToString(f);
  }
}

TEST(KernelFormats, RejectsPartialBlocks) {
  std::vector<float> x(40);
  std::vector<uint8_t> bytes(64);
  EXPECT_THROW(QuantizeRow(WeightFormat::kQ8_0, x, bytes), std::invalid_argument);
}

}  // namespace
}  // namespace siliconsim::kernel
