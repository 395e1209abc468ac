// Every dot / GEMV / GEMM path (each SIMD level this machine runs, and the scalar one) against a
// naive double-precision reference, plus the attention kernels and activation quantization.
//
// Tolerances: with the same (dequantized) weights and the same quantized activations the only
// difference is float summation order: |out - ref| <= 1e-5 * sum|w x| (+1e-6). Against the
// unquantized activations, Q8_0/Q4_0 also carry the activation rounding: each element is off by
// at most d_x / 2 (d_x = block amax / 127), so |out - ref| <= sum |w| d_x / 2 + 1e-5 * sum|w x|.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernel/matmul.h"
#include "kernel/simd.h"

namespace siliconsim::kernel {
namespace {

constexpr WeightFormat kFormats[] = {WeightFormat::kF32, WeightFormat::kF16, WeightFormat::kQ8_0,
                                     WeightFormat::kQ4_0};

std::vector<float> Random(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::vector<float> x(n);
  for (float& v : x) v = scale * std::uniform_real_distribution<float>(-1, 1)(rng);
  return x;
}

TEST(KernelSimd, ScalarAlwaysSupportedAndBestIsLast) {
  const std::vector<SimdLevel> levels = SupportedSimdLevels();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), SimdLevel::kScalar);
  EXPECT_EQ(BestSimdLevel(), levels.back());
  for (SimdLevel l : levels) EXPECT_EQ(KernelsFor(l).level, l);
  EXPECT_EQ(ParseSimdLevel("avx512-vnni"), SimdLevel::kAvx512Vnni);
  std::printf("kernel SIMD levels on this machine:");
  for (SimdLevel l : levels) std::printf(" %s", ToString(l));
  std::printf("\n");
}

TEST(KernelMatmul, ActivationQuantizationIdenticalOnEveryLevel) {
  const int64_t k = 256;
  std::vector<float> x = Random(static_cast<size_t>(k), 5, 3.0f);
  for (int j = 32; j < 64; ++j) x[static_cast<size_t>(j)] = 0;  // an all-zero block: d = 0
  x[70] = 0.5f;
  std::vector<int8_t> q0(k), q1(k);
  std::vector<float> d0(k / 32), d1(k / 32);
  std::vector<int32_t> s0(k / 32), s1(k / 32);
  ScalarKernels().quantize_row_q8(x.data(), k, q0.data(), d0.data(), s0.data());
  for (int64_t b = 0; b < k / 32; ++b) {
    int32_t sum = 0;
    for (int j = 0; j < 32; ++j) {
      const int8_t q = q0[static_cast<size_t>(b * 32 + j)];
      EXPECT_LE(std::abs(q), 127);
      EXPECT_NEAR(q * d0[static_cast<size_t>(b)], x[static_cast<size_t>(b * 32 + j)],
                  d0[static_cast<size_t>(b)] / 2 + 1e-6);
      sum += q;
    }
    EXPECT_EQ(sum, s0[static_cast<size_t>(b)]);
  }
  EXPECT_EQ(d0[1], 0.0f);
  for (SimdLevel level : SupportedSimdLevels()) {
    KernelsFor(level).quantize_row_q8(x.data(), k, q1.data(), d1.data(), s1.data());
    EXPECT_EQ(q1, q0) << ToString(level);
    EXPECT_EQ(d1, d0) << ToString(level);
    EXPECT_EQ(s1, s0) << ToString(level);
  }
}

struct Shape {
  int64_t rows;
  int64_t cols;
  int64_t tokens;
};

