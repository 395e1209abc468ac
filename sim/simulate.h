#pragma once
// The roofline simulator (docs/simulator.md has every formula). Pure functions: a model, its
// weight plan, a chip's peaks and an engine's parameters in; memory, prefill and decode out.
//
//   op time      t = (t_mem^p + t_compute^p)^(1/p)      t_mem = bytes / (bandwidth x efficiency)
//                                                        t_compute = FLOP-equivalents / (peak x efficiency)
//   decode       per token: every active weight once + the KV cache each attention kind reads,
//                + one dispatch per kernel launch + a step overhead; summed over every generated
//                position in closed form (Simpson over positions, exact for linear costs)
//   prefill      in chunks of the engine's step (llama.cpp n_ubatch): each chunk re-reads the
//                weights (the experts its tokens touch), multiplies 2 x active weights x tokens,
//                and attends causally over the cache
//   memory       weights + KV (allocated as the engine does) + compute buffers + runtime, against
//                macOS's default GPU working-set limit and the limit after raising it

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_spec.h"
#include "model/model_spec.h"
#include "sim/peaks.h"
#include "sim/weights.h"

namespace siliconsim::sim {

/// What runs, with llama-bench's meaning: `prompt_tokens` are processed (prefill) after
/// `depth_tokens` already sit in the cache, then `gen_tokens` are generated one at a time.
struct Workload {
  int64_t prompt_tokens = 512;
  int64_t gen_tokens = 128;
  int64_t depth_tokens = 0;
  /// Context the engine allocates (llama.cpp `-c`); default depth + prompt + gen.
  std::optional<int64_t> context_tokens;
  double kv_bytes_per_element = 2.0;  ///< of the KV-cache type (2 for f16, 1.0625 for q8_0)
  double ram_gib = 0;                 ///< the Mac's memory; Apple's "48 GB" is 48 GiB. 0: not checked
};

/// A group of same-kind weights read with the same kernel, summed over layers.
struct MatmulGroup {
  std::string label;         ///< `attention projections`, `routed experts`, `LM head` ...
  TensorRole role = TensorRole::kMatrix;
  std::string kernel_class;
  const KernelCost* kernel = nullptr;  ///< into the engine the model was compiled for
  double bytes = 0;                    ///< stored
  double elements = 0;                 ///< stored
  double active_fraction = 1.0;        ///< routed experts: k / n
  double experts = 0;                  ///< routed experts per tensor (0 if none)
  double active_experts = 0;
  double rows = 0;                     ///< token embedding: rows of the table (a lookup reads one)
  double matrix_rows = 0;              ///< rows of the matrices (all experts'), each a stream a GEMV starts
  double matrices = 0;                 ///< weight matrices (each expert one), each a GEMV of its own
  /// Sum over its matrix rows of the kernel's row stall at their width, in weights; 0 unless the
  /// kernel class has stalls measured by width (CPU kernels).
  double row_stall_weight_rows = 0;
};

/// Layers that attend the same way.
struct AttentionGroup {
  std::string label;                ///< `full`, `sliding 4096`, `chunked 8192`, `mla`, `recurrent state`
  int layers = 0;
  double kv_elements_per_token = 0;  ///< per layer, K and V together
  std::optional<int64_t> window_tokens;  ///< sliding: the window; chunked: the chunk
  bool chunked = false;
  double flops_per_key = 0;          ///< per layer, per query and attended key (scores + values)
  double state_bytes = 0;            ///< per layer, recurrent layers
  double state_flops_per_token = 0;  ///< per layer, recurrent layers
};

/// A model compiled for one engine: independent of chip and workload, so sweeps compile once.
struct CompiledModel {
  const ModelSpec* model = nullptr;
  const EngineSpec* engine = nullptr;
  std::string weights_description;
  double weights_bytes = 0;
  std::vector<MatmulGroup> matmuls;
  std::vector<AttentionGroup> attention;
  double dispatches_per_step = 0;    ///< kernel launches of one forward step
  double activation_width = 0;       ///< per token, elements of the widest activations (compute buffers)
  double vocab = 0;
};

/// Groups the plan's tensors and the model's layers. Throws UsageError when the engine has no
/// kernel for one of the plan's kernel classes.
CompiledModel Compile(const ModelSpec& model, const WeightPlan& weights, const EngineSpec& engine);

/// One row of `--explain`.
struct OpTime {
  std::string name;
  std::string kernel_class;
  double bytes = 0;           ///< moved
  double flops = 0;           ///< FLOP-equivalents (multiply-adds count 2, unpacking its instructions)
  double bandwidth_gbs = 0;   ///< achieved bandwidth used for the memory roof
  double compute_tflops = 0;  ///< achieved compute used for the compute roof
  double memory_seconds = 0;
  double compute_seconds = 0;
  double seconds = 0;
  const char* bound = "memory";
};

/// Prefill or decode.
struct PhaseResult {
  int64_t tokens = 0;
  double seconds = 0;
  double tokens_per_second = 0;
  double overhead_seconds = 0;  ///< dispatch + step overhead within `seconds`
  std::string bound;            ///< `memory`, `compute` or `overhead`: what most of the time is
  std::vector<OpTime> ops;      ///< with explain: prefill totals; decode per token at the mean position
};

/// Whether the working set fits.
enum class FitVerdict { kFits, kFitsAfterRaisingLimit, kDoesNotFit, kNotChecked };
const char* ToString(FitVerdict verdict);

/// Memory that must be resident.
struct MemoryResult {
  double weights_bytes = 0;
  double kv_cache_bytes = 0;
  double compute_buffer_bytes = 0;
  double runtime_overhead_bytes = 0;
  double total_bytes = 0;
  int64_t kv_tokens = 0;               ///< tokens the KV cache holds room for
  double ram_bytes = 0;
  double default_limit_bytes = 0;      ///< GPU working set macOS grants by default (RAM for a CPU engine)
  double raised_limit_bytes = 0;       ///< after `sysctl iogpu.wired_limit_mb` (GPU engines)
  int64_t suggested_wired_limit_mb = 0;
  FitVerdict verdict = FitVerdict::kNotChecked;
  std::string reason;
};

/// One prediction.
struct Prediction {
  MemoryResult memory;
  PhaseResult prefill;
  PhaseResult decode;
  double ttft_seconds = 0;  ///< the prompt's prefill: the first token comes out of its last step
  double e2e_seconds = 0;   ///< ttft + gen / decode rate
  std::vector<std::string> assumptions;
};

/// Only the memory side of a prediction (cheap: fit searches the largest context with it).
MemoryResult EstimateMemory(const CompiledModel& model, const ChipPeaks& peaks, const Workload& workload);

/// Predicts `workload` on `peaks` with the engine the model was compiled for. `explain` fills
/// the per-op tables.
Prediction Predict(const CompiledModel& model, const ChipPeaks& peaks, const Workload& workload, bool explain = false);

/// The smooth roofline of one op: (t_mem^p + t_compute^p)^(1/p); 0 for a roof means absent.
double SmoothRoofSeconds(double memory_seconds, double compute_seconds, double p);

/// Metal's default recommendedMaxWorkingSetSize for a Mac with `ram_bytes` (docs/simulator.md
/// compares it with every public report in ../shared/data/metal_working_set.csv).
double DefaultGpuWorkingSetBytes(double ram_bytes);
/// What a user can raise `iogpu.wired_limit_mb` to and still leave macOS room to run.
double RaisedGpuWorkingSetBytes(double ram_bytes);

}  // namespace siliconsim::sim
