#include "kernel/rates.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <vector>

#include "kernel/matmul.h"
#include "kernel/reference.h"
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

  // Every point is built first, then timed in rounds (each round times every point once, after
  // one untimed call that refills the caches): a noisy stretch on a shared machine then spoils
  // one sample of many points, not every sample of one, and each point keeps its median.
  enum class Kind { kCompute, kMemory, kOther };  // which round speed a point informs
  struct Point {
    std::function<void()> work;
    double seconds = 0;
    double divisor = 1;
    double* result = nullptr;
    std::vector<double> samples;
    Kind kind = Kind::kCompute;
  };
  std::vector<Point> points;
  std::vector<std::unique_ptr<std::vector<WeightMatrix>>> matrices;
  std::vector<std::unique_ptr<MatmulInput>> inputs;
  std::vector<std::unique_ptr<std::vector<float>>> activations;
  auto keep_matrices = [&]() -> std::vector<WeightMatrix>& {
    matrices.push_back(std::make_unique<std::vector<WeightMatrix>>());
    return *matrices.back();
  };
  auto keep_input = [&]() -> MatmulInput& {
    inputs.push_back(std::make_unique<MatmulInput>());
    return *inputs.back();
  };
  auto keep_activations = [&](int64_t tokens, int64_t cols) -> const std::vector<float>& {
    activations.push_back(std::make_unique<std::vector<float>>(Activations(tokens, cols)));
    return *activations.back();
  };

  // Fixed shapes, unrelated to any model: a 2048-wide matrix of about 6 MiB stays in cache (big
  // enough that a call's fixed costs do not count, small enough for half a 16 MiB L3); the DRAM
  // sets hold `dram_set_bytes` each; prefill chunks of 256 tokens.
  constexpr int64_t kCacheCols = 2048;
  constexpr int64_t kCacheBytes = int64_t{6} << 20;
  constexpr int64_t kGemmTokens = 256;
  // The narrow matrix: the same bytes in 512-wide rows. Its chunk is shorter so that its output
  // (tokens x rows floats) stays in cache as the wide one's does.
  constexpr int64_t kNarrowCols = 512;
  constexpr int64_t kNarrowGemmTokens = 64;
  constexpr int64_t kShapes[][2] = {{4096, 4096}, {8192, 2048}, {16384, 1024}, {1024, 16384}, {1024, 4096}};
  auto out = std::make_shared<std::vector<float>>(static_cast<size_t>(kGemmTokens * 16384));  // widest output below
  const float scale = 0.04f;

  // A rows x cols matrix that stays in cache, timed as one token (a GEMV) and as a chunk of
  // `tokens` (a GEMM); its bytes.
  auto in_cache = [&](WeightFormat format, int64_t rows, int64_t cols, int64_t tokens, uint64_t index,
                      double* gemv_seconds, double* gemm_seconds) {
    const bool quantized = Quantized(format);
    std::vector<WeightMatrix>& held = keep_matrices();
    held.push_back(SyntheticMatrix(format, rows, cols, scale, 7, index, pool));
    const WeightMatrix& w = held.back();
    const std::vector<float>& x1 = keep_activations(1, cols);
    const std::vector<float>& xg = keep_activations(tokens, cols);
    MatmulInput& in = keep_input();
    MatmulInput& chunk = keep_input();
    auto result = std::make_shared<std::vector<float>>(static_cast<size_t>(tokens * rows));
    // The points outlive this call: they hold pointers into the kept storage, not these references.
    const WeightMatrix* wp = &w;
    const float* x1p = x1.data();
    const float* xgp = xg.data();
    MatmulInput* inp = &in;
    MatmulInput* chunkp = &chunk;
    points.push_back({[&kernels, &pool, wp, x1p, inp, quantized, cols, result] {
                        inp->Prepare(kernels, pool, x1p, 1, cols, quantized);
                        Matmul(kernels, pool, *wp, *inp, result->data());
                      },
                      options.seconds_per_point, 1, gemv_seconds, {}});
    points.push_back({[&kernels, &pool, wp, xgp, chunkp, quantized, cols, tokens, result] {
                        chunkp->Prepare(kernels, pool, xgp, tokens, cols, quantized);
                        Matmul(kernels, pool, *wp, *chunkp, result->data());
                      },
                      options.seconds_per_point, 1, gemm_seconds, {}});
    return w.bytes();
  };

  rates.formats.resize(formats.size());
  for (size_t fi = 0; fi < formats.size(); ++fi) {
    const WeightFormat format = formats[fi];
    const bool quantized = Quantized(format);
    FormatRates& f = rates.formats[fi];
    f.format = format;
    // The wide matrix, then the same bytes as a narrow one (four times the rows).
    f.cache_rows = std::max<int64_t>(64, kCacheBytes / RowBytes(format, kCacheCols) / 64 * 64);
    f.cache_cols = kCacheCols;
    f.gemm_tokens = kGemmTokens;
    f.cache_matrix_bytes =
        in_cache(format, f.cache_rows, kCacheCols, kGemmTokens, 1, &f.cache_gemv_seconds, &f.gemm_seconds);
    f.narrow_rows = f.cache_rows * (kCacheCols / kNarrowCols);
    f.narrow_cols = kNarrowCols;
    f.narrow_gemm_tokens = kNarrowGemmTokens;
    in_cache(format, f.narrow_rows, kNarrowCols, kNarrowGemmTokens, 2, &f.narrow_gemv_seconds, &f.narrow_gemm_seconds);
    // DRAM sets: square, 2048-wide rows (the 1B-class models' width), short rows, long rows, small;
    // the same total bytes each.
    f.dram_sets.resize(std::size(kShapes));
    for (size_t k = 0; k < std::size(kShapes); ++k) {
      FormatRates::StreamSet& set_rates = f.dram_sets[k];
      set_rates.rows = kShapes[k][0];
      set_rates.cols = kShapes[k][1];
      const int64_t matrix_bytes = RowBytes(format, set_rates.cols) * set_rates.rows;
      set_rates.count = std::max<int64_t>(2, (options.dram_set_bytes + matrix_bytes - 1) / matrix_bytes);
      set_rates.bytes = matrix_bytes * set_rates.count;
      std::vector<WeightMatrix>& set = keep_matrices();
      for (int64_t i = 0; i < set_rates.count; ++i) {
        set.push_back(SyntheticMatrix(format, set_rates.rows, set_rates.cols, scale, 11, static_cast<uint64_t>(i), pool));
      }
      const std::vector<float>& xs = keep_activations(1, set_rates.cols);
      MatmulInput& in = keep_input();
      const int64_t cols = set_rates.cols;
      points.push_back({[&, quantized, cols, out] {
                          for (const WeightMatrix& w : set) {
                            in.Prepare(kernels, pool, xs.data(), 1, cols, quantized);
                            Matmul(kernels, pool, w, in, out->data());
                          }
                        },
                        options.seconds_per_point, 1, &set_rates.pass_seconds, {}, Kind::kMemory});
    }
  }

  // A matmul of a few thousand weights: the fixed cost of a parallel loop that every thread
  // joins (an empty loop would measure only the caller, which takes every chunk itself).
  constexpr int kLoops = 256;
  if (!formats.empty()) {
    constexpr int64_t kTinyRows = 64;
    constexpr int64_t kTinyCols = 512;
    std::vector<WeightMatrix>& held = keep_matrices();
    held.push_back(SyntheticMatrix(formats.front(), kTinyRows, kTinyCols, 0.04f, 13, 1, pool));
    const WeightMatrix& w = held.back();
    MatmulInput& in = keep_input();
    const std::vector<float>& x = keep_activations(1, kTinyCols);
    in.Prepare(kernels, pool, x.data(), 1, kTinyCols, Quantized(formats.front()));
    rates.tiny_rows = kTinyRows;
    rates.tiny_cols = kTinyCols;
    rates.tiny_bytes = w.bytes();
    points.push_back({[&, out] {
                        for (int i = 0; i < kLoops; ++i) Matmul(kernels, pool, w, in, out->data());
                      },
                      std::min(0.05, options.seconds_per_point), kLoops, &rates.tiny_gemv_seconds, {}, Kind::kOther});
  }

  // Attention of one decode token in the most common GQA shape (Llama 3 8B, Qwen, Mistral): 32 query
  // heads over 8 KV heads of 128 (2 KiB cache rows), 1024 positions.
  constexpr int64_t kHeads = 32;
  constexpr int64_t kKvHeads = 8;
  constexpr int64_t kHeadDim = 128;
  constexpr int64_t kPositions = 1024;
  constexpr int64_t kKvDim = kKvHeads * kHeadDim;
  const std::vector<float>& kv = keep_activations(kPositions, kKvDim);
  KvLayerCache cache(kKvHeads, kPositions, kHeadDim);
  cache.Append(kernels, kv.data(), kv.data(), kPositions, 0);
  const std::vector<float>& q = keep_activations(1, kHeads * kHeadDim);
  std::vector<float> scores(static_cast<size_t>(pool.threads() * kPositions));
  std::vector<float> att(static_cast<size_t>(kHeads * kHeadDim));
  rates.attention_heads = kHeads;
  rates.attention_head_dim = kHeadDim;
  rates.attention_positions = kPositions;
  // The last position's query: it attends to all kPositions, as the forward pass's Attend runs it.
  points.push_back({[&] { Attend(kernels, pool, cache, q.data(), 1, kPositions - 1, kHeads, scores.data(), att.data()); },
                    std::min(0.05, options.seconds_per_point), 1, &rates.attention_seconds, {}});

  // Attention layer after layer over caches that live in DRAM: how fast the attention's reads
  // (each KV head streams its own keys and values) come from memory. One query head per KV head
  // (MHA, as Llama 2 7B), so that the reads bind and the fit sees the memory side, not the GQA
  // shape's fourfold compute per byte; the same query heads, so the same FLOPs as the point above.
  rates.attention_layer_bytes = 2 * kHeads * kPositions * kHeadDim * 2;  // F16 keys and values
  rates.attention_dram_layers = std::max<int64_t>(2, options.dram_set_bytes / rates.attention_layer_bytes);
  const std::vector<float>& kv_mha = keep_activations(kPositions, kHeads * kHeadDim);
  std::vector<KvLayerCache> kv_set(static_cast<size_t>(rates.attention_dram_layers));
  pool.ParallelFor(rates.attention_dram_layers, 1, [&](int64_t l0, int64_t l1, int) {
    for (int64_t l = l0; l < l1; ++l) {
      kv_set[static_cast<size_t>(l)] = KvLayerCache(kHeads, kPositions, kHeadDim);
      kv_set[static_cast<size_t>(l)].Append(kernels, kv_mha.data(), kv_mha.data(), kPositions, 0);
    }
  });
  points.push_back({[&] {
                      for (const KvLayerCache& layer : kv_set) {
                        Attend(kernels, pool, layer, q.data(), 1, kPositions - 1, kHeads, scores.data(), att.data());
                      }
                    },
                    options.seconds_per_point, 1, &rates.attention_dram_seconds, {}, Kind::kMemory});

  const int rounds = std::max(1, options.repetitions);
  for (int round = 0; round < rounds; ++round) {
    for (Point& p : points) p.samples.push_back(SecondsPerCall(p.work, p.seconds, 1) / p.divisor);
    if (options.between_rounds && round + 1 < rounds) options.between_rounds(round);
  }
  std::vector<std::vector<double>> memory_points, compute_points;
  for (const Point& p : points) {
    if (p.kind == Kind::kMemory) memory_points.push_back(p.samples);
    if (p.kind == Kind::kCompute) compute_points.push_back(p.samples);
  }
  rates.memory_speed_by_round = RoundSpeeds(memory_points);
  rates.compute_speed_by_round = RoundSpeeds(compute_points);
  for (Point& p : points) {
    std::sort(p.samples.begin(), p.samples.end());
    *p.result = p.samples[p.samples.size() / 2];
  }
  return rates;
}

std::vector<double> RoundSpeeds(const std::vector<std::vector<double>>& seconds) {
  if (seconds.empty()) return {};
  const size_t rounds = seconds.front().size();
  std::vector<double> log_speed(rounds, 0.0);
  for (const std::vector<double>& point : seconds) {
    if (point.size() != rounds) throw std::invalid_argument("RoundSpeeds: every point needs a time for every round");
    std::vector<double> sorted = point;
    std::sort(sorted.begin(), sorted.end());
    // The median as the rates themselves take it (the upper middle sample for an even count).
    const double median = sorted[sorted.size() / 2];
    for (size_t r = 0; r < rounds; ++r) {
      if (!(point[r] > 0) || !(median > 0)) throw std::invalid_argument("RoundSpeeds: times must be positive");
      log_speed[r] += std::log(median / point[r]);
    }
  }
  std::vector<double> speed(rounds);
  for (size_t r = 0; r < rounds; ++r) speed[r] = std::exp(log_speed[r] / static_cast<double>(seconds.size()));
  return speed;
}

}  // namespace siliconsim::kernel
