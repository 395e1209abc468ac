#include "model/model_spec.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace siliconsim {
namespace {

// Appends tensors with GGUF naming; `ne` is ggml order (row length first).
class InventoryBuilder {
 public:
  void Add(std::string name, int layer, std::initializer_list<int64_t> ne, int64_t experts = 0,
           int64_t active_experts = 0) {
    TensorInfo t;
    t.name = std::move(name);
    t.layer = layer;
    t.n_dims = static_cast<int>(ne.size());
    std::copy(ne.begin(), ne.end(), t.ne.begin());
    t.experts = experts;
    t.active_experts = active_experts;
    tensors_.push_back(std::move(t));
  }
  void AddBlock(int layer, const std::string& suffix, std::initializer_list<int64_t> ne, int64_t experts = 0,
                int64_t active_experts = 0) {
    Add(fmt::format("blk.{}.{}", layer, suffix), layer, ne, experts, active_experts);
  }
  TensorInventory Take() { return std::move(tensors_); }

 private:
  TensorInventory tensors_;
};

void AddSoftmaxAttention(const ModelSpec& m, int i, InventoryBuilder& b) {
  const AttentionSpec& a = m.attention;
  const int64_t d = m.hidden_size;
  const int64_t q = int64_t{a.num_heads} * a.head_dim;
  const int64_t kv = int64_t{a.num_kv_heads} * a.head_dim;
  b.AddBlock(i, "attn_q.weight", {d, a.output_gate ? 2 * q : q});
  b.AddBlock(i, "attn_k.weight", {d, kv});
  b.AddBlock(i, "attn_v.weight", {d, kv});
  if (a.qkv_bias) {
    b.AddBlock(i, "attn_q.bias", {a.output_gate ? 2 * q : q});
    b.AddBlock(i, "attn_k.bias", {kv});
    b.AddBlock(i, "attn_v.bias", {kv});
  }
  if (a.qk_norm) {
    b.AddBlock(i, "attn_q_norm.weight", {a.head_dim});
    b.AddBlock(i, "attn_k_norm.weight", {a.head_dim});
  }
  b.AddBlock(i, "attn_output.weight", {q, d});
  if (a.output_bias) b.AddBlock(i, "attn_output.bias", {d});
  if (a.sinks) b.AddBlock(i, "attn_sinks.weight", {a.num_heads});
}

void AddMla(const ModelSpec& m, int i, InventoryBuilder& b) {
  const MlaSpec& a = *m.mla;
  const int64_t d = m.hidden_size;
  const int64_t heads = m.attention.num_heads;
  const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  if (a.q_lora_rank) {
    b.AddBlock(i, "attn_q_a.weight", {d, *a.q_lora_rank});
    b.AddBlock(i, "attn_q_a_norm.weight", {*a.q_lora_rank});
    b.AddBlock(i, "attn_q_b.weight", {*a.q_lora_rank, heads * qk});
  } else {
    b.AddBlock(i, "attn_q.weight", {d, heads * qk});
  }
  b.AddBlock(i, "attn_kv_a_mqa.weight", {d, int64_t{a.kv_lora_rank} + a.qk_rope_head_dim});
  b.AddBlock(i, "attn_kv_a_norm.weight", {a.kv_lora_rank});
  b.AddBlock(i, "attn_kv_b.weight", {a.kv_lora_rank, heads * (int64_t{a.qk_nope_head_dim} + a.v_head_dim)});
  b.AddBlock(i, "attn_output.weight", {heads * a.v_head_dim, d});
}

void AddLinearAttention(const ModelSpec& m, int i, InventoryBuilder& b) {
  const LinearAttentionSpec& l = *m.linear_attention;
  const int64_t d = m.hidden_size;
  const int64_t key = int64_t{l.num_key_heads} * l.key_head_dim;
  const int64_t value = int64_t{l.num_value_heads} * l.value_head_dim;
  b.AddBlock(i, "ssm_in.weight", {d, 2 * key + 2 * value});  // q, k, v and the output gate z
  b.AddBlock(i, "ssm_ba.weight", {d, 2 * int64_t{l.num_value_heads}});  // decay and beta per value head
  b.AddBlock(i, "ssm_conv1d.weight", {l.conv_kernel, 2 * key + value});
  b.AddBlock(i, "ssm_dt.bias", {l.num_value_heads});
  b.AddBlock(i, "ssm_a", {l.num_value_heads});
  b.AddBlock(i, "ssm_norm.weight", {l.value_head_dim});
  b.AddBlock(i, "ssm_out.weight", {value, d});
}

// Mamba-2 as llama.cpp names it (llama-arch.cpp LLM_TENSOR_SSM_*; convert_hf_to_gguf.py maps
// in_proj, conv1d, dt_bias, A_log, D, norm, out_proj): in_proj yields z, x, B, C and dt at once.
void AddMamba2(const ModelSpec& m, int i, InventoryBuilder& b) {
  const Mamba2Spec& s = *m.mamba2;
  const int64_t d = m.hidden_size;
  const int64_t inner = s.inner_size();
  const int64_t heads = s.num_heads;
  const int64_t in_proj = 2 * inner + 2 * int64_t{s.num_groups} * s.state_size + heads;  // z, x, B, C, dt
  b.AddBlock(i, "ssm_in.weight", {d, in_proj});
  if (s.proj_bias) b.AddBlock(i, "ssm_in.bias", {in_proj});
  b.AddBlock(i, "ssm_conv1d.weight", {s.conv_kernel, s.conv_channels()});
  if (s.conv_bias) b.AddBlock(i, "ssm_conv1d.bias", {s.conv_channels()});
  b.AddBlock(i, "ssm_dt.bias", {heads});
  b.AddBlock(i, "ssm_a", {1, heads});
  b.AddBlock(i, "ssm_d", {1, heads});
  b.AddBlock(i, "ssm_norm.weight", {inner / s.num_groups, s.num_groups});  // grouped RMSNorm before out_proj
  b.AddBlock(i, "ssm_out.weight", {inner, d});
  if (s.proj_bias) b.AddBlock(i, "ssm_out.bias", {d});
}

void AddDenseFfn(const ModelSpec& m, int i, InventoryBuilder& b) {
  const int64_t d = m.hidden_size;
  const int64_t f = m.ffn.intermediate_size;
  if (m.ffn.gated) b.AddBlock(i, "ffn_gate.weight", {d, f});
  b.AddBlock(i, "ffn_up.weight", {d, f});
  b.AddBlock(i, "ffn_down.weight", {f, d});
  if (m.ffn.bias) {
    if (m.ffn.gated) b.AddBlock(i, "ffn_gate.bias", {f});
    b.AddBlock(i, "ffn_up.bias", {f});
    b.AddBlock(i, "ffn_down.bias", {d});
  }
}

void AddMoeFfn(const ModelSpec& m, int i, InventoryBuilder& b) {
  const MoeSpec& e = *m.moe;
  const int64_t d = m.hidden_size;
  const int64_t f = e.expert_intermediate_size;
  const int64_t n = e.num_experts;
  const int64_t k = e.experts_per_token;
  b.AddBlock(i, "ffn_gate_inp.weight", {d, n});
  if (e.router_bias) b.AddBlock(i, "ffn_gate_inp.bias", {n});
  b.AddBlock(i, "ffn_gate_exps.weight", {d, f, n}, n, k);
  b.AddBlock(i, "ffn_up_exps.weight", {d, f, n}, n, k);
  b.AddBlock(i, "ffn_down_exps.weight", {f, d, n}, n, k);
  if (e.expert_bias) {
    b.AddBlock(i, "ffn_gate_exps.bias", {f, n}, n, k);
    b.AddBlock(i, "ffn_up_exps.bias", {f, n}, n, k);
    b.AddBlock(i, "ffn_down_exps.bias", {d, n}, n, k);
  }
  if (e.num_shared_experts > 0) {
    const int64_t s = e.shared_expert_intermediate_size * e.num_shared_experts;
    if (e.shared_expert_gate) b.AddBlock(i, "ffn_gate_inp_shexp.weight", {d});
    b.AddBlock(i, "ffn_gate_shexp.weight", {d, s});
    b.AddBlock(i, "ffn_up_shexp.weight", {d, s});
    b.AddBlock(i, "ffn_down_shexp.weight", {s, d});
  }
}

}  // namespace

