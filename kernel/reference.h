#pragma once
// The reference CPU forward pass of the Llama family on synthetic weights, and its timing
// harness: what `siliconsim validate` measures on the host and the simulator must predict
// (docs/kernel.md lists the bytes it reads per token).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/formats.h"
#include "kernel/kernels.h"
#include "kernel/thread_pool.h"
#include "model/model_spec.h"

namespace siliconsim::kernel {

/// How to build a ReferenceModel beyond its shape and weight format.
struct ReferenceOptions {
  int threads = 1;                     ///< threads in all, the caller's included
  int64_t max_context_tokens = 4096;   ///< KV cache positions allocated up front (llama.cpp does too)
  uint64_t seed = 1;                   ///< synthetic weights
  /// RoPE base; unset: 500000 for Llama-3-style vocabularies (>= 128000 tokens), else 10000
  /// (ModelSpec does not carry it, and it does not change the cost).
  std::optional<double> rope_theta;
  float rms_norm_eps = 1e-5f;
  std::optional<SimdLevel> simd;       ///< unset: the best level this CPU runs
};

/// A Llama-family model (every layer full attention + dense SwiGLU FFN, RMSNorm, RoPE, GQA)
/// with deterministic synthetic weights and an F16 KV cache.
class ReferenceModel {
 public:
  /// Builds the weights (all threads). Throws InputError for an architecture it cannot run.
  static ReferenceModel Build(const ModelSpec& model, WeightFormat format, uint64_t seed, int threads);
  static ReferenceModel Build(const ModelSpec& model, WeightFormat format, const ReferenceOptions& options);

  ReferenceModel(ReferenceModel&&) noexcept;
  ReferenceModel& operator=(ReferenceModel&&) noexcept;
  ~ReferenceModel();

  /// Appends `tokens` to the context in chunks of `ubatch_tokens` (each chunk re-reads every
  /// weight) and returns the logits of the last one (vocab_size floats).
  std::vector<float> Prefill(std::span<const int32_t> tokens, int64_t ubatch_tokens = 512);
  /// Appends one token and returns its logits.
  std::vector<float> DecodeStep(int32_t token);
  /// Empties the KV cache (position 0).
  void ResetCache();

  int64_t position() const;          ///< tokens in the KV cache
  int64_t max_context_tokens() const;
  int64_t weight_bytes() const;      ///< every stored tensor: matrices in their format, norms F32
  int64_t kv_cache_bytes() const;    ///< the allocated F16 K and V of every layer
  WeightFormat format() const;
  SimdLevel simd_level() const;
  int threads() const;
  double rope_theta() const;
  float rms_norm_eps() const;
  const ModelSpec& spec() const;

  /// A tensor by GGUF name as floats: matrices row-major [ne[1]][ne[0]] (dequantized), norms as
  /// stored. Throws std::invalid_argument for an unknown name.
  std::vector<float> TensorAsFloat(std::string_view gguf_name) const;