TEST(KernelMatmul, EveryPathMatchesNaiveReference) {
  ThreadPool pool(2);
  // Row counts that are not multiples of the 4-row tiles, token counts below, at and above the
  // 4-token tiles, and a decode-shaped GEMV.
  const Shape shapes[] = {{13, 96, 1}, {37, 256, 1}, {37, 256, 3}, {40, 128, 4}, {41, 320, 9}, {8, 64, 17}};
  for (SimdLevel level : SupportedSimdLevels()) {
    const KernelTable& kernels = KernelsFor(level);
    for (WeightFormat format : kFormats) {
      for (const Shape& s : shapes) {
        SCOPED_TRACE(std::string(kernels.name) + " " + ToString(format) + " rows " + std::to_string(s.rows) +
                     " cols " + std::to_string(s.cols) + " tokens " + std::to_string(s.tokens));
        const std::vector<float> values = Random(static_cast<size_t>(s.rows * s.cols), 11, 0.2f);
        const WeightMatrix w = QuantizeMatrix(format, s.rows, s.cols, values);
        const std::vector<float> wd = DequantizeMatrix(w);
        std::vector<float> x = Random(static_cast<size_t>(s.tokens * s.cols), 17, 2.0f);
        x[3] = 7.0f;  // an outlier in one block
        MatmulInput in;
        in.Prepare(kernels, pool, x.data(), s.tokens, s.cols, IsBlockQuantized(format));
        std::vector<float> out(static_cast<size_t>(s.tokens * s.rows), NAN);
        Matmul(kernels, pool, w, in, out.data());
        for (int64_t t = 0; t < s.tokens; ++t) {
          for (int64_t r = 0; r < s.rows; ++r) {
            double exact = 0, same_inputs = 0, magnitude = 0, activation_error = 0;
            for (int64_t i = 0; i < s.cols; ++i) {
              const double wv = wd[static_cast<size_t>(r * s.cols + i)];
              const double xv = x[static_cast<size_t>(t * s.cols + i)];
              exact += wv * xv;
              magnitude += std::fabs(wv * xv);
              if (in.quantized()) {
                const int64_t b = (t * s.cols + i) / 32;
                const double dx = in.q8().d[b];
                same_inputs += wv * in.q8().q[t * s.cols + i] * dx;
                activation_error += std::fabs(wv) * dx / 2;
              } else {
                same_inputs += wv * xv;
              }
            }
            const double got = out[static_cast<size_t>(t * s.rows + r)];
            ASSERT_NEAR(got, same_inputs, 1e-5 * magnitude + 1e-6) << "token " << t << " row " << r;
            ASSERT_NEAR(got, exact, activation_error + 1e-5 * magnitude + 1e-6) << "token " << t << " row " << r;
          }
        }
      }
    }
  }
}

TEST(KernelMatmul, SyntheticWeightsDeterministicAndInRange) {
  ThreadPool one(1), two(2);
  for (WeightFormat format : kFormats) {
    const WeightMatrix a = SyntheticMatrix(format, 19, 64, 0.5f, 42, 3, one);
    const WeightMatrix b = SyntheticMatrix(format, 19, 64, 0.5f, 42, 3, two);
    const WeightMatrix c = SyntheticMatrix(format, 19, 64, 0.5f, 42, 4, two);
    const std::vector<float> va = DequantizeMatrix(a), vb = DequantizeMatrix(b), vc = DequantizeMatrix(c);
    EXPECT_EQ(va, vb) << ToString(format);
    EXPECT_NE(va, vc) << ToString(format);
    double sum_sq = 0;
    for (float v : va) {
      ASSERT_TRUE(std::isfinite(v));
      ASSERT_LE(std::fabs(v), 0.5f * 1.001f) << ToString(format);
      sum_sq += double{v} * v;
    }
    EXPECT_GT(std::sqrt(sum_sq / static_cast<double>(va.size())), 0.1) << ToString(format);
  }
  // Q8_0 quants span [-127, 127] (never -128, which ggml's quantizer does not write).
  const WeightMatrix q8 = SyntheticMatrix(WeightFormat::kQ8_0, 64, 4096, 1.0f, 5, 0, two);
  int seen_127 = 0;
  for (int64_t r = 0; r < q8.rows; ++r) {
    for (int64_t b = 0; b < q8.cols / 32; ++b) {
      for (int j = 0; j < 32; ++j) {
        const uint8_t q = q8.row(r)[b * 34 + 2 + j];
        ASSERT_NE(q, 0x80);
        seen_127 += q == 0x81 || q == 0x7f;
      }
    }
  }
  EXPECT_GT(seen_127, 0);
}

