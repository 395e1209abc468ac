// `siliconsim fit` (every model x quant that fits a Mac), `siliconsim which-mac` (the Macs that
// run a model fast enough) and `siliconsim sweep` (one model across context lengths).

#include <algorithm>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/predict_args.h"
#include "cli/sim_support.h"
#include "cli/table.h"
#include "common/text.h"
#include "common/value_parse.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr int64_t kGenTokens = 128;

// The workload behind "at context N": a cache already holding N - 128 tokens, then 128 generated
// (decode at the far end of the context, the rate a long conversation settles at), with the
// context allocated at N; TTFT is for a prompt of N - 128 tokens from an empty cache.
sim::Workload AtContext(sim::Workload w, int64_t context) {
  w.prompt_tokens = std::max<int64_t>(context - kGenTokens, 1);
  w.gen_tokens = kGenTokens;
  w.depth_tokens = 0;
  w.context_tokens = context;
  return w;
}

// Largest context (a multiple of 256, up to the model's maximum) whose memory still fits under
// the default GPU limit; 0 if even 256 tokens do not fit.
int64_t LargestContext(const sim::CompiledModel& c, const sim::ChipPeaks& peaks, sim::Workload w) {
  auto fits = [&](int64_t ctx) {
    return sim::EstimateMemory(c, peaks, AtContext(w, ctx)).verdict == sim::FitVerdict::kFits;
  };
  int64_t hi = std::max<int64_t>(c.model->max_context_tokens, 256);
  if (fits(hi)) return hi;
  int64_t lo = 0;  // fits(lo) (0 stands for "nothing")
  if (!fits(256)) return 0;
  lo = 256;
  while (hi - lo > 256) {
    const int64_t mid = (lo + hi) / 2 / 256 * 256;
    if (mid <= lo) break;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

std::string Tokens(int64_t n) {
  if (n >= 1024 && n % 1024 == 0) return fmt::format("{}k", n / 1024);
  return std::to_string(n);
}

struct FitOptions {
  std::string chip;
  std::optional<int> gpu_cores;
  std::string memory;
  std::string ctx = "8k";
  std::vector<std::string> engines;
  std::vector<std::string> quants;
  std::vector<std::string> models;
  std::optional<double> min_tps;
  bool all = false;
  std::string format = "table";
};

struct WhichMacOptions {
  ScenarioArgs scenario;
  std::string ctx = "8k";
  std::optional<double> min_tps;
  bool raise_limit = false;
  std::string format = "table";
};

struct SweepOptions {
  ScenarioArgs scenario;
  std::string ctx = "1k..128k:x2";
  std::string format = "table";
};

}  // namespace

std::vector<Command> AddPlanCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  // ---- fit ----
  auto fo = std::make_shared<FitOptions>();
  CLI::App* fit = app.add_subcommand("fit", "Every model x quant that fits this Mac at this context, ranked");
  fit->add_option("-c,--chip", fo->chip, "Chip: id, name (\"M4 Pro\") or host .yaml (default: this Mac)");
  fit->add_option("--gpu-cores", fo->gpu_cores, "Pick the chip variant with this many GPU cores");
  fit->add_option("--memory", fo->memory, "Unified memory in GB as Apple sells it (default: the chip's largest)");
  fit->add_option("--ctx", fo->ctx, "Context the model must hold (e.g. 8k, 32k)")->capture_default_str();
  fit->add_option("-e,--engine", fo->engines, "Engines (comma list; default llama.cpp-metal,mlx)")->delimiter(',');
  fit->add_option("-q,--quant", fo->quants,
                  "Quants to try (default Q4_K_M,Q6_K,Q8_0 for llama.cpp; mlx-4bit,mlx-6bit,mlx-8bit for MLX)")
      ->delimiter(',');
  fit->add_option("-m,--model", fo->models, "Only these models (default: every model in the database)")->delimiter(',');
  fit->add_option("--min-tps", fo->min_tps, "Only rows decoding at least this many tokens/s at --ctx");
  fit->add_flag("--all", fo->all, "Also list what does not fit, with why");
  AddFormatFlag(fit, fo->format);
  fit->footer(R"(Ranked by parameters, then bits: the biggest model that fits comes first. "decode t/s" is the
rate at the far end of --ctx; "max ctx" the largest context that still fits the default GPU limit.

Examples:
  siliconsim fit                                   (on a Mac: this Mac and its memory, from sysctl)
  siliconsim fit --chip "M4 Pro" --memory 48
  siliconsim fit --chip m4-pro-20c --memory 48 --ctx 32k --min-tps 20
  siliconsim fit --chip "M3 Ultra" --memory 256 --engine mlx --format csv)");

  Command fit_cmd{fit, [fo](const CommandContext& ctx) {
    const SimData data = LoadSimData(ctx);
    Warnings warnings;
    std::string chip_note;
    std::shared_ptr<ChipSpec> chip;
    double asked_ram = fo->memory.empty() ? 0.0 : ParseMemoryGb(fo->memory);  // 0: not given
    std::string chip_arg = fo->chip;
    if (chip_arg.empty()) {  // this Mac, with its own memory unless --memory asks about another size
      const ThisMac mac = FindThisMac(data.chips, ctx);
      chip_arg = mac.chip_id;
      if (asked_ram <= 0) asked_ram = mac.memory_gb;
    }
    std::vector<const ChipSpec*> variants = IsChipFileArgument(chip_arg) ? std::vector<const ChipSpec*>{}
                                                                          : data.chips.Match(chip_arg, fo->gpu_cores);
    if (variants.size() > 1) {
      // "my 48 GB M4 Pro": the variants sold with that memory; of those, the smaller GPU (it
      // decodes as fast, since decode is bound by the shared memory bandwidth, and prefills slower).
      std::vector<const ChipSpec*> sold;
      for (const ChipSpec* c : variants) {
        const auto& m = c->memory_options_gb.value;
        if (asked_ram <= 0 || (m && std::find(m->begin(), m->end(), static_cast<int>(asked_ram)) != m->end())) sold.push_back(c);
      }
      if (sold.empty()) sold = variants;
      const ChipSpec* pick = *std::min_element(sold.begin(), sold.end(), [](const ChipSpec* a, const ChipSpec* b) {
        return a->gpu_cores.value.value_or(0) < b->gpu_cores.value.value_or(0);
      });
      std::vector<std::string> others;
      for (const ChipSpec* c : sold) {
        if (c != pick) others.push_back(fmt::format("--gpu-cores {} for {}", c->gpu_cores.value.value_or(0), c->id));
      }
      chip = std::make_shared<ChipSpec>(*pick);
      if (!others.empty()) chip_note = fmt::format("'{}' has {} variants: assumed {} ({})", chip_arg, sold.size(), pick->id, Join(others, ", "));
    } else {
      chip = std::make_shared<ChipSpec>(ResolveChipArgument(data.chips, chip_arg, fo->gpu_cores, &warnings));
    }
    ReportWarnings(ctx, warnings);
    const double ram = asked_ram > 0 ? asked_ram : DefaultMemoryGib(*chip);
    if (ram <= 0) throw UsageError(fmt::format("--memory is required: {} lists no memory options", chip->id));
    const int64_t context = ParseTokenCount(fo->ctx);
    std::vector<std::string> engines = fo->engines;
    if (engines.empty()) {
      engines = chip->kind == ChipKind::kCpu ? std::vector<std::string>{DefaultEngine(data.engines, *chip, {"Q4_K_M", data.quants.Resolve("Q4_K_M")}).id}
                                             : std::vector<std::string>{"llama.cpp-metal", "mlx"};
    }
    ScenarioRunner runner(data);
    std::vector<Json> records;
    struct Ranked {
      double params;
      double bits;
      Json record;
    };
    std::vector<Ranked> ranked;
    std::vector<std::shared_ptr<const NamedModel>> models;
    if (fo->models.empty()) {
      for (const ModelSpec& m : data.models.models()) models.push_back(std::make_shared<NamedModel>(NamedModel{m.id, {m, std::nullopt}}));
    } else {
      for (const std::string& m : fo->models) models.push_back(std::make_shared<NamedModel>(NamedModel{m, data.models.ResolveWithWeights(m)}));
    }
    std::vector<Scenario> scenarios;  // engine x quant x model, in the order rows are made
    for (const std::string& engine_name : engines) {
      const EngineSpec& engine = data.engines.Resolve(engine_name);
      std::vector<std::string> quants = fo->quants;
      if (quants.empty()) {
        quants = engine.weight_format == QuantFormat::kMlx ? std::vector<std::string>{"mlx-4bit", "mlx-6bit", "mlx-8bit"}
                                                           : std::vector<std::string>{"Q4_K_M", "Q6_K", "Q8_0"};
      }
      for (const std::string& qname : quants) {
        const QuantChoice q = data.quants.Resolve(qname);
        const QuantArg quant{q.gguf ? q.gguf->name : q.mlx->id, q};
        if ((q.format == QuantFormat::kMlx) != (engine.weight_format == QuantFormat::kMlx)) continue;
        CheckCompatible(engine, *chip, quant, "");
        for (const auto& model : models) scenarios.push_back(Scenario{model, quant, chip, &engine, nullptr, ram, {}});
      }
    }
    runner.Precompile(scenarios);  // the weight plans of the whole database, on every core
    for (const Scenario& s : scenarios) {
      sim::Workload w = AtContext(runner.BaseWorkload(s), context);
      const sim::CompiledModel& compiled = runner.Compiled(s);
      const sim::MemoryResult memory = sim::EstimateMemory(compiled, runner.Peaks(s), w);
      const bool fits = memory.verdict == sim::FitVerdict::kFits;
      if (!fits && !fo->all) continue;
      const sim::Prediction p = runner.Run(s, w);
      if (fo->min_tps && p.decode.tokens_per_second < *fo->min_tps) continue;
      Json r = PredictionRecord(s, w, p);
      r["max_context_tokens"] = LargestContext(compiled, runner.Peaks(s), w);
      ranked.push_back({static_cast<double>(CountParams(runner.Inventory(s)).total),
                        compiled.weights_bytes, std::move(r)});
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
      const bool fa = a.record["fits"].get<bool>();
      const bool fb = b.record["fits"].get<bool>();
      if (fa != fb) return fa;
      if (a.params != b.params) return a.params > b.params;
      return a.bits > b.bits;
    });
    for (Ranked& r : ranked) records.push_back(std::move(r.record));
    const OutputFormat f = ParseOutputFormat(fo->format);
    if (f != OutputFormat::kTable) {
      EmitOutput(f == OutputFormat::kJson ? RenderJson(Json(records)) : RenderRecordsCsv(records), ctx.options.output_path, ctx.out);
      return;
    }
    std::ostringstream out;
    if (!chip_note.empty()) out << chip_note << "\n";
    const bool any_gpu = std::any_of(scenarios.begin(), scenarios.end(),
                                     [](const Scenario& s) { return s.engine->device == EngineDevice::kGpu; });
    const std::string limit =
        any_gpu ? fmt::format("GPU working-set limit {:.1f} GiB by default", sim::DefaultGpuWorkingSetBytes(ram * kGiB) / kGiB)
                : fmt::format("usable RAM {:.1f} GiB (a CPU engine)", sim::RaisedGpuWorkingSetBytes(ram * kGiB) / kGiB);
    out << fmt::format("{} with {:g} GB: {}; context {}\n\n", chip->id, ram, limit, Tokens(context));
    Table t({{"MODEL"}, {"QUANT"}, {"ENGINE"}, {"WEIGHTS GiB", Align::kRight}, {"TOTAL GiB", Align::kRight}, {"FIT"},
             {"DECODE t/s", Align::kRight}, {"PREFILL t/s", Align::kRight}, {"MAX CTX", Align::kRight}});
    for (const Json& r : records) {
      const std::string fitv = r["fit"].get<std::string>();
      t.AddRow({r["model"].get<std::string>(), r["quant"].get<std::string>(), r["engine"].get<std::string>(),
                fmt::format("{:.1f}", r["weights_bytes"].get<double>() / kGiB),
                fmt::format("{:.1f}", r["total_bytes"].get<double>() / kGiB),
                fitv == "fits" ? "yes" : fitv == "fits-after-raising-limit" ? "raise-limit" : "NO",
                fmt::format("{:.1f}", r["decode_tps"].get<double>()), fmt::format("{:.0f}", r["prefill_tps"].get<double>()),
                Tokens(r["max_context_tokens"].get<int64_t>())});
    }
    if (records.empty()) out << "nothing fits\n";
    else t.Print(out);
    EmitOutput(out.str(), ctx.options.output_path, ctx.out);
  }};

  // ---- which-mac ----
  auto wo = std::make_shared<WhichMacOptions>();
  CLI::App* which = app.add_subcommand("which-mac", "The Mac configurations that run a model at a context and speed");
  AddScenarioOptions(which, wo->scenario, ChipDefault::kEveryMac);
  which->add_option("--ctx", wo->ctx, "Context the model must hold")->capture_default_str();
  which->add_option("--min-tps", wo->min_tps, "Decode tokens/s needed at the far end of --ctx");
  which->add_flag("--raise-limit", wo->raise_limit, "Also accept Macs that fit only after raising iogpu.wired_limit_mb");
  AddFormatFlag(which, wo->format);
  which->footer(R"(Every chip x memory option in the database (or --chip's), smallest memory first.

Examples:
  siliconsim which-mac --model Llama-3.3-70B --quant Q4_K_M --ctx 32k --min-tps 10
  siliconsim which-mac --model Qwen/Qwen3-30B-A3B --quant mlx-4bit --ctx 64k --min-tps 40 --format json)");
  Command which_cmd{which, [wo](const CommandContext& ctx) {
    const SimData data = LoadSimData(ctx);
    ScenarioArgs args = wo->scenario;
    if (args.chips.empty()) {
      for (const ChipSpec& c : data.chips.chips()) {
        if (c.kind == ChipKind::kAppleSilicon && c.confidence == Confidence::kHigh) args.chips.push_back(c.id);
      }
    }
    const int64_t context = ParseTokenCount(wo->ctx);
    std::vector<Scenario> scenarios;
    // Each chip with each of its memory options (unless --memory).
    ScenarioArgs one = args;
    for (const std::string& chip : args.chips) {
      one.chips = {chip};
      if (args.memory.empty()) {
        Warnings w;
        const ChipSpec spec = ResolveChipArgument(data.chips, chip, args.gpu_cores, &w);
        one.memory.clear();
        if (spec.memory_options_gb.known()) {
          for (int m : *spec.memory_options_gb.value) one.memory.push_back(std::to_string(m));
        }
      }
      for (Scenario& s : ExpandScenarios(data, one, ctx)) scenarios.push_back(std::move(s));
    }
    ScenarioRunner runner(data, args.threads);
    struct Row {
      double ram;
      double bandwidth;
      Json record;
    };
    std::vector<Row> rows;
    for (const Scenario& s : scenarios) {
      const sim::Workload w = AtContext(runner.BaseWorkload(s), context);
      const sim::Prediction p = runner.Run(s, w);
      const bool ok_memory = p.memory.verdict == sim::FitVerdict::kFits ||
                             (wo->raise_limit && p.memory.verdict == sim::FitVerdict::kFitsAfterRaisingLimit);
      if (!ok_memory) continue;
      if (wo->min_tps && p.decode.tokens_per_second < *wo->min_tps) continue;
      Json r = PredictionRecord(s, w, p);
      r["products"] = s.chip->products.value.value_or(std::vector<std::string>{});
      rows.push_back({s.ram_gib, s.chip->memory_bandwidth_gbs.value.value_or(0), std::move(r)});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.ram != b.ram) return a.ram < b.ram;
      return a.bandwidth < b.bandwidth;
    });
    std::vector<Json> records;
    for (Row& r : rows) records.push_back(std::move(r.record));
    const OutputFormat f = ParseOutputFormat(wo->format);
    if (f != OutputFormat::kTable) {
      EmitOutput(f == OutputFormat::kJson ? RenderJson(Json(records)) : RenderRecordsCsv(records), ctx.options.output_path, ctx.out);
      return;
    }
    std::ostringstream out;
    if (records.empty()) {
      out << "no Mac in the database meets that; try a smaller quant, a shorter --ctx or a lower --min-tps\n";
    } else {
      Table t({{"CHIP"}, {"RAM GB", Align::kRight}, {"TOTAL GiB", Align::kRight}, {"FIT"}, {"DECODE t/s", Align::kRight},
               {"TTFT s", Align::kRight}, {"SOLD IN"}});
      for (const Json& r : records) {
        const std::string fitv = r["fit"].get<std::string>();
        t.AddRow({r["chip"].get<std::string>(), fmt::format("{:g}", r["memory_gb"].get<double>()),
                  fmt::format("{:.1f}", r["total_bytes"].get<double>() / kGiB), fitv == "fits" ? "yes" : "raise-limit",
                  fmt::format("{:.1f}", r["decode_tps"].get<double>()), fmt::format("{:.1f}", r["ttft_s"].get<double>()),
                  RecordCell(r["products"], "-")});
      }
      t.Print(out);
    }
    EmitOutput(out.str(), ctx.options.output_path, ctx.out);
  }};

  // ---- sweep ----
  auto so = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand("sweep", "One model across context lengths (and chips, quants, engines)");
  AddScenarioOptions(sweep, so->scenario, ChipDefault::kThisMac);
  sweep->add_option("--ctx", so->ctx, "Context lengths: list or range (1k,2k,4k or 1k..128k:x2)")->capture_default_str();
  AddFormatFlag(sweep, so->format);
  sweep->footer(R"(At each context N: TTFT for an (N-128)-token prompt, then 128 tokens decoded at the end of it,
with the engine's KV cache allocated for N.

Examples:
  siliconsim sweep --model qwen3-8b --quant Q4_K_M --chip "M4 Pro" --memory 48 --ctx 1k..128k:x2
  siliconsim sweep --model llama-3.1-8b --quant Q4_K_M,mlx-4bit --chip m4-max-40c --ctx 4k,32k --format csv)");
  Command sweep_cmd{sweep, [so](const CommandContext& ctx) {
    const SimData data = LoadSimData(ctx);
    const std::vector<Scenario> scenarios = ExpandScenarios(data, so->scenario, ctx);
    const std::vector<int64_t> contexts = ParseTokenList(so->ctx);
    ScenarioRunner runner(data, so->scenario.threads);
    std::vector<Json> records;
    for (const Scenario& s : scenarios) {
      for (int64_t c : contexts) {
        if (c < 2) throw UsageError(fmt::format("--ctx {} is too small to sweep", c));
        const sim::Workload w = AtContext(runner.BaseWorkload(s), c);
        Json r = PredictionRecord(s, w, runner.Run(s, w));
        r["ctx_tokens"] = c;
        records.push_back(std::move(r));
      }
    }
    EmitOutput(RenderPredictions(so->format, records), ctx.options.output_path, ctx.out);
  }};
  return {fit_cmd, which_cmd, sweep_cmd};
}

}  // namespace siliconsim
