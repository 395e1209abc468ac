// `siliconsim calibrate FILE...` (fit engine parameters to measurements, write engine YAML) and
// `siliconsim validate published FILE...` (predicted vs measured with the engines as they are).

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/measured_rows.h"
#include "cli/output.h"
#include "cli/sim_support.h"
#include "cli/validate_command.h"
#include "common/text.h"
#include "engine/engine_loader.h"
#include "sim/calibration.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

struct CalibrateOptions {
  std::vector<std::string> files;
  std::string chip;
  std::optional<int> gpu_cores;
  std::optional<double> memory_gb;
  std::string engine;
  std::string model;
  std::string quant;
  std::string save_dir;
  std::string format = "table";
};

void AddMeasurementOptions(CLI::App* app, CalibrateOptions& o) {
  app->add_option("FILES", o.files,
                  "Measurements: llama-bench csv/json/jsonl/markdown, mlx_lm output, calibration CSVs")
      ->required();
  app->add_option("--chip", o.chip, "Chip, where the file does not say (e.g. \"M2 Max\")");
  app->add_option("--gpu-cores", o.gpu_cores, "GPU cores of that chip");
  app->add_option("--memory", o.memory_gb, "Memory in GB, where the file does not say");
  app->add_option("--engine", o.engine, "Engine, where the file does not say (llama.cpp-metal, mlx, ...)");
  app->add_option("--model", o.model, "Model, where the file does not say");
  app->add_option("--quant", o.quant, "Quantization, where the file does not say");
  AddFormatFlag(app, o.format);
}

std::vector<Measurement> ReadAll(const CalibrateOptions& o) {
  MeasurementDefaults defaults{o.chip, o.gpu_cores, o.memory_gb, o.engine, o.model, o.quant};
  std::vector<Measurement> all;
  for (const std::string& f : o.files) {
    std::vector<Measurement> m = ReadMeasurementsFile(f, defaults);
    all.insert(all.end(), m.begin(), m.end());
  }
  return all;
}


}  // namespace

std::vector<Command> AddCalibrateCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  auto state = std::make_shared<CalibrateOptions>();
  CLI::App* calibrate = app.add_subcommand("calibrate", "Fit engine parameters to published measurements");
  AddMeasurementOptions(calibrate, *state);
  calibrate->add_option("--save-engines", state->save_dir,
                        "Write each fitted engine to DIR/<engine>.yaml (e.g. data/engines)")
      ->type_name("DIR");
  calibrate->footer(R"(Fits, per engine, the parameters its YAML marks `fitted` (and the kernel costs of the
weight formats the rows use) to minimise the squared log error of predicted vs measured tok/s;
parameters with a `source` stay fixed. Prints every row's residual and the MAPE per engine/phase.

