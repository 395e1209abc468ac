// `siliconsim chips` and `siliconsim chips show CHIP`.

#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/table.h"
#include "common/data_sources.h"
#include "common/text.h"
#include "hardware/chip_db.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json ToJson(const Fact<T>& fact) {
  return fact.value ? Json(*fact.value) : Json(nullptr);
}

// One chip as a flat record with unit-suffixed keys: the row every printer starts from.
Json ChipRecord(const ChipSpec& c) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["id"] = c.id;
  j["name"] = c.name;
  j["family"] = c.family;
  j["tier"] = ToString(c.tier);
  j["confidence"] = ToString(c.confidence);
  j["year"] = ToJson(c.year);
  j["cpu_performance_cores"] = ToJson(c.cpu_performance_cores);
  j["cpu_efficiency_cores"] = ToJson(c.cpu_efficiency_cores);
  j["cpu_p_core_clock_ghz"] = ToJson(c.cpu_p_core_clock_ghz);
  j["cpu_p_core_fp32_flops_per_cycle"] = ToJson(c.cpu_p_core_fp32_flops_per_cycle);
  j["gpu_cores"] = ToJson(c.gpu_cores);
  j["gpu_alus_per_core"] = ToJson(c.gpu_alus_per_core);
  j["gpu_clock_mhz"] = ToJson(c.gpu_clock_mhz);
  j["fp32_tflops"] = ToJson(c.fp32_tflops);
  j["fp16_tflops"] = ToJson(c.fp16_tflops);
  j["memory_bandwidth_gbs"] = ToJson(c.memory_bandwidth_gbs);
  j["memory_bus_width_bits"] = ToJson(c.memory_bus_width_bits);
  j["memory_type"] = ToJson(c.memory_type);
  j["memory_options_gb"] = ToJson(c.memory_options_gb);
  j["slc_mb"] = ToJson(c.slc_mb);
  j["gpu_neural_accelerators"] = ToJson(c.gpu_neural_accelerators);
  j["products"] = ToJson(c.products);
  return j;
}

template <typename T>
Json Provenance(const Fact<T>& fact) {
  Json j = Json::object();
  if (!fact.source.empty()) j["source"] = fact.source;
  if (fact.derived) j["derived"] = true;
  if (!fact.formula.empty()) j["formula"] = fact.formula;
  if (!fact.note.empty()) j["note"] = fact.note;
  if (!fact.where.file.empty()) j["defined_at"] = fmt::format("{}:{}", fact.where.file, fact.where.line);
  return j;
}

// Where every fact of a chip comes from, keyed like the record.
Json ChipSources(const ChipSpec& c) {
  Json j;
  j["year"] = Provenance(c.year);
  j["cpu_performance_cores"] = Provenance(c.cpu_performance_cores);
  j["cpu_efficiency_cores"] = Provenance(c.cpu_efficiency_cores);
  j["cpu_p_core_clock_ghz"] = Provenance(c.cpu_p_core_clock_ghz);
  j["cpu_p_core_fp32_flops_per_cycle"] = Provenance(c.cpu_p_core_fp32_flops_per_cycle);
  j["gpu_cores"] = Provenance(c.gpu_cores);
  j["gpu_alus_per_core"] = Provenance(c.gpu_alus_per_core);
  j["gpu_clock_mhz"] = Provenance(c.gpu_clock_mhz);
  j["fp32_tflops"] = Provenance(c.fp32_tflops);
  j["fp16_tflops"] = Provenance(c.fp16_tflops);
  j["memory_bandwidth_gbs"] = Provenance(c.memory_bandwidth_gbs);
  j["memory_bus_width_bits"] = Provenance(c.memory_bus_width_bits);
  j["memory_type"] = Provenance(c.memory_type);
  j["memory_options_gb"] = Provenance(c.memory_options_gb);
  j["slc_mb"] = Provenance(c.slc_mb);
  j["gpu_neural_accelerators"] = Provenance(c.gpu_neural_accelerators);
  j["products"] = Provenance(c.products);
  return j;
}

std::string RenderChipTable(const std::vector<const ChipSpec*>& chips) {
  Table table({{"ID"}, {"NAME"}, {"CPU P+E", Align::kRight}, {"GPU", Align::kRight},
               {"FP16 TFLOPS", Align::kRight}, {"BW GB/s", Align::kRight}, {"MEMORY GB"}, {"YEAR", Align::kRight}});
  bool any_low = false;
  for (const ChipSpec* c : chips) {
    const Json r = ChipRecord(*c);
    std::string cpu = "?";
    if (c->cpu_performance_cores.known() && c->cpu_efficiency_cores.known()) {
      cpu = fmt::format("{}+{}", *c->cpu_performance_cores.value, *c->cpu_efficiency_cores.value);
    }
    std::string id = c->id;
    if (c->confidence == Confidence::kLow) {
      id += " *";
      any_low = true;
    }
    table.AddRow({id, c->name, cpu, RecordCell(r["gpu_cores"], "?"), RecordCell(r["fp16_tflops"], "?"),
                  RecordCell(r["memory_bandwidth_gbs"], "?"), RecordCell(r["memory_options_gb"], "?"), RecordCell(r["year"], "?")});
  }
  std::ostringstream out;
  table.Print(out);
  out << fmt::format("{} chip variants; ? = not published.", chips.size());
  if (any_low) out << " * = low confidence (secondary sources only).";
  out << " Sources: siliconsim chips show ID\n";
  return out.str();
}

