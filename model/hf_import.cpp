#include "model/hf_import.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/data_sources.h"
#include "common/text.h"
#include "model/model_loader.h"

namespace siliconsim {
namespace {

using Json = nlohmann::json;

// config.json files nest three levels at most (text_config.rope_scaling.x); anything much
// deeper is not a config and could exhaust the parser's stack.
constexpr int kMaxJsonDepth = 16;

class Config {
 public:
  Config(const Json& json, std::string name, std::string prefix)
      : json_(json), name_(std::move(name)), prefix_(std::move(prefix)) {}

  bool Has(const char* key) const { return json_.contains(key) && !json_.at(key).is_null(); }

  [[noreturn]] void Fail(const std::string& key, const std::string& message) const {
    Diagnostic d;
    d.location.file = name_;
    d.key_path = prefix_ + key;
    d.message = message;
    throw InputError(std::move(d));
  }

  int64_t Int(const char* key) const {
    if (!Has(key)) Fail(key, "missing: the importer needs it to size the model");
    return IntValue(key);
  }
  int64_t Int(const char* key, int64_t fallback) const { return Has(key) ? IntValue(key) : fallback; }
  int64_t PositiveInt(const char* key) const {
    const int64_t v = Int(key);
    if (v <= 0) Fail(key, fmt::format("must be greater than zero, got {}", v));
    // Callers narrow to int; a larger value would wrap to a plausible one (2^32 + 4096 -> 4096).
    if (v > INT32_MAX) Fail(key, fmt::format("{} is too large", v));
    return v;
  }
  int64_t PositiveInt(const char* key, int64_t fallback) const { return Has(key) ? PositiveInt(key) : fallback; }
  bool Bool(const char* key, bool fallback) const {
    if (!Has(key)) return fallback;
    if (!json_.at(key).is_boolean()) Fail(key, fmt::format("expected true or false, got {}", json_.at(key).dump()));
    return json_.at(key).get<bool>();
  }
  std::string String(const char* key) const {
    if (!Has(key) || !json_.at(key).is_string()) Fail(key, "missing or not a string");
    return json_.at(key).get<std::string>();
  }
  std::vector<std::string> Strings(const char* key) const {
    std::vector<std::string> out;
    if (!Has(key)) return out;
    if (!json_.at(key).is_array()) Fail(key, "expected a list of strings");
    for (const Json& v : json_.at(key)) {
      if (!v.is_string()) Fail(key, "expected a list of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::vector<int64_t> Ints(const char* key) const {
    std::vector<int64_t> out;
    if (!Has(key)) return out;
    if (!json_.at(key).is_array()) Fail(key, "expected a list of integers");
    for (const Json& v : json_.at(key)) {
      if (!v.is_number_integer()) Fail(key, "expected a list of integers");
      out.push_back(v.get<int64_t>());
    }
    return out;
  }
  const Json& json() const { return json_; }
  const std::string& name() const { return name_; }

 private:
  int64_t IntValue(const char* key) const {
    const Json& v = json_.at(key);
    if (v.is_number_integer()) return v.get<int64_t>();
    // Some configs write integers as 4096.0.
    // Range-check before the cast: casting 1e300 to int64_t is undefined (found by fuzz_hf_config).
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (d >= -9.2e18 && d <= 9.2e18 && d == std::trunc(d)) return static_cast<int64_t>(d);
    }
    Fail(key, fmt::format("expected an integer, got {}", v.dump()));
  }

  const Json& json_;
  std::string name_;
  std::string prefix_;
};

// Bounds that no real model exceeds; past them the numbers are hostile or corrupt and would
// overflow the tensor arithmetic.
void CheckBounds(const Config& c, const ModelSpec& m) {
  const auto check = [&](const char* key, int64_t v, int64_t max) {
    if (v <= 0 || v > max) c.Fail(key, fmt::format("{} is outside 1..{}", v, max));
  };
  check("hidden_size", m.hidden_size, 1 << 20);
  check("num_hidden_layers", m.num_layers, 10'000);
  check("vocab_size", m.vocab_size, 1 << 24);
  check("num_attention_heads", m.attention.num_heads, 1 << 14);
  check("num_key_value_heads", m.attention.num_kv_heads, 1 << 14);
  check("head_dim", m.attention.head_dim, 1 << 14);
  // The model YAML needs a context length in 1..2^40 (model_loader.cpp); refuse here rather
  // than write a file `siliconsim models` cannot read back (found by fuzz/fuzz_hf_config).
  check("max_position_embeddings", m.max_context_tokens, int64_t{1} << 40);
  if (m.attention.num_heads % m.attention.num_kv_heads != 0) {
    c.Fail("num_key_value_heads", fmt::format("{} does not divide num_attention_heads {}",
                                              m.attention.num_kv_heads, m.attention.num_heads));
  }
  if (m.ffn.intermediate_size > 0) check("intermediate_size", m.ffn.intermediate_size, 1 << 22);
  if (m.moe) {
    check("num_experts", m.moe->num_experts, 1 << 14);
    check("num_experts_per_tok", m.moe->experts_per_token, m.moe->num_experts);
    check("moe_intermediate_size", m.moe->expert_intermediate_size, 1 << 22);
    if (m.moe->shared_expert_intermediate_size > 0) {
      check("shared_expert_intermediate_size", m.moe->shared_expert_intermediate_size, 1 << 22);
    }
  }
  // The model loader's limits for every other size (model_loader.cpp ReadSize: 2^24 unless
  // stated), so that what `import hf` writes, `models` reads (found by fuzz/fuzz_hf_config: a
  // linear_value_head_dim of 333,333,128 was imported and then refused).
  constexpr int64_t kSize = 1 << 24;
  if (m.attention.sliding_window_tokens) check("sliding_window", *m.attention.sliding_window_tokens, kSize);
  if (m.attention.chunk_tokens) check("attention_chunk_size", *m.attention.chunk_tokens, kSize);
  if (m.mla) {
    if (m.mla->q_lora_rank) check("q_lora_rank", *m.mla->q_lora_rank, kSize);
    check("kv_lora_rank", m.mla->kv_lora_rank, kSize);
    check("qk_nope_head_dim", m.mla->qk_nope_head_dim, kSize);
    check("qk_rope_head_dim", m.mla->qk_rope_head_dim, kSize);
    check("v_head_dim", m.mla->v_head_dim, kSize);
  }
  if (m.linear_attention) {
    check("linear_num_key_heads", m.linear_attention->num_key_heads, kSize);
    check("linear_num_value_heads", m.linear_attention->num_value_heads, kSize);
    check("linear_key_head_dim", m.linear_attention->key_head_dim, kSize);
    check("linear_value_head_dim", m.linear_attention->value_head_dim, kSize);
    check("linear_conv_kernel_dim", m.linear_attention->conv_kernel, kSize);
  }
  if (m.mamba2) {
    check("mamba_n_heads", m.mamba2->num_heads, 1 << 14);
    check("mamba_d_conv", m.mamba2->conv_kernel, 1 << 10);
  }
}

// Per-layer kinds from HF's `layer_types` list ("full_attention", "sliding_attention", ...).
std::vector<AttentionKind> FromLayerTypes(const Config& c, const std::vector<std::string>& types, int layers) {
  if (static_cast<int>(types.size()) != layers) {
    c.Fail("layer_types", fmt::format("lists {} layers but num_hidden_layers is {}", types.size(), layers));
  }
  std::vector<AttentionKind> kinds;
  for (const std::string& t : types) {
    if (t == "full_attention") kinds.push_back(AttentionKind::kFull);
    else if (t == "sliding_attention") kinds.push_back(AttentionKind::kSliding);
    else if (t == "linear_attention") kinds.push_back(AttentionKind::kLinear);
    else if (t == "chunked_attention") kinds.push_back(AttentionKind::kChunked);
    else c.Fail("layer_types", fmt::format("unknown layer type '{}'", t));
  }
  return kinds;
}

void ReadCommon(const Config& c, ModelSpec& m) {
  m.hidden_size = static_cast<int>(c.PositiveInt("hidden_size"));
  // Bounded before the per-layer vectors below are sized from it: a hostile 2e9 asked for 8 GB
  // (found by fuzz/fuzz_hf_config; the same limit as CheckBounds).
  const int64_t layers = c.PositiveInt("num_hidden_layers");
  if (layers > 10'000) c.Fail("num_hidden_layers", fmt::format("{} is outside 1..{}", layers, 10'000));
  m.num_layers = static_cast<int>(layers);
  // Whatever the family does with it, a per-layer list must have one entry per layer.
  if (c.Has("layer_types")) {
    const size_t listed = c.Strings("layer_types").size();
    if (listed != static_cast<size_t>(layers)) {
      c.Fail("layer_types", fmt::format("lists {} layers but num_hidden_layers is {}", listed, layers));
    }
  }
  m.vocab_size = c.PositiveInt("vocab_size");
  m.attention.num_heads = static_cast<int>(c.PositiveInt("num_attention_heads"));
  m.attention.num_kv_heads = static_cast<int>(c.Int("num_key_value_heads", m.attention.num_heads));
  m.attention.head_dim = static_cast<int>(c.Int("head_dim", m.hidden_size / m.attention.num_heads));
  m.tie_word_embeddings = c.Bool("tie_word_embeddings", false);
  m.max_context_tokens = c.Int("max_position_embeddings", 0);
  m.attention.qkv_bias = c.Bool("attention_bias", false);
  if (c.Has("intermediate_size")) m.ffn.intermediate_size = c.PositiveInt("intermediate_size");
  m.layer_attention.assign(static_cast<size_t>(m.num_layers), AttentionKind::kFull);
  m.layer_ffn.assign(static_cast<size_t>(m.num_layers), FfnKind::kDense);
}

// A window that covers the whole context is no window (Phi-3-mini declares 2047 of 4096, which
// is a real window; Qwen2 declares one it does not use unless use_sliding_window is set).
void ApplyUniformSlidingWindow(const Config& c, ModelSpec& m) {
  if (!c.Has("sliding_window") || !c.Bool("use_sliding_window", true)) return;
  const int64_t window = c.PositiveInt("sliding_window");
  if (m.max_context_tokens > 0 && window >= m.max_context_tokens) return;
  m.attention.sliding_window_tokens = static_cast<int>(window);
  m.layer_attention.assign(static_cast<size_t>(m.num_layers), AttentionKind::kSliding);
}

void ReadQwenMoe(const Config& c, ModelSpec& m) {
  MoeSpec e;
  e.num_experts = static_cast<int>(c.PositiveInt("num_experts"));
  e.experts_per_token = static_cast<int>(c.PositiveInt("num_experts_per_tok"));
  e.expert_intermediate_size = c.PositiveInt("moe_intermediate_size");
  if (c.Has("shared_expert_intermediate_size") && c.Int("shared_expert_intermediate_size") > 0) {
    e.num_shared_experts = 1;
    e.shared_expert_intermediate_size = c.Int("shared_expert_intermediate_size");
    e.shared_expert_gate = true;
  }
  m.moe = e;
  const int64_t step = c.Int("decoder_sparse_step", 1);
  const std::vector<int64_t> dense = c.Ints("mlp_only_layers");
  for (int i = 0; i < m.num_layers; ++i) {
    const bool is_dense = std::find(dense.begin(), dense.end(), i) != dense.end() || step <= 0 || (i + 1) % step != 0;
    m.layer_ffn[static_cast<size_t>(i)] = is_dense ? FfnKind::kDense : FfnKind::kMoe;
  }
}

void ReadGatedDeltaNet(const Config& c, ModelSpec& m) {
  LinearAttentionSpec l;
  l.num_key_heads = static_cast<int>(c.PositiveInt("linear_num_key_heads"));
  l.num_value_heads = static_cast<int>(c.PositiveInt("linear_num_value_heads"));
  l.key_head_dim = static_cast<int>(c.PositiveInt("linear_key_head_dim"));
  l.value_head_dim = static_cast<int>(c.PositiveInt("linear_value_head_dim"));
  l.conv_kernel = static_cast<int>(c.PositiveInt("linear_conv_kernel_dim"));
  m.linear_attention = l;
  m.attention.qk_norm = true;
  m.attention.output_gate = c.Bool("attn_output_gate", true);
  const std::vector<std::string> types = c.Strings("layer_types");
  if (!types.empty()) {
    m.layer_attention = FromLayerTypes(c, types, m.num_layers);
  } else {
    const int64_t interval = c.PositiveInt("full_attention_interval");
    for (int i = 0; i < m.num_layers; ++i) {
      m.layer_attention[static_cast<size_t>(i)] = (i + 1) % interval == 0 ? AttentionKind::kFull : AttentionKind::kLinear;
    }
  }
}

// Llama 4 text model (transformers' Llama4TextConfig): routed experts plus one shared expert of
// `intermediate_size` on MoE layers, dense layers of `intermediate_size_mlp`; RoPE layers attend
// within chunks of `attention_chunk_size`, every 4th layer (NoPE) over the whole context, as in
// llama.cpp (LLM_ARCH_LLAMA4: swa_type CHUNKED, n_swa 8192, set_swa_pattern(4)). Its QK norm is
// a weightless L2 norm, so it adds no tensors.
void ReadLlama4(const Config& c, ModelSpec& m) {
  MoeSpec e;
  e.num_experts = static_cast<int>(c.PositiveInt("num_local_experts"));
  e.experts_per_token = static_cast<int>(c.PositiveInt("num_experts_per_tok"));
  e.expert_intermediate_size = c.PositiveInt("intermediate_size");
  e.num_shared_experts = 1;
  e.shared_expert_intermediate_size = e.expert_intermediate_size;
  m.moe = e;
  m.ffn.intermediate_size = c.PositiveInt("intermediate_size_mlp");
  const std::vector<int64_t> moe_layers = c.Ints("moe_layers");
  const int64_t step = c.Int("interleave_moe_layer_step", 1);
  if (moe_layers.empty() && step <= 0) c.Fail("interleave_moe_layer_step", "must be greater than zero");
  for (int i = 0; i < m.num_layers; ++i) {
    const bool moe = moe_layers.empty() ? (i + 1) % step == 0
                                        : std::find(moe_layers.begin(), moe_layers.end(), i) != moe_layers.end();
    m.layer_ffn[static_cast<size_t>(i)] = moe ? FfnKind::kMoe : FfnKind::kDense;
  }
  if (!c.Has("attention_chunk_size")) return;  // no chunking: full attention everywhere
  m.attention.chunk_tokens = static_cast<int>(c.PositiveInt("attention_chunk_size"));
  const std::vector<std::string> types = c.Strings("layer_types");
  if (!types.empty()) {
    m.layer_attention = FromLayerTypes(c, types, m.num_layers);
    return;
  }
  // no_rope_layers[i] is 1 where layer i uses RoPE (and so chunked attention); an empty list
  // means the default: every `no_rope_layer_interval`-th layer is NoPE.
  const std::vector<int64_t> rope = c.Ints("no_rope_layers");
  if (!rope.empty() && static_cast<int>(rope.size()) != m.num_layers) {
    c.Fail("no_rope_layers", fmt::format("lists {} layers but num_hidden_layers is {}", rope.size(), m.num_layers));
  }
  const int64_t interval = c.Int("no_rope_layer_interval", 4);
  if (rope.empty() && interval <= 0) c.Fail("no_rope_layer_interval", "must be greater than zero");
  for (int i = 0; i < m.num_layers; ++i) {
    const bool uses_rope = rope.empty() ? (i + 1) % interval != 0 : rope[static_cast<size_t>(i)] != 0;
    m.layer_attention[static_cast<size_t>(i)] = uses_rope ? AttentionKind::kChunked : AttentionKind::kFull;
  }
}

// Granite 4.0-H (transformers' GraniteMoeHybridConfig): `layer_types` of "mamba" and "attention";
// every layer also has a shared MLP of `shared_intermediate_size` and, when num_local_experts > 0,
// routed experts of `intermediate_size` beside it (so the shared MLP is a shared expert).
void ReadGraniteHybrid(const Config& c, ModelSpec& m) {
  const std::vector<std::string> types = c.Strings("layer_types");
  if (types.empty()) c.Fail("layer_types", "missing: the importer needs it to place the Mamba-2 layers");
  if (static_cast<int>(types.size()) != m.num_layers) {
    c.Fail("layer_types", fmt::format("lists {} layers but num_hidden_layers is {}", types.size(), m.num_layers));
  }
  bool any_mamba = false;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] == "mamba") m.layer_attention[i] = AttentionKind::kMamba2;
    else if (types[i] == "attention") m.layer_attention[i] = AttentionKind::kFull;
    else c.Fail("layer_types", fmt::format("unknown layer type '{}' (expected mamba or attention)", types[i]));
    any_mamba = any_mamba || types[i] == "mamba";
  }
  if (any_mamba) {
    Mamba2Spec s;
    s.num_heads = static_cast<int>(c.PositiveInt("mamba_n_heads"));
    // "auto" (the transformers default) means expand x hidden_size split over the heads.
    if (c.Has("mamba_d_head") && !c.json().at("mamba_d_head").is_string()) {
      s.head_dim = static_cast<int>(c.PositiveInt("mamba_d_head"));
    } else {
      s.head_dim = static_cast<int>(c.PositiveInt("mamba_expand", 2) * m.hidden_size / s.num_heads);
    }
    s.state_size = static_cast<int>(c.PositiveInt("mamba_d_state"));
    s.num_groups = static_cast<int>(c.PositiveInt("mamba_n_groups", 1));
    s.conv_kernel = static_cast<int>(c.PositiveInt("mamba_d_conv", 4));
    s.conv_bias = c.Bool("mamba_conv_bias", true);
    s.proj_bias = c.Bool("mamba_proj_bias", false);
    const auto check = [&](const char* key, int64_t v) {
      if (v <= 0 || v > (1 << 14)) c.Fail(key, fmt::format("{} is outside 1..{}", v, 1 << 14));
    };
    check("mamba_d_head", s.head_dim);
    check("mamba_n_groups", s.num_groups);
    check("mamba_d_conv", s.conv_kernel);
    check("mamba_d_state", s.state_size);
    if (s.inner_size() % s.num_groups != 0) {
      c.Fail("mamba_n_groups", fmt::format("{} does not divide the inner width {}", s.num_groups, s.inner_size()));
    }
    m.mamba2 = s;
  }
  const int64_t shared = c.PositiveInt("shared_intermediate_size");
  if (c.Int("num_local_experts", 0) > 0) {
    MoeSpec e;
    e.num_experts = static_cast<int>(c.PositiveInt("num_local_experts"));
    e.experts_per_token = static_cast<int>(c.PositiveInt("num_experts_per_tok"));
    e.expert_intermediate_size = c.PositiveInt("intermediate_size");
    e.num_shared_experts = 1;
    e.shared_expert_intermediate_size = shared;
    m.moe = e;
    m.ffn.intermediate_size = 0;
    m.layer_ffn.assign(static_cast<size_t>(m.num_layers), FfnKind::kMoe);
  } else {
    m.ffn.intermediate_size = shared;
  }
}

