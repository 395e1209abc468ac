#include "model/gguf_mixture.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <numeric>

#include "common/diagnostics.h"

// Rules from ggml-org/llama.cpp@007dbbf3fd17eefe9b47fee45f48f7ba5e62b714 src/llama-quant.cpp:
// tensor_allows_quantization, llama_tensor_get_type (outer wrapper), llama_tensor_get_type_impl
// (the mixture), tensor_type_fallback, init_quantize_state_counters; the tensor order from
// llama_model_loader::weight_name_comparer (layer number, then name). Written from reading
// that code, not copied; docs/quantization.md walks through each rule.

namespace siliconsim {
namespace {

using F = LlamaFtype;

// ggml_type ids (ggml.h) the rules name; the geometry lives in model/ggml_types.cpp.
namespace gt {
constexpr int kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8, kQ2_K = 10, kQ3_K = 11,
              kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kIQ2_XXS = 16, kIQ2_XS = 17, kIQ3_XXS = 18, kIQ1_S = 19, kIQ4_NL = 20,
              kIQ3_S = 21, kIQ2_S = 22, kIQ4_XS = 23, kIQ1_M = 29, kTQ1_0 = 34, kTQ2_0 = 35, kMXFP4 = 39;
}  // namespace gt

struct FtypeName {
  F ftype;
  std::string_view name;
};

// llama-quantize's QUANT_OPTIONS spelling of each ftype (tools/quantize/quantize.cpp@42ea59bc).
constexpr FtypeName kFtypeNames[] = {
    {F::kAllF32, "F32"},          {F::kF16, "F16"},       {F::kQ4_0, "Q4_0"},     {F::kQ4_1, "Q4_1"},
    {F::kQ8_0, "Q8_0"},           {F::kQ5_0, "Q5_0"},     {F::kQ5_1, "Q5_1"},     {F::kQ2_K, "Q2_K"},
    {F::kQ3_K_S, "Q3_K_S"},       {F::kQ3_K_M, "Q3_K_M"}, {F::kQ3_K_L, "Q3_K_L"}, {F::kQ4_K_S, "Q4_K_S"},
    {F::kQ4_K_M, "Q4_K_M"},       {F::kQ5_K_S, "Q5_K_S"}, {F::kQ5_K_M, "Q5_K_M"}, {F::kQ6_K, "Q6_K"},
    {F::kIQ2_XXS, "IQ2_XXS"},     {F::kIQ2_XS, "IQ2_XS"}, {F::kQ2_K_S, "Q2_K_S"}, {F::kIQ3_XS, "IQ3_XS"},
    {F::kIQ3_XXS, "IQ3_XXS"},     {F::kIQ1_S, "IQ1_S"},   {F::kIQ4_NL, "IQ4_NL"}, {F::kIQ3_S, "IQ3_S"},
    {F::kIQ3_M, "IQ3_M"},         {F::kIQ2_S, "IQ2_S"},   {F::kIQ2_M, "IQ2_M"},   {F::kIQ4_XS, "IQ4_XS"},
    {F::kIQ1_M, "IQ1_M"},         {F::kBF16, "BF16"},     {F::kTQ1_0, "TQ1_0"},   {F::kTQ2_0, "TQ2_0"},
    {F::kMXFP4_MOE, "MXFP4_MOE"},
};

GgmlType Type(int id) { return *GgmlTypeById(id); }
std::string_view TypeName(int id) { return Type(id).name; }

// tensor_category in llama-quant.cpp, matched in the same order.
enum class Category {
  kTokenEmbd,
  kAttnQ,
  kAttnV,
  kAttnK,
  kAttnQkv,
  kAttnKvB,
  kAttnOutput,
  kFfnUp,
  kFfnGate,
  kFfnDown,
  kOutput,
  kOther
};

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

Category CategoryOf(const std::string& name) {
  if (name == "output.weight") return Category::kOutput;
  if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") return Category::kTokenEmbd;
  if (Contains(name, "attn_qkv.weight")) return Category::kAttnQkv;
  if (Contains(name, "attn_kv_b.weight")) return Category::kAttnKvB;
  if (Contains(name, "attn_v.weight")) return Category::kAttnV;
  if (Contains(name, "attn_k.weight")) return Category::kAttnK;
  if (Contains(name, "attn_q.weight")) return Category::kAttnQ;
  if (Contains(name, "attn_output.weight")) return Category::kAttnOutput;
  if (Contains(name, "ffn_up")) return Category::kFfnUp;
  if (Contains(name, "ffn_gate")) return Category::kFfnGate;
  if (Contains(name, "ffn_down")) return Category::kFfnDown;
  return Category::kOther;
}

bool IsAttnVLike(Category c) { return c == Category::kAttnV || c == Category::kAttnQkv || c == Category::kAttnKvB; }

// ggml_n_dims: trailing dimensions of size 1 do not count.
int NDims(const TensorInfo& t) {
  for (int i = 3; i >= 1; --i) {
    if (t.ne[static_cast<size_t>(i)] != 1) return i + 1;
  }
  return 1;
}

// The `%d` of a `blk.%d.` prefix, as sscanf reads it; nullopt when there is none.
std::optional<int> BlockIndex(const std::string& name) {
  if (!name.starts_with("blk.")) return std::nullopt;
  int value = 0;
  const char* begin = name.data() + 4;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  return value;
}

// tensor_allows_quantization (the checks that can apply to a language model's weights).
// --leave-output-tensor is applied by the caller (the index is made before the options are known).
bool AllowsQuantization(const TensorInfo& t) {
  if (NDims(t) < 2) return false;
  const std::string& n = t.name;
  if (!n.ends_with("weight")) return false;
  if (Contains(n, "_norm.weight")) return false;
  for (std::string_view never :
       {"ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
        "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_", "attn_rel_b.weight",
        "position_embd", "token_types"}) {
    if (Contains(n, never)) return false;
  }
  return true;
}

// What the converter wrote for a tensor the quantizer leaves alone (convert_hf_to_gguf.py: 1-D
// tensors and *_norm.weight are F32; routers, conv1d and position/type embeddings "are always
// in float32"; everything else is the --outtype).
bool ConverterWritesF32(const TensorInfo& t) {
  if (NDims(t) <= 1 || t.name.ends_with("_norm.weight")) return true;
  for (std::string_view f32 : {"ffn_gate_inp", "ssm_conv1d", "position_embd", "token_types"}) {
    if (Contains(t.name, f32)) return true;
  }
  return false;
}

struct State {
  int n_attention_wv = 0;
  int i_attention_wv = 0;
  int n_ffn = 0;  // n_ffn_down = n_ffn_gate = n_ffn_up = n_layer
  int i_ffn_down = 0;
  int i_ffn_gate = 0;
  int i_ffn_up = 0;
  bool has_output = false;
};

struct Pick {
  int type;
  std::string reason;
};

// A rule's reason, formatted only when the caller asked for reasons.
template <typename... Args>
std::string Why(const GgufQuantizeOptions& opt, fmt::format_string<Args...> format, Args&&... args) {
  if (!opt.explain) return {};
  return fmt::format(format, std::forward<Args>(args)...);
}

bool Is(F f, std::initializer_list<F> set) { return std::find(set.begin(), set.end(), f) != set.end(); }

// llama_tensor_get_type_impl: the mixture. `type` starts as the default type.
Pick Mixture(State& qs, int type, const TensorInfo& t, int block, F ftype, Category cat, const GgufModelTraits& m,
             const GgufQuantizeOptions& opt) {
  const int n_expert_gt1 = std::max(1, m.n_expert);
  const int n_gqa = m.n_gqa();
  const bool falcon = m.arch == "falcon";
  // Layer index for ffn tensors: parsed from the name in MoE models (experts are not stored in
  // layer order), the running counter otherwise.
  const auto layer_of = [&](int counter) {
    if (n_expert_gt1 <= 1) return counter;
    if (block < 0) throw UsageError(fmt::format("cannot determine the layer of tensor '{}'", t.name));
    if (block >= qs.n_ffn) {
      throw UsageError(fmt::format("tensor '{}' is in layer {}, but the model has {} layers", t.name, block, qs.n_ffn));
    }
    return block;
  };
  const auto pick = [&opt](int ty, auto&& reason) {
    Pick p{ty, {}};
    if (opt.explain) p.reason = std::forward<decltype(reason)>(reason);
    return p;
  };
  const std::string_view def = TypeName(type);

  if (cat == Category::kOutput || (!qs.has_output && cat == Category::kTokenEmbd)) {
    const char* what = cat == Category::kOutput ? "output" : "token_embd (tied to the output)";
    if (opt.output_tensor_type) return pick(opt.output_tensor_type->id, Why(opt, "{}: --output-tensor-type", what));
    if (ftype == F::kMXFP4_MOE) return pick(gt::kQ8_0, Why(opt, "{}: MXFP4_MOE keeps it at Q8_0", what));
    if (falcon || t.ne[0] % Type(type).block_elements != 0) {
      return pick(gt::kQ8_0, Why(opt, "{}: row length {} not a multiple of {}'s block", what, t.ne[0], def));
    }
    if (Is(ftype, {F::kIQ2_XXS, F::kIQ2_XS, F::kIQ3_XXS, F::kIQ1_S, F::kIQ2_S, F::kIQ2_M, F::kIQ1_M})) {
      return pick(gt::kQ5_K, Why(opt, "{}: Q5_K in the lowest-bit file types", what));
    }
    if (type != gt::kQ8_0) return pick(gt::kQ6_K, Why(opt, "{}: Q6_K unless the file is Q8_0", what));
    return pick(type, Why(opt, "{}: default", what));
  }
  if (ftype == F::kMXFP4_MOE) {
    const bool ffn = cat == Category::kFfnUp || cat == Category::kFfnGate || cat == Category::kFfnDown;
    if (t.ne[2] > 1 && (m.arch != "bailingmoe3" || ffn)) return pick(gt::kMXFP4, "MXFP4_MOE: stacked experts");
    return pick(gt::kQ8_0, "MXFP4_MOE: everything but the experts at Q8_0");
  }
  if (cat == Category::kTokenEmbd) {
    if (opt.token_embedding_type) return pick(opt.token_embedding_type->id, "token_embd: --token-embedding-type");
    if (Is(ftype, {F::kIQ2_XXS, F::kIQ2_XS, F::kIQ1_S, F::kIQ1_M})) return pick(gt::kQ2_K, "token_embd: Q2_K");
    if (Is(ftype, {F::kIQ2_S, F::kIQ2_M, F::kIQ3_XXS})) return pick(gt::kIQ3_S, "token_embd: IQ3_S");
    if (Is(ftype, {F::kTQ1_0, F::kTQ2_0})) return pick(gt::kQ4_K, "token_embd: Q4_K for ternary files");
    return pick(type, "token_embd: default");
  }
  if (Is(ftype, {F::kIQ2_XXS, F::kIQ2_XS, F::kIQ1_S, F::kIQ2_S, F::kIQ2_M, F::kIQ1_M})) {
    const bool iq2_sm = Is(ftype, {F::kIQ2_S, F::kIQ2_M});
    if (IsAttnVLike(cat)) {
      ++qs.i_attention_wv;
      if (n_gqa >= 4 || m.n_expert >= 4)
        return pick(gt::kQ4_K, Why(opt, "attn_v: Q4_K (n_gqa {} or n_expert {} >= 4)", n_gqa, m.n_expert));
      return pick(iq2_sm ? gt::kIQ3_S : gt::kQ2_K, "attn_v: low-bit group");
    }
    if (m.n_expert == 8 && cat == Category::kAttnK) return pick(gt::kQ4_K, "attn_k: Q4_K with 8 experts");
    if (cat == Category::kFfnDown) {
      // The counter, not the layer, even in MoE models: this branch never parses the name.
      const int i = qs.i_ffn_down++;
      if (i < qs.n_ffn / 8) return pick(iq2_sm ? gt::kIQ3_S : gt::kQ2_K, Why(opt, "ffn_down: #{} < n_layer/8", i));
      return pick(type, "ffn_down: default");
    }
    if (cat == Category::kAttnOutput) {
      if (m.n_expert == 8) return pick(gt::kQ5_K, "attn_output: Q5_K with 8 experts");
      if (Is(ftype, {F::kIQ1_S, F::kIQ1_M})) return pick(gt::kIQ2_XXS, "attn_output: IQ2_XXS in IQ1 files");
      if (iq2_sm) return pick(gt::kIQ3_S, "attn_output: IQ3_S");
      return pick(type, "attn_output: default");
    }
    return pick(type, "default");
  }
  if (IsAttnVLike(cat)) {
    const int i = qs.i_attention_wv++;
    const int n = qs.n_attention_wv;
    Pick p = pick(type, "attn_v: default");
    if (ftype == F::kQ2_K)
      p = pick(n_gqa >= 4 ? gt::kQ4_K : gt::kQ3_K, Why(opt, "attn_v: Q2_K file, n_gqa {}", n_gqa));
    else if (ftype == F::kQ2_K_S && n_gqa >= 4)
      p = pick(gt::kQ4_K, "attn_v: n_gqa >= 4");
    else if (ftype == F::kIQ3_XXS) {
      p = pick(n_gqa >= 4     ? gt::kQ4_K
               : !opt.imatrix ? gt::kIQ3_S
                              : gt::kIQ3_XXS,
               Why(opt, "attn_v: IQ3_XXS file, n_gqa {}, imatrix {}", n_gqa, opt.imatrix));
    } else if (Is(ftype, {F::kIQ3_XS, F::kIQ3_S}) && n_gqa >= 4)
      p = pick(gt::kQ4_K, "attn_v: n_gqa >= 4");
    else if (ftype == F::kIQ3_M)
      p = pick(gt::kQ4_K, "attn_v: Q4_K in IQ3_M");
    else if (ftype == F::kQ3_K_M)
      p = pick(i < 2 ? gt::kQ5_K : gt::kQ4_K, Why(opt, "attn_v: #{} (Q5_K for the first 2)", i));
    else if (ftype == F::kQ3_K_L)
      p = pick(gt::kQ5_K, "attn_v: Q5_K in Q3_K_L");
    else if (Is(ftype, {F::kIQ4_NL, F::kIQ4_XS}) && n_gqa >= 4)
      p = pick(gt::kQ5_K, "attn_v: n_gqa >= 4");
    else if (Is(ftype, {F::kQ4_K_M, F::kQ5_K_M}) && UseMoreBits(i, n)) {
      p = pick(gt::kQ6_K, Why(opt, "attn_v: use_more_bits({}, {})", i, n));
    } else if (ftype == F::kQ4_K_S && i < 4)
      p = pick(gt::kQ5_K, Why(opt, "attn_v: #{} (Q5_K for the first 4)", i));
    if (m.size_class_70b && (p.type == gt::kQ3_K || p.type == gt::kQ4_K)) {
      p = pick(gt::kQ5_K, p.reason + "; 70B class: Q5_K");
    }
    if (m.n_expert == 8) p = pick(gt::kQ8_0, "attn_v: Q8_0 with 8 experts");
    return p;
  }
  if (cat == Category::kAttnK) {
    if (m.n_expert == 8) return pick(gt::kQ8_0, "attn_k: Q8_0 with 8 experts");
    if (ftype == F::kIQ3_XS) return pick(gt::kIQ3_XXS, "attn_k: IQ3_XXS in IQ3_XS");
    if (ftype == F::kIQ3_XXS) return pick(gt::kIQ2_S, "attn_k: IQ2_S in IQ3_XXS");
    return pick(type, "attn_k: default");
  }
  if (cat == Category::kAttnQ) {
    if (ftype == F::kIQ3_XS) return pick(gt::kIQ3_XXS, "attn_q: IQ3_XXS in IQ3_XS");
    if (ftype == F::kIQ3_XXS) return pick(gt::kIQ2_S, "attn_q: IQ2_S in IQ3_XXS");
    return pick(type, "attn_q: default");
  }
  if (cat == Category::kFfnDown) {
    const int i = layer_of(qs.i_ffn_down);
    const int n = qs.n_ffn;
    ++qs.i_ffn_down;
    const std::string at = Why(opt, "ffn_down: layer {} of {}", i, n);
    if (ftype == F::kQ2_K) return pick(gt::kQ3_K, at + ", Q3_K in Q2_K");
    if (ftype == F::kQ2_K_S) return pick(i < n / 8 ? gt::kQ4_K : type, at + ", Q4_K below n/8");
    if (ftype == F::kIQ3_XXS && !opt.imatrix) return pick(i < n / 8 ? gt::kQ4_K : gt::kQ3_K, at + ", no imatrix");
    if (ftype == F::kQ3_K_M) {
      return pick(i < n / 16                       ? gt::kQ5_K
                  : (!falcon || UseMoreBits(i, n)) ? gt::kQ4_K
                                                   : gt::kQ3_K,
                  at + ", Q5_K below n/16 else Q4_K");
    }
    if (ftype == F::kIQ3_M && (i < n / 8 || (m.n_expert == 8 && UseMoreBits(i, n)))) {
      return pick(gt::kQ4_K, at + ", Q4_K below n/8");
    }
    if (ftype == F::kQ3_K_L) return pick(falcon ? gt::kQ4_K : gt::kQ5_K, at + ", Q3_K_L");
    if (ftype == F::kQ4_K_M) {
      if (falcon) {
        return pick(i < n / 16 ? gt::kQ6_K : UseMoreBits(i, n) ? gt::kQ5_K : gt::kQ4_K, at + ", Falcon Q4_K_M");
      }
      return pick(UseMoreBits(i, n) ? gt::kQ6_K : type, at + Why(opt, ", use_more_bits {}", UseMoreBits(i, n)));
    }
    if (i < n / 8 && Is(ftype, {F::kIQ4_NL, F::kIQ4_XS}) && !opt.imatrix)
      return pick(gt::kQ5_K, at + ", below n/8, no imatrix");
    if (ftype == F::kQ5_K_M && UseMoreBits(i, n)) return pick(gt::kQ6_K, at + ", use_more_bits");
    if (ftype == F::kQ4_K_S && !falcon && i < n / 8) return pick(gt::kQ5_K, at + ", below n/8");
    if (Is(ftype, {F::kQ4_0, F::kQ5_0}) && opt.imatrix && i < n / 8) {
      return pick(ftype == F::kQ4_0 ? gt::kQ4_1 : gt::kQ5_1, at + ", below n/8 with imatrix");
    }
    return pick(type, at + ", default");
  }
  if (cat == Category::kAttnOutput) {
    if (!falcon) {
      if (m.n_expert == 8) {
        if (Is(ftype, {F::kQ2_K, F::kIQ3_XS, F::kIQ3_XXS, F::kQ3_K_S, F::kQ3_K_M, F::kIQ4_NL, F::kQ4_K_S, F::kQ4_K_M,
                       F::kIQ3_S, F::kIQ3_M, F::kIQ4_XS})) {
          return pick(gt::kQ5_K, "attn_output: Q5_K with 8 experts");
        }
        return pick(type, "attn_output: default");
      }
      if (ftype == F::kQ2_K) return pick(gt::kQ3_K, "attn_output: Q3_K in Q2_K");
      if (ftype == F::kIQ3_XXS) return pick(gt::kIQ3_S, "attn_output: IQ3_S in IQ3_XXS");
      if (ftype == F::kQ3_K_M) return pick(gt::kQ4_K, "attn_output: Q4_K in Q3_K_M");
      if (ftype == F::kQ3_K_L) return pick(gt::kQ5_K, "attn_output: Q5_K in Q3_K_L");
      if (ftype == F::kIQ3_M) return pick(gt::kQ4_K, "attn_output: Q4_K in IQ3_M");
    } else if (ftype == F::kQ3_K_L) {
      return pick(gt::kQ4_K, "attn_output: Falcon Q3_K_L");
    }
    return pick(type, "attn_output: default");
  }
  // The separate attn_qkv branch of llama-quant.cpp is unreachable at 007dbbf: attn_qkv is
  // attn_v-like and handled above.
  if (cat == Category::kFfnGate || cat == Category::kFfnUp) {
    int& counter = cat == Category::kFfnGate ? qs.i_ffn_gate : qs.i_ffn_up;
    const int i = layer_of(counter);
    const int n = qs.n_ffn;
    ++counter;
    if (ftype == F::kIQ3_XS && i >= n / 8 && i < 7 * n / 8)
      return pick(gt::kIQ3_XXS, "ffn_gate/up: IQ3_XXS in the middle layers");
    return pick(type, "default");
  }
  return pick(type, "default");
}

// tensor_type_fallback: a row length the block does not divide gets a type whose block does.
std::optional<int> FallbackFor(int type) {
  switch (type) {
    case gt::kIQ1_S:
    case gt::kIQ1_M:
    case gt::kIQ2_XXS:
    case gt::kIQ2_XS:
    case gt::kIQ2_S:
    case gt::kIQ3_XXS:
    case gt::kIQ3_S:
    case gt::kIQ4_XS:
      return gt::kIQ4_NL;
    case gt::kQ2_K:
    case gt::kQ3_K:
    case gt::kTQ1_0:
    case gt::kTQ2_0:
      return gt::kQ4_0;
    case gt::kQ4_K:
      return gt::kQ5_0;
    case gt::kQ5_K:
      return gt::kQ5_1;
    case gt::kQ6_K:
      return gt::kQ8_0;
    default:
      return std::nullopt;
  }
}


int64_t Pad(int64_t bytes, int64_t align) { return (bytes + align - 1) / align * align; }

}  // namespace

std::optional<std::string_view> LlamaFtypeName(int ftype) {
  for (const FtypeName& f : kFtypeNames) {
    if (static_cast<int>(f.ftype) == ftype) return f.name;
  }
  return std::nullopt;
}

bool UseMoreBits(int i_layer, int n_layers) {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

bool LlamaCppIs70BClass(std::string_view arch, int n_layer, int n_head, int n_head_kv) {
  if (n_layer != 80) return false;
  if (arch == "llama") return n_head != n_head_kv;  // MHA with 80 layers is LLM_TYPE_65B
  return arch == "qwen2" || arch == "deci";
}

GgufQuantizerIndex IndexForQuantizer(const TensorInventory& tensors) {
  GgufQuantizerIndex index;
  index.entries.resize(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = tensors[i];
    GgufQuantizerIndex::Entry& e = index.entries[i];
    const Category c = CategoryOf(t.name);
    e.category = static_cast<uint8_t>(c);
    e.quantizable = AllowsQuantization(t);
    e.converter_f32 = ConverterWritesF32(t);
    e.block = BlockIndex(t.name).value_or(-1);
    if (IsAttnVLike(c)) ++index.n_attention_wv;
    if (c == Category::kOutput) index.has_output = true;
  }
  // llama_model_loader::weight_name_comparer: by block number (-1 outside blocks), then by name.
  index.order.resize(tensors.size());
  std::iota(index.order.begin(), index.order.end(), uint32_t{0});
  std::stable_sort(index.order.begin(), index.order.end(), [&](uint32_t a, uint32_t b) {
    if (index.entries[a].block != index.entries[b].block) return index.entries[a].block < index.entries[b].block;
    return tensors[a].name < tensors[b].name;
  });
  return index;
}

GgufMixture AssignGgufTypes(const GgufFileType& file_type, const TensorInventory& tensors,
                            const GgufModelTraits& traits, const GgufQuantizeOptions& options) {
  return AssignGgufTypes(file_type, tensors, IndexForQuantizer(tensors), traits, options);
}

GgufMixture AssignGgufTypes(const GgufFileType& file_type, const TensorInventory& tensors,
                            const GgufQuantizerIndex& index, const GgufModelTraits& traits,
                            const GgufQuantizeOptions& options) {
  if (index.entries.size() != tensors.size()) {
    throw std::logic_error("AssignGgufTypes: the quantizer index was made for another inventory");
  }
  const GgmlType default_type = file_type.default_type.value;
  const bool quantized_file = default_type.block_elements > 1;
  const std::optional<std::string_view> known = LlamaFtypeName(file_type.ftype.value);
  const F ftype = static_cast<F>(file_type.ftype.value);
  // 16/32-bit files: what the converter writes for tensors nobody quantizes is the outtype itself.
  const int outtype = quantized_file ? options.source_type.id : default_type.id;

  State qs;
  qs.n_ffn = traits.n_layer;
  qs.n_attention_wv = index.n_attention_wv;
  qs.has_output = index.has_output;

  GgufMixture result;
  result.tensors.resize(tensors.size());
  for (const uint32_t i : index.order) {
    const TensorInfo& t = tensors[i];
    const GgufQuantizerIndex::Entry& entry = index.entries[i];
    GgufTensorChoice& choice = result.tensors[i];
    if (options.explain) choice.name = t.name;
    const Category cat = static_cast<Category>(entry.category);
    int type = 0;
    if (!entry.quantizable || (options.leave_output_tensor && cat == Category::kOutput)) {
      type = entry.converter_f32 ? gt::kF32 : outtype;
      if (options.explain) choice.reason = "not quantized: kept as converted";
    } else {
      choice.quantized = true;
      if (options.token_embedding_type && cat == Category::kTokenEmbd) {
        type = options.token_embedding_type->id;
        if (options.explain) choice.reason = "--token-embedding-type";
      } else if (options.output_tensor_type && cat == Category::kOutput) {
        type = options.output_tensor_type->id;
        if (options.explain) choice.reason = "--output-tensor-type";
      } else if (!quantized_file) {
        type = default_type.id;
        if (options.explain) choice.reason = "default (the mixture rules run only for quantized file types)";
      } else {
        type = default_type.id;
        if (options.pure) {
          if (options.explain) choice.reason = "--pure: default";
        } else if (!known) {
          if (options.explain) choice.reason = fmt::format("default (no mixture rules for llama_ftype {})", file_type.ftype.value);
        } else {
          Pick p = Mixture(qs, type, t, entry.block, ftype, cat, traits, options);
          type = p.type;
          choice.reason = std::move(p.reason);
        }
        if (t.ne[0] % Type(type).block_elements != 0) {
          const std::optional<int> fallback = FallbackFor(type);
          if (!fallback) {
            throw UsageError(
                fmt::format("tensor '{}': row length {} is not a multiple of {}'s block of {}, and "
                            "llama.cpp defines no fallback for {}",
                            t.name, t.ne[0], TypeName(type), Type(type).block_elements, TypeName(type)));
          }
          const int from = type;
          type = t.ne[0] % Type(*fallback).block_elements == 0 ? *fallback : gt::kF16;
          choice.fallback = true;
          ++result.fallbacks;
          if (options.explain) choice.reason +=
              fmt::format("; row length {} not a multiple of {}: {}", t.ne[0], TypeName(from), TypeName(type));
        }
      }
    }
    choice.type = Type(type);
    const std::optional<int64_t> bytes = GgmlTensorBytes(choice.type, t.ne[0], t.elements());
    if (!bytes) {
      throw UsageError(
          fmt::format("tensor '{}' with row length {} cannot be stored as {}", t.name, t.ne[0], choice.type.name));
    }
    choice.bytes = *bytes;
    result.tensor_bytes += *bytes;
    result.aligned_tensor_bytes += Pad(*bytes, kGgufAlignment);
  }
  return result;
}

// GGUF layout (ggml/docs/gguf.md): a 24-byte header (magic, version, tensor count, kv count);
// each key-value pair is a string key (u64 length + bytes), a u32 value type and the value; an
// array value is a u32 element type, a u64 count and the elements; a string is a u64 length and
// its bytes. Each tensor info is the name string, a u32 n_dims, n_dims u64 extents, a u32 type
// and a u64 offset. The data section starts at the next multiple of the alignment.
namespace {
constexpr int64_t kHeaderBytes = 4 + 4 + 8 + 8;
constexpr int64_t kStringOverhead = 8;
// Mean stored length of a token string in bytes. Byte-level BPE vocabularies store each byte as
// a printable code point ("Ġ" for a space: 2 UTF-8 bytes), so tokens are longer than their text.
// Measured once on bartowski's Llama-3.1-8B-Instruct F32 file (file minus its exact tensor data,
// 7,840,640 B, with 128,256 tokens and 280,147 merges) and checked against Qwen3 files
// (151,936 tokens, 151,387 merges): see docs/quantization.md.
constexpr int64_t kMeanTokenBytes = 9;
// Hyperparameter keys (~40 scalars) and the chat template: a few KiB in the files we checked.
constexpr int64_t kOtherKvBytes = 8192;

int64_t KvOverhead(std::string_view key) { return kStringOverhead + static_cast<int64_t>(key.size()) + 4; }
constexpr int64_t kArrayOverhead = 4 + 8;
}  // namespace

GgufMetadataEstimate EstimateGgufMetadata(const TensorInventory& tensors, const TokenizerTraits& tokenizer) {
  GgufMetadataEstimate e;
  for (const TensorInfo& t : tensors) {
    e.tensor_info_bytes += kStringOverhead + static_cast<int64_t>(t.name.size()) + 4 + 8 * NDims(t) + 4 + 8;
  }
  const int64_t n = tokenizer.vocab_size;
  e.tokenizer_bytes += KvOverhead("tokenizer.ggml.tokens") + kArrayOverhead + n * (kStringOverhead + kMeanTokenBytes);
  e.tokenizer_bytes += KvOverhead("tokenizer.ggml.token_type") + kArrayOverhead + n * 4;
  if (tokenizer.sentencepiece) {
    e.tokenizer_bytes += KvOverhead("tokenizer.ggml.scores") + kArrayOverhead + n * 4;
  } else {
    // A merge "a b" spells the token it makes plus one space.
    const int64_t merges = tokenizer.merges.value_or(std::max<int64_t>(0, n - 256));
    e.tokenizer_bytes +=
        KvOverhead("tokenizer.ggml.merges") + kArrayOverhead + merges * (kStringOverhead + kMeanTokenBytes + 1);
  }
  e.other_kv_bytes = kOtherKvBytes;
  e.total_bytes = Pad(kHeaderBytes + e.tensor_info_bytes + e.tokenizer_bytes + e.other_kv_bytes, kGgufAlignment);
  return e;
}

GgufFileEstimate EstimateGgufFile(const GgufMixture& mixture, const TensorInventory& tensors,
                                  const TokenizerTraits& tokenizer) {
  GgufFileEstimate f;
  f.tensor_data_bytes = mixture.aligned_tensor_bytes;
  f.metadata_bytes = EstimateGgufMetadata(tensors, tokenizer).total_bytes;
  f.file_bytes = f.tensor_data_bytes + f.metadata_bytes;
  return f;
}

}  // namespace siliconsim