std::string RenderChipDetail(const ChipSpec& c) {
  const Json record = ChipRecord(c);
  const Json sources = ChipSources(c);
  std::ostringstream out;
  out << fmt::format("{} ({}): {} tier, {} family, defined at {}:{}\n", c.name, c.id, ToString(c.tier), c.family,
                     c.where.file, c.where.line);
  if (c.confidence == Confidence::kLow) out << "LOW CONFIDENCE: secondary sources only; treat as provisional.\n";
  out << "\n";
  Table table({{"FACT"}, {"VALUE"}, {"SOURCE"}});
  for (const auto& [key, prov] : sources.items()) {
    std::string value = RecordCell(record.at(key), "unknown");
    std::string where = prov.value("source", "");
    if (prov.value("derived", false)) where = "derived: " + prov.value("formula", "") + "; " + where;
    if (prov.contains("note")) where += (where.empty() ? "" : "; ") + std::string("note: ") + prov.value("note", "");
    table.AddRow({key, value, where});
  }
  table.Print(out);
  return out.str();
}

std::string Render(OutputFormat format, const std::vector<const ChipSpec*>& chips, bool detail) {
  if (format == OutputFormat::kJson) {
    Json array = Json::array();
    for (const ChipSpec* c : chips) {
      Json r = ChipRecord(*c);
      if (detail) r["sources"] = ChipSources(*c);
      array.push_back(std::move(r));
    }
    return RenderJson(array);
  }
  std::vector<Json> records;
  for (const ChipSpec* c : chips) records.push_back(ChipRecord(*c));
  if (format == OutputFormat::kCsv) return RenderRecordsCsv(records);
  return detail ? RenderChipDetail(*chips.front()) : RenderChipTable(chips);
}

ChipDatabase LoadChips(const CommandContext& context) {
  ChipDatabase db = ChipDatabase::Load(SourcesFor(context));
  ReportWarnings(context, db.warnings());
  return db;
}

struct ChipsOptions {
  std::string format = "table";
  std::string query;
  std::optional<int> gpu_cores;
};

void AddFormatOption(CLI::App* app, std::string& format) {
  app->add_option("-f,--format", format, "Output format: table (for people), json or csv (for scripts)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kOutputFormatNames), std::end(kOutputFormatNames))))
      ->capture_default_str();
}

}  // namespace

std::vector<Command> AddChipsCommands(CLI::App& app, GlobalOptions& options) {
  auto state = std::make_shared<ChipsOptions>();
  CLI::App* chips = app.add_subcommand("chips", "List every Apple Silicon chip variant in the database");
  chips->footer(R"(Examples:
  siliconsim chips
  siliconsim chips --format csv -o chips.csv
  siliconsim chips show m4-max-40c

JSON is an array of objects with unit-suffixed keys (memory_bandwidth_gbs, gpu_cores,
fp16_tflops, memory_options_gb, ...) and a schema_version; unknown facts are null.)");
  AddFormatOption(chips, state->format);

  CLI::App* show = chips->add_subcommand("show", "Show one chip with the source of every fact");
  show->add_option("CHIP", state->query, "Chip id (m4-max-40c) or name (\"M4 Max\", m4max), any case")->required();
  show->add_option("--gpu-cores", state->gpu_cores, "Pick the variant with this many GPU cores")->type_name("N");
  AddFormatOption(show, state->format);
  show->footer(R"(Examples:
  siliconsim chips show m4-max-40c
  siliconsim chips show "M4 Max" --gpu-cores 32
  siliconsim chips show m3ultra --gpu-cores 80 --format json

An ambiguous name lists its variants; an unknown one suggests the nearest.)");
  (void)options;

  Command show_cmd{show, [state](const CommandContext& ctx) {
                     const ChipDatabase db = LoadChips(ctx);
                     const ChipSpec& chip = db.Resolve(state->query, state->gpu_cores);
                     EmitOutput(Render(ParseOutputFormat(state->format), {&chip}, true), ctx.options.output_path,
                                ctx.out);
                   }};
  Command list_cmd{chips, [state](const CommandContext& ctx) {
                     const ChipDatabase db = LoadChips(ctx);
                     std::vector<const ChipSpec*> all;
                     for (const ChipSpec& c : db.chips()) all.push_back(&c);
                     EmitOutput(Render(ParseOutputFormat(state->format), all, false), ctx.options.output_path,
                                ctx.out);
                   }};
  return {show_cmd, list_cmd};
}

}  // namespace siliconsim
