// `siliconsim engines` and `siliconsim engines show ENGINE`: the engine database with the
// provenance of every parameter (a source, or what calibrate fitted it on).

#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/sim_support.h"
#include "cli/table.h"
#include "engine/engine_db.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

struct EnginesOptions {
  std::string format = "table";
  std::string query;
};

Json EngineRecord(const EngineSpec& e) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["id"] = e.id;
  j["name"] = e.name;
  j["device"] = ToString(e.device);
  j["weight_format"] = e.weight_format == QuantFormat::kGguf ? "gguf" : "mlx";
  j["kv_allocation"] = ToString(e.kv_allocation);
  j["default_kv_type"] = e.default_kv_type;
  j["prefill_chunk_tokens"] = static_cast<int64_t>(e.prefill_chunk_tokens.value);
  j["runtime_overhead_bytes"] = static_cast<int64_t>(e.runtime_overhead_bytes.value);
  for (int i = 0; i < kEngineParamCount; ++i) j[kEngineParamNames[static_cast<size_t>(i)]] = e.params[static_cast<size_t>(i)].value;
  j["kernel_classes"] = static_cast<int64_t>(e.kernels.size());
  j["calibration"] = e.calibration;
  return j;
}

std::string Provenance(const EngineParam& p) { return p.fitted.empty() ? "source: " + p.source : "fitted: " + p.fitted; }

std::string RenderDetail(const EngineSpec& e) {
  std::ostringstream out;
  out << fmt::format("{} ({}): {}\n{} weights on the {}, KV cache {} (default {}), prefill in steps of {:g} tokens\n",
                     e.id, e.name, e.description, e.weight_format == QuantFormat::kGguf ? "GGUF" : "MLX",
                     ToString(e.device), ToString(e.kv_allocation), e.default_kv_type, e.prefill_chunk_tokens.value);
  if (!e.calibration.empty()) out << "calibration: " << e.calibration << "\n";
  out << "\n";
  Table params({{"PARAMETER"}, {"VALUE", Align::kRight}, {"PROVENANCE"}});
  params.AddRow({"runtime_overhead_bytes", fmt::format("{:.4g}", e.runtime_overhead_bytes.value),
                 Provenance(e.runtime_overhead_bytes)});
  for (int i = 0; i < kEngineParamCount; ++i) {
    const EngineParam& p = e.params[static_cast<size_t>(i)];
    params.AddRow({kEngineParamNames[static_cast<size_t>(i)], fmt::format("{:.4g}", p.value), Provenance(p)});
  }
  params.Print(out);
  out << "\n";
  Table kernels({{"KERNEL CLASS"}, {"DECODE OPS/WEIGHT", Align::kRight}, {"PREFILL OPS/WEIGHT", Align::kRight}, {"PROVENANCE"}});
  for (const KernelCost& k : e.kernels) {
    kernels.AddRow({k.kernel_class, fmt::format("{:.3g}", k.decode_ops_per_weight.value),
                    fmt::format("{:.3g}", k.prefill_ops_per_weight.value), Provenance(k.decode_ops_per_weight)});
  }
  kernels.Print(out);
  // CPU kernels: the row stall measured at each row width (docs/simulator.md).
  for (const KernelCost& k : e.kernels) {
    if (k.row_stall_weights.empty()) continue;
    std::string points;
    for (const RowStallPoint& rs : k.row_stall_weights) {
      points += fmt::format("{}{} wide: {:.4g}", points.empty() ? "" : ", ", rs.cols, rs.weights.value);
    }
    out << fmt::format("row stall of {} (weights per row from DRAM): {} ({})\n", k.kernel_class, points,
                       Provenance(k.row_stall_weights.front().weights));
  }
  return out.str();
}

}  // namespace

std::vector<Command> AddEnginesCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  auto state = std::make_shared<EnginesOptions>();
  CLI::App* engines = app.add_subcommand("engines", "List the inference engines and their calibrated parameters");
  AddFormatFlag(engines, state->format);
  engines->footer(R"(Examples:
  siliconsim engines
  siliconsim engines show llama.cpp-metal      every parameter with its source or fit)");
  CLI::App* show = engines->add_subcommand("show", "One engine: every parameter and kernel cost with its provenance");
  show->add_option("ENGINE", state->query, "Engine id or alias (llama.cpp-metal, mlx, ...)")->required();
  AddFormatFlag(show, state->format);
  Command show_cmd{show, [state](const CommandContext& ctx) {
                     const EngineDatabase db = EngineDatabase::Load(SourcesFor(ctx));
                     const EngineSpec& e = db.Resolve(state->query);
                     const OutputFormat f = ParseOutputFormat(state->format);
                     EmitOutput(f == OutputFormat::kTable  ? RenderDetail(e)
                                : f == OutputFormat::kJson ? RenderJson(Json(std::vector<Json>{EngineRecord(e)}))
                                                           : RenderRecordsCsv({EngineRecord(e)}),
                                ctx.options.output_path, ctx.out);
                   }};
  Command list_cmd{engines, [state](const CommandContext& ctx) {
                     const EngineDatabase db = EngineDatabase::Load(SourcesFor(ctx));
                     std::vector<Json> records;
                     for (const EngineSpec& e : db.engines()) records.push_back(EngineRecord(e));
                     const OutputFormat f = ParseOutputFormat(state->format);
                     if (f != OutputFormat::kTable) {
                       EmitOutput(f == OutputFormat::kJson ? RenderJson(Json(records)) : RenderRecordsCsv(records),
                                  ctx.options.output_path, ctx.out);
                       return;
                     }
                     Table t({{"ID"}, {"NAME"}, {"DEVICE"}, {"WEIGHTS"}, {"KV"}, {"STEP", Align::kRight},
                              {"MEM EFF", Align::kRight}, {"COMPUTE EFF", Align::kRight}, {"CALIBRATION"}});
                     for (const EngineSpec& e : db.engines()) {
                       t.AddRow({e.id, e.name, ToString(e.device), e.weight_format == QuantFormat::kGguf ? "gguf" : "mlx",
                                 ToString(e.kv_allocation), fmt::format("{:g}", e.prefill_chunk_tokens.value),
                                 fmt::format("{:.3f}", e.param(EngineParamId::kMemoryEfficiency).value),
                                 fmt::format("{:.3f}", e.param(EngineParamId::kComputeEfficiency).value),
                                 e.calibration.empty() ? "-" : e.calibration});
                     }
                     std::ostringstream out;
                     t.Print(out);
                     EmitOutput(out.str(), ctx.options.output_path, ctx.out);
                   }};
  return {show_cmd, list_cmd};
}

}  // namespace siliconsim
