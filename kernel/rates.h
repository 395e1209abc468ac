#pragma once
// The reference kernel's own rates on this host, measured on isolated matrices of fixed shapes
// (never the model being validated): what `siliconsim validate` fits the `reference` engine's
// per-format costs to before it predicts a whole forward pass. See docs/validation.md.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kernel/formats.h"
#include "kernel/kernels.h"

namespace siliconsim::kernel {

/// What to measure and how hard.
struct RateOptions {
  int threads = 1;
  /// Bytes of the matrix set the DRAM GEMV streams; choose >= 4x the last-level cache.
  int64_t dram_set_bytes = int64_t{256} << 20;
  double seconds_per_point = 0.2;   ///< timed length of one sample
  int repetitions = 5;              ///< samples per point, taken in rounds over all points; the median is kept
  std::optional<SimdLevel> simd;    ///< unset: the best level this CPU runs
  /// Called after every round but the last with the round's index: other work (validate's model
  /// runs) placed between the rounds, so that the samples span the same stretch of a shared
  /// machine's time as that work.
  std::function<void(int round)> between_rounds;
};

/// One weight format's rates, all threads together.
struct FormatRates {
  WeightFormat format = WeightFormat::kQ8_0;
  /// One-token matmul over a matrix that stays in cache (rows x cols below), repeated.
  int64_t cache_rows = 0;
  int64_t cache_cols = 0;
  int64_t cache_matrix_bytes = 0;
  double cache_gemv_seconds = 0;   ///< per matmul
  /// One-token matmuls over sets of `dram_set_bytes` of matrices, each read once per pass:
  /// square, 2048-wide, short-row and long-row shapes (the same bytes in fewer or more row streams), and
  /// small matrices (many matmuls per byte: each pays a matmul's fixed cost).
  struct StreamSet {
    int64_t rows = 0;
    int64_t cols = 0;
    int64_t count = 0;       ///< matrices in the set
    int64_t bytes = 0;       ///< all of them
    double pass_seconds = 0; ///< one pass over the set
    double bytes_per_second() const { return pass_seconds > 0 ? static_cast<double>(bytes) / pass_seconds : 0; }
  };
  std::vector<StreamSet> dram_sets;  ///< square, 2048-wide, short rows, long rows, small (in this order)
  /// A chunk of `gemm_tokens` tokens against the cache matrix.
  int64_t gemm_tokens = 0;
  double gemm_seconds = 0;         ///< per chunk
  /// The same bytes in cache as a narrow matrix (narrow_rows x narrow_cols, four times the rows):
  /// one token, and a chunk of narrow_gemm_tokens. What a computed row costs beyond its weights.
  int64_t narrow_rows = 0;
  int64_t narrow_cols = 0;
  double narrow_gemv_seconds = 0;
  int64_t narrow_gemm_tokens = 0;
  double narrow_gemm_seconds = 0;

  double cache_weights_per_second() const;
  double gemm_flops_per_second() const;  ///< 2 x rows x cols x tokens per chunk
};

/// Everything MeasureKernelRates measured.
struct KernelRates {
  int threads = 0;
  std::string simd;
  std::vector<FormatRates> formats;
  /// A one-token matmul so small (tiny_rows x tiny_cols, in the first format) that its time is
  /// almost all the fixed cost of one parallel loop: waking the threads and waiting for them.
  int64_t tiny_rows = 0;
  int64_t tiny_cols = 0;
  int64_t tiny_bytes = 0;
  double tiny_gemv_seconds = 0;
  /// Decode attention as the forward pass runs it (scores, softmax, values per query head over an
  /// F16 cache, heads in parallel) for `attention_heads` heads of `attention_head_dim` over
  /// `attention_positions` cached positions, the cache in cache.
  int64_t attention_heads = 0;
  int64_t attention_head_dim = 0;
  int64_t attention_positions = 0;
  double attention_seconds = 0;
  double attention_flops_per_second() const;  ///< 4 x head_dim per (head, position)
  /// Attention of the same query heads, one per KV head (MHA: the reads bind), over
  /// `attention_dram_layers` separate caches (one per layer, as a forward pass reads them) that
  /// together far exceed the last-level cache: per pass over all of them.
  int64_t attention_dram_layers = 0;
  int64_t attention_layer_bytes = 0;  ///< K and V of one layer
  double attention_dram_seconds = 0;
  /// How fast the host ran in each round against its typical round (RoundSpeeds): over the points
  /// that stream from DRAM, and over those that run in cache (GEMV, GEMM, attention). On a shared
  /// machine these drift by tens of percent between minutes; validate reads the rounds on either
  /// side of a model run to know the host's speed while that run was timed.
  std::vector<double> memory_speed_by_round;
  std::vector<double> compute_speed_by_round;
  const FormatRates* Find(WeightFormat format) const;
};

/// `seconds[p][r]` is point p's time in round r (every point timed in every round). For each
/// round, the geometric mean over the points of median_r'(seconds[p]) / seconds[p][r]: 1 for a
/// typical round, 0.8 for one whose work took 25% longer. Empty when there are no points.
std::vector<double> RoundSpeeds(const std::vector<std::vector<double>>& seconds);

/// Measures GEMV in cache, GEMV streaming from DRAM and GEMM in cache for each format, and the
/// cost of one parallel loop. Takes about formats x 3 x repetitions x seconds_per_point.
KernelRates MeasureKernelRates(std::span<const WeightFormat> formats, const RateOptions& options);

}  // namespace siliconsim::kernel
