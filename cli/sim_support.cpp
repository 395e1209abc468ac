#include "cli/sim_support.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/output.h"
#include "cli/table.h"
#include "common/diagnostics.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

HostInfo ProbeThisMachine(const CommandContext& context) {
  if (!context.env.sysctl_path) return ProbeHost();
  // 1 MiB: a full `sysctl -a` of a Mac is about 100 KB.
  const std::string text = ReadTextFile(*context.env.sysctl_path, size_t{1} << 20);
  HostInfo host = HostInfoFromSysctl(ParseSysctlOutput(text));
  host.notes.push_back(fmt::format("read from {} (SILICONSIM_SYSCTL), not probed", *context.env.sysctl_path));
  return host;
}

ThisMac FindThisMac(const ChipDatabase& chips, const CommandContext& context) {
  HostInfo host = ProbeThisMachine(context);
  const std::string what = host.cpu_model.empty() ? std::string("an unknown CPU") : host.cpu_model;
  if (!host.cpu_model.starts_with("Apple M")) {
    throw UsageError(fmt::format("--chip is required: this machine ({}) is not an Apple Silicon Mac. Name the Mac to "
                                 "plan for (--chip \"M4 Pro\" --memory 48), or measure this host with `siliconsim host "
                                 "--measure -o host.yaml` and pass --chip host.yaml",
                                 what));
  }
  MatchAppleChip(chips, host);
  if (host.apple_chip_id.empty()) {
    throw UsageError(fmt::format("this Mac's chip ({}, {} P + {} E cores) matches no entry of the chips database; "
                                 "pass --chip (see `siliconsim chips`)",
                                 what, host.performance_cores.value_or(0), host.efficiency_cores.value_or(0)));
  }
  ThisMac mac;
  mac.chip_id = host.apple_chip_id;
  // Apple's "48 GB" is 48 GiB: hw.memsize 51539607552.
  if (host.memory_bytes > 0) {
    mac.memory_gb = std::round(static_cast<double>(host.memory_bytes) / static_cast<double>(int64_t{1} << 30));
    context.err << fmt::format("planning for this Mac: {} with {:.0f} GB -> {} (pass --chip to plan for another)\n",
                               what, mac.memory_gb, mac.chip_id);
  } else {
    context.err << fmt::format("planning for this Mac: {} -> {}; its memory is unknown (no hw.memsize), so the chip's "
                               "largest option is assumed: pass --memory\n",
                               what, mac.chip_id);
  }
  if (host.apple_chip_candidates.size() > 1 && !host.notes.empty()) context.err << "note: " << host.notes.back() << "\n";
  return mac;
}

SimData LoadSimData(const CommandContext& context) {
  const DataSources sources = SourcesFor(context);
  // The four databases are independent: each parses on its own thread (yaml-cpp is most of a
  // short command's time). An InputError from any of them is rethrown here by get(); when
  // several databases are bad, the first in the order engines, chips, models, quants is reported.
  std::future<ModelDatabase> models = std::async(std::launch::async, [&sources] { return ModelDatabase::Load(sources); });
  std::future<ChipDatabase> chips = std::async(std::launch::async, [&sources] { return ChipDatabase::Load(sources); });
  std::future<QuantDatabase> quants = std::async(std::launch::async, [&sources] { return QuantDatabase::Load(sources); });
  EngineDatabase engines = EngineDatabase::Load(sources);
  SimData data{chips.get(), models.get(), quants.get(), std::move(engines)};
  ReportWarnings(context, data.chips.warnings());
  ReportWarnings(context, data.models.warnings());
  ReportWarnings(context, data.quants.warnings());
  return data;
}

const EngineSpec& DefaultEngine(const EngineDatabase& engines, const ChipSpec& chip, const QuantArg& quant) {
  const bool mlx = quant.choice && quant.choice->format == QuantFormat::kMlx;
  if (chip.kind == ChipKind::kCpu) {
    if (mlx) throw UsageError(fmt::format("MLX quantizations run on Apple GPUs; {} is a CPU host", chip.id));
    if (const EngineSpec* e = engines.Find("llama.cpp-cpu-x86")) return *e;
    return engines.Resolve("reference");
  }
  return engines.Resolve(mlx ? "mlx" : "llama.cpp-metal");
}

