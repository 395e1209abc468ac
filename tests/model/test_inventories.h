#pragma once
// Tensor inventories for the quantization tests, built from the published Hugging Face configs
// in data/hf_configs/ with GGUF tensor names and ggml shapes (ne[0] = input width). Kept apart
// from model/model_spec.h so that the size tests pin the quant rules, not the model database.
//
// Shapes (convert_hf_to_gguf.py / llama.cpp tensor names):
//   token_embd [hidden, vocab]; per layer attn_norm [hidden], attn_q [hidden, heads*head_dim],
//   attn_k / attn_v [hidden, kv_heads*head_dim], attn_output [heads*head_dim, hidden],
//   Qwen3: attn_q_norm / attn_k_norm [head_dim]; ffn_norm [hidden];
//   dense: ffn_gate / ffn_up [hidden, ffn], ffn_down [ffn, hidden];
//   MoE: ffn_gate_inp [hidden, n_expert], ffn_gate_exps / ffn_up_exps [hidden, expert_ffn, n_expert],
//        ffn_down_exps [expert_ffn, hidden, n_expert];
//   output_norm [hidden], output [hidden, vocab] unless tied; Llama 3.1/3.2 (rope_type llama3)
//   also store rope_freqs [head_dim/2] (F32).
//   gpt-oss adds biases on q/k/v/o, attn_sinks [heads], a router bias and per-expert biases.

#include <fmt/format.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "model/gguf_mixture.h"
#include "model/quant_spec.h"
#include "model/tensor.h"

