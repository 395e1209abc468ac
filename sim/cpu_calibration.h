#pragma once
// Fitting a CPU engine (the reference kernel) to microbenchmarks of isolated matrices timed on
// the host, with the simulator's own decode formula, so that `siliconsim validate` can then
// predict whole models it never timed. kernel/rates.h measures the inputs; docs/validation.md
// explains each parameter and shows the fit on this host.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine_spec.h"
#include "sim/peaks.h"

namespace siliconsim::sim {

/// One pass of one-token matmuls over `count` matrices of rows x cols (`bytes` in all).
struct GemvSetTiming {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t count = 0;
  double bytes = 0;
  double seconds = 0;
};

/// One weight format's microbenchmarks.
struct FormatTimings {
  std::string kernel_class;  ///< `q8_0`, `q4_0`, ...
  /// A one-token matmul over a matrix that stays in cache, and a chunk of tokens against it.
  int64_t cache_rows = 0;
  int64_t cache_cols = 0;
  double cache_bytes = 0;
  double cache_gemv_seconds = 0;
  int64_t gemm_tokens = 0;
  double gemm_seconds = 0;
  /// The same bytes in cache as a narrower matrix (more rows): one token, and a chunk of
  /// narrow_gemm_tokens. With the wide matrix it tells a row's fixed work from a weight's.
  int64_t narrow_rows = 0;
  int64_t narrow_cols = 0;
  double narrow_gemv_seconds = 0;
  int64_t narrow_gemm_tokens = 0;
  double narrow_gemm_seconds = 0;
  /// From DRAM: same-size sets of matrices of different shapes (square, short rows, long rows,
  /// smaller matrices): the same bytes in more or fewer rows and matrices, so that bandwidth,
  /// overlap, the row stall and the matrix stall can be told apart (three sets at least).
  std::vector<GemvSetTiming> dram_sets;
};

/// Everything the fit reads.
struct CpuTimings {
  std::vector<FormatTimings> formats;  ///< at least two block formats: one cannot tell bandwidth from overlap
  /// A matmul so small that its time is nearly all a parallel loop's fixed cost.
  int64_t tiny_rows = 0;
  int64_t tiny_cols = 0;
  double tiny_bytes = 0;
  double tiny_gemv_seconds = 0;
  /// Decode attention in cache: FLOPs (4 x head_dim per head and position) and seconds.
  double attention_flops = 0;
  double attention_seconds = 0;
  /// The same attention over `attention_layers` per-layer caches in DRAM (`attention_bytes` of
  /// K and V in all), one parallel loop per layer, one pass timed.
  int64_t attention_layers = 0;
  double attention_bytes = 0;
  double attention_dram_seconds = 0;
};

/// What the fit found for one format.
struct FormatFit {
  std::string kernel_class;
  double decode_ops_per_weight = 0;   ///< FLOP-equivalents of the FMA peak per weight, one token
  double decode_ops_from_cache = 0;   ///< the same from the cache GEMV alone (before the DRAM sets' bound)
  double prefill_ops_per_weight = 0;  ///< the same per weight and token in a chunk
  double worst_dram_error = 0;        ///< predicted / measured - 1 of its worst DRAM set
  std::vector<double> dram_set_errors;  ///< predicted / measured - 1 of each DRAM set, in the timings' order
  double row_stall_weights = 0;       ///< one stall for all its widths (the one (e, p) is chosen with)
  /// Its row stall at each width it was timed at (increasing cols), in weights: what the engine keeps.
  std::vector<std::pair<int64_t, double>> row_stall_by_cols;
  std::string cache_level;            ///< where its cache matrix sat
};

/// The fitted engine parameters.
struct CpuEngineFit {
  double memory_efficiency = 1;  ///< fraction of the measured DRAM read bandwidth the GEMV reaches
  double overlap_exponent = 1;   ///< p of the smooth roofline
  double row_stall_weights = 0;  ///< the formats' mean row stall (FormatFit has each), for classes not timed
  double matrix_seconds = 0;     ///< stall per matrix streamed from DRAM, beyond a parallel loop
  double row_compute_weights = 0;  ///< each row computed (per token) costs this many more weights' work
  double dispatch_seconds = 0;   ///< one parallel loop
  double attention_compute_efficiency = 0;
  double attention_memory_efficiency = 0;  ///< fraction of DRAM bandwidth the attention's reads reach
  double matmul_fixed_seconds = 0;  ///< a matmul from DRAM beyond its roofline and rows: launch + matrix stall
  std::vector<FormatFit> formats;
};

/// Fits the parameters with t = ((bytes / (B e))^p + ((weights + rows x c_compute) x ops / F)^p)^(1/p)
/// + rows x c_row,
/// B the measured DRAM bandwidth (or the cache level the matrix fits in, as the simulator picks
/// it) and F the FMA peak, from `peaks`. Throws UsageError when the timings cannot support a fit.
CpuEngineFit FitCpuEngine(const CpuTimings& timings, const ChipPeaks& peaks);

/// Writes the fit into `engine` (a copy of the shipped one), each value marked `fitted` with
/// `provenance` and the microbenchmark it came from (`what` describes the shapes).
void ApplyCpuEngineFit(const CpuEngineFit& fit, const std::string& provenance, EngineSpec& engine);

}  // namespace siliconsim::sim