void CheckCompatible(const EngineSpec& engine, const ChipSpec& chip, const QuantArg& quant, const std::string& model) {
  const bool mlx = quant.choice && quant.choice->format == QuantFormat::kMlx;
  if (mlx != (engine.weight_format == QuantFormat::kMlx)) {
    throw UsageError(fmt::format("engine {} runs {} weights, but {} is {} (pick --engine {})", engine.id,
                                 engine.weight_format == QuantFormat::kMlx ? "MLX" : "GGUF", quant.label,
                                 mlx ? "an MLX quantization" : "a GGUF quantization", mlx ? "mlx" : "llama.cpp-metal"));
  }
  if (engine.device == EngineDevice::kGpu && chip.kind == ChipKind::kCpu) {
    throw UsageError(fmt::format("engine {} runs on an Apple GPU, but {} is a CPU host (use --engine reference or "
                                 "llama.cpp-cpu-x86)",
                                 engine.id, chip.id));
  }
  if (engine.id == "reference" && chip.kind != ChipKind::kCpu) {
    throw UsageError(fmt::format("engine reference is this repository's kernel, fitted on the host it runs on (`siliconsim "
                                 "validate`); it has no Apple Silicon build. For {}'s CPU cores use --engine llama.cpp-cpu",
                                 chip.id));
  }
  if (!quant.choice && model.empty()) throw UsageError("no quantization given");
}

ModelTensors BuildModelTensors(const ModelSpec& model) {
  ModelTensors m;
  m.tensors = BuildTensorInventory(model);
  m.quantizer = IndexForQuantizer(m.tensors);
  return m;
}

sim::WeightPlan PlanWeights(const Scenario& s) { return PlanWeights(s, BuildModelTensors(s.model->resolved.spec)); }

sim::WeightPlan PlanWeights(const Scenario& s, const ModelTensors& model_tensors) {
  const TensorInventory& tensors = model_tensors.tensors;
  const ModelSpec& model = s.model->resolved.spec;
  if (!s.quant.choice) {
    if (!s.model->resolved.gguf_weights) {
      throw UsageError(fmt::format("--quant gguf-file needs a GGUF model file; {} is not one", s.model->query));
    }
    return sim::PlanImportedWeights(model, *s.model->resolved.gguf_weights, fmt::format("GGUF file {}", s.model->query));
  }
  const QuantChoice& q = *s.quant.choice;
  if (q.format == QuantFormat::kMlx) return sim::PlanMlxWeights(tensors, *q.mlx);
  if (s.engine->id == "reference") {
    // The reference kernel stores every matrix in the file type's base block type.
    return sim::PlanUniformWeights(model, q.gguf->default_type.value);
  }
  return sim::PlanGgufWeights(model, tensors, model_tensors.quantizer, *q.gguf);
}

double KvBytesPerElement(const QuantDatabase& quants, const Scenario& s) {
  const KvCacheType& kv = s.kv_type ? *s.kv_type : quants.ResolveKvCache(s.engine->default_kv_type);
  return kv.bytes_per_element();
}

std::string KvTypeName(const Scenario& s) { return s.kv_type ? s.kv_type->id : s.engine->default_kv_type; }

double DefaultMemoryGib(const ChipSpec& chip) {
  if (chip.memory_options_gb.known() && !chip.memory_options_gb.value->empty()) {
    return *std::max_element(chip.memory_options_gb.value->begin(), chip.memory_options_gb.value->end());
  }
  return 0;
}

Json PredictionRecord(const Scenario& s, const sim::Workload& w, const sim::Prediction& p) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["model"] = s.model->resolved.spec.id;
  j["quant"] = s.quant.label;
  j["chip"] = s.chip->id;
  j["engine"] = s.engine->id;
  j["memory_gb"] = w.ram_gib;
  j["kv_type"] = KvTypeName(s);
  j["prompt_tokens"] = w.prompt_tokens;
  j["gen_tokens"] = w.gen_tokens;
  j["depth_tokens"] = w.depth_tokens;
  j["context_tokens"] = p.memory.kv_tokens;
  j["weights_bytes"] = static_cast<int64_t>(p.memory.weights_bytes);
  j["kv_cache_bytes"] = static_cast<int64_t>(p.memory.kv_cache_bytes);
  j["compute_buffer_bytes"] = static_cast<int64_t>(p.memory.compute_buffer_bytes);
  j["runtime_overhead_bytes"] = static_cast<int64_t>(p.memory.runtime_overhead_bytes);
  j["total_bytes"] = static_cast<int64_t>(p.memory.total_bytes);
  j["memory_limit_bytes"] = static_cast<int64_t>(p.memory.default_limit_bytes);
  j["fits"] = p.memory.verdict == sim::FitVerdict::kFits;
  j["fit"] = ToString(p.memory.verdict);
  j["wired_limit_mb"] = p.memory.suggested_wired_limit_mb > 0 ? Json(p.memory.suggested_wired_limit_mb) : Json(nullptr);
  auto rate = [](const sim::PhaseResult& r) { return r.tokens > 0 ? Json(r.tokens_per_second) : Json(nullptr); };
  j["prefill_tps"] = rate(p.prefill);
  j["ttft_s"] = w.prompt_tokens > 0 ? Json(p.ttft_seconds) : Json(nullptr);
  j["decode_tps"] = rate(p.decode);
  j["e2e_s"] = p.e2e_seconds;
  j["bound"] = w.gen_tokens > 0 ? p.decode.bound : p.prefill.bound;
  j["prefill_bound"] = w.prompt_tokens > 0 ? Json(p.prefill.bound) : Json(nullptr);
  j["fit_reason"] = p.memory.reason;
  j["assumptions"] = p.assumptions;
  return j;
}

