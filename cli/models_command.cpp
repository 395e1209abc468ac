// `siliconsim models`, `siliconsim models show MODEL` and `siliconsim import hf CONFIG`.

#include <filesystem>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/table.h"
#include "common/text.h"
#include "model/hf_import.h"
#include "model/model_loader.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

// KV figures in the listing are for an f16 cache, the default of llama.cpp and MLX.
constexpr double kF16Bytes = 2.0;

std::string AttentionMix(const ModelSpec& m) {
  std::map<std::string, int> counts;
  std::vector<std::string> order;
  for (AttentionKind k : m.layer_attention) {
    if (counts[ToString(k)]++ == 0) order.push_back(ToString(k));
  }
  std::vector<std::string> parts;
  for (const std::string& k : order) parts.push_back(fmt::format("{} {}", counts[k], k));
  return Join(parts, " + ");
}

int64_t KvBytesPerToken(const ModelSpec& m) {
  int64_t elements = 0;
  for (int i = 0; i < m.num_layers; ++i) elements += LayerCacheShape(m, i).kv_elements_per_token;
  return static_cast<int64_t>(static_cast<double>(elements) * kF16Bytes);
}

int64_t StateBytes(const ModelSpec& m) {
  int64_t bytes = 0;
  for (int i = 0; i < m.num_layers; ++i) bytes += LayerCacheShape(m, i).state_bytes;
  return bytes;
}

Json ModelRecord(const ModelSpec& m) {
  const ParamCounts c = CountParams(BuildTensorInventory(m));
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["id"] = m.id;
  j["name"] = m.name;
  j["family"] = m.family;
  j["layers"] = m.num_layers;
  j["attention_layers"] = AttentionMix(m);
  j["hidden_size"] = m.hidden_size;
  j["experts"] = m.moe ? Json(m.moe->num_experts) : Json(nullptr);
  j["experts_per_token"] = m.moe ? Json(m.moe->experts_per_token) : Json(nullptr);
  j["total_params"] = c.total;
  j["active_params"] = c.active;
  j["kv_bytes_per_token"] = KvBytesPerToken(m);
  j["recurrent_state_bytes"] = StateBytes(m);
  j["max_context_tokens"] = m.max_context_tokens;
  j["kv_cache_bytes_at_max_context"] = static_cast<int64_t>(KvCacheBytes(m, m.max_context_tokens, kF16Bytes));
  return j;
}

std::string Billions(int64_t n) { return fmt::format("{:.2f}", static_cast<double>(n) / 1e9); }
std::string KiB(int64_t bytes) { return fmt::format("{:.1f}", static_cast<double>(bytes) / 1024.0); }
std::string GiB(double bytes) { return fmt::format("{:.2f}", bytes / (1024.0 * 1024 * 1024)); }

std::string RenderRecords(OutputFormat format, const std::vector<Json>& records) {
  return format == OutputFormat::kJson ? RenderJson(Json(records)) : RenderRecordsCsv(records);
}

std::string RenderModelTable(const std::vector<const ModelSpec*>& models) {
  Table table({{"ID"}, {"LAYERS"}, {"TOTAL B", Align::kRight}, {"ACTIVE B", Align::kRight},
               {"KV KiB/TOKEN", Align::kRight}, {"MAX CONTEXT", Align::kRight}, {"KV GiB @MAX", Align::kRight}});
  for (const ModelSpec* m : models) {
    const ParamCounts c = CountParams(BuildTensorInventory(*m));
    table.AddRow({m->id, AttentionMix(*m) + (m->moe ? fmt::format(", {}x{} experts", m->moe->experts_per_token,
                                                                      m->moe->num_experts)
                                                     : ""),
                  Billions(c.total), Billions(c.active), KiB(KvBytesPerToken(*m)),
                  std::to_string(m->max_context_tokens), GiB(KvCacheBytes(*m, m->max_context_tokens, kF16Bytes))});
  }
  std::ostringstream out;
  table.Print(out);
  out << fmt::format(
      "{} models. ACTIVE = weights read per token (routed experts k of n; the token embedding is a row lookup). "
      "KV at f16; sliding/chunked layers stop growing at their window, linear layers hold a constant state.\n",
      models.size());
  return out.str();
}

// Parameters of one layer by tensor group: attention, FFN (or experts), norms.
struct LayerRow {
  int64_t attention = 0, ffn = 0, norms = 0;
};

