// `siliconsim validate --model M --quant Q`: measure this host, fit the reference engine's
// per-format costs to microbenchmarks of isolated matrices, predict the model through the same
// simulator path as a Mac (sim::PeaksOf -> Compile -> Predict), run the reference kernel on
// synthetic weights of that model, and print measured against predicted. docs/validation.md.

#include "cli/validate_command.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/output.h"
#include "cli/sim_support.h"
#include "cli/table.h"
#include "common/text.h"
#include "common/value_parse.h"
#include "engine/engine_loader.h"
#include "hardware/host_chip.h"
#include "hardware/host_probe.h"
#include "hardware/microbench.h"
#include "kernel/rates.h"
#include "kernel/reference.h"
#include "sim/cpu_calibration.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;
using kernel::WeightFormat;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct HostValidateOptions {
  std::vector<std::string> models;
  std::vector<std::string> quants;
  int64_t prompt_tokens = 512;
  int64_t gen_tokens = 64;
  std::optional<int> threads;
  int repeat = 3;
  bool quick = false;
  bool as_shipped = false;
  std::string save_engine;
  std::string format = "table";
};

// Half the range between the fastest and the slowest pass, relative to the median: "±2.1%".
std::string Spread(std::pair<double, double> fastest_slowest, double median) {
  if (median <= 0) return "-";
  return fmt::format("±{:.1f}%", 50.0 * (fastest_slowest.first - fastest_slowest.second) / median);
}

// The kernel class of a reference weight format, as sim/weights.h names it.
std::string KernelClass(WeightFormat f) {
  switch (f) {
    case WeightFormat::kF32: return "f32";
    case WeightFormat::kF16: return "f16";
    case WeightFormat::kQ8_0: return "q8_0";
    case WeightFormat::kQ4_0: return "q4_0";
  }
  return "f32";
}

// The reference kernel runs GGUF file types whose base block type it implements.
WeightFormat FormatOf(const QuantChoice& q, const std::string& name) {
  if (q.format == QuantFormat::kGguf && q.gguf) {
    if (auto f = kernel::ParseWeightFormat(q.gguf->default_type.value.name)) return *f;
  }
  throw UsageError(fmt::format("the reference kernel runs F32, F16, Q8_0 and Q4_0 weights; {} is not one of them", name));
}

// Where a working set of `bytes` streams from, by the simulator's cache rule.
std::string LevelFor(const sim::ChipPeaks& peaks, double bytes) {
  for (const sim::CacheRoof& c : peaks.caches) {
    if (bytes <= c.capacity_bytes && c.read_bandwidth_gbs > 0) return c.name;
  }
  return "DRAM";
}

// The kernel's measurements in the simulator's terms.
sim::CpuTimings ToTimings(const kernel::KernelRates& rates) {
  sim::CpuTimings t;
  for (const kernel::FormatRates& r : rates.formats) {
    sim::FormatTimings f;
    f.kernel_class = KernelClass(r.format);
    f.cache_rows = r.cache_rows;
    f.cache_cols = r.cache_cols;
    f.cache_bytes = static_cast<double>(r.cache_matrix_bytes);
    f.cache_gemv_seconds = r.cache_gemv_seconds;
    f.gemm_tokens = r.gemm_tokens;
    f.gemm_seconds = r.gemm_seconds;
    f.narrow_rows = r.narrow_rows;
    f.narrow_cols = r.narrow_cols;
    f.narrow_gemv_seconds = r.narrow_gemv_seconds;
    f.narrow_gemm_tokens = r.narrow_gemm_tokens;
    f.narrow_gemm_seconds = r.narrow_gemm_seconds;
    for (const kernel::FormatRates::StreamSet& s : r.dram_sets) {
      f.dram_sets.push_back({s.rows, s.cols, s.count, static_cast<double>(s.bytes), s.pass_seconds});
    }
    t.formats.push_back(std::move(f));
  }
  t.tiny_rows = rates.tiny_rows;
  t.tiny_cols = rates.tiny_cols;
  t.tiny_bytes = static_cast<double>(rates.tiny_bytes);
  t.tiny_gemv_seconds = rates.tiny_gemv_seconds;
  t.attention_flops = rates.attention_flops_per_second() * rates.attention_seconds;
  t.attention_seconds = rates.attention_seconds;
  t.attention_layers = rates.attention_dram_layers;
  t.attention_bytes = static_cast<double>(rates.attention_dram_layers * rates.attention_layer_bytes);
  t.attention_dram_seconds = rates.attention_dram_seconds;
  return t;
}