namespace {

std::string Cell(const Json& v, const char* format_spec = "{:.1f}") {
  if (v.is_null()) return "-";
  if (v.is_number_float()) return fmt::format(fmt::runtime(format_spec), v.get<double>());
  return RecordCell(v, "-");
}

std::string GiB(const Json& v) { return v.is_null() ? "-" : fmt::format("{:.2f}", v.get<double>() / kGiB); }

std::string Seconds(const Json& v) {
  if (v.is_null()) return "-";
  const double s = v.get<double>();
  return s < 10 ? fmt::format("{:.2f}", s) : fmt::format("{:.0f}", s);
}

// A column is shown only when some record differs in it: one chip stays out of the way.
bool Varies(const std::vector<Json>& records, const char* key) {
  for (const Json& r : records) {
    if (r[key] != records.front()[key]) return true;
  }
  return false;
}

}  // namespace

std::string RenderPredictionTable(const std::vector<Json>& records) {
  if (records.empty()) return "no predictions\n";
  std::vector<std::pair<const char*, std::string>> keys = {{"model", "MODEL"}, {"quant", "QUANT"}, {"chip", "CHIP"},
                                                           {"memory_gb", "RAM GB"}, {"engine", "ENGINE"},
                                                           {"kv_type", "KV"}, {"prompt_tokens", "PROMPT"},
                                                           {"gen_tokens", "GEN"}, {"depth_tokens", "DEPTH"},
                                                           {"context_tokens", "CTX"}};
  std::vector<Table::Column> columns;
  std::vector<const char*> shown;
  for (const auto& [key, header] : keys) {
    const bool always = std::string_view(key) == "model" || std::string_view(key) == "quant" ||
                        std::string_view(key) == "chip";
    if (always || Varies(records, key)) {
      columns.push_back({header, std::string_view(key).ends_with("tokens") || std::string_view(key) == "memory_gb"
                                     ? Align::kRight
                                     : Align::kLeft});
      shown.push_back(key);
    }
  }
  for (const char* h : {"WEIGHTS GiB", "KV GiB", "TOTAL GiB"}) columns.push_back({h, Align::kRight});
  columns.push_back({"FIT"});
  for (const char* h : {"PREFILL t/s", "TTFT s", "DECODE t/s", "E2E s"}) columns.push_back({h, Align::kRight});
  columns.push_back({"BOUND"});
  Table table(columns);
  std::vector<std::string> notes;
  std::set<std::string> seen;
  for (const Json& r : records) {
    std::vector<std::string> row;
    for (const char* key : shown) row.push_back(Cell(r[key], "{:g}"));
    row.push_back(GiB(r["weights_bytes"]));
    row.push_back(GiB(r["kv_cache_bytes"]));
    row.push_back(GiB(r["total_bytes"]));
    const std::string fit = r["fit"].get<std::string>();
    row.push_back(fit == "fits" ? "yes" : fit == "fits-after-raising-limit" ? "raise-limit" : fit == "does-not-fit" ? "NO" : "-");
    row.push_back(Cell(r["prefill_tps"]));
    row.push_back(Seconds(r["ttft_s"]));
    row.push_back(Cell(r["decode_tps"]));
    row.push_back(Seconds(r["e2e_s"]));
    row.push_back(r["bound"].get<std::string>());
    table.AddRow(std::move(row));
    if (fit != "fits" && fit != "not-checked") {
      const std::string note = fmt::format("{} {} on {} with {:g} GB: {}", r["model"].get<std::string>(),
                                           r["quant"].get<std::string>(), r["chip"].get<std::string>(),
                                           r["memory_gb"].get<double>(), r["fit_reason"].get<std::string>());
      if (seen.insert(note).second) notes.push_back(note);
    }
    for (const Json& a : r["assumptions"]) {
      const std::string note = "assumed: " + a.get<std::string>();
      if (seen.insert(note).second) notes.push_back(note);
    }
  }
  std::ostringstream out;
  table.Print(out);
  if (!notes.empty()) {
    out << "\n";
    for (const std::string& n : notes) out << n << "\n";
  }
  return out.str();
}