std::string RenderModelDetail(const ModelSpec& m) {
  const TensorInventory tensors = BuildTensorInventory(m);
  const ParamCounts c = CountParams(tensors);
  std::vector<LayerRow> rows(static_cast<size_t>(m.num_layers));
  int64_t outside = 0;
  for (const TensorInfo& t : tensors) {
    if (t.layer < 0) {
      outside += t.elements();
      continue;
    }
    LayerRow& r = rows[static_cast<size_t>(t.layer)];
    if (t.n_dims == 1 && t.name.find("norm") != std::string::npos) r.norms += t.elements();
    else if (t.name.find(".ffn_") != std::string::npos) r.ffn += t.elements();
    else r.attention += t.elements();
  }
  std::ostringstream out;
  out << fmt::format("{} ({}), {} family, defined at {}:{}\nsource: {}\n", m.name, m.id, m.family, m.where.file,
                     m.where.line, m.source);
  out << fmt::format("total {} params, active {} per token; embeddings and head {} params ({}); max context {}\n",
                     c.total, c.active, outside, m.tie_word_embeddings ? "tied" : "untied", m.max_context_tokens);
  if (m.published_total_params) {
    out << fmt::format("published total {} ({})\n", m.published_total_params->text, m.published_total_params->source);
  }
  out << "\n";
  Table table({{"LAYERS"}, {"ATTENTION"}, {"FFN"}, {"ATTN PARAMS", Align::kRight}, {"FFN PARAMS", Align::kRight},
               {"NORMS", Align::kRight}, {"KV B/TOKEN (f16)", Align::kRight}, {"CAP TOKENS", Align::kRight},
               {"STATE BYTES", Align::kRight}});
  for (int i = 0; i < m.num_layers;) {
    int j = i;
    const auto same = [&](int a, int b) {
      const LayerRow& x = rows[static_cast<size_t>(a)];
      const LayerRow& y = rows[static_cast<size_t>(b)];
      return m.layer_attention[static_cast<size_t>(a)] == m.layer_attention[static_cast<size_t>(b)] &&
             m.layer_ffn[static_cast<size_t>(a)] == m.layer_ffn[static_cast<size_t>(b)] && x.attention == y.attention &&
             x.ffn == y.ffn && x.norms == y.norms;
    };
    while (j < m.num_layers && same(i, j)) ++j;
    const LayerRow& r = rows[static_cast<size_t>(i)];
    const LayerCache cache = LayerCacheShape(m, i);
    table.AddRow({j - i == 1 ? std::to_string(i) : fmt::format("{}-{}", i, j - 1),
                  ToString(m.layer_attention[static_cast<size_t>(i)]), ToString(m.layer_ffn[static_cast<size_t>(i)]),
                  std::to_string(r.attention), std::to_string(r.ffn), std::to_string(r.norms),
                  std::to_string(static_cast<int64_t>(static_cast<double>(cache.kv_elements_per_token) * kF16Bytes)),
                  cache.max_tokens ? std::to_string(*cache.max_tokens) : "-", std::to_string(cache.state_bytes)});
    i = j;
  }
  table.Print(out);
  return out.str();
}

ModelDatabase LoadModels(const CommandContext& ctx) {
  ModelDatabase db = ModelDatabase::Load(SourcesFor(ctx));
  ReportWarnings(ctx, db.warnings());
  return db;
}

void AddFormat(CLI::App* app, std::string& format) {
  app->add_option("-f,--format", format, "Output format: table, json or csv")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kOutputFormatNames), std::end(kOutputFormatNames))))
      ->capture_default_str();
}

CLI::App* FindOrAddSubcommand(CLI::App& app, const std::string& name, const std::string& description) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* sub = app.add_subcommand(name, description);
  sub->require_subcommand(1);
  sub->footer(R"(Examples:
  siliconsim import hf path/to/config.json --id my-model -o mydata/models/my-model.yaml
  siliconsim import gguf model.gguf --tensors)");
  return sub;
}

struct ModelsOptions {
  std::string format = "table";
  std::string query;
  std::string config_path;
  std::string id, name, source, published_total, published_active, published_source;
  std::vector<std::string> aliases;
  std::string active_convention = "includes_token_embedding";
};

PublishedCount Published(const std::string& text, const std::string& source, const std::string& flag) {
  PublishedCount p;
  char* end = nullptr;
  p.value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(p.value > 0)) {
    throw UsageError(fmt::format("{} expects a positive number such as 8.03e9, got '{}'", flag, text));
  }
  if (source.empty()) throw UsageError(fmt::format("{} needs --published-source", flag));
  p.text = text;
  p.source = source;
  return p;
}

}  // namespace