 private:
  struct State;
  explicit ReferenceModel(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// One layer's F16 KV cache, head-major as MLX keeps it: K and V each [kv_heads][capacity][head_dim],
/// so one head's attention streams one contiguous region (positions x head_dim x 2 bytes) instead of
/// picking its head_dim x 2 bytes out of every position's row of all heads.
struct KvLayerCache {
  int64_t kv_heads = 0;
  int64_t capacity = 0;  ///< positions allocated
  int64_t head_dim = 0;
  std::vector<uint16_t> k, v;
  KvLayerCache() = default;
  KvLayerCache(int64_t kv_heads_, int64_t capacity_, int64_t head_dim_);
  int64_t offset(int64_t kv_head, int64_t position) const { return (kv_head * capacity + position) * head_dim; }
  int64_t bytes() const { return static_cast<int64_t>(k.size() + v.size()) * 2; }
  /// Stores the K and V rows ([n][kv_heads * head_dim] f32) of positions pos0 .. pos0 + n - 1.
  void Append(const KernelTable& kernels, const float* k_rows, const float* v_rows, int64_t n, int64_t pos0);
};

/// Causal grouped-query attention of `n` query rows ([n][n_heads * head_dim], at positions pos0 ..
/// pos0 + n - 1) over `cache`, heads in parallel on `pool`; `scores` holds pool.threads() x
/// cache.capacity floats of scratch; `out` is [n][n_heads * head_dim].
void Attend(const KernelTable& kernels, ThreadPool& pool, const KvLayerCache& cache, const float* q, int64_t n,
            int64_t pos0, int64_t n_heads, float* scores, float* out);

/// Throws UsageError naming the first feature of `model` the forward pass does not implement
/// (it runs Llama-family models: every layer full attention + dense gated FFN, two norms, no biases).
void CheckReferenceSupported(const ModelSpec& model);

/// A timed run: prefill of `prompt_tokens` synthetic tokens, then `gen_tokens` greedy decode steps.
struct ReferenceConfig {
  const ModelSpec* model = nullptr;
  WeightFormat format = WeightFormat::kQ4_0;
  int threads = 1;
  int64_t prompt_tokens = 512;
  int64_t gen_tokens = 128;
  int64_t ubatch_tokens = 512;
  uint64_t seed = 1;
  std::optional<SimdLevel> simd;
  /// Timed passes over the same model (each: empty cache, prefill, decode); the timing reports
  /// their median, and every pass's seconds (a shared machine's noise shows in their spread).
  int repetitions = 1;
};

/// What RunReference measured.
struct ReferenceTiming {
  double build_seconds = 0;    ///< weight generation (not part of prefill or decode)
  double prefill_seconds = 0;  ///< all prompt chunks, including the LM head of the last token (median pass)
  double decode_seconds = 0;   ///< all decode steps (median pass)
  std::vector<double> prefill_pass_seconds;  ///< every pass, in the order run
  std::vector<double> decode_pass_seconds;
  int64_t prompt_tokens = 0;
  int64_t gen_tokens = 0;
  int64_t weight_bytes = 0;
  int64_t kv_cache_bytes = 0;
  int threads = 0;
  std::string simd;            ///< the SIMD level name
  double prefill_tps() const { return prefill_seconds > 0 ? static_cast<double>(prompt_tokens) / prefill_seconds : 0; }
  double decode_tps() const { return decode_seconds > 0 ? static_cast<double>(gen_tokens) / decode_seconds : 0; }
  /// The fastest and slowest pass in tok/s ({0, 0} before any pass).
  std::pair<double, double> prefill_tps_range() const;
  std::pair<double, double> decode_tps_range() const;
};

/// Builds the model (untimed), then `repetitions` times: empties the cache, times the prefill in
/// ubatch chunks and the greedy decode after it.
ReferenceTiming RunReference(const ReferenceConfig& config);

/// Bytes and FLOPs of one forward pass of the reference kernel, as docs/kernel.md describes them:
/// the quantities the simulator's roofline must be given to predict this kernel.
struct ForwardCost {
  int64_t matrix_bytes = 0;     ///< weight matrices streamed: every layer matrix, plus the LM head if logits
  int64_t embedding_bytes = 0;  ///< token embedding rows looked up (one row per token)
  int64_t norm_bytes = 0;       ///< F32 norm vectors
  int64_t kv_read_bytes = 0;    ///< distinct F16 K/V bytes attention reads (each position once per layer)
  int64_t kv_write_bytes = 0;   ///< K/V of the new tokens
  double matmul_flops = 0;      ///< 2 * rows * cols per matrix per token (LM head for one token)
  double attention_flops = 0;   ///< 4 * head_dim per (query head, key) pair, causal
  int64_t total_bytes() const { return matrix_bytes + embedding_bytes + norm_bytes + kv_read_bytes + kv_write_bytes; }
};

/// One chunk of `chunk_tokens` tokens appended after `context_tokens` cached ones; `logits` if
/// the chunk ends with the LM head (the last prefill chunk, every decode step).
ForwardCost ForwardChunkCost(const ModelSpec& model, WeightFormat format, int64_t chunk_tokens,
                             int64_t context_tokens, bool logits);

}  // namespace siliconsim::kernel
