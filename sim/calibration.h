#pragma once
// Fitting an engine's parameters to measurements (`siliconsim calibrate`): minimise the mean
// squared log error of predicted vs measured tokens/s over every row, with Nelder-Mead in a
// space where every parameter stays in its physical range (fractions in (0,1), times >= 0).
// Pure: rows arrive compiled, with their chip peaks and workloads.

#include <functional>
#include <string>
#include <vector>

#include "engine/engine_spec.h"
#include "sim/simulate.h"

namespace siliconsim::sim {

/// One measured row, ready to predict.
struct CalibrationRow {
  const CompiledModel* model = nullptr;  ///< compiled against the engine being fitted
  const ChipPeaks* peaks = nullptr;
  Workload workload;
  bool decode = true;           ///< compare decode tok/s (else prefill tok/s)
  double measured_tps = 0;
};

/// The row's predicted tokens/s with the engine's current parameters.
double PredictRow(const CalibrationRow& row);

/// A parameter the fit may move: a pointer into the engine and its allowed range.
struct FreeParam {
  std::string name;
  EngineParam* param = nullptr;
  double min = 0;
  double max = 0;
};

/// The parameters of `engine` marked `fitted` that the rows can identify, with their physical
/// ranges: attention costs only with contexts of 4096+, the dual-die factor only with an Ultra,
/// kernel costs only for weight formats holding 5%+ of the model of some row of their phase (a
/// decode cost from decode rows, a prefill cost from prefill rows).
std::vector<FreeParam> FreeParameters(EngineSpec& engine, const std::vector<CalibrationRow>& rows);

/// Kernel costs marked `fitted` that no row measured (not in `free`) take the fitted value of the
/// measured class nearest in bits per weight (quantized from quantized), phase by phase, and say
/// so in their `fitted` text, which starts with `fitted_on`.
void FillUnmeasuredKernelCosts(EngineSpec& engine, const std::vector<FreeParam>& free, const std::string& fitted_on);

/// Result of a fit.
struct FitReport {
  double start_loss = 0;
  double loss = 0;  ///< mean squared log error
  int evaluations = 0;
};

/// Moves the free parameters to minimise the mean squared log error over `rows`. Deterministic.
FitReport FitEngine(const std::vector<FreeParam>& params, const std::vector<CalibrationRow>& rows);

}  // namespace siliconsim::sim