std::vector<Command> AddModelsCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  auto state = std::make_shared<ModelsOptions>();
  CLI::App* models = app.add_subcommand("models", "List the model architectures in the database");
  AddFormat(models, state->format);
  models->footer(R"(Examples:
  siliconsim models
  siliconsim models --format json      # total_params, active_params, kv_bytes_per_token, ...
  siliconsim models show Qwen/Qwen3-30B-A3B)");

  CLI::App* show = models->add_subcommand("show", "One model layer by layer: attention kind, parameters, KV bytes");
  show->add_option("MODEL", state->query, "Model id, HF repo name, model .yaml or config.json")->required();
  AddFormat(show, state->format);
  show->footer(R"(Examples:
  siliconsim models show qwen3-next-80b-a3b
  siliconsim models show meta-llama/Llama-3.1-8B-Instruct --format json
  siliconsim models show ./config.json)");

  CLI::App* import = FindOrAddSubcommand(app, "import", "Turn a config.json or a GGUF header into SiliconSim data");
  CLI::App* hf = import->add_subcommand("hf", "Write a model YAML from a Hugging Face config.json");
  hf->add_option("CONFIG", state->config_path, "Path to config.json")->required();
  hf->add_option("--id", state->id, "Model id (default: derived from the file name)");
  hf->add_option("--name", state->name, "Display name (default: the id)");
  hf->add_option("--alias", state->aliases, "HF repo name users may type (repeatable)");
  hf->add_option("--source", state->source, "Where the config.json was published (default: its path)");
  hf->add_option("--published-total", state->published_total, "Published total parameter count, e.g. 8.03e9");
  hf->add_option("--published-active", state->published_active, "Published active parameter count (MoE)");
  hf->add_option("--published-source", state->published_source, "Where the published counts come from");
  hf->add_option("--active-convention", state->active_convention,
                 "Whether the published active count includes the token embedding")
      ->check(CLI::IsMember({"includes_token_embedding", "excludes_token_embedding"}))
      ->capture_default_str();
  hf->footer(R"(Examples:
  siliconsim import hf config.json --id my-model -o data/models/my-model.yaml
  siliconsim import hf config.json --id qwen3-8b --alias Qwen/Qwen3-8B \
      --published-total 8190735360 --published-source "HF safetensors total"

An architecture the simulator cannot model exactly is refused with what is missing.)");

  Command show_cmd{show, [state](const CommandContext& ctx) {
                     const ModelSpec m = LoadModels(ctx).Resolve(state->query);
                     const OutputFormat f = ParseOutputFormat(state->format);
                     const std::string text = f == OutputFormat::kTable ? RenderModelDetail(m)
                                                                         : RenderRecords(f, {ModelRecord(m)});
                     EmitOutput(text, ctx.options.output_path, ctx.out);
                   }};
  Command list_cmd{models, [state](const CommandContext& ctx) {
                     const ModelDatabase db = LoadModels(ctx);
                     const OutputFormat f = ParseOutputFormat(state->format);
                     std::vector<const ModelSpec*> all;
                     std::vector<Json> records;
                     for (const ModelSpec& m : db.models()) {
                       all.push_back(&m);
                       records.push_back(ModelRecord(m));
                     }
                     EmitOutput(f == OutputFormat::kTable ? RenderModelTable(all) : RenderRecords(f, records),
                                ctx.options.output_path, ctx.out);
                   }};
  Command hf_cmd{hf, [state](const CommandContext& ctx) {
                   ModelSpec m = ImportHfConfigFile(state->config_path);
                   std::string id = state->id;
                   if (id.empty()) {
                     id = ToLower(std::filesystem::path(state->config_path).parent_path().filename().string());
                     if (id.empty() || id == ".") id = "imported-model";
                   }
                   m.id = id;
                   m.name = state->name.empty() ? id : state->name;
                   m.aliases = state->aliases;
                   m.source = state->source.empty() ? state->config_path : state->source;
                   if (!state->published_total.empty()) {
                     m.published_total_params = Published(state->published_total, state->published_source, "--published-total");
                   }
                   if (!state->published_active.empty()) {
                     m.published_active_params =
                         Published(state->published_active, state->published_source, "--published-active");
                     m.published_active_params->includes_token_embedding =
                         state->active_convention == "includes_token_embedding";
                   }
                   const std::string yaml = WriteModelYaml(m);
                   // Read it back: what we write must load, and its declared counts must agree.
                   Warnings warnings;
                   LoadModelsFromString(yaml, "imported model", &warnings);
                   ReportWarnings(ctx, warnings);
                   EmitOutput(yaml, ctx.options.output_path, ctx.out);
                 }};
  return {show_cmd, list_cmd, hf_cmd};
}

}  // namespace siliconsim
