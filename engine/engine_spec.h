#pragma once
// EngineSpec: how one inference engine turns a chip's peaks into achieved throughput, as plain
// data. Every parameter either cites a source (a default from the engine's code, a published
// figure) or says that `siliconsim calibrate` fitted it and on what. Parameters belong to an
// engine, a kernel class (how a weight format is unpacked) or a chip class (dual-die, matrix
// units), never to one chip. Only engine/engine_loader.cpp sees YAML. See docs/simulator.md.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "model/quant_spec.h"

namespace siliconsim {

/// Where the engine runs its kernels.
enum class EngineDevice { kGpu, kCpu };

/// When the engine allocates its KV cache.
enum class KvAllocation {
  kFullContext,  ///< the whole context up front (llama.cpp `-c`)
  kGrows,        ///< as tokens arrive, in steps (MLX)
};

/// One number with where it came from.
struct EngineParam {
  double value = 0;
  std::string source;  ///< citation; empty when fitted
  std::string fitted;  ///< what `siliconsim calibrate` fitted it on; empty when cited
  std::string note;
  SourceLocation where;

  bool operator==(const EngineParam&) const = default;
};

/// Engine-wide physics parameters, in the order the YAML, `engines show` and the fitter use.
enum class EngineParamId : int {
  kMemoryEfficiency = 0,        ///< fraction of peak DRAM bandwidth weight-streaming kernels reach
  kDualDieMemoryEfficiency,     ///< extra factor on that fraction for two-die (Ultra) chips
  kAttentionMemoryEfficiency,   ///< fraction of peak bandwidth of decode attention over the KV cache
  kComputeEfficiency,           ///< fraction of peak FLOP/s of prefill matrix multiplications
  kAttentionComputeEfficiency,  ///< fraction of peak FLOP/s of prefill attention (scores and values)
  kOverlapExponent,             ///< p of the smooth roofline (t_mem^p + t_compute^p)^(1/p); 1 = no overlap
  kDispatchSeconds,             ///< fixed cost of one kernel launch (per op, per layer, per step)
  kStepOverheadSeconds,         ///< fixed cost of one forward step (sampling, synchronisation)
  kMatrixUnitSpeedup,           ///< prefill matmul speed-up on GPUs with per-core matrix units (M5)
  kRowStallWeights,             ///< decode: each weight-matrix row streamed from DRAM costs as much as streaming
                                ///< this many more of its weights (a stream restart; see docs/simulator.md)
  kMatrixSeconds,               ///< decode: stall per weight matrix streamed from DRAM (cold streams, last chunk)
  kRowComputeWeights,           ///< every row a matmul computes, per token, costs as much work as this many more of
                                ///< its weights (reducing the row's accumulators and storing it; docs/simulator.md)
  kCount,
};
inline constexpr int kEngineParamCount = static_cast<int>(EngineParamId::kCount);

/// YAML names of the engine-wide parameters, indexed by EngineParamId.
inline constexpr std::array<const char*, kEngineParamCount> kEngineParamNames = {
    "memory_efficiency",        "dual_die_memory_efficiency", "attention_memory_efficiency",
    "compute_efficiency",       "attention_compute_efficiency", "overlap_exponent",
    "dispatch_seconds",         "step_overhead_seconds",      "matrix_unit_speedup",
    "row_stall_weights",        "matrix_seconds",             "row_compute_weights"};

/// A kernel class's row stall measured at one row width.
struct RowStallPoint {
  int64_t cols = 0;     ///< weights per row
  EngineParam weights;  ///< the stall of one row streamed from DRAM, in weights of that row

  bool operator==(const RowStallPoint&) const = default;
};

/// How expensive one weight format is to unpack, in FLOP-equivalents of the device's FP32 peak
/// per weight: the multiply-add itself (2) plus the unpacking and scaling instructions.
struct KernelCost {
  std::string kernel_class;            ///< `q4_0`, `q4_k`, `f16`, `mlx-affine-4`, `bf16` (see sim/weights.h)
  EngineParam decode_ops_per_weight;   ///< per weight per token in a matrix-vector product
  EngineParam prefill_ops_per_weight;  ///< per weight per token in a matrix-matrix product
  /// Per matrix row streamed from DRAM, in weights, measured at several row widths (increasing
  /// `cols`): a CPU kernel's tiles consume each block type's rows differently, and not in
  /// proportion to their width (docs/simulator.md). Empty: the engine's row_stall_weights.
  std::vector<RowStallPoint> row_stall_weights;
  SourceLocation where;

  /// The row stall of a row `cols` weights wide: linear in log(cols) between the measured widths,
  /// the nearest one's outside them; `engine_wide` when the class has none.
  double RowStallWeights(double cols, double engine_wide) const;

  bool operator==(const KernelCost&) const = default;
};

/// One inference engine.
struct EngineSpec {
  std::string id;  ///< `llama.cpp-metal`
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  EngineDevice device = EngineDevice::kGpu;
  QuantFormat weight_format = QuantFormat::kGguf;  ///< which `--quant` names it runs
  KvAllocation kv_allocation = KvAllocation::kFullContext;
  std::string default_kv_type;              ///< id in the KV-type table (`f16`, `mlx-bf16`...)
  EngineParam prefill_chunk_tokens;         ///< tokens per prefill step (llama.cpp n_ubatch, MLX prefill_step_size)
  std::optional<EngineParam> kv_step_tokens;  ///< allocation granularity of a growing cache
  EngineParam runtime_overhead_bytes;       ///< resident memory besides weights, KV and compute buffers
  bool uses_matrix_units = false;           ///< whether its matmuls use M5's GPU neural accelerators
  std::array<EngineParam, kEngineParamCount> params;
  std::vector<KernelCost> kernels;
  std::string calibration;  ///< what the fitted values were fitted on and the resulting error
  SourceLocation where;

  const EngineParam& param(EngineParamId which) const { return params[static_cast<size_t>(which)]; }
  EngineParam& param(EngineParamId which) { return params[static_cast<size_t>(which)]; }
  /// The cost of a kernel class, or nullptr if the engine cannot run it.
  const KernelCost* FindKernel(std::string_view kernel_class) const;

  bool operator==(const EngineSpec&) const = default;
};

const char* ToString(EngineDevice device);
const char* ToString(KvAllocation allocation);

}  // namespace siliconsim
