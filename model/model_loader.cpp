#include "model/model_loader.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "common/strict_yaml.h"
#include "common/text.h"
#include "model/hf_import.h"
#include "model/model_snapshot.h"

namespace siliconsim {
namespace {

int ReadSize(const YamlFile& f, const YAML::Node& n, const std::string& p, int64_t max = 1 << 24) {
  const int64_t v = ReadPositiveInteger(f, n, p);
  if (v > max) f.Fail(n, p, fmt::format("{} is implausibly large (limit {})", v, max));
  return static_cast<int>(v);
}

int64_t ReadSize64(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const int64_t v = ReadPositiveInteger(f, n, p);
  if (v > (int64_t{1} << 40)) f.Fail(n, p, fmt::format("{} is implausibly large", v));
  return v;
}

bool OptionalBool(const MapView& m, std::string_view key, bool fallback = false) {
  if (auto n = m.Optional(key)) return ReadBool(m.file(), *n, m.PathOf(key));
  return fallback;
}

AttentionSpec ReadAttention(const MapView& m) {
  AttentionSpec a;
  const YamlFile& f = m.file();
  a.num_heads = ReadSize(f, m.Required("num_heads"), m.PathOf("num_heads"), 1 << 14);
  a.num_kv_heads = ReadSize(f, m.Required("num_kv_heads"), m.PathOf("num_kv_heads"), 1 << 14);
  a.head_dim = ReadSize(f, m.Required("head_dim"), m.PathOf("head_dim"), 1 << 14);
  if (a.num_heads % a.num_kv_heads != 0) {
    f.Fail(m.Required("num_kv_heads"), m.PathOf("num_kv_heads"),
           fmt::format("{} does not divide num_heads {}", a.num_kv_heads, a.num_heads));
  }
  a.qkv_bias = OptionalBool(m, "qkv_bias");
  a.output_bias = OptionalBool(m, "output_bias");
  a.qk_norm = OptionalBool(m, "qk_norm");
  a.output_gate = OptionalBool(m, "output_gate");
  a.sinks = OptionalBool(m, "sinks");
  if (auto n = m.Optional("sliding_window_tokens")) a.sliding_window_tokens = ReadSize(f, *n, m.PathOf("sliding_window_tokens"));
  if (auto n = m.Optional("chunk_tokens")) a.chunk_tokens = ReadSize(f, *n, m.PathOf("chunk_tokens"));
  return a;
}

PublishedCount ReadPublished(const MapView& parent, std::string_view key, bool active) {
  const YamlFile& f = parent.file();
  const YAML::Node node = *parent.Optional(key);
  const MapView m = active ? MapView(f, node, parent.PathOf(key), {"value", "source", "convention"})
                           : MapView(f, node, parent.PathOf(key), {"value", "source"});
  PublishedCount p;
  const YAML::Node value = m.Required("value");
  p.value = ReadPositiveNumber(f, value, m.PathOf("value"));
  p.text = value.Scalar();
  p.source = ReadNonEmptyString(f, m.Required("source"), m.PathOf("source"));
  if (active) {
    if (auto c = m.Optional("convention")) {
      p.includes_token_embedding = ReadChoice(f, *c, m.PathOf("convention"),
                                              {"includes_token_embedding", "excludes_token_embedding"}) ==
                                   "includes_token_embedding";
    }
  }
  return p;
}

std::vector<std::pair<AttentionKind, FfnKind>> ReadLayers(const MapView& model, int num_layers) {
  const YamlFile& f = model.file();
  const YAML::Node list = model.Required("layers");
  const std::string path = model.PathOf("layers");
  RequireSequence(f, list, path);
  std::vector<std::pair<AttentionKind, FfnKind>> layers;
  for (size_t i = 0; i < list.size(); ++i) {
    const MapView run(f, list[i], JoinPath(path, i), {"count", "attention", "ffn"});
    const int count = ReadSize(f, run.Required("count"), run.PathOf("count"), 10'000);
    const std::string a = ReadChoice(f, run.Required("attention"), run.PathOf("attention"),
                                     {"full", "sliding", "chunked", "linear", "mla", "mamba2"});
    const std::string ffn = ReadChoice(f, run.Required("ffn"), run.PathOf("ffn"), {"dense", "moe"});
    const AttentionKind kind = a == "full" ? AttentionKind::kFull
                               : a == "sliding" ? AttentionKind::kSliding
                               : a == "chunked" ? AttentionKind::kChunked
                               : a == "linear" ? AttentionKind::kLinear
                               : a == "mla"    ? AttentionKind::kMla
                                               : AttentionKind::kMamba2;
    if (static_cast<int>(layers.size()) + count > num_layers) {
      f.Fail(run.Required("count"), run.PathOf("count"),
             fmt::format("the runs add up to more than num_layers ({})", num_layers));
    }
    layers.insert(layers.end(), static_cast<size_t>(count), {kind, ffn == "moe" ? FfnKind::kMoe : FfnKind::kDense});
  }
  if (static_cast<int>(layers.size()) != num_layers) {
    f.Fail(list, path, fmt::format("the runs cover {} layers but num_layers is {}", layers.size(), num_layers));
  }
  return layers;
}

ModelSpec ReadModel(const YamlFile& f, const YAML::Node& node, const std::string& path, ModelLoadContext& context) {
  const MapView m(f, node, path,
                  {"id", "name", "family", "aliases", "source", "hidden_size", "num_layers", "vocab_size",
                   "tie_word_embeddings", "max_context_tokens", "norms_per_layer", "attention", "mla",
                   "linear_attention", "mamba2", "ffn", "moe", "layers", "published"});
  ModelSpec s;
  const YAML::Node id = m.Required("id");
  s.id = ReadNonEmptyString(f, id, m.PathOf("id"));
  s.where = f.Locate(id);
  if (auto [it, inserted] = context.ids.emplace(s.id, s.where); !inserted) {
    f.Fail(id, m.PathOf("id"),
           fmt::format("duplicate id '{}' (first defined at {}:{})", s.id, it->second.file, it->second.line));
  }
  s.name = ReadNonEmptyString(f, m.Required("name"), m.PathOf("name"));
  s.family = ReadNonEmptyString(f, m.Required("family"), m.PathOf("family"));
  s.source = ReadNonEmptyString(f, m.Required("source"), m.PathOf("source"));
  if (auto a = m.Optional("aliases")) {
    RequireSequence(f, *a, m.PathOf("aliases"));
    for (size_t i = 0; i < a->size(); ++i) {
      s.aliases.push_back(ReadNonEmptyString(f, (*a)[i], JoinPath(m.PathOf("aliases"), i)));
    }
  }
  s.hidden_size = ReadSize(f, m.Required("hidden_size"), m.PathOf("hidden_size"), 1 << 20);
  s.num_layers = ReadSize(f, m.Required("num_layers"), m.PathOf("num_layers"), 10'000);
  s.vocab_size = ReadSize(f, m.Required("vocab_size"), m.PathOf("vocab_size"));
  s.tie_word_embeddings = ReadBool(f, m.Required("tie_word_embeddings"), m.PathOf("tie_word_embeddings"));
  s.max_context_tokens = ReadSize64(f, m.Required("max_context_tokens"), m.PathOf("max_context_tokens"));
  if (auto n = m.Optional("norms_per_layer")) {
    s.norms_per_layer = ReadSize(f, *n, m.PathOf("norms_per_layer"), 4);
    if (s.norms_per_layer != 2 && s.norms_per_layer != 4) {
      f.Fail(*n, m.PathOf("norms_per_layer"), "must be 2 (pre-attention, pre-FFN) or 4 (also post-norms)");
    }
  }
  s.attention = ReadAttention(MapView(f, m.Required("attention"), m.PathOf("attention"),
                                      {"num_heads", "num_kv_heads", "head_dim", "qkv_bias", "output_bias", "qk_norm",
                                       "output_gate", "sinks", "sliding_window_tokens", "chunk_tokens"}));
  if (auto n = m.Optional("mla")) {
    const MapView a(f, *n, m.PathOf("mla"),
                    {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"});
    MlaSpec x;
    if (auto q = a.Optional("q_lora_rank")) x.q_lora_rank = ReadSize(f, *q, a.PathOf("q_lora_rank"));
    x.kv_lora_rank = ReadSize(f, a.Required("kv_lora_rank"), a.PathOf("kv_lora_rank"));
    x.qk_nope_head_dim = ReadSize(f, a.Required("qk_nope_head_dim"), a.PathOf("qk_nope_head_dim"));
    x.qk_rope_head_dim = ReadSize(f, a.Required("qk_rope_head_dim"), a.PathOf("qk_rope_head_dim"));
    x.v_head_dim = ReadSize(f, a.Required("v_head_dim"), a.PathOf("v_head_dim"));
    s.mla = x;
  }
  if (auto n = m.Optional("linear_attention")) {
    const MapView a(f, *n, m.PathOf("linear_attention"),
                    {"num_key_heads", "num_value_heads", "key_head_dim", "value_head_dim", "conv_kernel"});
    LinearAttentionSpec x;
    x.num_key_heads = ReadSize(f, a.Required("num_key_heads"), a.PathOf("num_key_heads"));
    x.num_value_heads = ReadSize(f, a.Required("num_value_heads"), a.PathOf("num_value_heads"));
    x.key_head_dim = ReadSize(f, a.Required("key_head_dim"), a.PathOf("key_head_dim"));
    x.value_head_dim = ReadSize(f, a.Required("value_head_dim"), a.PathOf("value_head_dim"));
    x.conv_kernel = ReadSize(f, a.Required("conv_kernel"), a.PathOf("conv_kernel"));
    s.linear_attention = x;
  }
  if (auto n = m.Optional("mamba2")) {
    const MapView a(f, *n, m.PathOf("mamba2"),
                    {"num_heads", "head_dim", "state_size", "num_groups", "conv_kernel", "conv_bias", "proj_bias"});
    Mamba2Spec x;
    x.num_heads = ReadSize(f, a.Required("num_heads"), a.PathOf("num_heads"), 1 << 14);
    x.head_dim = ReadSize(f, a.Required("head_dim"), a.PathOf("head_dim"), 1 << 14);
    x.state_size = ReadSize(f, a.Required("state_size"), a.PathOf("state_size"), 1 << 14);
    const YAML::Node groups = a.Required("num_groups");
    x.num_groups = ReadSize(f, groups, a.PathOf("num_groups"), 1 << 14);
    if (x.inner_size() % x.num_groups != 0) {
      f.Fail(groups, a.PathOf("num_groups"),
             fmt::format("{} does not divide the inner width num_heads x head_dim = {}", x.num_groups, x.inner_size()));
    }
    x.conv_kernel = ReadSize(f, a.Required("conv_kernel"), a.PathOf("conv_kernel"), 1 << 10);
    x.conv_bias = OptionalBool(a, "conv_bias", true);
    x.proj_bias = OptionalBool(a, "proj_bias");
    s.mamba2 = x;
  }
  if (auto n = m.Optional("ffn")) {
    const MapView a(f, *n, m.PathOf("ffn"), {"intermediate_size", "gated", "bias"});
    s.ffn.intermediate_size = ReadSize64(f, a.Required("intermediate_size"), a.PathOf("intermediate_size"));
    s.ffn.gated = OptionalBool(a, "gated", true);
    s.ffn.bias = OptionalBool(a, "bias");
  }
  if (auto n = m.Optional("moe")) {
    const MapView a(f, *n, m.PathOf("moe"),
                    {"num_experts", "experts_per_token", "expert_intermediate_size", "num_shared_experts",
                     "shared_expert_intermediate_size", "shared_expert_gate", "router_bias", "expert_bias"});
    MoeSpec x;
    x.num_experts = ReadSize(f, a.Required("num_experts"), a.PathOf("num_experts"), 1 << 14);
    const YAML::Node k = a.Required("experts_per_token");
    x.experts_per_token = ReadSize(f, k, a.PathOf("experts_per_token"), 1 << 14);
    if (x.experts_per_token > x.num_experts) {
      f.Fail(k, a.PathOf("experts_per_token"),
             fmt::format("{} active experts exceed the {} experts", x.experts_per_token, x.num_experts));
    }
    x.expert_intermediate_size = ReadSize64(f, a.Required("expert_intermediate_size"), a.PathOf("expert_intermediate_size"));
    if (auto v = a.Optional("num_shared_experts")) {
      x.num_shared_experts = static_cast<int>(ReadInteger(f, *v, a.PathOf("num_shared_experts")));
      if (x.num_shared_experts < 0) f.Fail(*v, a.PathOf("num_shared_experts"), "must not be negative");
    }
    if (x.num_shared_experts > 0) {
      x.shared_expert_intermediate_size =
          ReadSize64(f, a.Required("shared_expert_intermediate_size"), a.PathOf("shared_expert_intermediate_size"));
    }
    x.shared_expert_gate = OptionalBool(a, "shared_expert_gate");
    x.router_bias = OptionalBool(a, "router_bias");
    x.expert_bias = OptionalBool(a, "expert_bias");
    s.moe = x;
  }
  for (const auto& [attention, ffn] : ReadLayers(m, s.num_layers)) {
    s.layer_attention.push_back(attention);
    s.layer_ffn.push_back(ffn);
  }
  const auto uses = [&](AttentionKind k) {
    return std::find(s.layer_attention.begin(), s.layer_attention.end(), k) != s.layer_attention.end();
  };
  if (uses(AttentionKind::kSliding) && !s.attention.sliding_window_tokens) {
    f.Fail(m.Required("attention"), m.PathOf("attention.sliding_window_tokens"), "sliding layers need a window");
  }
  if (uses(AttentionKind::kChunked) && !s.attention.chunk_tokens) {
    f.Fail(m.Required("attention"), m.PathOf("attention.chunk_tokens"), "chunked layers need a chunk size");
  }
  if (uses(AttentionKind::kMla) && !s.mla) f.Fail(node, m.PathOf("mla"), "mla layers need an mla section");
  if (uses(AttentionKind::kLinear) && !s.linear_attention) {
    f.Fail(node, m.PathOf("linear_attention"), "linear layers need a linear_attention section");
  }
  if (uses(AttentionKind::kMamba2) && !s.mamba2) f.Fail(node, m.PathOf("mamba2"), "mamba2 layers need a mamba2 section");
  if (std::find(s.layer_ffn.begin(), s.layer_ffn.end(), FfnKind::kMoe) != s.layer_ffn.end() && !s.moe) {
    f.Fail(node, m.PathOf("moe"), "moe layers need a moe section");
  }
  if (std::find(s.layer_ffn.begin(), s.layer_ffn.end(), FfnKind::kDense) != s.layer_ffn.end() &&
      s.ffn.intermediate_size == 0) {
    f.Fail(node, m.PathOf("ffn"), "dense layers need an ffn section");
  }
  if (auto p = m.Optional("published")) {
    const MapView pub(f, *p, m.PathOf("published"), {"total_params", "active_params"});
    if (pub.Has("total_params")) s.published_total_params = ReadPublished(pub, "total_params", false);
    if (pub.Has("active_params")) s.published_active_params = ReadPublished(pub, "active_params", true);
    const ParamCounts counts = CountParams(BuildTensorInventory(s));
    const auto check = [&](const std::optional<PublishedCount>& declared, int64_t computed, std::string_view key) {
      if (!declared) return;
      const double apart = std::abs(static_cast<double>(computed) - declared->value) / declared->value;
      if (apart > PublishedTolerance(*declared)) {
        context.warnings.push_back(f.At(Severity::kWarning, *pub.Optional(key), pub.PathOf(key),
                                        fmt::format("published {} but the tensor shapes give {} ({:.2f}% apart)",
                                                    declared->text, computed, 100 * apart)));
      }
    };
    check(s.published_total_params, counts.total, "total_params");
    if (s.published_active_params) {
      check(s.published_active_params,
            s.published_active_params->includes_token_embedding ? counts.active_with_embedding : counts.active,
            "active_params");
    }
  }
  return s;
}


const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

double PublishedTolerance(const PublishedCount& count) { return std::max(0.005, count.rounding_relative()); }

std::vector<ModelSpec> LoadModelsFromString(std::string_view text, const std::string& name, ModelLoadContext& context) {
  const YamlFile file(name, text);
  if (IsNullValue(file.root())) file.Fail(file.root(), "", "the file is empty; expected schema_version and models");
  const MapView top(file, file.root(), "", {"schema_version", "models"});
  CheckSchemaVersion(top, kModelSchemaVersion);
  const YAML::Node list = top.Required("models");
  RequireSequence(file, list, "models");
  std::vector<ModelSpec> models;
  for (size_t i = 0; i < list.size(); ++i) models.push_back(ReadModel(file, list[i], JoinPath("models", i), context));
  return models;
}

std::vector<ModelSpec> LoadModelsFromString(std::string_view text, const std::string& name, Warnings* warnings) {
  ModelLoadContext context;
  std::vector<ModelSpec> models = LoadModelsFromString(text, name, context);
  if (warnings) *warnings = std::move(context.warnings);
  return models;
}

std::string WriteModelYaml(const ModelSpec& m) {
  std::string y = fmt::format("schema_version: {}\nmodels:\n", kModelSchemaVersion);
  y += fmt::format("  - id: {}\n    name: {}\n    family: {}\n", m.id, QuoteYamlString(m.name), m.family);
  if (!m.aliases.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& a : m.aliases) quoted.push_back(QuoteYamlString(a));
    y += fmt::format("    aliases: [{}]\n", Join(quoted, ", "));
  }
  y += fmt::format("    source: {}\n", QuoteYamlString(m.source));
  y += fmt::format("    hidden_size: {}\n    num_layers: {}\n    vocab_size: {}\n", m.hidden_size, m.num_layers,
                   m.vocab_size);
  y += fmt::format("    tie_word_embeddings: {}\n    max_context_tokens: {}\n", Bool(m.tie_word_embeddings),
                   m.max_context_tokens);
  if (m.norms_per_layer != 2) y += fmt::format("    norms_per_layer: {}\n", m.norms_per_layer);
  const AttentionSpec& a = m.attention;
  y += fmt::format("    attention: {{num_heads: {}, num_kv_heads: {}, head_dim: {}", a.num_heads, a.num_kv_heads,
                   a.head_dim);
  for (const auto& [key, on] : {std::pair<const char*, bool>{"qkv_bias", a.qkv_bias},
                                {"output_bias", a.output_bias},
                                {"qk_norm", a.qk_norm},
                                {"output_gate", a.output_gate},
                                {"sinks", a.sinks}}) {
    if (on) y += fmt::format(", {}: true", key);
  }
  if (a.sliding_window_tokens) y += fmt::format(", sliding_window_tokens: {}", *a.sliding_window_tokens);
  if (a.chunk_tokens) y += fmt::format(", chunk_tokens: {}", *a.chunk_tokens);
  y += "}\n";
  if (m.mla) {
    y += "    mla: {";
    if (m.mla->q_lora_rank) y += fmt::format("q_lora_rank: {}, ", *m.mla->q_lora_rank);
    y += fmt::format("kv_lora_rank: {}, qk_nope_head_dim: {}, qk_rope_head_dim: {}, v_head_dim: {}}}\n",
                     m.mla->kv_lora_rank, m.mla->qk_nope_head_dim, m.mla->qk_rope_head_dim, m.mla->v_head_dim);
  }
  if (m.linear_attention) {
    const LinearAttentionSpec& l = *m.linear_attention;
    y += fmt::format(
        "    linear_attention: {{num_key_heads: {}, num_value_heads: {}, key_head_dim: {}, value_head_dim: {}, "
        "conv_kernel: {}}}\n",
        l.num_key_heads, l.num_value_heads, l.key_head_dim, l.value_head_dim, l.conv_kernel);
  }
  if (m.mamba2) {
    const Mamba2Spec& x = *m.mamba2;
    y += fmt::format(
        "    mamba2: {{num_heads: {}, head_dim: {}, state_size: {}, num_groups: {}, conv_kernel: {}, conv_bias: {}, "
        "proj_bias: {}}}\n",
        x.num_heads, x.head_dim, x.state_size, x.num_groups, x.conv_kernel, Bool(x.conv_bias), Bool(x.proj_bias));
  }
  if (m.ffn.intermediate_size > 0) {
    y += fmt::format("    ffn: {{intermediate_size: {}, gated: {}, bias: {}}}\n", m.ffn.intermediate_size,
                     Bool(m.ffn.gated), Bool(m.ffn.bias));
  }
  if (m.moe) {
    const MoeSpec& e = *m.moe;
    y += fmt::format("    moe: {{num_experts: {}, experts_per_token: {}, expert_intermediate_size: {}", e.num_experts,
                     e.experts_per_token, e.expert_intermediate_size);
    if (e.num_shared_experts > 0) {
      y += fmt::format(", num_shared_experts: {}, shared_expert_intermediate_size: {}", e.num_shared_experts,
                       e.shared_expert_intermediate_size);
    }
    if (e.shared_expert_gate) y += ", shared_expert_gate: true";
    if (e.router_bias) y += ", router_bias: true";
    if (e.expert_bias) y += ", expert_bias: true";
    y += "}\n";
  }
  y += "    layers:\n";
  for (size_t i = 0; i < m.layer_attention.size();) {
    size_t j = i;
    while (j < m.layer_attention.size() && m.layer_attention[j] == m.layer_attention[i] &&
           m.layer_ffn[j] == m.layer_ffn[i]) {
      ++j;
    }
    y += fmt::format("      - {{count: {}, attention: {}, ffn: {}}}\n", j - i, ToString(m.layer_attention[i]),
                     ToString(m.layer_ffn[i]));
    i = j;
  }
  if (m.published_total_params || m.published_active_params) {
    y += "    published:\n";
    if (const auto& p = m.published_total_params) {
      y += fmt::format("      total_params: {{value: {}, source: {}}}\n", p->text, QuoteYamlString(p->source));
    }
    if (const auto& p = m.published_active_params) {
      y += fmt::format("      active_params: {{value: {}, source: {}, convention: {}}}\n", p->text, QuoteYamlString(p->source),
                       p->includes_token_embedding ? "includes_token_embedding" : "excludes_token_embedding");
    }
  }
  return y;
}

ModelDatabase::ModelDatabase(std::vector<ModelSpec> models, Warnings warnings)
    : models_(std::move(models)), warnings_(std::move(warnings)) {}

ModelDatabase ModelDatabase::Load(const DataSources& sources) {
  std::vector<ModelSpec> models;
  Warnings warnings;
  for (const DataLayer& layer : sources.Layers("models")) {
    ModelLayerEntries entries = ReadModelLayer(layer);
    for (ModelSpec& model : entries.models) OverrideById(models, std::move(model));
    warnings.insert(warnings.end(), entries.warnings.begin(), entries.warnings.end());
  }
  return ModelDatabase(std::move(models), std::move(warnings));
}

ModelSpec ModelDatabase::Resolve(std::string_view query) const { return ResolveWithWeights(query).spec; }

ResolvedModel ModelDatabase::ResolveWithWeights(std::string_view query) const {
  const std::string q(query);
  if (ToLower(q).ends_with(".gguf")) {
    const GgufHeader header = ReadGgufHeader(q);  // the header only; throws InputError on a bad file
    return {ModelSpecFromGguf(header, q), ImportedWeightsFromGguf(header, q)};
  }
  if (q.ends_with(".yaml") || q.ends_with(".yml")) {
    std::vector<ModelSpec> models = LoadModelsFromString(ReadTextFile(q), q);
    if (models.size() != 1) {
      throw UsageError(fmt::format("{} holds {} models; --model needs a file with exactly one", q, models.size()));
    }
    return {models.front(), std::nullopt};
  }
  if (q.ends_with(".json")) {
    ModelSpec m = ImportHfConfigFile(q);
    m.id = m.name = q;
    m.source = q;
    return {m, std::nullopt};
  }
  const std::string lowered = ToLower(query);
  for (const ModelSpec& m : models_) {
    if (ToLower(m.id) == lowered) return {m, std::nullopt};
  }
  for (const ModelSpec& m : models_) {
    for (const std::string& alias : m.aliases) {
      if (ToLower(alias) == lowered) return {m, std::nullopt};
    }
  }
  std::vector<std::string> names;
  for (const ModelSpec& m : models_) {
    names.push_back(m.id);
    names.insert(names.end(), m.aliases.begin(), m.aliases.end());
  }
  std::string message = fmt::format("unknown model '{}'", query);
  if (auto near = NearestMatch(query, names)) message += fmt::format("; did you mean '{}'?", *near);
  message += " ('siliconsim models' lists every model; a path to a model .yaml, a config.json or a .gguf file also works)";
  throw UsageError(message);
}

}  // namespace siliconsim