ModelSpec FromConfig(const Config& c, const std::string& type) {
  const std::vector<std::string> supported = SupportedHfModelTypes();
  if (std::find(supported.begin(), supported.end(), type) == supported.end() && type != "qwen3_5_text" &&
      type != "qwen3_5_moe_text" && type != "llama4_text") {
    std::string message = fmt::format("model_type '{}' is not supported; supported: {}", type, Join(supported, ", "));
    if (auto near = NearestMatch(type, supported)) message += fmt::format(" (did you mean '{}'?)", *near);
    c.Fail("model_type", message);
  }
  ModelSpec m;
  m.family = type;
  ReadCommon(c, m);
  if (type == "llama" || type == "mistral" || type == "phi3" || type == "qwen2" || type == "qwen3") {
    if (type == "qwen2") m.attention.qkv_bias = true;
    if (type == "qwen3") m.attention.qk_norm = true;
    m.ffn.bias = c.Bool("mlp_bias", false);
    // Phi-3 declares a window (2047 on the 4k models), but llama.cpp ignores it ("Phi SWA is
    // currently disabled", src/llama-model.cpp, PR #13676) and mlx-lm's phi3 has none: every
    // layer attends to, and caches, the whole context.
    if (type != "phi3") ApplyUniformSlidingWindow(c, m);
  } else if (type == "mixtral") {
    MoeSpec e;
    e.num_experts = static_cast<int>(c.PositiveInt("num_local_experts"));
    e.experts_per_token = static_cast<int>(c.PositiveInt("num_experts_per_tok"));
    e.expert_intermediate_size = c.PositiveInt("intermediate_size");
    m.moe = e;
    m.layer_ffn.assign(static_cast<size_t>(m.num_layers), FfnKind::kMoe);
    ApplyUniformSlidingWindow(c, m);
  } else if (type == "qwen3_moe") {
    m.attention.qk_norm = true;
    ReadQwenMoe(c, m);
  } else if (type == "qwen3_next" || type == "qwen3_5_moe_text" || type == "qwen3_5_moe") {
    ReadGatedDeltaNet(c, m);
    ReadQwenMoe(c, m);
  } else if (type == "qwen3_5_text" || type == "qwen3_5") {
    ReadGatedDeltaNet(c, m);
  } else if (type == "gemma2" || type == "gemma3_text" || type == "gemma3") {
    m.norms_per_layer = 4;
    m.tie_word_embeddings = c.Bool("tie_word_embeddings", true);
    m.attention.qk_norm = type != "gemma2";
    m.attention.sliding_window_tokens = static_cast<int>(c.PositiveInt("sliding_window"));
    const std::vector<std::string> types = c.Strings("layer_types");
    if (!types.empty()) {
      m.layer_attention = FromLayerTypes(c, types, m.num_layers);
    } else {
      // Gemma 2 alternates local and global from layer 0; Gemma 3 has five local, then one global.
      const int64_t pattern = type == "gemma2" ? 2 : c.PositiveInt("sliding_window_pattern", 6);
      for (int i = 0; i < m.num_layers; ++i) {
        m.layer_attention[static_cast<size_t>(i)] =
            (i + 1) % pattern == 0 ? AttentionKind::kFull : AttentionKind::kSliding;
      }
    }
    if (m.max_context_tokens == 0) m.max_context_tokens = type == "gemma2" ? 8192 : 131072;
  } else if (type == "deepseek_v3" || type == "deepseek_v2") {
    MlaSpec a;
    if (c.Has("q_lora_rank")) a.q_lora_rank = static_cast<int>(c.PositiveInt("q_lora_rank"));
    a.kv_lora_rank = static_cast<int>(c.PositiveInt("kv_lora_rank"));
    a.qk_nope_head_dim = static_cast<int>(c.PositiveInt("qk_nope_head_dim"));
    a.qk_rope_head_dim = static_cast<int>(c.PositiveInt("qk_rope_head_dim"));
    a.v_head_dim = static_cast<int>(c.PositiveInt("v_head_dim"));
    m.mla = a;
    m.layer_attention.assign(static_cast<size_t>(m.num_layers), AttentionKind::kMla);
    MoeSpec e;
    e.num_experts = static_cast<int>(c.PositiveInt("n_routed_experts"));
    e.experts_per_token = static_cast<int>(c.PositiveInt("num_experts_per_tok"));
    e.expert_intermediate_size = c.PositiveInt("moe_intermediate_size");
    e.num_shared_experts = static_cast<int>(c.Int("n_shared_experts", 0));
    e.shared_expert_intermediate_size = e.expert_intermediate_size;
    // noaux_tc routing adds a learned per-expert score bias (e_score_correction_bias).
    e.router_bias = c.Has("topk_method") && c.String("topk_method") == "noaux_tc";
    m.moe = e;
    const int64_t first_dense = c.Int("first_k_dense_replace", 0);
    const int64_t freq = c.Int("moe_layer_freq", 1);
    for (int i = 0; i < m.num_layers; ++i) {
      const bool moe = i >= first_dense && freq > 0 && i % freq == 0;
      m.layer_ffn[static_cast<size_t>(i)] = moe ? FfnKind::kMoe : FfnKind::kDense;
    }
  } else if (type == "llama4" || type == "llama4_text") {
    ReadLlama4(c, m);
  } else if (type == "granitemoehybrid") {
    ReadGraniteHybrid(c, m);
  } else if (type == "gpt_oss") {
    m.attention.qkv_bias = c.Bool("attention_bias", true);
    m.attention.output_bias = m.attention.qkv_bias;
    m.attention.sinks = true;
    m.attention.sliding_window_tokens = static_cast<int>(c.PositiveInt("sliding_window"));
    m.layer_attention = FromLayerTypes(c, c.Strings("layer_types"), m.num_layers);
    MoeSpec e;
    e.num_experts = static_cast<int>(c.PositiveInt("num_local_experts"));
    e.experts_per_token = static_cast<int>(c.Int("num_experts_per_tok", c.Int("experts_per_token", 0)));
    e.expert_intermediate_size = c.PositiveInt("intermediate_size");
    e.router_bias = true;
    e.expert_bias = true;
    m.moe = e;
    m.layer_ffn.assign(static_cast<size_t>(m.num_layers), FfnKind::kMoe);
  }
  for (size_t i = 0; i < m.layer_ffn.size(); ++i) {
    if (m.layer_ffn[i] == FfnKind::kDense && m.ffn.intermediate_size <= 0) {
      c.Fail("intermediate_size", fmt::format("layer {} has a dense FFN but no intermediate_size is given", i));
    }
  }
  if (std::count(m.layer_attention.begin(), m.layer_attention.end(), AttentionKind::kSliding) > 0 &&
      !m.attention.sliding_window_tokens) {
    c.Fail("sliding_window", "sliding layers need a window size");
  }
  CheckBounds(c, m);
  return m;
}

}  // namespace

