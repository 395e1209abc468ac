#include "cli/predict_args.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/text.h"
#include "common/value_parse.h"

namespace siliconsim {

void AddScenarioOptions(CLI::App* app, ScenarioArgs& args, ChipDefault chip_default) {
  app->add_option("-m,--model", args.models, "Model: id, HF repo name, model .yaml, config.json or .gguf (comma list)")
      ->required()
      ->delimiter(',');
  app->add_option("-q,--quant", args.quants,
                  "Quantization: Q4_K_M, Q8_0, F16, mlx-4bit, ... (comma list); a GGUF model defaults to its own types")
      ->delimiter(',');
  app->add_option("-c,--chip", args.chips,
                  chip_default == ChipDefault::kThisMac
                      ? "Chip: id (m4-max-40c), name (\"M4 Max\") or a host .yaml (comma list); default: this Mac"
                      : "Chip: id (m4-max-40c), name (\"M4 Max\") or a host .yaml (comma list); default: every Mac")
      ->delimiter(',');
  app->add_option("--gpu-cores", args.gpu_cores, "Pick the chip variant with this many GPU cores");
  app->add_option("--memory", args.memory, "Unified memory in GB as Apple sells it (comma list); default: the chip's largest")
      ->delimiter(',');
  app->add_option("-e,--engine", args.engines,
                  "Engine: llama.cpp-metal, mlx, llama.cpp-cpu (a Mac's CPU cores), llama.cpp-cpu-x86, reference (comma "
                  "list); default from the quant")
      ->delimiter(',');
  app->add_option("--kv-type", args.kv_type, "KV-cache type: f16, q8_0, q4_0, mlx-8bit, ... (default: the engine's)");
  app->add_option("--threads", args.threads, "CPU engines: threads (a Mac: default one per performance core, as llama.cpp; a "
                  "host: the measurements taken with this many)");
}

std::vector<Scenario> ExpandScenarios(const SimData& data, const ScenarioArgs& args, const CommandContext& context) {
  std::vector<std::shared_ptr<const NamedModel>> models;
  for (const std::string& m : args.models) {
    models.push_back(std::make_shared<NamedModel>(NamedModel{m, data.models.ResolveWithWeights(m)}));
  }
  std::vector<std::shared_ptr<const ChipSpec>> chips;
  for (const std::string& c : args.chips) {
    Warnings warnings;
    chips.push_back(std::make_shared<ChipSpec>(ResolveChipArgument(data.chips, c, args.gpu_cores, &warnings)));
    ReportWarnings(context, warnings);
  }
  std::vector<double> memory;
  for (const std::string& m : args.memory) memory.push_back(ParseMemoryGb(m));
  if (chips.empty()) {  // no --chip: this Mac, with its own memory unless --memory says otherwise
    const ThisMac mac = FindThisMac(data.chips, context);
    chips.push_back(std::make_shared<ChipSpec>(data.chips.Resolve(mac.chip_id)));
    if (memory.empty() && mac.memory_gb > 0) memory.push_back(mac.memory_gb);
  }
  const KvCacheType* kv = args.kv_type.empty() ? nullptr : &data.quants.ResolveKvCache(args.kv_type);

  std::vector<Scenario> out;
  for (const auto& model : models) {
    std::vector<QuantArg> quants;
    if (args.quants.empty()) {
      if (!model->resolved.gguf_weights) {
        throw UsageError(fmt::format("--quant is required for {} (e.g. Q4_K_M, Q8_0, mlx-4bit)", model->query));
      }
      quants.push_back({"gguf-file", std::nullopt});
    }
    for (const std::string& q : args.quants) {
      if (Squash(q) == "gguffile") quants.push_back({"gguf-file", std::nullopt});
      else {
        const QuantChoice choice = data.quants.Resolve(q);
        quants.push_back({choice.gguf ? choice.gguf->name : choice.mlx->id, choice});
      }
    }
    for (const QuantArg& quant : quants) {
      for (const auto& chip : chips) {
        std::vector<const EngineSpec*> engines;
        if (args.engines.empty()) engines.push_back(&DefaultEngine(data.engines, *chip, quant));
        for (const std::string& e : args.engines) engines.push_back(&data.engines.Resolve(e));
        std::vector<double> sizes = memory;
        if (sizes.empty()) sizes.push_back(DefaultMemoryGib(*chip));
        for (double ram : sizes) {
          for (const EngineSpec* engine : engines) {
            CheckCompatible(*engine, *chip, quant, model->query);
            out.push_back(Scenario{model, quant, chip, engine, kv, ram, {}});
          }
        }
      }
    }
  }
  return out;
}

sim::Workload ScenarioRunner::BaseWorkload(const Scenario& s) const {
  sim::Workload w;
  w.kv_bytes_per_element = KvBytesPerElement(data_.quants, s);
  w.ram_gib = s.ram_gib;
  return w;
}

std::string ScenarioRunner::CompiledKey(const Scenario& s) {
  return fmt::format("{}|{}|{}|{}", s.model->query, s.model->resolved.spec.id, s.quant.label, s.engine->id);
}

const sim::CompiledModel& ScenarioRunner::Compiled(const Scenario& s) {
  const std::string key = CompiledKey(s);
  auto it = compiled_.find(key);
  if (it == compiled_.end()) {
    const sim::WeightPlan plan = PlanWeights(s, Tensors(s));
    it = compiled_.emplace(key, std::make_unique<sim::CompiledModel>(sim::Compile(s.model->resolved.spec, plan, *s.engine))).first;
  }
  return *it->second;
}

namespace {

// Runs fn(0) .. fn(n - 1) on up to `threads` threads; the first failing index's exception (in
// index order, so errors do not depend on scheduling) is rethrown after all have finished.
void ParallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min<size_t>(threads, n); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace

void ScenarioRunner::Precompile(const std::vector<Scenario>& scenarios, unsigned threads) {
  // Inventories first (one per model, shared read-only by that model's plans), then the plans.
  std::vector<const Scenario*> todo;
  std::vector<std::string> keys;
  std::set<std::string> queued;
  std::map<std::string, const Scenario*> models;  // inventory key -> a scenario of that model
  for (const Scenario& s : scenarios) {
    std::string key = CompiledKey(s);
    if (compiled_.count(key) || !queued.insert(key).second) continue;
    todo.push_back(&s);
    keys.push_back(std::move(key));
    const std::string inventory_key = InventoryKey(s);
    if (!inventories_.count(inventory_key)) models.emplace(inventory_key, &s);
  }
  std::vector<std::pair<std::string, const Scenario*>> model_list(models.begin(), models.end());
  std::vector<std::unique_ptr<ModelTensors>> built(model_list.size());
  ParallelFor(model_list.size(), threads, [&](size_t i) {
    built[i] = std::make_unique<ModelTensors>(BuildModelTensors(model_list[i].second->model->resolved.spec));
  });
  for (size_t i = 0; i < model_list.size(); ++i) inventories_.emplace(model_list[i].first, std::move(built[i]));

  std::vector<const ModelTensors*> inventories;
  for (const Scenario* s : todo) inventories.push_back(&Tensors(*s));
  std::vector<std::unique_ptr<sim::CompiledModel>> compiled(todo.size());
  ParallelFor(todo.size(), threads, [&](size_t i) {
    const Scenario& s = *todo[i];
    const sim::WeightPlan plan = PlanWeights(s, *inventories[i]);
    compiled[i] = std::make_unique<sim::CompiledModel>(sim::Compile(s.model->resolved.spec, plan, *s.engine));
  });
  for (size_t i = 0; i < todo.size(); ++i) compiled_.emplace(std::move(keys[i]), std::move(compiled[i]));
}

std::string ScenarioRunner::InventoryKey(const Scenario& s) {
  return fmt::format("{}|{}", s.model->query, s.model->resolved.spec.id);
}

const ModelTensors& ScenarioRunner::Tensors(const Scenario& s) {
  const std::string key = InventoryKey(s);
  auto it = inventories_.find(key);
  if (it == inventories_.end()) {
    it = inventories_.emplace(key, std::make_unique<ModelTensors>(BuildModelTensors(s.model->resolved.spec))).first;
  }
  return *it->second;
}

const sim::ChipPeaks& ScenarioRunner::Peaks(const Scenario& s) {
  const std::optional<int> threads = s.threads ? s.threads : threads_;
  const sim::PeakSide side = s.engine->device == EngineDevice::kCpu ? sim::PeakSide::kCpu : sim::PeakSide::kGpu;
  const std::string key = fmt::format("{}|{}|{}|{}", s.chip->id, static_cast<const void*>(s.chip.get()),
                                      side == sim::PeakSide::kCpu ? "cpu" : "gpu", threads.value_or(0));
  auto it = peaks_.find(key);
  if (it == peaks_.end()) {
    it = peaks_.emplace(key, std::make_unique<sim::ChipPeaks>(sim::PeaksOf(*s.chip, data_.chips.chips(), threads, side))).first;
  }
  return *it->second;
}

sim::Prediction ScenarioRunner::Run(const Scenario& s, const sim::Workload& w, bool explain) {
  return sim::Predict(Compiled(s), Peaks(s), w, explain);
}

}  // namespace siliconsim
