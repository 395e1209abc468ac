#pragma once
// What the simulation commands (predict, sweep, fit, which-mac, calibrate, validate) share:
// loading the four databases, turning the user's names into specs, and one prediction record
// with unit-suffixed keys that every printer starts from.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "engine/engine_db.h"
#include "hardware/chip_db.h"
#include "hardware/host_probe.h"
#include "model/gguf_model.h"
#include "model/model_loader.h"
#include "model/quant_db.h"
#include "sim/simulate.h"

namespace siliconsim {

/// The databases a simulation needs.
struct SimData {
  ChipDatabase chips;
  ModelDatabase models;
  QuantDatabase quants;
  EngineDatabase engines;
};

/// This machine as probed, or the Mac whose `sysctl -a` SILICONSIM_SYSCTL names.
HostInfo ProbeThisMachine(const CommandContext& context);

/// The Mac a command without --chip plans for: this machine, matched to its chips-database entry,
/// with its memory in GB as Apple sells it (hw.memsize in GiB). Says on stderr what it found.
/// A machine that is not an Apple Silicon Mac, or one the database lacks, is a UsageError
/// asking for --chip.
struct ThisMac {
  std::string chip_id;
  double memory_gb = 0;  ///< 0 when sysctl does not say
};
ThisMac FindThisMac(const ChipDatabase& chips, const CommandContext& context);

/// Loads chips, models, quants and engines from the command's data layers.
SimData LoadSimData(const CommandContext& context);

/// A model as named on the command line, with the name the user typed.
struct NamedModel {
  std::string query;
  ResolvedModel resolved;
};

/// What a weight plan is built from: a quant from the database, or the GGUF file's own types.
struct QuantArg {
  std::string label;                ///< as printed: `Q4_K_M`, `mlx-4bit`, `gguf-file`
  std::optional<QuantChoice> choice;  ///< empty for `gguf-file`
};

/// Everything one prediction needs besides the workload.
struct Scenario {
  std::shared_ptr<const NamedModel> model;
  QuantArg quant;
  std::shared_ptr<const ChipSpec> chip;
  const EngineSpec* engine = nullptr;
  const KvCacheType* kv_type = nullptr;  ///< nullptr: the engine's default
  double ram_gib = 0;                    ///< the Mac's memory (Apple's "48 GB" is 48 GiB); 0: unknown
  std::optional<int> threads;            ///< CPU engines: threads (default: the runner's, else the chip's)
};

/// The engine to use for `quant` on `chip` when the user names none: llama.cpp-metal for GGUF and
/// mlx for MLX quants on Apple Silicon; on a CPU host, llama.cpp-cpu-x86 (or `reference` if absent).
/// An Apple chip's CPU cores run only when asked (--engine llama.cpp-cpu).
const EngineSpec& DefaultEngine(const EngineDatabase& engines, const ChipSpec& chip, const QuantArg& quant);

/// Checks that `engine` runs `quant` (GGUF vs MLX) on `chip` (GPU vs CPU); UsageError otherwise.
void CheckCompatible(const EngineSpec& engine, const ChipSpec& chip, const QuantArg& quant, const std::string& model);

/// The weight plan of a scenario: the GGUF file's exact types, the reference kernel's uniform
/// type, llama.cpp's mixture rules or the MLX recipe.
sim::WeightPlan PlanWeights(const Scenario& scenario);
/// A model's tensor inventory and the quantizer's index of it, built once per model and shared by
/// the plans of all its quantizations.
struct ModelTensors {
  TensorInventory tensors;
  GgufQuantizerIndex quantizer;
};
ModelTensors BuildModelTensors(const ModelSpec& model);
/// Same as PlanWeights(scenario), with the model's tensors already built.
sim::WeightPlan PlanWeights(const Scenario& scenario, const ModelTensors& tensors);

/// Bytes per KV element of the scenario's cache type (the engine's default when unset).
double KvBytesPerElement(const QuantDatabase& quants, const Scenario& scenario);
/// Name of the scenario's KV-cache type.
std::string KvTypeName(const Scenario& scenario);

/// The memory sizes to evaluate: the user's, else the chip's largest option (0 if none known).
double DefaultMemoryGib(const ChipSpec& chip);

/// One prediction as a flat record (DESIGN.md's CLI contract: unit-suffixed keys).
nlohmann::ordered_json PredictionRecord(const Scenario& scenario, const sim::Workload& workload,
                                        const sim::Prediction& prediction);

/// A human table of prediction records, and beneath it the fit reasons and assumptions.
std::string RenderPredictionTable(const std::vector<nlohmann::ordered_json>& records);

/// The per-op breakdown of one prediction for `--explain`.
std::string RenderExplain(const Scenario& scenario, const sim::Workload& workload, const sim::CompiledModel& compiled,
                          const sim::ChipPeaks& peaks, const sim::Prediction& prediction);

/// Records in the chosen format: table (for people), json or csv.
std::string RenderPredictions(const std::string& format, const std::vector<nlohmann::ordered_json>& records);

/// Adds `-f/--format`.
void AddFormatFlag(CLI::App* app, std::string& format);

}  // namespace siliconsim
