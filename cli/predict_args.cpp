#include "cli/predict_args.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/text.h"
#include "common/value_parse.h"

namespace siliconsim {

void AddScenarioOptions(CLI::App* app, ScenarioArgs& args, bool chip_required) {
  app->add_option("-m,--model", args.models, "Model: id, HF repo name, model .yaml, config.json or .gguf (comma list)")
      ->required()
      ->delimiter(',');
  app->add_option("-q,--quant", args.quants,
                  "Quantization: Q4_K_M, Q8_0, F16, mlx-4bit, ... (comma list); a GGUF model defaults to its own types")
      ->delimiter(',');
  CLI::Option* chip = app->add_option("-c,--chip", args.chips,
                                      "Chip: id (m4-max-40c), name (\"M4 Max\") or a host .yaml (comma list)")
                          ->delimiter(',');
  if (chip_required) chip->required();
  app->add_option("--gpu-cores", args.gpu_cores, "Pick the chip variant with this many GPU cores");
  app->add_option("--memory", args.memory, "Unified memory in GB as Apple sells it (comma list); default: the chip's largest")
      ->delimiter(',');
  app->add_option("-e,--engine", args.engines,
                  "Engine: llama.cpp-metal, mlx, llama.cpp-cpu, reference (comma list); default from the quant")
      ->delimiter(',');
  app->add_option("--kv-type", args.kv_type, "KV-cache type: f16, q8_0, q4_0, mlx-8bit, ... (default: the engine's)");
  app->add_option("--threads", args.threads, "CPU hosts: use the measurements taken with this many threads");
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
            out.push_back(Scenario{model, quant, chip, engine, kv, ram});
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

const sim::CompiledModel& ScenarioRunner::Compiled(const Scenario& s) {
  const std::string key = fmt::format("{}|{}|{}|{}", s.model->query, s.model->resolved.spec.id, s.quant.label, s.engine->id);
  auto it = compiled_.find(key);
  if (it == compiled_.end()) {
    auto entry = std::make_unique<CompiledEntry>();
    entry->plan = PlanWeights(s, Inventory(s));
    entry->compiled = sim::Compile(s.model->resolved.spec, entry->plan, *s.engine);
    it = compiled_.emplace(key, std::move(entry)).first;
  }
  return it->second->compiled;
}

const TensorInventory& ScenarioRunner::Inventory(const Scenario& s) {
  const std::string key = fmt::format("{}|{}", s.model->query, s.model->resolved.spec.id);
  auto it = inventories_.find(key);
  if (it == inventories_.end()) {
    it = inventories_.emplace(key, std::make_unique<TensorInventory>(BuildTensorInventory(s.model->resolved.spec))).first;
  }
  return *it->second;
}

const sim::ChipPeaks& ScenarioRunner::Peaks(const Scenario& s) {
  const std::string key = fmt::format("{}|{}", s.chip->id, static_cast<const void*>(s.chip.get()));
  auto it = peaks_.find(key);
  if (it == peaks_.end()) {
    it = peaks_.emplace(key, std::make_unique<sim::ChipPeaks>(sim::PeaksOf(*s.chip, data_.chips.chips(), threads_))).first;
  }
  return *it->second;
}

sim::Prediction ScenarioRunner::Run(const Scenario& s, const sim::Workload& w, bool explain) {
  return sim::Predict(Compiled(s), Peaks(s), w, explain);
}

}  // namespace siliconsim