std::string RenderExplain(const Scenario& s, const sim::Workload& w, const sim::CompiledModel& c,
                          const sim::ChipPeaks& peaks, const sim::Prediction& p) {
  std::ostringstream out;
  const EngineSpec& e = *s.engine;
  out << fmt::format("== {} {} on {} ({}), prompt {} + gen {} at depth {}\n", s.model->resolved.spec.id, s.quant.label,
                     s.chip->id, e.id, w.prompt_tokens, w.gen_tokens, w.depth_tokens);
  out << fmt::format("weights: {} = {:.3f} GiB; peaks: {:g} GB/s memory, {:.2f} TFLOPS FP32 ALU, {:.2f} TFLOPS matmul{}{}\n",
                     c.weights_description, c.weights_bytes / kGiB, peaks.memory_bandwidth_gbs, peaks.alu_tflops,
                     peaks.matmul_tflops, peaks.dual_die ? ", two dies" : "",
                     peaks.matrix_units ? ", GPU matrix units" : "");
  out << "engine parameters:";
  for (int i = 0; i < kEngineParamCount; ++i) {
    out << fmt::format(" {}={:.4g}", kEngineParamNames[static_cast<size_t>(i)], e.params[static_cast<size_t>(i)].value);
  }
  out << "\nop time = (t_mem^p + t_compute^p)^(1/p); t_mem = bytes / bandwidth, t_compute = FLOP / compute\n";
  auto table = [&](const char* title, const sim::PhaseResult& r, double scale_tokens) {
    out << fmt::format("\n{}: {:.4g} s for {} tokens = {:.2f} tok/s, {}-bound (overhead {:.4g} s)\n", title, r.seconds,
                       r.tokens, r.tokens_per_second, r.bound, r.overhead_seconds);
    Table t({{"OP"}, {"KERNEL"}, {"BYTES", Align::kRight}, {"GFLOP", Align::kRight}, {"GB/s", Align::kRight},
             {"TFLOPS", Align::kRight}, {"T_MEM ms", Align::kRight}, {"T_COMP ms", Align::kRight},
             {"T ms", Align::kRight}, {"BOUND"}});
    for (const sim::OpTime& op : r.ops) {
      t.AddRow({op.name, op.kernel_class.empty() ? "-" : op.kernel_class, fmt::format("{:.4g}", op.bytes),
                fmt::format("{:.4g}", op.flops / 1e9), fmt::format("{:.1f}", op.bandwidth_gbs),
                fmt::format("{:.2f}", op.compute_tflops), fmt::format("{:.4f}", op.memory_seconds * 1e3),
                fmt::format("{:.4f}", op.compute_seconds * 1e3), fmt::format("{:.4f}", op.seconds * 1e3), op.bound});
    }
    t.Print(out);
    (void)scale_tokens;
  };
  if (w.prompt_tokens > 0) table("prefill (totals over the prompt)", p.prefill, 1);
  if (w.gen_tokens > 0) table("decode (one token at the mean position)", p.decode, 1);
  out << fmt::format("\nmemory: weights {:.3f} + KV {:.3f} ({} tokens) + compute {:.3f} + runtime {:.3f} = {:.3f} GiB; {}\n",
                     p.memory.weights_bytes / kGiB, p.memory.kv_cache_bytes / kGiB, p.memory.kv_tokens,
                     p.memory.compute_buffer_bytes / kGiB, p.memory.runtime_overhead_bytes / kGiB,
                     p.memory.total_bytes / kGiB, p.memory.reason.empty() ? "no memory size given" : p.memory.reason);
  for (const std::string& a : p.assumptions) out << "assumed: " << a << "\n";
  return out.str();
}

std::string RenderPredictions(const std::string& format, const std::vector<Json>& records) {
  const OutputFormat f = ParseOutputFormat(format);
  if (f == OutputFormat::kJson) return RenderJson(Json(records));
  if (f == OutputFormat::kCsv) return RenderRecordsCsv(records);
  return RenderPredictionTable(records);
}

void AddFormatFlag(CLI::App* app, std::string& format) {
  app->add_option("-f,--format", format, "Output format: table (for people), json or csv (for scripts)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kOutputFormatNames), std::end(kOutputFormatNames))))
      ->capture_default_str();
}

}  // namespace siliconsim
