#include "model/gguf_model.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/diagnostics.h"
#include "common/text.h"

namespace siliconsim {
namespace {

// Bounds no real model exceeds; past them the numbers are corrupt or hostile and would
// overflow the tensor arithmetic (the same limits as the config.json importer).
constexpr int64_t kMaxWidth = 1 << 20;
constexpr int64_t kMaxLayers = 10'000;
constexpr int64_t kMaxHeads = 1 << 14;
constexpr int64_t kMaxFfn = 1 << 22;
constexpr int64_t kMaxVocab = 1 << 24;
constexpr int64_t kMaxContext = int64_t{1} << 40;

class Metadata {
 public:
  Metadata(const GgufHeader& header, std::string file, std::string arch)
      : h_(header), file_(std::move(file)), arch_(std::move(arch)) {}

  [[noreturn]] void Fail(const std::string& key, const std::string& message) const {
    Diagnostic d;
    d.location.file = file_;
    d.key_path = key;
    d.message = message;
    throw InputError(std::move(d));
  }

  std::string Key(const char* suffix) const { return fmt::format("{}.{}", arch_, suffix); }
  bool Has(const char* suffix) const { return h_.Find(Key(suffix)) != nullptr; }

  /// An integer in 1..max, or one value repeated in a per-layer array.
  int64_t Size(const char* suffix, int64_t max) const {
    const std::optional<int64_t> v = Optional(suffix);
    if (!v) Fail(Key(suffix), "missing: the importer needs it to size the model");
    if (*v <= 0 || *v > max) Fail(Key(suffix), fmt::format("{} is outside 1..{}", *v, max));
    return *v;
  }
  int64_t Size(const char* suffix, int64_t max, int64_t fallback) const { return Has(suffix) ? Size(suffix, max) : fallback; }

  /// An integer that may be 0 (counts such as expert_shared_count), within 0..max.
  int64_t Count(const char* suffix, int64_t max, int64_t fallback = 0) const {
    const std::optional<int64_t> v = Optional(suffix);
    if (!v) return fallback;
    if (*v < 0 || *v > max) Fail(Key(suffix), fmt::format("{} is outside 0..{}", *v, max));
    return *v;
  }

  const GgufHeader& header() const { return h_; }
  const std::string& arch() const { return arch_; }

 private:
  // Scalars, or arrays with one value per layer (llama.cpp accepts both for head counts and
  // feed-forward lengths); a per-layer array whose values differ cannot be modeled here.
  std::optional<int64_t> Optional(const char* suffix) const {
    const std::string key = Key(suffix);
    const GgufValue* v = h_.Find(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) {
      const std::optional<int64_t> i = v->AsInt();
      if (!i) Fail(key, fmt::format("expected an integer, got {}", GgufValueTypeName(v->type)));
      return i;
    }
    if (!v->elements_stored || v->elements.empty()) {
      Fail(key, fmt::format("a per-layer array of {} values is not supported here", v->count));
    }
    std::optional<int64_t> first;
    for (const GgufValue& e : v->elements) {
      const std::optional<int64_t> i = e.AsInt();
      if (!i) Fail(key, fmt::format("expected integers, got {}", GgufValueTypeName(e.type)));
      if (first && *first != *i) {
        Fail(key, fmt::format("per-layer values differ ({} and {}); only uniform layers are modeled", *first, *i));
      }
      first = i;
    }
    return first;
  }

