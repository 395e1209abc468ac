#include "sim/calibration.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "model/ggml_types.h"

namespace siliconsim::sim {

double PredictRow(const CalibrationRow& row) {
  const Prediction p = Predict(*row.model, *row.peaks, row.workload);
  return row.decode ? p.decode.tokens_per_second : p.prefill.tokens_per_second;
}

namespace {

// Physical ranges per parameter.
std::pair<double, double> RangeOf(EngineParamId id) {
  switch (id) {
    case EngineParamId::kMemoryEfficiency:
    case EngineParamId::kDualDieMemoryEfficiency:
    case EngineParamId::kAttentionMemoryEfficiency:
    case EngineParamId::kComputeEfficiency:
    case EngineParamId::kAttentionComputeEfficiency:
      return {0.05, 1.0};
    case EngineParamId::kOverlapExponent: return {1.0, 16.0};
    case EngineParamId::kDispatchSeconds: return {1e-8, 1e-3};
    case EngineParamId::kStepOverheadSeconds: return {1e-6, 0.05};
    case EngineParamId::kMatrixUnitSpeedup: return {1.0, 16.0};
    case EngineParamId::kRowStallWeights: return {1.0, 1e5};
    case EngineParamId::kRowComputeWeights: return {1.0, 1e4};
    case EngineParamId::kMatrixSeconds: return {1e-8, 1e-3};
    case EngineParamId::kCount: break;
  }
  return {0, 1};
}

// Fit space: log of the distance into the range, so the optimiser is unconstrained.
double ToFit(const FreeParam& f, double v) {
  const double u = std::clamp((std::log(v) - std::log(f.min)) / (std::log(f.max) - std::log(f.min)), 1e-3, 1 - 1e-3);
  return std::log(u / (1 - u));
}
double FromFit(const FreeParam& f, double x) {
  const double u = 1.0 / (1.0 + std::exp(-x));
  return std::exp(std::log(f.min) + u * (std::log(f.max) - std::log(f.min)));
}

double Loss(const std::vector<CalibrationRow>& rows) {
  double sum = 0;
  for (const CalibrationRow& r : rows) {
    const double e = std::log(PredictRow(r) / r.measured_tps);
    sum += std::isfinite(e) ? e * e : 1e6;
  }
  return sum / static_cast<double>(rows.size());
}

}  // namespace

std::vector<FreeParam> FreeParameters(EngineSpec& engine, const std::vector<CalibrationRow>& rows) {
  // What the rows can tell apart, by physics rather than by nudging: attention costs need long
  // contexts, the dual-die factor needs an Ultra, the matrix-unit speed-up an M5, and a kernel's
  // costs need rows where its weights are a real share (5%) of the model.
  int64_t longest_context = 0;
  bool dual_die = false;
  bool matrix_units = false;
  std::set<const KernelCost*> used_decode;   // a decode cost needs decode rows, a prefill cost prefill rows
  std::set<const KernelCost*> used_prefill;
  for (const CalibrationRow& r : rows) {
    longest_context = std::max(longest_context, r.workload.depth_tokens + r.workload.prompt_tokens + r.workload.gen_tokens);
    dual_die |= r.peaks->dual_die;
    matrix_units |= r.peaks->matrix_units && engine.uses_matrix_units;
    for (const MatmulGroup& g : r.model->matmuls) {
      if (g.bytes >= 0.05 * r.model->weights_bytes) (r.decode ? used_decode : used_prefill).insert(g.kernel);
    }
  }
  std::vector<FreeParam> free;
  for (int i = 0; i < kEngineParamCount; ++i) {
    EngineParam& p = engine.params[static_cast<size_t>(i)];
    const auto id = static_cast<EngineParamId>(i);
    if (p.fitted.empty()) continue;
    if ((id == EngineParamId::kAttentionMemoryEfficiency || id == EngineParamId::kAttentionComputeEfficiency) &&
        longest_context < 4096) {
      continue;
    }
    if (id == EngineParamId::kDualDieMemoryEfficiency && !dual_die) continue;
    if (id == EngineParamId::kMatrixUnitSpeedup && !matrix_units) continue;
    const auto [lo, hi] = RangeOf(id);
    free.push_back({kEngineParamNames[static_cast<size_t>(i)], &p, lo, hi});
  }
  // A GPU kernel does at least the multiply-add itself: 2 FLOP per weight per token. A CPU kernel
  // may do it in less than one FP32 FMA's time: an Arm SDOT does 16 int8 multiply-adds per 128-bit
  // instruction where FMLA does 4 FP32 ones, and SMMLA (i8mm) 32; x86's VNNI likewise.
  const double floor = engine.device == EngineDevice::kCpu ? 0.25 : 2.0;
  for (KernelCost& k : engine.kernels) {
    if (used_decode.count(&k) && !k.decode_ops_per_weight.fitted.empty()) {
      free.push_back({k.kernel_class + ".decode_ops_per_weight", &k.decode_ops_per_weight, floor, 64.0});
    }
    if (used_prefill.count(&k) && !k.prefill_ops_per_weight.fitted.empty()) {
      free.push_back({k.kernel_class + ".prefill_ops_per_weight", &k.prefill_ops_per_weight, floor, 16.0});
    }
  }
  return free;
}

namespace {

// Bits per weight of a kernel class, to pick the nearest measured class for one without data.
double BitsOf(const std::string& kernel_class) {
  if (auto t = GgmlTypeByName(kernel_class)) return t->bits_per_weight();
  if (kernel_class.starts_with("mlx-affine-")) return std::stod(kernel_class.substr(11)) + 0.5;
  if (kernel_class == "mlx-mxfp4") return 4.25;
  if (kernel_class == "fp32") return 32;
  return 16;
}

bool IsQuantized(const std::string& kernel_class) { return BitsOf(kernel_class) < 16; }

}  // namespace

void FillUnmeasuredKernelCosts(EngineSpec& engine, const std::vector<FreeParam>& free, const std::string& fitted_on) {
  for (EngineParam KernelCost::*phase : {&KernelCost::decode_ops_per_weight, &KernelCost::prefill_ops_per_weight}) {
    std::vector<const KernelCost*> measured;
    for (const KernelCost& k : engine.kernels) {
      for (const FreeParam& f : free) {
        if (f.param == &(k.*phase)) measured.push_back(&k);
      }
    }
    if (measured.empty()) continue;
    for (KernelCost& k : engine.kernels) {
      if ((k.*phase).fitted.empty() || std::find(measured.begin(), measured.end(), &k) != measured.end()) continue;
      const KernelCost* nearest = nullptr;
      for (const KernelCost* m : measured) {
        if (IsQuantized(m->kernel_class) != IsQuantized(k.kernel_class)) continue;
        if (!nearest || std::abs(BitsOf(m->kernel_class) - BitsOf(k.kernel_class)) <
                            std::abs(BitsOf(nearest->kernel_class) - BitsOf(k.kernel_class))) {
          nearest = m;
        }
      }
      if (!nearest) nearest = measured.front();
      (k.*phase).value = (nearest->*phase).value;
      (k.*phase).fitted = fmt::format("{}; {} not in the {} rows: the fitted {} value (nearest measured bits per weight)",
                                      fitted_on, k.kernel_class,
                                      phase == &KernelCost::decode_ops_per_weight ? "decode" : "prefill",
                                      nearest->kernel_class);
    }
  }
}

FitReport FitEngine(const std::vector<FreeParam>& params, const std::vector<CalibrationRow>& rows) {
  FitReport report;
  const size_t n = params.size();
  auto apply = [&](const std::vector<double>& x) {
    for (size_t i = 0; i < n; ++i) params[i].param->value = FromFit(params[i], x[i]);
  };
  auto loss = [&](const std::vector<double>& x) {
    apply(x);
    ++report.evaluations;
    return Loss(rows);
  };
  std::vector<double> best(n);
  for (size_t i = 0; i < n; ++i) best[i] = ToFit(params[i], std::clamp(params[i].param->value, params[i].min, params[i].max));
  double best_loss = loss(best);
  report.start_loss = best_loss;
  if (n == 0) {
    report.loss = best_loss;
    return report;
  }
  // Nelder-Mead with restarts around the best point (standard coefficients).
  for (int restart = 0; restart < 6; ++restart) {
    const double step = restart == 0 ? 1.0 : 0.5;
    std::vector<std::vector<double>> simplex(n + 1, best);
    std::vector<double> f(n + 1);
    for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
    for (size_t i = 0; i <= n; ++i) f[i] = loss(simplex[i]);
    for (int iter = 0; iter < 400 * static_cast<int>(n); ++iter) {
      std::vector<size_t> order(n + 1);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return f[a] < f[b]; });
      const size_t lo = order.front();
      const size_t hi = order.back();
      const size_t second = order[n - 1];
      if (std::abs(f[hi] - f[lo]) < 1e-12 * (1 + std::abs(f[lo]))) break;
      std::vector<double> centroid(n, 0.0);
      for (size_t i = 0; i <= n; ++i) {
        if (i == hi) continue;
        for (size_t d = 0; d < n; ++d) centroid[d] += simplex[i][d] / static_cast<double>(n);
      }
      auto along = [&](double t) {
        std::vector<double> x(n);
        for (size_t d = 0; d < n; ++d) x[d] = centroid[d] + t * (simplex[hi][d] - centroid[d]);
        return x;
      };
      const std::vector<double> xr = along(-1.0);
      const double fr = loss(xr);
      if (fr < f[lo]) {
        const std::vector<double> xe = along(-2.0);
        const double fe = loss(xe);
        if (fe < fr) {
          simplex[hi] = xe;
          f[hi] = fe;
        } else {
          simplex[hi] = xr;
          f[hi] = fr;
        }
      } else if (fr < f[second]) {
        simplex[hi] = xr;
        f[hi] = fr;
      } else {
        const std::vector<double> xc = fr < f[hi] ? along(-0.5) : along(0.5);
        const double fc = loss(xc);
        if (fc < std::min(fr, f[hi])) {
          simplex[hi] = xc;
          f[hi] = fc;
        } else {
          for (size_t i = 0; i <= n; ++i) {
            if (i == lo) continue;
            for (size_t d = 0; d < n; ++d) simplex[i][d] = simplex[lo][d] + 0.5 * (simplex[i][d] - simplex[lo][d]);
            f[i] = loss(simplex[i]);
          }
        }
      }
    }
    const size_t lo = static_cast<size_t>(std::min_element(f.begin(), f.end()) - f.begin());
    if (f[lo] < best_loss - 1e-12) {
      best_loss = f[lo];
      best = simplex[lo];
    } else if (restart > 0) {
      break;
    }
  }
  apply(best);
  report.loss = best_loss;
  return report;
}

}  // namespace siliconsim::sim
