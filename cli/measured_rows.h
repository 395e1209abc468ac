#pragma once
// Published measurements turned into predictable rows: each measurement's chip, model, quant
// and engine resolved against the databases, its test turned into a workload (llama-bench
// semantics). Shared by `calibrate` and `validate published`.

#include <memory>
#include <string>
#include <vector>

#include "cli/predict_args.h"
#include "cli/sim_support.h"
#include "measure/measurement.h"

namespace siliconsim {

/// A measurement with what it resolved to.
struct MeasuredRow {
  Measurement measurement;
  Scenario scenario;
  sim::Workload workload;
  std::string test;  ///< `pp512`, `tg128`, `tg128 @ d2048`
};

/// Resolves every measurement; throws InputError (at the row's file:line) for a chip, model,
/// quant or engine the databases do not know.
std::vector<MeasuredRow> ResolveMeasurements(const SimData& data, const std::vector<Measurement>& measurements);

/// The MLX recipe or GGUF type a measurement's quant column means (`q4 g32` -> mlx-4bit-g32).
QuantChoice ResolveMeasuredQuant(const QuantDatabase& quants, const std::string& quant, bool mlx);

/// A model named as a benchmark table names it: an id, an HF repo or its last part, or the
/// text in parentheses (`LLaMA 7B v2 (llama-2-7b)`).
ResolvedModel ResolveMeasuredModel(const ModelDatabase& models, const std::string& text);

/// Predicted vs measured, one record per row, and the mean absolute percentage error by engine
/// and phase, as a table (or records for json/csv).
struct ResidualReport {
  std::vector<nlohmann::ordered_json> records;
  std::string table;
};
ResidualReport Residuals(ScenarioRunner& runner, const std::vector<MeasuredRow>& rows);

}  // namespace siliconsim