  const GgufHeader& h_;
  std::string file_;
  std::string arch_;
};

bool HasTensor(const GgufHeader& h, const std::string& name) { return h.FindTensor(name) != nullptr; }
bool HasBlockTensor(const GgufHeader& h, int layer, const char* suffix) {
  return HasTensor(h, fmt::format("blk.{}.{}", layer, suffix));
}

// Sliding-window layers as llama.cpp places them: set_swa_pattern(n) makes layer il sliding when
// il % n < n - 1. The pattern is fixed per architecture (gemma2: 2, gemma3: 6, gpt-oss: 2,
// llama4: 4, chunked); `<arch>.attention.sliding_window_pattern` overrides it when present.
void ApplySwaPattern(const Metadata& md, ModelSpec& m, int64_t period, AttentionKind windowed) {
  const std::string key = md.Key("attention.sliding_window_pattern");
  if (const GgufValue* v = md.header().Find(key)) {
    if (v->is_array()) {
      if (!v->elements_stored || static_cast<int>(v->elements.size()) != m.num_layers) {
        md.Fail(key, fmt::format("expected one bool per layer ({}), got {}", m.num_layers, v->count));
      }
      for (size_t i = 0; i < v->elements.size(); ++i) {
        const std::optional<bool> b = v->elements[i].AsBool();
        if (!b) md.Fail(key, "expected an array of bools");
        m.layer_attention[i] = *b ? windowed : AttentionKind::kFull;
      }
      return;
    }
    period = md.Size("attention.sliding_window_pattern", kMaxLayers);
  }
  for (int i = 0; i < m.num_layers; ++i) {
    m.layer_attention[static_cast<size_t>(i)] = i % period < period - 1 ? windowed : AttentionKind::kFull;
  }
}

void ReadSlidingWindow(const Metadata& md, ModelSpec& m, std::optional<int64_t> fallback, int64_t period) {
  const int64_t window = fallback ? md.Size("attention.sliding_window", kMaxContext, *fallback)
                                  : md.Size("attention.sliding_window", kMaxContext);
  m.attention.sliding_window_tokens = static_cast<int>(std::min<int64_t>(window, 1 << 30));
  ApplySwaPattern(md, m, period, AttentionKind::kSliding);
}

void ReadMla(const Metadata& md, ModelSpec& m) {
  MlaSpec a;
  const int64_t q_lora = md.Count("attention.q_lora_rank", kMaxWidth);
  if (q_lora > 0) a.q_lora_rank = static_cast<int>(q_lora);
  a.kv_lora_rank = static_cast<int>(md.Size("attention.kv_lora_rank", kMaxWidth));
  a.qk_rope_head_dim = static_cast<int>(md.Size("rope.dimension_count", kMaxHeads));
  // Files converted since llama.cpp absorbed MLA store the per-head q/k and v sizes under *_mla
  // (key_length then holds kv_lora_rank + rope, the cached width).
  const bool absorbed = md.Has("attention.key_length_mla");
  const int64_t qk = absorbed ? md.Size("attention.key_length_mla", kMaxHeads) : md.Size("attention.key_length", kMaxHeads);
  const int64_t v = absorbed ? md.Size("attention.value_length_mla", kMaxHeads) : md.Size("attention.value_length", kMaxHeads);
  if (qk <= a.qk_rope_head_dim) {
    md.Fail(md.Key(absorbed ? "attention.key_length_mla" : "attention.key_length"),
            fmt::format("{} does not exceed rope.dimension_count {}", qk, a.qk_rope_head_dim));
  }
  a.qk_nope_head_dim = static_cast<int>(qk - a.qk_rope_head_dim);
  a.v_head_dim = static_cast<int>(v);
  m.mla = a;
  m.attention.head_dim = static_cast<int>(qk);
  m.layer_attention.assign(static_cast<size_t>(m.num_layers), AttentionKind::kMla);
}

// Which layers are MoE, and the expert shapes, from the metadata plus the tensors that exist.
void ReadExperts(const Metadata& md, ModelSpec& m) {
  const GgufHeader& h = md.header();
  const int64_t n = md.Count("expert_count", kMaxHeads);
  if (n == 0) return;
  MoeSpec e;
  e.num_experts = static_cast<int>(n);
  e.experts_per_token = static_cast<int>(md.Size("expert_used_count", n));
  int first_moe = -1;
  for (int i = 0; i < m.num_layers; ++i) {
    const bool moe = HasBlockTensor(h, i, "ffn_gate_inp.weight");
    m.layer_ffn[static_cast<size_t>(i)] = moe ? FfnKind::kMoe : FfnKind::kDense;
    if (moe && first_moe < 0) first_moe = i;
  }
  if (first_moe < 0) {
    md.Fail(md.Key("expert_count"), fmt::format("declares {} experts but no layer has an ffn_gate_inp.weight router", n));
  }
  // Mixtral-style files (arch llama) give the expert width only as feed_forward_length.
  e.expert_intermediate_size = md.Has("expert_feed_forward_length") ? md.Size("expert_feed_forward_length", kMaxFfn)
                                                                    : md.Size("feed_forward_length", kMaxFfn);
  if (const GgufTensorRecord* t = h.FindTensor(fmt::format("blk.{}.ffn_up_shexp.weight", first_moe))) {
    e.num_shared_experts = static_cast<int>(md.Count("expert_shared_count", 64, 1));
    if (e.num_shared_experts == 0) e.num_shared_experts = 1;
    if (t->dims.size() < 2) md.Fail(t->name, "expected a matrix");
    e.shared_expert_intermediate_size = t->dims[1] / e.num_shared_experts;
  }
  e.shared_expert_gate = HasBlockTensor(h, first_moe, "ffn_gate_inp_shexp.weight");
  e.router_bias = HasBlockTensor(h, first_moe, "ffn_gate_inp.bias") || HasBlockTensor(h, first_moe, "exp_probs_b.bias");
  e.expert_bias = HasBlockTensor(h, first_moe, "ffn_up_exps.bias");
  m.moe = e;
}

}  // namespace

std::vector<std::string> SupportedGgufArchitectures() {
  return {"llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3", "gpt-oss", "deepseek2", "llama4"};
}

ModelSpec ModelSpecFromGguf(const GgufHeader& h, const std::string& file_name) {
  const std::optional<std::string> arch = h.GetString("general.architecture");
  const Metadata top(h, file_name, "general");
  if (!arch) top.Fail("general.architecture", "missing or not a string: cannot tell which architecture this is");
  const std::vector<std::string> supported = SupportedGgufArchitectures();
  if (std::find(supported.begin(), supported.end(), *arch) == supported.end()) {
    std::string message = fmt::format("'{}' is not supported; supported: {}", *arch, Join(supported, ", "));
    if (auto near = NearestMatch(*arch, supported)) message += fmt::format(" (did you mean '{}'?)", *near);
    top.Fail("general.architecture", message);
  }
  const Metadata md(h, file_name, *arch);
  const std::string& a = *arch;

  ModelSpec m;
  m.id = file_name;
  m.name = h.GetString("general.name").value_or(file_name);
  m.family = a;
  m.source = file_name;
  m.hidden_size = static_cast<int>(md.Size("embedding_length", kMaxWidth));
  m.num_layers = static_cast<int>(md.Size("block_count", kMaxLayers));
  m.max_context_tokens = md.Size("context_length", kMaxContext);
  m.attention.num_heads = static_cast<int>(md.Size("attention.head_count", kMaxHeads));
  m.attention.num_kv_heads = static_cast<int>(md.Size("attention.head_count_kv", kMaxHeads, m.attention.num_heads));
  if (m.attention.num_heads % m.attention.num_kv_heads != 0) {
    md.Fail(md.Key("attention.head_count_kv"), fmt::format("{} does not divide attention.head_count {}",
                                                           m.attention.num_kv_heads, m.attention.num_heads));
  }
  m.attention.head_dim = static_cast<int>(md.Size("attention.key_length", kMaxHeads, m.hidden_size / m.attention.num_heads));
  if (md.Has("attention.value_length") && a != "deepseek2" &&
      md.Size("attention.value_length", kMaxHeads) != m.attention.head_dim) {
    md.Fail(md.Key("attention.value_length"), "differs from attention.key_length; only equal K and V widths are modeled");
  }

  // Vocabulary: the embedding's row count, else the tokenizer's token list.
  const GgufTensorRecord* embd = h.FindTensor("token_embd.weight");
  if (embd && embd->dims.size() >= 2) {
    m.vocab_size = embd->dims[1];
  } else if (const std::optional<uint64_t> tokens = h.GetArrayCount("tokenizer.ggml.tokens")) {
    m.vocab_size = static_cast<int64_t>(*tokens);
  } else {
    m.vocab_size = md.Size("vocab_size", kMaxVocab);
  }
  if (m.vocab_size <= 0 || m.vocab_size > kMaxVocab) {
    top.Fail("token_embd.weight", fmt::format("vocabulary of {} is outside 1..{}", m.vocab_size, kMaxVocab));
  }
  m.tie_word_embeddings = !HasTensor(h, "output.weight");

  m.layer_attention.assign(static_cast<size_t>(m.num_layers), AttentionKind::kFull);
  m.layer_ffn.assign(static_cast<size_t>(m.num_layers), FfnKind::kDense);

  // Options llama.cpp also takes from the tensors present (create_tensor with TENSOR_NOT_REQUIRED).
  m.attention.qkv_bias = HasBlockTensor(h, 0, "attn_q.bias");
  m.attention.output_bias = HasBlockTensor(h, 0, "attn_output.bias");
  m.attention.qk_norm = HasBlockTensor(h, 0, "attn_q_norm.weight");
  m.attention.sinks = HasBlockTensor(h, 0, "attn_sinks.weight");
  m.norms_per_layer = HasBlockTensor(h, 0, "post_attention_norm.weight") ? 4 : 2;

  ReadExperts(md, m);
  if (a == "gemma2") {
    ReadSlidingWindow(md, m, 4096, 2);  // llama.cpp's default window for Gemma 2
  } else if (a == "gemma3") {
    ReadSlidingWindow(md, m, std::nullopt, 6);
  } else if (a == "gpt-oss") {
    ReadSlidingWindow(md, m, std::nullopt, 2);
  } else if (a == "llama4") {
    // llama.cpp: chunks of 8192 on 3 of 4 layers unless the file sets attention.sliding_window 0.
    if (md.Count("attention.sliding_window", kMaxContext, 8192) > 0) {
      m.attention.chunk_tokens = 8192;
      ApplySwaPattern(md, m, 4, AttentionKind::kChunked);
    }
  } else if (a == "deepseek2") {
    ReadMla(md, m);
  }
  // phi3: llama.cpp ignores attention.sliding_window ("Phi SWA is currently disabled"), so full.

  // Dense layers: the FFN width and whether it is gated.
  int first_dense = -1;
  for (int i = 0; i < m.num_layers && first_dense < 0; ++i) {
    if (m.layer_ffn[static_cast<size_t>(i)] == FfnKind::kDense) first_dense = i;
  }
  if (first_dense >= 0) {
    m.ffn.intermediate_size = md.Size("feed_forward_length", kMaxFfn);
    // Phi-3 stores gate and up fused in ffn_up, so a missing ffn_gate does not mean ungated there.
    m.ffn.gated = a == "phi3" || HasBlockTensor(h, first_dense, "ffn_gate.weight");
    m.ffn.bias = HasBlockTensor(h, first_dense, "ffn_up.bias");
  }
  return m;
}

ImportedWeights ImportedWeightsFromGguf(const GgufHeader& h, const std::string& file_name) {
  ImportedWeights w;
  w.tensors.reserve(h.tensors.size());
  for (size_t i = 0; i < h.tensors.size(); ++i) {
    const GgufTensorRecord& t = h.tensors[i];
    if (!t.type || !t.bytes) {
      Diagnostic d;
      d.location.file = file_name;
      d.key_path = fmt::format("tensors[{}] '{}'", i, t.name);
      d.message = fmt::format("ggml type id {} is unknown to this build, so its size cannot be computed", t.type_id);
      throw InputError(std::move(d));
    }
    w.tensors.push_back({t.name, *t.type, *t.bytes});
    w.tensor_bytes += *t.bytes;
  }
  return w;
}

}  // namespace siliconsim
