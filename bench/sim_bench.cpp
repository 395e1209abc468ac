// Simulator speed (issue 4): predicting the whole database (every chip x model x standard quant x
// 12 context lengths) must take under a second on one core, and `fit` must answer in well under
// 100 ms. Run: build/bench/siliconsim_bench_sim

#include <benchmark/benchmark.h>

#include <sstream>

#include "cli/app.h"
#include "common/data_sources.h"
#include "engine/engine_db.h"
#include "hardware/chip_db.h"
#include "model/model_loader.h"
#include "model/quant_db.h"
#include "sim/peaks.h"
#include "sim/simulate.h"
#include "sim/weights.h"
#include "snapshot/builtin_snapshot.h"

namespace siliconsim {
namespace {

struct Loaded {
  ChipDatabase chips = ChipDatabase::Load(DataSources{});
  ModelDatabase models = ModelDatabase::Load(DataSources{});
  QuantDatabase quants = QuantDatabase::Load(DataSources{});
  EngineDatabase engines = EngineDatabase::Load(DataSources{});
};
const Loaded& Db() {
  static const Loaded db;
  return db;
}

// The standard quants: the GGUF file types people download most and MLX's 4/8-bit.
const char* const kStandardGguf[] = {"Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"};
const char* const kStandardMlx[] = {"mlx-4bit", "mlx-8bit"};
const int64_t kContexts[] = {512, 1024, 2048, 4096, 8192, 12288, 16384, 24576, 32768, 65536, 98304, 131072};

struct Compiled {
  std::vector<sim::WeightPlan> plans;
  std::vector<sim::CompiledModel> models;
};

Compiled CompileAll() {
  Compiled out;
  const EngineSpec& metal = Db().engines.Resolve("llama.cpp-metal");
  const EngineSpec& mlx = Db().engines.Resolve("mlx");
  out.plans.reserve(Db().models.models().size() * 8);
  for (const ModelSpec& m : Db().models.models()) {
    // As the commands do: one inventory and quantizer index per model, shared by its plans.
    const TensorInventory tensors = BuildTensorInventory(m);
    const GgufQuantizerIndex index = IndexForQuantizer(tensors);
    for (const char* q : kStandardGguf) out.plans.push_back(sim::PlanGgufWeights(m, tensors, index, *Db().quants.Resolve(q).gguf));
    for (const char* q : kStandardMlx) out.plans.push_back(sim::PlanMlxWeights(tensors, *Db().quants.Resolve(q).mlx));
  }
  size_t i = 0;
  for (const ModelSpec& m : Db().models.models()) {
    for (size_t k = 0; k < 6; ++k) out.models.push_back(sim::Compile(m, out.plans[i++], metal));
    for (size_t k = 0; k < 2; ++k) out.models.push_back(sim::Compile(m, out.plans[i++], mlx));
  }
  return out;
}

// The four databases parsed from the embedded YAML (what tests and tools that build their own
// DataSources pay), and decoded from the build-time snapshot (what every CLI command pays).
void BM_LoadDatabases(benchmark::State& state) {
  for (auto _ : state) {
    Loaded db;
    benchmark::DoNotOptimize(db.models.models().data());
  }
}
BENCHMARK(BM_LoadDatabases)->Unit(benchmark::kMillisecond);

void BM_LoadDatabasesFromSnapshot(benchmark::State& state) {
  DataSources sources;
  sources.builtin_snapshot = BuiltinSnapshot();
  for (auto _ : state) {
    ChipDatabase chips = ChipDatabase::Load(sources);
    ModelDatabase models = ModelDatabase::Load(sources);
    QuantDatabase quants = QuantDatabase::Load(sources);
    EngineDatabase engines = EngineDatabase::Load(sources);
    benchmark::DoNotOptimize(chips.chips().data());
    benchmark::DoNotOptimize(models.models().data());
    benchmark::DoNotOptimize(quants.gguf_file_types().data());
    benchmark::DoNotOptimize(engines.engines().data());
  }
}
BENCHMARK(BM_LoadDatabasesFromSnapshot)->Unit(benchmark::kMillisecond);

void BM_CompileEveryModelAndQuant(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CompileAll().models.data());
}
BENCHMARK(BM_CompileEveryModelAndQuant)->Unit(benchmark::kMillisecond);

// Every chip x model x standard quant x 12 contexts: prompt of the context, 128 generated.
void BM_PredictWholeDatabase(benchmark::State& state) {
  const Compiled compiled = CompileAll();
  std::vector<sim::ChipPeaks> peaks;
  for (const ChipSpec& c : Db().chips.chips()) {
    if (c.confidence == Confidence::kHigh) peaks.push_back(sim::PeaksOf(c, Db().chips.chips()));
  }
  int64_t predictions = 0;
  for (auto _ : state) {
    double sum = 0;
    for (const sim::ChipPeaks& p : peaks) {
      for (const sim::CompiledModel& m : compiled.models) {
        for (int64_t ctx : kContexts) {
          sim::Workload w;
          w.prompt_tokens = ctx - 128;
          w.gen_tokens = 128;
          w.ram_gib = 64;
          sum += sim::Predict(m, p, w).decode.tokens_per_second;
          ++predictions;
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["predictions"] = benchmark::Counter(static_cast<double>(predictions) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_PredictWholeDatabase)->Unit(benchmark::kMillisecond);

// `siliconsim fit --chip "M4 Pro" --memory 48` end to end, in-process (databases loaded each time).
// Wall time: the databases and the weight plans run on several threads, so the main thread's CPU
// time would undercount.
void BM_FitCommand(benchmark::State& state) {
  for (auto _ : state) {
    std::ostringstream out, err;
    const int status = RunCli({"fit", "--chip", "M4 Pro", "--memory", "48"}, out, err);
    if (status != 0) state.SkipWithError(err.str().c_str());
  }
}
BENCHMARK(BM_FitCommand)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace siliconsim