const char* ToString(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::kFull: return "full";
    case AttentionKind::kSliding: return "sliding";
    case AttentionKind::kChunked: return "chunked";
    case AttentionKind::kLinear: return "linear";
    case AttentionKind::kMla: return "mla";
    case AttentionKind::kMamba2: return "mamba2";
  }
  return "?";
}

const char* ToString(FfnKind kind) { return kind == FfnKind::kDense ? "dense" : "moe"; }

double PublishedCount::rounding_relative() const {
  // The last written digit sets the precision: "3.3e9" -> 0.1e9 / 3.3e9.
  std::string mantissa = text.substr(0, text.find_first_of("eE"));
  const size_t dot = mantissa.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1);
  const double m = std::abs(std::strtod(mantissa.c_str(), nullptr));
  if (m == 0) return 0;
  // An integer mantissa ("671e9", "7615616512") counts trailing zeros as not significant only
  // in exponent form; plain integers are exact.
  if (text.find_first_of("eE") == std::string::npos && dot == std::string::npos) return 0;
  return std::pow(10.0, -decimals) / m;
}

TensorInventory BuildTensorInventory(const ModelSpec& m) {
  InventoryBuilder b;
  const int64_t d = m.hidden_size;
  b.Add("token_embd.weight", -1, {d, m.vocab_size});
  for (int i = 0; i < m.num_layers; ++i) {
    b.AddBlock(i, "attn_norm.weight", {d});
    switch (m.layer_attention[static_cast<size_t>(i)]) {
      case AttentionKind::kFull:
      case AttentionKind::kSliding:
      case AttentionKind::kChunked: AddSoftmaxAttention(m, i, b); break;
      case AttentionKind::kMla: AddMla(m, i, b); break;
      case AttentionKind::kLinear: AddLinearAttention(m, i, b); break;
      case AttentionKind::kMamba2: AddMamba2(m, i, b); break;
    }
    if (m.norms_per_layer == 4) {
      b.AddBlock(i, "post_attention_norm.weight", {d});
      b.AddBlock(i, "ffn_norm.weight", {d});
      b.AddBlock(i, "post_ffw_norm.weight", {d});
    } else {
      b.AddBlock(i, "ffn_norm.weight", {d});
    }
    if (m.layer_ffn[static_cast<size_t>(i)] == FfnKind::kMoe) AddMoeFfn(m, i, b);
    else AddDenseFfn(m, i, b);
  }
  b.Add("output_norm.weight", -1, {d});
  if (!m.tie_word_embeddings) b.Add("output.weight", -1, {d, m.vocab_size});
  return b.Take();
}