std::vector<std::string> SupportedHfModelTypes() {
  return {"llama",     "mistral",      "mixtral",          "phi3",         "qwen2",        "qwen3",
          "qwen3_moe", "qwen3_next",   "qwen3_5",          "qwen3_5_moe",  "gemma2",       "gemma3",
          "gemma3_text", "deepseek_v2", "deepseek_v3",     "gpt_oss",      "llama4",       "granitemoehybrid"};
}

namespace {

// The model YAML `import hf` writes must load (the `import hf` -> `models` round trip). CheckBounds
// gives each known limit its config.json key; this catches whatever it does not know, naming the
// model YAML field the loader refused.
void CheckReadableBack(const ModelSpec& imported, const std::string& name) {
  ModelSpec m = imported;  // what `import hf` fills in from its flags before writing
  if (m.id.empty()) m.id = "imported";
  if (m.name.empty()) m.name = "imported";
  if (m.source.empty()) m.source = name;
  try {
    LoadModelsFromString(WriteModelYaml(m), "imported model");
  } catch (const InputError& e) {
    Diagnostic d;
    d.location.file = name;
    const Diagnostic& why = e.diagnostic();
    d.message = fmt::format("imports to a model the model loader refuses: {}{}{}", why.key_path,
                            why.key_path.empty() ? "" : ": ", why.message);
    throw InputError(std::move(d));
  }
}

}  // namespace

