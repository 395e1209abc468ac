#pragma once
// Options shared by predict, sweep and which-mac (--model, --quant, --chip, --engine, ...) and
// their expansion into scenarios, plus a runner that compiles each model once per engine and
// computes each chip's peaks once, so sweeps stay fast.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/sim_support.h"

namespace CLI {
class App;
}

namespace siliconsim {

/// What the user named; each may be a comma list.
struct ScenarioArgs {
  std::vector<std::string> models;
  std::vector<std::string> quants;
  std::vector<std::string> chips;
  std::optional<int> gpu_cores;
  std::vector<std::string> memory;   ///< GB as Apple counts them
  std::vector<std::string> engines;
  std::string kv_type;
  std::optional<int> threads;        ///< CPU hosts: measurements taken with this many threads
};

/// What an omitted --chip means.
enum class ChipDefault {
  kThisMac,   ///< predict, sweep: the Mac the command runs on (FindThisMac)
  kEveryMac,  ///< which-mac: every Mac sold
};

/// Registers --model, --quant, --chip, --gpu-cores, --memory, --engine, --kv-type, --threads.
void AddScenarioOptions(CLI::App* app, ScenarioArgs& args, ChipDefault chip_default);

/// models x quants x chips x memory sizes x engines, resolved. Without --memory a chip gets its
/// largest memory option.
std::vector<Scenario> ExpandScenarios(const SimData& data, const ScenarioArgs& args, const CommandContext& context);

/// Runs predictions, caching compiled models and chip peaks.
class ScenarioRunner {
 public:
  explicit ScenarioRunner(const SimData& data, std::optional<int> threads = {}) : data_(data), threads_(threads) {}
  /// A workload with the scenario's KV type and memory size and the default lengths.
  sim::Workload BaseWorkload(const Scenario& s) const;
  sim::Prediction Run(const Scenario& s, const sim::Workload& w, bool explain = false);
  const sim::CompiledModel& Compiled(const Scenario& s);
  /// Compiles every scenario not compiled yet, on up to `threads` threads (0: one per hardware
  /// thread): plans are independent of each other, and a command that ranks the whole database
  /// (`fit`) spends most of its time planning weights. Errors are rethrown in scenario order.
  void Precompile(const std::vector<Scenario>& scenarios, unsigned threads = 0);
  const sim::ChipPeaks& Peaks(const Scenario& s);
  /// The model's tensor inventory, built once per model.
  const TensorInventory& Inventory(const Scenario& s) { return Tensors(s).tensors; }

 private:
  const ModelTensors& Tensors(const Scenario& s);
  static std::string CompiledKey(const Scenario& s);
  static std::string InventoryKey(const Scenario& s);
  const SimData& data_;
  // unique_ptr: callers keep references while the map grows. The weight plan is not kept: a
  // compiled model holds all a prediction needs, and 300 plans of 500 named tensors are 20 MB.
  std::map<std::string, std::unique_ptr<sim::CompiledModel>> compiled_;
  std::map<std::string, std::unique_ptr<sim::ChipPeaks>> peaks_;
  std::map<std::string, std::unique_ptr<ModelTensors>> inventories_;
  std::optional<int> threads_;
};

}  // namespace siliconsim