ParamCounts CountParams(const TensorInventory& tensors) {
  ParamCounts c;
  bool has_output = false;
  for (const TensorInfo& t : tensors) has_output = has_output || t.name == "output.weight";
  for (const TensorInfo& t : tensors) {
    c.total += t.elements();
    c.active_with_embedding += t.active_elements();
    // An untied embedding is looked up one row per token; a tied one is also the LM head.
    if (t.name != "token_embd.weight" || !has_output) c.active += t.active_elements();
  }
  return c;
}

LayerCache LayerCacheShape(const ModelSpec& m, int layer) {
  LayerCache c;
  const AttentionSpec& a = m.attention;
  const int64_t kv_per_token = 2 * int64_t{a.num_kv_heads} * a.head_dim;  // K and V
  switch (m.layer_attention[static_cast<size_t>(layer)]) {
    case AttentionKind::kFull: c.kv_elements_per_token = kv_per_token; break;
    case AttentionKind::kSliding:
      c.kv_elements_per_token = kv_per_token;
      c.max_tokens = a.sliding_window_tokens;
      break;
    case AttentionKind::kChunked:
      c.kv_elements_per_token = kv_per_token;
      c.max_tokens = a.chunk_tokens;
      break;
    case AttentionKind::kMla:
      // The compressed latent and the shared rope key are all that is cached.
      c.kv_elements_per_token = int64_t{m.mla->kv_lora_rank} + m.mla->qk_rope_head_dim;
      break;
    case AttentionKind::kLinear: {
      const LinearAttentionSpec& l = *m.linear_attention;
      constexpr int64_t kStateBytesPerElement = 4;  // recurrent and conv states are kept in f32
      const int64_t recurrent = int64_t{l.num_value_heads} * l.key_head_dim * l.value_head_dim;
      const int64_t conv = int64_t{l.conv_kernel - 1} *
                           (2 * int64_t{l.num_key_heads} * l.key_head_dim + int64_t{l.num_value_heads} * l.value_head_dim);
      c.state_bytes = (recurrent + conv) * kStateBytesPerElement;
      break;
    }
    case AttentionKind::kMamba2: {
      // llama.cpp's recurrent memory (llama-memory-recurrent.cpp) keeps, per sequence and layer,
      // the last d_conv-1 inputs of the convolution and the SSM state, both in f32.
      const Mamba2Spec& s = *m.mamba2;
      constexpr int64_t kStateBytesPerElement = 4;
      const int64_t conv = int64_t{s.conv_kernel - 1} * s.conv_channels();
      const int64_t ssm = s.inner_size() * s.state_size;  // n_heads x head_dim x d_state
      c.state_bytes = (conv + ssm) * kStateBytesPerElement;
      break;
    }
  }
  return c;
}

double KvCacheBytes(const ModelSpec& m, int64_t context_tokens, double bytes_per_element) {
  double bytes = 0;
  for (int i = 0; i < m.num_layers; ++i) {
    const LayerCache c = LayerCacheShape(m, i);
    const int64_t tokens = c.max_tokens ? std::min<int64_t>(context_tokens, *c.max_tokens) : context_tokens;
    bytes += static_cast<double>(tokens) * static_cast<double>(c.kv_elements_per_token) * bytes_per_element +
             static_cast<double>(c.state_bytes);
  }
  return bytes;
}

}  // namespace siliconsim