namespace siliconsim::testing {

/// A model as the quant tests need it.
struct TestModel {
  std::string config;  ///< data/hf_configs file name
  TensorInventory tensors;
  GgufModelTraits traits;
  TokenizerTraits tokenizer;
};

inline std::string ReadConfigText(const std::string& file) {
  const std::string path = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class InventoryBuilder {
 public:
  void Add(std::string name, int layer, std::initializer_list<int64_t> dims, int64_t experts = 0, int64_t active = 0) {
    TensorInfo t;
    t.name = std::move(name);
    t.layer = layer;
    size_t i = 0;
    for (int64_t d : dims) t.ne[i++] = d;
    t.n_dims = static_cast<int>(dims.size());
    t.experts = experts;
    t.active_experts = active;
    tensors.push_back(std::move(t));
  }
  void Block(int layer, const std::string& suffix, std::initializer_list<int64_t> dims, int64_t experts = 0,
             int64_t active = 0) {
    Add(fmt::format("blk.{}.{}", layer, suffix), layer, dims, experts, active);
  }
  TensorInventory tensors;
};

/// Builds the inventory of an HF config (llama, mistral, qwen2, qwen3, qwen3_moe, gpt_oss).
/// `rope_freqs` follows the config (rope_type llama3) unless overridden.
inline TestModel LoadHfModel(const std::string& config_file, std::optional<bool> rope_freqs = {}) {
  const nlohmann::json c = nlohmann::json::parse(ReadConfigText(config_file));
  const std::string type = c.at("model_type").get<std::string>();
  const int64_t d = c.at("hidden_size").get<int64_t>();
  const int n_layer = c.at("num_hidden_layers").get<int>();
  const int heads = c.at("num_attention_heads").get<int>();
  const int kv = c.value("num_key_value_heads", heads);
  const int64_t head_dim =
      c.contains("head_dim") && !c.at("head_dim").is_null() ? c.at("head_dim").get<int64_t>() : d / heads;
  const int64_t vocab = c.at("vocab_size").get<int64_t>();
  const bool tied = c.value("tie_word_embeddings", false);
  const bool moe = type == "qwen3_moe" || type == "gpt_oss" || type == "mixtral";
  const int64_t n_expert = c.contains("num_experts")         ? c.at("num_experts").get<int64_t>()
                           : c.contains("num_local_experts") ? c.at("num_local_experts").get<int64_t>()
                                                             : 0;
  const int64_t active = c.contains("num_experts_per_tok") ? c.at("num_experts_per_tok").get<int64_t>() : 0;
  const int64_t ffn = moe ? (c.contains("moe_intermediate_size") ? c.at("moe_intermediate_size").get<int64_t>()
                                                                 : c.at("intermediate_size").get<int64_t>())
                          : c.at("intermediate_size").get<int64_t>();
  const bool gpt_oss = type == "gpt_oss";
  const bool qk_norm = type == "qwen3" || type == "qwen3_moe";
  const bool qkv_bias = gpt_oss || type == "qwen2" || c.value("attention_bias", false);
  bool has_rope_freqs = false;
  if (c.contains("rope_scaling") && c.at("rope_scaling").is_object()) {
    has_rope_freqs = c.at("rope_scaling").value("rope_type", "") == "llama3";
  }
  if (rope_freqs) has_rope_freqs = *rope_freqs;

  InventoryBuilder b;
  b.Add("token_embd.weight", -1, {d, vocab});
  const int64_t q_dim = heads * head_dim;
  const int64_t kv_dim = kv * head_dim;
  for (int i = 0; i < n_layer; ++i) {
    b.Block(i, "attn_norm.weight", {d});
    b.Block(i, "attn_q.weight", {d, q_dim});
    b.Block(i, "attn_k.weight", {d, kv_dim});
    b.Block(i, "attn_v.weight", {d, kv_dim});
    b.Block(i, "attn_output.weight", {q_dim, d});
    if (qkv_bias) {
      b.Block(i, "attn_q.bias", {q_dim});
      b.Block(i, "attn_k.bias", {kv_dim});
      b.Block(i, "attn_v.bias", {kv_dim});
    }
    if (gpt_oss) {
      b.Block(i, "attn_output.bias", {d});
      b.Block(i, "attn_sinks.weight", {heads});
    }
    if (qk_norm) {
      b.Block(i, "attn_q_norm.weight", {head_dim});
      b.Block(i, "attn_k_norm.weight", {head_dim});
    }
    b.Block(i, gpt_oss ? "post_attention_norm.weight" : "ffn_norm.weight", {d});
    if (moe) {
      b.Block(i, "ffn_gate_inp.weight", {d, n_expert});
      b.Block(i, "ffn_gate_exps.weight", {d, ffn, n_expert}, n_expert, active);
      b.Block(i, "ffn_up_exps.weight", {d, ffn, n_expert}, n_expert, active);
      b.Block(i, "ffn_down_exps.weight", {ffn, d, n_expert}, n_expert, active);
      if (gpt_oss) {
        b.Block(i, "ffn_gate_inp.bias", {n_expert});
        b.Block(i, "ffn_gate_exps.bias", {ffn, n_expert}, n_expert, active);
        b.Block(i, "ffn_up_exps.bias", {ffn, n_expert}, n_expert, active);
        b.Block(i, "ffn_down_exps.bias", {d, n_expert}, n_expert, active);
      }
    } else {
      b.Block(i, "ffn_gate.weight", {d, ffn});
      b.Block(i, "ffn_up.weight", {d, ffn});
      b.Block(i, "ffn_down.weight", {ffn, d});
    }
  }
  b.Add("output_norm.weight", -1, {d});
  if (!tied) b.Add("output.weight", -1, {d, vocab});
  if (has_rope_freqs) b.Add("rope_freqs.weight", -1, {head_dim / 2});

  TestModel m;
  m.config = config_file;
  m.tensors = std::move(b.tensors);
  // general.architecture as convert_hf_to_gguf.py writes it (Mistral and Mixtral convert as llama).
  m.traits.arch = type == "qwen3_moe"                        ? "qwen3moe"
                  : type == "gpt_oss"                        ? "gpt-oss"
                  : (type == "mistral" || type == "mixtral") ? "llama"
                                                             : type;
  m.traits.n_layer = n_layer;
  m.traits.n_head = heads;
  m.traits.n_head_kv = kv;
  m.traits.n_expert = static_cast<int>(n_expert);
  m.traits.size_class_70b = LlamaCppIs70BClass(m.traits.arch, n_layer, heads, kv);
  m.tokenizer.vocab_size = vocab;
  return m;
}

/// Total elements of an inventory.
inline int64_t CountElements(const TensorInventory& t) {
  int64_t n = 0;
  for (const TensorInfo& x : t) n += x.elements();
  return n;
}

}  // namespace siliconsim::testing