TEST(KernelAttention, KernelsMatchNaiveReference) {
  for (int head_dim : {16, 64, 72, 128}) {
    const int64_t n_pos = 37, stride = 3 * head_dim;  // interleaved with other heads' data
    const std::vector<float> q = Random(static_cast<size_t>(head_dim), 1);
    const std::vector<float> kv = Random(static_cast<size_t>(n_pos * stride), 2, 4.0f);
    std::vector<uint16_t> k(kv.size()), v(kv.size());
    for (size_t i = 0; i < kv.size(); ++i) {
      k[i] = Fp32ToFp16(kv[i]);
      v[i] = Fp32ToFp16(kv[(i * 7) % kv.size()]);
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    std::vector<double> p(static_cast<size_t>(n_pos));
    double max = -1e300, sum = 0;
    for (int64_t j = 0; j < n_pos; ++j) {
      double dot = 0;
      for (int i = 0; i < head_dim; ++i) dot += double{q[static_cast<size_t>(i)]} * Fp16ToFp32(k[j * stride + i]);
      p[static_cast<size_t>(j)] = dot * scale;
      max = std::max(max, p[static_cast<size_t>(j)]);
    }
    for (double& e : p) sum += (e = std::exp(e - max));
    std::vector<double> expected(static_cast<size_t>(head_dim), 0.0);
    for (int64_t j = 0; j < n_pos; ++j) {
      for (int i = 0; i < head_dim; ++i) {
        expected[static_cast<size_t>(i)] += p[static_cast<size_t>(j)] / sum * Fp16ToFp32(v[j * stride + i]);
      }
    }
    for (SimdLevel level : SupportedSimdLevels()) {
      const KernelTable& kt = KernelsFor(level);
      std::vector<float> s(static_cast<size_t>(n_pos)), out(static_cast<size_t>(head_dim));
      kt.attention_scores(q.data(), k.data(), stride, n_pos, head_dim, scale, s.data());
      const float got_sum = kt.softmax_exp(s.data(), n_pos);
      EXPECT_NEAR(got_sum, sum, 1e-5 * sum) << kt.name;
      kt.attention_values(s.data(), v.data(), stride, n_pos, head_dim, out.data());
      for (int i = 0; i < head_dim; ++i) {
        ASSERT_NEAR(out[static_cast<size_t>(i)] / got_sum, expected[static_cast<size_t>(i)], 1e-5)
            << kt.name << " head_dim " << head_dim << " i " << i;
      }
    }
  }
}

TEST(KernelAttention, SoftmaxExpAccurateOverItsRange) {
  std::vector<float> x;
  for (float v = -80.0f; v <= 0.0f; v += 0.37f) x.push_back(v);
  x.push_back(0.0f);  // the maximum: every exp argument is v - 0
  for (SimdLevel level : SupportedSimdLevels()) {
    std::vector<float> s = x;
    KernelsFor(level).softmax_exp(s.data(), static_cast<int64_t>(s.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_NEAR(s[i], std::exp(double{x[i]}), 2e-6 * std::exp(double{x[i]}) + 1e-37) << ToString(level) << " " << x[i];
    }
  }
}

// The SwiGLU activation on every level against SiLU in double precision, over the range activations
// take and beyond (where e^-g overflows float or underflows, the result is g * u or 0).
TEST(KernelActivation, SiluMulMatchesDoublePrecision) {
  std::vector<float> g, u;
  for (float v = -100.0f; v <= 100.0f; v += 0.173f) {
    g.push_back(v);
    u.push_back(0.5f + 0.01f * static_cast<float>(g.size() % 97));
  }
  for (SimdLevel level : SupportedSimdLevels()) {
    std::vector<float> out = g;
    KernelsFor(level).silu_mul(out.data(), u.data(), static_cast<int64_t>(out.size()));
    for (size_t i = 0; i < g.size(); ++i) {
      const double x = g[i];
      const double want = x / (1.0 + std::exp(-x)) * u[i];
      ASSERT_NEAR(out[i], want, 1e-6 * std::abs(want) + 1e-30) << ToString(level) << " at " << x;
    }
  }
}

TEST(KernelThreadPool, CoversEveryItemOnce) {
  ThreadPool pool(3);
  for (int64_t items : {1, 5, 64, 1000}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(items));
    for (int rep = 0; rep < 50; ++rep) {
      pool.ParallelFor(items, 7, [&](int64_t b, int64_t e, int thread) {
        ASSERT_GE(thread, 0);
        ASSERT_LT(thread, 3);
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
      });
    }
    for (auto& h : hits) ASSERT_EQ(h.load(), 50);
  }
}

}  // namespace
}  // namespace siliconsim::kernel