Examples:
  siliconsim calibrate ../shared/data/calibration/*.csv
  siliconsim calibrate ../shared/data/calibration/*.csv --save-engines data/engines
  siliconsim calibrate bench.md --chip "M2 Max" --gpu-cores 38 --model llama-3.1-8b)");

  auto vstate = std::make_shared<CalibrateOptions>();
  CLI::App* validate = app.add_subcommand("validate", "Check predictions against measurements");
  validate->require_subcommand(0, 1);
  CLI::App* published = validate->add_subcommand("published", "Predicted vs measured for every row of published results");
  AddMeasurementOptions(published, *vstate);
  published->footer(R"(Examples:
  siliconsim validate published ../shared/data/calibration/llamacpp_metal_llama2_7b.csv
  siliconsim validate published my-llama-bench.json --format csv)");

  Command validate_cmd{published, [vstate](const CommandContext& ctx) {
                         const SimData data = LoadSimData(ctx);
                         const std::vector<MeasuredRow> rows = ResolveMeasurements(data, ReadAll(*vstate));
                         ScenarioRunner runner(data);
                         const ResidualReport report = Residuals(runner, rows);
                         const OutputFormat f = ParseOutputFormat(vstate->format);
                         EmitOutput(f == OutputFormat::kTable ? report.table
                                    : f == OutputFormat::kJson ? RenderJson(Json(report.records))
                                                               : RenderRecordsCsv(report.records),
                                    ctx.options.output_path, ctx.out);
                       }};

  Command calibrate_cmd{calibrate, [state](const CommandContext& ctx) {
    SimData data = LoadSimData(ctx);
    std::vector<MeasuredRow> rows = ResolveMeasurements(data, ReadAll(*state));
    // Fit a private copy of each engine the rows use, then point the rows at it.
    std::map<std::string, std::unique_ptr<EngineSpec>> fitted;
    for (MeasuredRow& r : rows) {
      auto& e = fitted[r.scenario.engine->id];
      if (!e) e = std::make_unique<EngineSpec>(*r.scenario.engine);
      r.scenario.engine = e.get();
    }
    ScenarioRunner runner(data);
    std::ostringstream log;
    std::vector<std::string> inputs;
    for (const std::string& f : state->files) inputs.push_back(std::filesystem::path(f).filename().string());
    const std::string fitted_on = fmt::format("siliconsim calibrate {} on {}", TodayUtc(), Join(inputs, ", "));
    for (auto& [id, engine] : fitted) {
      std::vector<sim::CalibrationRow> crows;
      for (const MeasuredRow& r : rows) {
        if (r.scenario.engine != engine.get()) continue;
        crows.push_back({&runner.Compiled(r.scenario), &runner.Peaks(r.scenario), r.workload,
                         r.measurement.phase == MeasuredPhase::kDecode, r.measurement.tokens_per_second});
      }
      const std::vector<sim::FreeParam> free = sim::FreeParameters(*engine, crows);
      const sim::FitReport fit = sim::FitEngine(free, crows);
      log << fmt::format("{}: {} rows, {} free parameters, mean squared log error {:.4f} -> {:.4f} ({} evaluations)\n",
                         id, crows.size(), free.size(), fit.start_loss, fit.loss, fit.evaluations);
      for (const sim::FreeParam& f : free) {
        f.param->fitted = fitted_on;
        log << fmt::format("  {:<40} {:.6g}\n", f.name, f.param->value);
      }
      sim::FillUnmeasuredKernelCosts(*engine, free, fitted_on);
    }
    // Resident memory besides weights, KV and compute buffers: the median excess of the measured
    // peak over the rest of the prediction, where the rows report a peak (mlx_lm does).
    for (auto& [id, engine] : fitted) {
      if (engine->runtime_overhead_bytes.fitted.empty()) continue;
      std::vector<double> excess;
      std::vector<const MeasuredRow*> used;
      for (const MeasuredRow& r : rows) {
        if (r.scenario.engine != engine.get() || !r.measurement.peak_memory_gb ||
            r.measurement.phase != MeasuredPhase::kPrefill) {
          continue;
        }
        sim::Workload w = r.workload;
        w.gen_tokens = 128;  // the benchmark generated after its prompt; the peak covers both
        const sim::Prediction p = runner.Run(r.scenario, w);
        excess.push_back(*r.measurement.peak_memory_gb * 1e9 - (p.memory.total_bytes - p.memory.runtime_overhead_bytes));
        used.push_back(&r);
      }
      if (excess.empty()) continue;
      std::sort(excess.begin(), excess.end());
      engine->runtime_overhead_bytes.value = std::max(0.0, excess[excess.size() / 2]);
      engine->runtime_overhead_bytes.fitted =
          fmt::format("{}; median excess of {} measured peak-memory rows", fitted_on, excess.size());
      log << fmt::format("{}: runtime_overhead_bytes {:.4g} (median of {} peak-memory rows)\n", id,
                         engine->runtime_overhead_bytes.value, excess.size());
      for (const MeasuredRow* r : used) {
        sim::Workload w = r->workload;
        w.gen_tokens = 128;
        const sim::Prediction p = runner.Run(r->scenario, w);
        log << fmt::format("  peak memory {} {} {}: measured {:.2f} GB, predicted {:.2f} GB ({:+.1f}%)\n",
                           r->scenario.model->resolved.spec.id, r->scenario.quant.label, r->test,
                           *r->measurement.peak_memory_gb, p.memory.total_bytes / 1e9,
                           100.0 * (p.memory.total_bytes / 1e9 / *r->measurement.peak_memory_gb - 1));
      }
    }
    const ResidualReport report = Residuals(runner, rows);
    for (auto& [id, engine] : fitted) {
      engine->calibration = fmt::format("{}; {} rows", fitted_on, std::count_if(rows.begin(), rows.end(), [&](const MeasuredRow& r) {
                                          return r.scenario.engine == engine.get();
                                        }));
    }
    if (!state->save_dir.empty()) {
      for (auto& [id, engine] : fitted) {
        std::string file = id;
        for (char& c : file) {
          if (c == '.' || c == '-') c = '_';
        }
        const std::string path = (std::filesystem::path(state->save_dir) / (file + ".yaml")).string();
        const std::string yaml = WriteEngineYaml(
            {*engine}, fmt::format("{} ({}).\nWritten by `siliconsim calibrate`: values marked `fitted` were fitted to the "
                                   "rows named there;\nvalues with a `source` are inputs. See docs/accuracy.md.",
                                   engine->name, engine->description));
        LoadEnginesFromString(yaml, path);  // what we write must load
        EmitOutput(yaml, path, ctx.out);
        log << fmt::format("wrote {}\n", path);
      }
    }
    const OutputFormat f = ParseOutputFormat(state->format);
    if (f == OutputFormat::kTable) {
      EmitOutput(log.str() + "\n" + report.table, ctx.options.output_path, ctx.out);
    } else {
      ctx.err << log.str();
      EmitOutput(f == OutputFormat::kJson ? RenderJson(Json(report.records)) : RenderRecordsCsv(report.records),
                 ctx.options.output_path, ctx.out);
    }
  }};
  // `validate published` first: when it ran, its parent `validate` is parsed too.
  return {calibrate_cmd, validate_cmd, AddHostValidateCommand(validate)};
}

}  // namespace siliconsim