std::string Percent(double error) { return fmt::format("{:+.1f}%", 100.0 * error); }

// The host's speed while a model ran, relative to its typical calibration round: the geometric
// mean of the rounds just before and just after the run (runs sit between rounds). 1 when unknown.
double SpeedAround(const std::vector<double>& speed_by_round, size_t run) {
  if (run + 1 >= speed_by_round.size()) return 1.0;
  return std::sqrt(speed_by_round[run] * speed_by_round[run + 1]);
}

// The host's roofs with its DRAM bandwidth at that memory speed; the engine's parameters are
// untouched. Reported beside the prediction, not used for it: over seven full runs on 2026-12-03
// it made the 7B and 1B decode errors larger, not smaller (docs/validation.md).
sim::ChipPeaks AtMemorySpeed(sim::ChipPeaks peaks, double memory_speed) {
  peaks.memory_bandwidth_gbs *= memory_speed;
  return peaks;
}

struct ValidateRow {
  Json record;
  std::vector<std::string> cells;
};

}  // namespace

Command AddHostValidateCommand(CLI::App* validate) {
  auto o = std::make_shared<HostValidateOptions>();
  validate->add_option("--model", o->models, "Llama-family model(s) to run (id, alias or YAML file; comma list)")
      ->delimiter(',');
  validate->add_option("--quant", o->quants, "Weight format(s): F32, F16, Q8_0, Q4_0 (comma list)")->delimiter(',');
  validate->add_option("--prompt", o->prompt_tokens, "Prompt tokens (prefill, in 512-token chunks)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  validate->add_option("--gen", o->gen_tokens, "Tokens to generate (decode)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  validate->add_option("--threads", o->threads, "Threads (default: every usable CPU)")->check(CLI::Range(1, 4096));
  validate->add_option("--repeat", o->repeat,
                       "Timed passes per model and format (each: prefill, then decode); the median is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  validate->add_flag("--quick", o->quick, "Short microbenchmarks (tests, CI): checks the pipeline, not the numbers");
  validate->add_flag("--as-shipped", o->as_shipped,
                     "Predict with data/engines/reference.yaml as it is, without fitting it to this host first");
  validate->add_option("--save-engine", o->save_engine, "Write the engine fitted on this host to FILE (YAML)")
      ->type_name("FILE");
  AddFormatFlag(validate, o->format);
  validate->footer(R"(Measures this host (read bandwidth per cache level and DRAM, FMA peak), fits the reference
engine's per-format costs to microbenchmarks of isolated matrices (not the model), predicts
the model's prefill and decode through the simulator, then runs the reference kernel on
synthetic weights of that model and prints measured vs predicted.

Examples:
  siliconsim validate --model llama-2-7b --quant Q8_0,Q4_0
  siliconsim validate --model llama-3.2-1b --quant Q8_0 --prompt 512 --gen 64 --threads 2
  siliconsim validate --model llama-2-7b --quant Q4_0 --format json
  siliconsim validate published ../shared/data/calibration/mlx_lm.csv)");

  return {validate, [o](const CommandContext& ctx) {
    if (o->models.empty() || o->quants.empty()) {
      throw UsageError("validate needs --model and --quant (or: siliconsim validate published FILE...)");
    }
    const OutputFormat output = ParseOutputFormat(o->format);
    const SimData data = LoadSimData(ctx);
    const EngineSpec& shipped = data.engines.Resolve("reference");

    // Resolve everything before measuring anything: bad input fails in milliseconds.
    std::vector<std::shared_ptr<const NamedModel>> models;
    for (const std::string& m : o->models) {
      auto named = std::make_shared<NamedModel>(NamedModel{m, data.models.ResolveWithWeights(m)});
      kernel::CheckReferenceSupported(named->resolved.spec);
      models.push_back(std::move(named));
    }
    std::vector<std::pair<QuantArg, WeightFormat>> quants;
    std::vector<WeightFormat> formats;
    for (const std::string& q : o->quants) {
      const QuantChoice choice = data.quants.Resolve(q);
      const WeightFormat f = FormatOf(choice, q);
      quants.push_back({QuantArg{choice.gguf->name, choice}, f});
      if (std::find(formats.begin(), formats.end(), f) == formats.end()) formats.push_back(f);
    }

    // 1. The host: probe, microbenchmarks, a kind-cpu chip.
    const HostInfo host = ProbeHost();
    const int threads = o->threads.value_or(std::max(1, host.usable_threads));
    MicrobenchOptions mo;
    mo.max_threads = threads;
    mo.quick = o->quick;
    ctx.err << fmt::format("validate: measuring the host with up to {} threads...\n", threads);
    const MicrobenchResult measured = RunMicrobenchmarks(host, mo);
    const std::string today = TodayUtc();
    auto chip = std::make_shared<ChipSpec>(BuildHostChipSpec(host, measured, today));
    sim::ChipPeaks peaks = sim::PeaksOf(*chip, {}, threads);

    // 2. What runs: each model x format, checked against the host's memory before anything is timed.
    const double ram_gib = static_cast<double>(host.memory_bytes) / kGiB;
    auto workload_of = [&](const Scenario& s) {
      sim::Workload w;
      w.prompt_tokens = o->prompt_tokens;
      w.gen_tokens = o->gen_tokens;
      w.context_tokens = o->prompt_tokens + o->gen_tokens;
      w.kv_bytes_per_element = KvBytesPerElement(data.quants, s);
      w.ram_gib = ram_gib;
      return w;
    };
    struct Run {
      std::shared_ptr<const NamedModel> model;
      QuantArg quant;
      WeightFormat format;
      sim::WeightPlan plan;
      kernel::ReferenceTiming timing;
    };
    std::vector<Run> runs;
    for (const auto& model : models) {
      for (const auto& [quant, format] : quants) {
        const Scenario s{model, quant, chip, &shipped, nullptr, ram_gib, {}};
        sim::WeightPlan plan = PlanWeights(s);
        const sim::CompiledModel compiled = sim::Compile(model->resolved.spec, plan, shipped);
        const sim::MemoryResult memory = sim::EstimateMemory(compiled, peaks, workload_of(s));
        if (memory.verdict == sim::FitVerdict::kDoesNotFit) {
          throw UsageError(fmt::format("{} {} does not fit this host: {}", model->resolved.spec.id, quant.label,
                                       memory.reason));
        }
        runs.push_back({model, quant, format, std::move(plan), {}});
      }
    }
    auto run_model = [&](Run& r) {
      ctx.err << fmt::format("validate: running {} {} ({} threads)...\n", r.model->resolved.spec.id, r.quant.label,
                             threads);
      kernel::ReferenceConfig rc;
      rc.model = &r.model->resolved.spec;
      rc.format = r.format;
      rc.threads = threads;
      rc.prompt_tokens = o->prompt_tokens;
      rc.gen_tokens = o->gen_tokens;
      rc.ubatch_tokens = static_cast<int64_t>(shipped.prefill_chunk_tokens.value);
      rc.repetitions = o->repeat;
      r.timing = kernel::RunReference(rc);
    };

    // 3. The reference engine, fitted to isolated matrices on this host (never to the models). The
    // microbenchmark rounds alternate with the model runs: on a shared machine the samples of both
    // then span the same stretch of time, and a slow minute spoils one round, not the whole fit.
    kernel::RateOptions ro;
    ro.threads = threads;
    double llc_bytes = 0;
    for (const sim::CacheRoof& c : peaks.caches) llc_bytes = std::max(llc_bytes, c.capacity_bytes);
    ro.dram_set_bytes = static_cast<int64_t>(std::max(4.0 * llc_bytes, 256.0 * (1 << 20)));
    if (o->quick) {
      ro.dram_set_bytes = int64_t{8} << 20;
      ro.seconds_per_point = 0.005;
      ro.repetitions = 1;
    }
    EngineSpec engine = shipped;
    kernel::KernelRates rates;
    sim::CpuEngineFit fit;
    if (!o->as_shipped) {
      ctx.err << "validate: timing the kernel on isolated matrices, in rounds between the model runs...\n";
      // Both block formats always: the fit needs two formats to tell bandwidth from overlap.
      std::vector<WeightFormat> measured_formats = formats;
      for (WeightFormat f : {WeightFormat::kQ8_0, WeightFormat::kQ4_0}) {
        if (std::find(measured_formats.begin(), measured_formats.end(), f) == measured_formats.end()) {
          measured_formats.push_back(f);
        }
      }
      ro.repetitions = std::max(ro.repetitions, static_cast<int>(runs.size()) + 1);
      // The FMA peak again after every round: a peak is the best the host reaches, and the first
      // quarter second of measuring can fall in a co-tenant's burst (on 2026-12-03 one run measured
      // 115 GFLOP/s against 218-234 in every other; the prefill costs then hit their floor of one
      // FMA per weight and every prefill came out 30-40% slow).
      double best_fma_gflops = peaks.alu_tflops * 1e3;
      ro.between_rounds = [&](int round) {
        if (round < static_cast<int>(runs.size())) run_model(runs[static_cast<size_t>(round)]);
        if (!o->quick) best_fma_gflops = std::max(best_fma_gflops, MeasureFmaGflops(threads, 3, 0.05));
      };
      rates = kernel::MeasureKernelRates(measured_formats, ro);
      if (best_fma_gflops > peaks.alu_tflops * 1e3) {
        const double first = peaks.alu_tflops * 1e3;
        chip->cpu_fma_gflops.value = best_fma_gflops;
        chip->cpu_fma_gflops.note = fmt::format("the best of the host measurement ({:.1f}) and the FMA runs between "
                                                "validate's calibration rounds", first);
        if (chip->cpu_fma_gflops_by_threads.known() &&
            static_cast<size_t>(threads) <= chip->cpu_fma_gflops_by_threads.value->size()) {
          (*chip->cpu_fma_gflops_by_threads.value)[static_cast<size_t>(threads - 1)] = best_fma_gflops;
        }
        peaks = sim::PeaksOf(*chip, {}, threads);
        ctx.err << fmt::format("validate: FMA peak {:.1f} GFLOP/s between the rounds (the first measurement: {:.1f})\n",
                               best_fma_gflops, first);
      }
      fit = sim::FitCpuEngine(ToTimings(rates), peaks);
      const std::string provenance =
          fmt::format("siliconsim validate {} on {} ({}, {} threads, {})", today, chip->id, host.cpu_model, threads,
                      rates.simd);
      sim::ApplyCpuEngineFit(fit, provenance, engine);
    } else {
      for (Run& r : runs) run_model(r);
    }
    if (!o->save_engine.empty()) {
      const std::string header =
          "The reference CPU kernel (kernel/, docs/kernel.md) that `siliconsim validate` runs on the host.\n"
          "Written by `siliconsim validate --save-engine`: per-format costs, the overlap exponent and the\n"
          "dispatch cost are fitted to microbenchmarks of isolated matrices on the host named below (never\n"
          "to a model run); `validate` refits them on the machine it runs on before it predicts.";
      EmitOutput(WriteEngineYaml({engine}, header), o->save_engine, ctx.out);
    }

    // 4. Predict each run through the simulator and compare, at the host's typical speed (the
    // medians of the calibration rounds). The rounds either side of a run also tell how fast the
    // host's memory ran then (on this kind of shared VM the DRAM bandwidth moved 29-57 GB/s in one
    // day); the prediction at that speed is reported beside it, not used.
    std::vector<ValidateRow> rows;
    for (size_t run_index = 0; run_index < runs.size(); ++run_index) {
      const Run& run = runs[run_index];
      const double memory_speed = SpeedAround(rates.memory_speed_by_round, run_index);
      const double compute_speed = SpeedAround(rates.compute_speed_by_round, run_index);
      const auto& model = run.model;
      const QuantArg& quant = run.quant;
      const WeightFormat format = run.format;
      const kernel::ReferenceTiming& t = run.timing;
      const Scenario s{model, quant, chip, &engine, nullptr, ram_gib, {}};
      const sim::Workload w = workload_of(s);
      const sim::CompiledModel compiled = sim::Compile(model->resolved.spec, run.plan, engine);
      const sim::Prediction p = sim::Predict(compiled, peaks, w);
      const sim::Prediction at_run_speed = sim::Predict(compiled, AtMemorySpeed(peaks, memory_speed), w);

      const double prefill_error = p.prefill.tokens_per_second / t.prefill_tps() - 1.0;
      const double decode_error = p.decode.tokens_per_second / t.decode_tps() - 1.0;
      const std::string regime = LevelFor(peaks, compiled.weights_bytes);
      Json r;
      r["model_id"] = model->resolved.spec.id;
      r["quant"] = quant.label;
      r["kernel_format"] = kernel::ToString(format);
      r["threads"] = threads;
      r["simd"] = t.simd;
      r["host_id"] = chip->id;
      r["cpu_model"] = host.cpu_model;
      r["prompt_tokens"] = o->prompt_tokens;
      r["gen_tokens"] = o->gen_tokens;
      r["weights_bytes"] = t.weight_bytes;
      r["predicted_weights_bytes"] = compiled.weights_bytes;
      r["weights_regime"] = regime;
      r["memory_bandwidth_gbs"] = peaks.memory_bandwidth_gbs;
      r["fma_gflops"] = peaks.alu_tflops * 1e3;
      r["host_speed_memory"] = memory_speed;
      r["host_speed_compute"] = compute_speed;
      r["repeats"] = static_cast<int64_t>(t.prefill_pass_seconds.size());
      // Per phase: measured (median, fastest, slowest), predicted, error, and the prediction at the
      // memory speed of the rounds around the run.
      const struct {
        const char* name;
        double measured;
        std::pair<double, double> fastest_slowest;
        const sim::PhaseResult& predicted;
        const sim::PhaseResult& at_run_memory_speed;
        double error;
      } phases[] = {{"prefill", t.prefill_tps(), t.prefill_tps_range(), p.prefill, at_run_speed.prefill, prefill_error},
                    {"decode", t.decode_tps(), t.decode_tps_range(), p.decode, at_run_speed.decode, decode_error}};
      for (const auto& ph : phases) {
        r[fmt::format("measured_{}_tps", ph.name)] = ph.measured;
        r[fmt::format("measured_{}_tps_max", ph.name)] = ph.fastest_slowest.first;
        r[fmt::format("measured_{}_tps_min", ph.name)] = ph.fastest_slowest.second;
        r[fmt::format("predicted_{}_tps", ph.name)] = ph.predicted.tokens_per_second;
        r[fmt::format("{}_error_pct", ph.name)] = 100.0 * ph.error;
        r[fmt::format("predicted_{}_tps_at_run_memory_speed", ph.name)] = ph.at_run_memory_speed.tokens_per_second;
        r[fmt::format("{}_bound", ph.name)] = ph.predicted.bound;
      }
      r["build_s"] = t.build_seconds;
      r["engine_fitted_on_host"] = !o->as_shipped;
      const KernelCost* k = engine.FindKernel(KernelClass(format));
      r["decode_ops_per_weight"] = k ? k->decode_ops_per_weight.value : 0.0;
      r["prefill_ops_per_weight"] = k ? k->prefill_ops_per_weight.value : 0.0;
      r["memory_efficiency"] = engine.param(EngineParamId::kMemoryEfficiency).value;
      r["overlap_exponent"] = engine.param(EngineParamId::kOverlapExponent).value;
      r["row_stall_weights"] = engine.param(EngineParamId::kRowStallWeights).value;
      Json by_cols = Json::array();  // the format's own row stalls, [cols, weights], when it has them
      if (k) {
        for (const RowStallPoint& rs : k->row_stall_weights) by_cols.push_back(Json::array({rs.cols, rs.weights.value}));
      }
      r["row_stall_weights_by_cols"] = by_cols;
      r["row_compute_weights"] = engine.param(EngineParamId::kRowComputeWeights).value;
      r["matrix_s"] = engine.param(EngineParamId::kMatrixSeconds).value;
      r["attention_compute_efficiency"] = engine.param(EngineParamId::kAttentionComputeEfficiency).value;
      r["attention_memory_efficiency"] = engine.param(EngineParamId::kAttentionMemoryEfficiency).value;
      r["dispatch_s"] = engine.param(EngineParamId::kDispatchSeconds).value;
      // The DRAM calibration sets of this format: what they streamed at and how far the fitted
      // engine is from each (the fit's own residuals, to tell a form the model lacks from noise).
      for (size_t fi = 0; fi < rates.formats.size() && !o->as_shipped; ++fi) {
        if (rates.formats[fi].format != format || fi >= fit.formats.size()) continue;
        Json sets = Json::array();
        for (size_t si = 0; si < rates.formats[fi].dram_sets.size(); ++si) {
          const auto& set = rates.formats[fi].dram_sets[si];
          Json js;
          js["rows"] = set.rows;
          js["cols"] = set.cols;
          js["matrices"] = set.count;
          js["measured_gbs"] = set.bytes_per_second() / 1e9;
          const std::vector<double>& errors = fit.formats[fi].dram_set_errors;
          js["fit_error_pct"] = si < errors.size() ? 100.0 * errors[si] : 0.0;
          sets.push_back(js);
        }
        r["calibration_dram_sets"] = sets;
      }
      rows.push_back({r,
                      {model->resolved.spec.id, quant.label, regime,
                       fmt::format("{:.2f} / {:.2f}", memory_speed, compute_speed), fmt::format("{:.2f}", t.prefill_tps()),
                       Spread(t.prefill_tps_range(), t.prefill_tps()), fmt::format("{:.2f}", p.prefill.tokens_per_second),
                       Percent(prefill_error), fmt::format("{:.2f}", t.decode_tps()),
                       Spread(t.decode_tps_range(), t.decode_tps()), fmt::format("{:.2f}", p.decode.tokens_per_second),
                       Percent(decode_error)}});
    }

    std::vector<Json> records;
    for (const ValidateRow& r : rows) records.push_back(r.record);
    std::string text;
    if (output == OutputFormat::kJson) {
      text = RenderJson(Json(records));
    } else if (output == OutputFormat::kCsv) {
      text = RenderRecordsCsv(records);
    } else {
      std::ostringstream out;
      out << fmt::format("Host: {} ({}), {} threads, {} kernels; {}\n", chip->id, host.cpu_model, threads,
                         rates.simd.empty() ? "shipped" : rates.simd, o->quick ? "QUICK (numbers not representative)" : "");
      out << fmt::format("Roofs: DRAM {:.1f} GB/s", peaks.memory_bandwidth_gbs);
      for (const sim::CacheRoof& c : peaks.caches) {
        out << fmt::format(", {} {:.0f} GB/s ({:.4g} MiB)", c.name, c.read_bandwidth_gbs, c.capacity_bytes / (1 << 20));
      }
      out << fmt::format("; FMA {:.1f} GFLOP/s\n", peaks.alu_tflops * 1e3);
      if (!o->as_shipped) {
        out << fmt::format("Reference engine fitted to isolated matrices: memory efficiency {:.2f}, overlap exponent p = {:.2f}, "
                           "row work {:.0f} weights, matrix stall {:.1f} us, launch {:.2f} us, attention {:.1f} GFLOP/s in cache ({:.3f} of FMA peak), "
                           "{:.2f} of DRAM bandwidth from DRAM\n",
                           fit.memory_efficiency, fit.overlap_exponent, fit.row_compute_weights,
                           fit.matrix_seconds * 1e6,
                           fit.dispatch_seconds * 1e6,
                           rates.attention_flops_per_second() / 1e9, fit.attention_compute_efficiency,
                           fit.attention_memory_efficiency);
        auto speeds = [](const std::vector<double>& v) {
          std::string list;
          for (double x : v) list += fmt::format("{}{:.2f}", list.empty() ? "" : " ", x);
          return list;
        };
        out << fmt::format("Host speed in each calibration round against the typical one: memory {}; compute {}\n",
                           speeds(rates.memory_speed_by_round), speeds(rates.compute_speed_by_round));
        for (size_t i = 0; i < fit.formats.size(); ++i) {
          const sim::FormatFit& f = fit.formats[i];
          const kernel::FormatRates& r = rates.formats[i];
          std::string sets;
          for (const auto& set : r.dram_sets) {
            sets += fmt::format("{}{}x{} {:.1f}", sets.empty() ? "" : ", ", set.rows, set.cols, set.bytes_per_second() / 1e9);
          }
          std::string stalls;
          for (const auto& [cols, weights] : f.row_stall_by_cols) {
            stalls += fmt::format("{}{} wide {:.0f}", stalls.empty() ? "" : ", ", cols, weights);
          }
          out << fmt::format("  {:<5} decode {:.2f} and prefill {:.2f} FLOP-eq/weight; GEMV in {} {:.1f} GB/s; "
                             "from DRAM (GB/s) {} (worst fit {}); row stall (weights) {}; GEMM {:.1f} GFLOP/s\n",
                             kernel::ToString(r.format), f.decode_ops_per_weight, f.prefill_ops_per_weight,
                             f.cache_level, static_cast<double>(r.cache_matrix_bytes) / r.cache_gemv_seconds / 1e9,
                             sets, Percent(f.worst_dram_error), stalls, r.gemm_flops_per_second() / 1e9);
        }
      } else {
        out << "Reference engine as shipped (data/engines/reference.yaml): " << engine.calibration << "\n";
      }
      const int passes = o->repeat;
      out << fmt::format("\nprompt {} tokens, then {} generated; measured: the median of {} pass{}, SPREAD half the range "
                         "between the fastest and the slowest (tok/s; error = predicted / measured - 1)\n",
                         o->prompt_tokens, o->gen_tokens, passes, passes == 1 ? "" : "es");
      out << "HOST SPEED: memory / compute speed of the host around the run, against its typical calibration round "
             "(reported, not applied: the prediction is at the typical speed; JSON has both)\n";
      Table table({{"MODEL"}, {"QUANT"}, {"WEIGHTS IN"}, {"HOST SPEED", Align::kRight}, {"PREFILL", Align::kRight},
                   {"SPREAD", Align::kRight},
                   {"PREDICTED", Align::kRight}, {"ERROR", Align::kRight}, {"DECODE", Align::kRight},
                   {"SPREAD", Align::kRight}, {"PREDICTED", Align::kRight}, {"ERROR", Align::kRight}});
      for (const ValidateRow& r : rows) table.AddRow(r.cells);
      table.Print(out);
      text = out.str();
    }
    EmitOutput(text, ctx.options.output_path, ctx.out);
  }};
}

}  // namespace siliconsim
