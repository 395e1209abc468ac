#pragma once
// ModelSpec: a transformer's architecture as plain data, enough to list every weight tensor
// (and so count parameters and bytes) and to size the KV cache per attention kind. Built from
// a model YAML (data/models) or imported from a Hugging Face config.json; never from YAML nodes
// outside model/.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.h"
#include "model/tensor.h"

namespace siliconsim {

/// How a layer mixes tokens.
enum class AttentionKind {
  kFull,     ///< causal attention over the whole context
  kSliding,  ///< attends to the last `sliding_window_tokens` tokens only
  kChunked,  ///< attends within fixed chunks of `chunk_tokens` (Llama 4)
  kLinear,   ///< linear attention / state-space: a constant-size state, no per-token cache
  kMla,      ///< multi-head latent attention (DeepSeek): caches a compressed latent + rope key
  kMamba2,   ///< Mamba-2 selective state-space mixer (Granite 4.0-H, Nemotron-H): a constant f32 state
};

/// The feed-forward block of a layer.
enum class FfnKind { kDense, kMoe };

/// Softmax attention shape shared by full, sliding and chunked layers.
struct AttentionSpec {
  int num_heads = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
  bool qkv_bias = false;      ///< biases on q, k, v projections (Qwen2, gpt-oss)
  bool output_bias = false;   ///< bias on the output projection (gpt-oss)
  bool qk_norm = false;       ///< RMSNorm over q and k per head (Qwen3, Gemma 3)
  bool output_gate = false;   ///< q projection also produces a sigmoid gate (Qwen3-Next / 3.5)
  bool sinks = false;         ///< learned per-head attention sinks (gpt-oss)
  std::optional<int> sliding_window_tokens;  ///< for kSliding layers
  std::optional<int> chunk_tokens;           ///< for kChunked layers

  bool operator==(const AttentionSpec&) const = default;
};

/// Multi-head latent attention (DeepSeek V2/V3).
struct MlaSpec {
  std::optional<int> q_lora_rank;  ///< absent: q is projected directly
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;

  bool operator==(const MlaSpec&) const = default;
};

/// Linear-attention layers (Gated DeltaNet in Qwen3-Next / Qwen3.5).
struct LinearAttentionSpec {
  int num_key_heads = 0;
  int num_value_heads = 0;
  int key_head_dim = 0;
  int value_head_dim = 0;
  int conv_kernel = 0;

  bool operator==(const LinearAttentionSpec&) const = default;
};

/// Mamba-2 mixer layers (Granite 4.0-H, Nemotron-H, Falcon-H1). The inner width is
/// num_heads * head_dim; B and C are shared by the heads of each of num_groups groups.
struct Mamba2Spec {
  int num_heads = 0;
  int head_dim = 0;
  int state_size = 0;   ///< d_state: state elements per head dimension
  int num_groups = 1;   ///< n_groups of B/C projections
  int conv_kernel = 4;  ///< d_conv of the causal depthwise convolution
  bool conv_bias = true;
  bool proj_bias = false;  ///< biases on in_proj and out_proj

  /// d_inner: the width of x, z and the gated output.
  int64_t inner_size() const { return int64_t{num_heads} * head_dim; }
  /// Channels the convolution runs over: x, B and C.
  int64_t conv_channels() const { return inner_size() + 2 * int64_t{num_groups} * state_size; }

  bool operator==(const Mamba2Spec&) const = default;
};

/// Feed-forward shape of dense layers.
struct FfnSpec {
  int64_t intermediate_size = 0;
  bool gated = true;   ///< gate + up + down (SwiGLU/GeGLU); false: up + down
  bool bias = false;

  bool operator==(const FfnSpec&) const = default;
};

/// Mixture-of-experts shape.
struct MoeSpec {
  int num_experts = 0;
  int experts_per_token = 0;
  int64_t expert_intermediate_size = 0;
  int num_shared_experts = 0;
  int64_t shared_expert_intermediate_size = 0;
  bool shared_expert_gate = false;  ///< a sigmoid gate scaling the shared expert (Qwen2-MoE line)
  bool router_bias = false;
  bool expert_bias = false;          ///< biases inside each expert (gpt-oss)

  bool operator==(const MoeSpec&) const = default;
};

/// A published parameter count with its source and the precision it was published at.
struct PublishedCount {
  double value = 0;
  std::string source;
  /// One unit of the last published digit, relative: "3.3e9" can stand for anything from 3.2
  /// to 3.4 billion depending on whether its author rounded or truncated; a plain integer is exact.
  double rounding_relative() const;
  std::string text;  ///< as written in the YAML (for the rounding)
  /// For active counts: whether the publisher counted the token embedding (Qwen, Mixtral) or
  /// not (DeepSeek, gpt-oss).
  bool includes_token_embedding = false;

  bool operator==(const PublishedCount&) const = default;
};

/// One model architecture.
struct ModelSpec {
  std::string id;
  std::string name;
  std::string family;  ///< HF model_type, e.g. `qwen3_moe`
  std::vector<std::string> aliases;
  std::string source;  ///< where the architecture facts come from (config.json)

  int hidden_size = 0;
  int num_layers = 0;
  int64_t vocab_size = 0;
  bool tie_word_embeddings = false;
  int64_t max_context_tokens = 0;
  int norms_per_layer = 2;  ///< RMSNorm weight vectors per block (Gemma 2/3 have 4)

  AttentionSpec attention;
  std::optional<MlaSpec> mla;
  std::optional<LinearAttentionSpec> linear_attention;
  std::optional<Mamba2Spec> mamba2;
  FfnSpec ffn;
  std::optional<MoeSpec> moe;

  /// Attention kind of each layer; size num_layers.
  std::vector<AttentionKind> layer_attention;
  /// FFN kind of each layer; size num_layers.
  std::vector<FfnKind> layer_ffn;

  std::optional<PublishedCount> published_total_params;
  std::optional<PublishedCount> published_active_params;

  SourceLocation where;

  bool operator==(const ModelSpec&) const = default;
};

const char* ToString(AttentionKind kind);
const char* ToString(FfnKind kind);

/// Every weight tensor of the model with GGUF names and shapes, in GGUF order.
TensorInventory BuildTensorInventory(const ModelSpec& model);

/// Parameter counts from the tensor shapes.
struct ParamCounts {
  int64_t total = 0;   ///< every weight
  /// Weights one token reads: routed experts k of n, and not the token embedding, which is a
  /// row lookup (unless tied, when the same matrix is read whole as the LM head).
  int64_t active = 0;
  /// `active` plus the token embedding: the convention some model cards use (Qwen, Mixtral).
  int64_t active_with_embedding = 0;
};
ParamCounts CountParams(const TensorInventory& tensors);

/// KV-cache size of one layer at a given context length, in elements of the cache type
/// (K and V together), plus any constant recurrent state in bytes.
struct LayerCache {
  int64_t kv_elements_per_token = 0;  ///< cached K+V elements each token adds while the layer still grows
  std::optional<int64_t> max_tokens;  ///< tokens after which the layer stops growing (window, chunk)
  int64_t state_bytes = 0;            ///< constant state (linear attention, Mamba-2), independent of context
};
LayerCache LayerCacheShape(const ModelSpec& model, int layer);

/// Bytes of KV cache (and recurrent state) for `context_tokens` tokens, with `bytes_per_element`
/// for the K/V cache type (2 for f16, 1.0625 for q8_0, ...).
double KvCacheBytes(const ModelSpec& model, int64_t context_tokens, double bytes_per_element);

}  // namespace siliconsim
