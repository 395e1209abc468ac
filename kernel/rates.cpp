#include "kernel/rates.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "kernel/matmul.h"
#include "kernel/simd.h"
#include "kernel/thread_pool.h"

namespace siliconsim::kernel {

namespace {

using Clock = std::chrono::steady_clock;

// Seconds per call of `work`: calls it until `seconds` have passed; the median of `repetitions`
// (not the best: on a shared machine the best catches a quiet moment, and a forward pass runs
// through the noisy ones too).
double SecondsPerCall(const std::function<void()>& work, double seconds, int repetitions) {
  work();  // warm caches, page in, wake the pool
  std::vector<double> times;
  for (int r = 0; r < std::max(1, repetitions); ++r) {
    int64_t calls = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      work();
      ++calls;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    times.push_back(elapsed / static_cast<double>(calls));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Unit-variance activations for `tokens` rows of `cols`.
std::vector<float> Activations(int64_t tokens, int64_t cols) {
  std::vector<float> x(static_cast<size_t>(tokens * cols));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(static_cast<double>(HashMix(i + 17) % 2001) / 1000.0 - 1.0);
  }
  return x;
}

bool Quantized(WeightFormat f) { return f == WeightFormat::kQ8_0 || f == WeightFormat::kQ4_0; }

}  // namespace

double FormatRates::cache_weights_per_second() const {
  return cache_gemv_seconds > 0 ? static_cast<double>(cache_rows * cache_cols) / cache_gemv_seconds : 0;
}
double FormatRates::gemm_flops_per_second() const {
  return gemm_seconds > 0 ? 2.0 * static_cast<double>(cache_rows * cache_cols * gemm_tokens) / gemm_seconds : 0;
}

double KernelRates::attention_flops_per_second() const {
  return attention_seconds > 0
             ? 4.0 * static_cast<double>(attention_head_dim * attention_heads * attention_positions) / attention_seconds
             : 0;
}

const FormatRates* KernelRates::Find(WeightFormat format) const {
  for (const FormatRates& f : formats) {
    if (f.format == format) return &f;
  }
  return nullptr;
}

KernelRates MeasureKernelRates(std::span<const WeightFormat> formats, const RateOptions& options) {
  const KernelTable& kernels = KernelsFor(options.simd.value_or(BestSimdLevel()));
  ThreadPool pool(std::max(1, options.threads));
  KernelRates rates;
  rates.threads = pool.threads();
  rates.simd = kernels.name;

  // Fixed shapes, unrelated to any model: a 1024 x 2048 matrix stays in cache (1.1-8 MiB by
  // format); the DRAM set is 4096-wide square matrices; prefill chunks of 256 tokens.
  constexpr int64_t kCacheRows = 1024;
  constexpr int64_t kCacheCols = 2048;
  constexpr int64_t kSetSide = 4096;
  constexpr int64_t kGemmTokens = 256;
  const std::vector<float> x1 = Activations(1, kSetSide);
  const std::vector<float> xg = Activations(kGemmTokens, kCacheCols);
  std::vector<float> out(static_cast<size_t>(kGemmTokens * 16384));

  for (WeightFormat format : formats) {
    FormatRates f;
    f.format = format;
    const float scale = 0.04f;
    {
      const WeightMatrix w = SyntheticMatrix(format, kCacheRows, kCacheCols, scale, 7, 1, pool);
      f.cache_rows = kCacheRows;
      f.cache_cols = kCacheCols;
      f.cache_matrix_bytes = w.bytes();
      MatmulInput in;
      f.cache_gemv_seconds = SecondsPerCall(
          [&] {
            in.Prepare(kernels, pool, x1.data(), 1, kCacheCols, Quantized(format));
            Matmul(kernels, pool, w, in, out.data());
          },
          options.seconds_per_point, options.repetitions);
      MatmulInput chunk;
      f.gemm_tokens = kGemmTokens;
      f.gemm_seconds = SecondsPerCall(
          [&] {
            chunk.Prepare(kernels, pool, xg.data(), kGemmTokens, kCacheCols, Quantized(format));
            Matmul(kernels, pool, w, chunk, out.data());
          },
          options.seconds_per_point, options.repetitions);
    }
    // DRAM sets: square, short rows, long rows, small; the same total bytes each.
    constexpr int64_t kShapes[4][2] = {{kSetSide, kSetSide}, {16384, 1024}, {1024, 16384}, {512, 1024}};
    for (const auto& shape : kShapes) {
      FormatRates::StreamSet set_rates;
      set_rates.rows = shape[0];
      set_rates.cols = shape[1];
      const int64_t matrix_bytes = RowBytes(format, set_rates.cols) * set_rates.rows;
      set_rates.count = std::max<int64_t>(2, (options.dram_set_bytes + matrix_bytes - 1) / matrix_bytes);
      set_rates.bytes = matrix_bytes * set_rates.count;
      std::vector<WeightMatrix> set;
      for (int64_t i = 0; i < set_rates.count; ++i) {
        set.push_back(SyntheticMatrix(format, set_rates.rows, set_rates.cols, scale, 11, static_cast<uint64_t>(i), pool));
      }
      const std::vector<float> xs = Activations(1, set_rates.cols);
      MatmulInput in;
      set_rates.pass_seconds = SecondsPerCall(
          [&] {
            for (const WeightMatrix& w : set) {
              in.Prepare(kernels, pool, xs.data(), 1, set_rates.cols, Quantized(format));
              Matmul(kernels, pool, w, in, out.data());
            }
          },
          options.seconds_per_point, options.repetitions);
      f.dram_sets.push_back(set_rates);
    }
    rates.formats.push_back(f);
  }

  // A matmul of a few thousand weights: the fixed cost of a parallel loop that every thread
  // joins (an empty loop would measure only the caller, which takes every chunk itself).
  if (!formats.empty()) {
    constexpr int64_t kTinyRows = 64;
    constexpr int64_t kTinyCols = 512;
    const WeightMatrix w = SyntheticMatrix(formats.front(), kTinyRows, kTinyCols, 0.04f, 13, 1, pool);
    MatmulInput in;
    in.Prepare(kernels, pool, x1.data(), 1, kTinyCols, Quantized(formats.front()));
    constexpr int kLoops = 256;
    rates.tiny_rows = kTinyRows;
    rates.tiny_cols = kTinyCols;
    rates.tiny_gemv_seconds = SecondsPerCall(
                                  [&] {
                                    for (int i = 0; i < kLoops; ++i) Matmul(kernels, pool, w, in, out.data());
                                  },
                                  std::min(0.05, options.seconds_per_point), options.repetitions) /
                              kLoops;
  }

  // Attention of one decode token: 16 query heads over 4 KV heads of 64, 1024 positions.
  {
    constexpr int64_t kHeads = 16;
    constexpr int64_t kKvHeads = 4;
    constexpr int64_t kHeadDim = 64;
    constexpr int64_t kPositions = 1024;
    constexpr int64_t kKvDim = kKvHeads * kHeadDim;
    std::vector<uint16_t> k_cache(static_cast<size_t>(kPositions * kKvDim));
    std::vector<uint16_t> v_cache(k_cache.size());
    const std::vector<float> kv = Activations(kPositions, kKvDim);
    kernels.fp32_to_fp16(kv.data(), k_cache.data(), kPositions * kKvDim);
    kernels.fp32_to_fp16(kv.data(), v_cache.data(), kPositions * kKvDim);
    const std::vector<float> q = Activations(1, kHeads * kHeadDim);
    std::vector<float> scores(static_cast<size_t>(pool.threads() * kPositions));
    std::vector<float> att(static_cast<size_t>(kHeads * kHeadDim));
    const float scale = 0.125f;
    rates.attention_heads = kHeads;
    rates.attention_head_dim = kHeadDim;
    rates.attention_positions = kPositions;
    rates.attention_seconds = SecondsPerCall(
        [&] {
          pool.ParallelFor(kHeads, 1, [&](int64_t h0, int64_t h1, int thread) {
            float* s = scores.data() + thread * kPositions;
            for (int64_t hh = h0; hh < h1; ++hh) {
              const int64_t kvh = hh / (kHeads / kKvHeads);
              kernels.attention_scores(q.data() + hh * kHeadDim, k_cache.data() + kvh * kHeadDim, kKvDim, kPositions,
                                       static_cast<int>(kHeadDim), scale, s);
              const float inv_sum = 1.0f / kernels.softmax_exp(s, kPositions);
              float* head_out = att.data() + hh * kHeadDim;
              kernels.attention_values(s, v_cache.data() + kvh * kHeadDim, kKvDim, kPositions,
                                       static_cast<int>(kHeadDim), head_out);
              for (int64_t j = 0; j < kHeadDim; ++j) head_out[j] *= inv_sum;
            }
          });
        },
        std::min(0.05, options.seconds_per_point), options.repetitions);
  }
  return rates;
}

}  // namespace siliconsim::kernel