ModelSpec ImportHfConfig(std::string_view json_text, const std::string& name) {
  Json root;
  try {
    const Json::parser_callback_t limit_depth = [&](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth) throw std::length_error("nesting deeper than 16 levels");
      return true;
    };
    root = Json::parse(json_text.begin(), json_text.end(), limit_depth);
  } catch (const std::exception& e) {
    Diagnostic d;
    d.location.file = name;
    d.message = fmt::format("not a valid config.json: {}", e.what());
    throw InputError(std::move(d));
  }
  if (!root.is_object()) {
    Diagnostic d;
    d.location.file = name;
    d.message = "not a valid config.json: expected a JSON object";
    throw InputError(std::move(d));
  }
  const Config top(root, name, "");
  if (!top.Has("model_type")) top.Fail("model_type", "missing: cannot tell which architecture this is");
  std::string type = top.String("model_type");
  // Multimodal wrappers keep the language model under text_config.
  if (root.contains("text_config") && root.at("text_config").is_object()) {
    const Config text(root.at("text_config"), name, "text_config.");  // for model_type only
    if (text.Has("model_type")) type = text.String("model_type");
    else if (type == "gemma3") type = "gemma3_text";
    Json text_json = root.at("text_config");
    if (type == "gemma3_text") {
      // Gemma 3's multimodal configs leave out what equals transformers' Gemma3TextConfig
      // defaults (transformers/models/gemma3/configuration_gemma3.py); HF fills them the same way.
      for (const auto& [key, value] : {std::pair<const char*, int64_t>{"vocab_size", 262208},
                                       {"num_attention_heads", 8},
                                       {"num_key_value_heads", 4},
                                       {"head_dim", 256},
                                       {"max_position_embeddings", 131072}}) {
        if (!text_json.contains(key)) text_json[key] = value;
      }
    }
    const Config filled(text_json, name, "text_config.");
    ModelSpec m = FromConfig(filled, type);
    m.family = type;
    CheckReadableBack(m, name);
    return m;
  }
  ModelSpec m = FromConfig(top, type);
  CheckReadableBack(m, name);
  return m;
}

ModelSpec ImportHfConfigFile(const std::string& path) { return ImportHfConfig(ReadTextFile(path), path); }

}  // namespace siliconsim
