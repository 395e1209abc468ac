#include "sim/cpu_calibration.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "common/diagnostics.h"
#include "sim/simulate.h"

namespace siliconsim::sim {

namespace {

// The bandwidth (bytes/s) a working set streams at, by the simulator's cache rule.
struct Roof {
  std::string level = "DRAM";
  double bytes_per_second = 0;
};
Roof RoofFor(const ChipPeaks& peaks, double bytes) {
  for (const CacheRoof& c : peaks.caches) {
    if (bytes <= c.capacity_bytes && c.read_bandwidth_gbs > 0) return {c.name, c.read_bandwidth_gbs * 1e9};
  }
  return {"DRAM", peaks.memory_bandwidth_gbs * 1e9};
}

// x in [lo, hi] with f(x) = target for an increasing f, by bisection in log space.
template <typename F>
double SolveIncreasing(F f, double target, double lo, double hi) {
  if (f(lo) >= target) return lo;
  if (f(hi) <= target) return hi;
  for (int i = 0; i < 60; ++i) {
    const double mid = std::sqrt(lo * hi);
    (f(mid) < target ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

double Weights(const GemvSetTiming& s) { return static_cast<double>(s.rows * s.cols * s.count); }
// The seconds one weight of the set's format takes to stream at `dram` bytes/s, times its rows: the
// regressor of the row stall, which is counted in weights (a restart costs as much as streaming
// that many more of the row's weights, whatever their format).
double RowWeightSeconds(const GemvSetTiming& s, double dram) {
  return static_cast<double>(s.rows * s.count) * (s.bytes / Weights(s)) / dram;
}

// A DRAM set's pass time by the roofline alone (no stalls); every row's work counts `row_compute`
// more weights.
double SetRoofSeconds(const GemvSetTiming& s, double ops, double row_compute, double dram, double alu, double p) {
  const double rows = static_cast<double>(s.rows * s.count);
  return SmoothRoofSeconds(s.bytes / dram, (Weights(s) + rows * row_compute) * ops / alu, p);
}

// A computed row's fixed work in weights, from each format's same weights timed in cache as a wide
// and as a narrow matrix (more rows), for one token and for a chunk: the c at which the narrow
// matrix takes its measured time when the per-weight work is fitted to the wide one, through the
// roofline with the cache level at efficiency e and overlap p (e = 0: compute alone). The median
// of those estimates, one engine-wide value (a row's reduction and store are the same work in every
// format); 0 when no format has narrow timings.
double FitRowCompute(const CpuTimings& t, const ChipPeaks& peaks, double alu, double e, double p) {
  std::vector<double> estimates;
  for (const FormatTimings& f : t.formats) {
    const double weights = static_cast<double>(f.cache_rows * f.cache_cols);
    if (f.narrow_rows <= 0 || std::abs(static_cast<double>(f.narrow_rows * f.narrow_cols) - weights) > 1e-9 * weights) {
      continue;
    }
    const double cache_mem = e > 0 ? f.cache_bytes / (RoofFor(peaks, f.cache_bytes).bytes_per_second * e) : 0.0;
    const double wide_rows = static_cast<double>(f.cache_rows);
    const double narrow_rows = static_cast<double>(f.narrow_rows);
    // tokens_wide, seconds_wide, tokens_narrow, seconds_narrow: one token, then a chunk.
    const double phases[2][4] = {{1.0, f.cache_gemv_seconds, 1.0, f.narrow_gemv_seconds},
                                 {static_cast<double>(f.gemm_tokens), f.gemm_seconds,
                                  static_cast<double>(f.narrow_gemm_tokens), f.narrow_gemm_seconds}};
    for (const auto& ph : phases) {
      if (!(ph[0] > 0 && ph[1] > 0 && ph[2] > 0 && ph[3] > 0)) continue;
      const auto narrow_at = [&](double c) {
        const double ops = SolveIncreasing(
            [&](double o) { return SmoothRoofSeconds(cache_mem, ph[0] * (weights + wide_rows * c) * o / alu, p); },
            ph[1], 1e-3, 1e4);
        return SmoothRoofSeconds(cache_mem, ph[2] * (weights + narrow_rows * c) * ops / alu, p);
      };
      estimates.push_back(SolveIncreasing(narrow_at, ph[3], 1e-3, 1e4));
    }
  }
  if (estimates.empty()) return 0;
  std::sort(estimates.begin(), estimates.end());
  const size_t n = estimates.size();
  return n % 2 == 1 ? estimates[n / 2] : 0.5 * (estimates[n / 2 - 1] + estimates[n / 2]);
}

// The x >= 0 minimizing |M x - y| for the normal equations a x = b (a = M'M, n x n, row-major): an
// unknown that comes out negative is fixed at 0 and the others solved again (an active set, which
// for these few, nearly independent unknowns settles in a pass or two). An unknown with no pivot
// (no data that moves it) comes out 0.
std::vector<double> SolveNonNegative(const std::vector<double>& a, const std::vector<double>& b, size_t n) {
  std::vector<bool> fixed(n, false);
  std::vector<double> x(n, 0.0);
  for (size_t round = 0; round <= n; ++round) {
    // Gaussian elimination with partial pivoting on the free unknowns.
    std::vector<size_t> free;
    for (size_t i = 0; i < n; ++i) {
      if (!fixed[i]) free.push_back(i);
    }
    const size_t m = free.size();
    std::vector<double> g(m * (m + 1));
    for (size_t r = 0; r < m; ++r) {
      for (size_t c = 0; c < m; ++c) g[r * (m + 1) + c] = a[free[r] * n + free[c]];
      g[r * (m + 1) + m] = b[free[r]];
    }
    std::vector<bool> singular(m, false);
    for (size_t c = 0; c < m; ++c) {
      size_t pivot = c;
      for (size_t r = c + 1; r < m; ++r) {
        if (std::abs(g[r * (m + 1) + c]) > std::abs(g[pivot * (m + 1) + c])) pivot = r;
      }
      const double scale = std::abs(a[free[c] * n + free[c]]);
      if (!(std::abs(g[pivot * (m + 1) + c]) > 1e-12 * scale) || scale <= 0) {
        singular[c] = true;
        continue;
      }
      for (size_t k = 0; k <= m; ++k) std::swap(g[c * (m + 1) + k], g[pivot * (m + 1) + k]);
      for (size_t r = 0; r < m; ++r) {
        if (r == c) continue;
        const double f = g[r * (m + 1) + c] / g[c * (m + 1) + c];
        for (size_t k = c; k <= m; ++k) g[r * (m + 1) + k] -= f * g[c * (m + 1) + k];
      }
    }
    std::fill(x.begin(), x.end(), 0.0);
    bool negative = false;
    for (size_t r = 0; r < m; ++r) {
      x[free[r]] = singular[r] ? 0.0 : g[r * (m + 1) + m] / g[r * (m + 1) + r];
      if (x[free[r]] < 0) negative = true;
    }
    if (!negative) break;
    // Fix the most negative unknown at 0 and solve the rest again.
    size_t worst = free.front();
    for (size_t i : free) {
      if (x[i] < x[worst]) worst = i;
    }
    fixed[worst] = true;
    x[worst] = 0;
  }
  for (double& v : x) v = std::max(v, 0.0);
  return x;
}

constexpr double kMinOps = 2.0;   // the multiply-add itself

}  // namespace

CpuEngineFit FitCpuEngine(const CpuTimings& t, const ChipPeaks& peaks) {
  if (t.formats.size() < 2) {
    throw UsageError("CPU engine fit: needs the timings of two weight formats (bandwidth and overlap are not separable with one)");
  }
  for (const FormatTimings& f : t.formats) {
    if (f.dram_sets.size() < 3 || f.cache_gemv_seconds <= 0 || f.gemm_seconds <= 0) {
      throw UsageError(fmt::format("CPU engine fit: the {} timings are incomplete", f.kernel_class));
    }
  }
  const double alu = peaks.alu_tflops * 1e12;
  const double dram_peak = peaks.memory_bandwidth_gbs * 1e9;
  if (alu <= 0 || dram_peak <= 0) throw UsageError("CPU engine fit: the host's FMA peak and bandwidth must be measured");

  // A computed row's own work: first with the compute side alone (the grid below needs it fixed),
  // then again through the whole roofline at the fitted (e, p).
  double row_compute = FitRowCompute(t, peaks, alu, 0, 1);

  // At (e, p): each format's decode ops from its cache GEMV; then each format's row stall c_r (in
  // weights: its tiles consume rows their own way) and the per-matmul stall c_m shared by the
  // formats, by weighted linear least squares over every DRAM set (residual time = rows x c_r x
  // bytes-per-weight / (B e) + matrices x c_m, relative error), none negative; then the loss.
  const size_t formats = t.formats.size();
  struct Stalls {
    std::vector<double> row;  // weights, per format
    double matrix = 0;
  };
  auto fit_at = [&](double e, double p, CpuEngineFit* out, Stalls* stalls) {
    const double dram = dram_peak * e;
    std::vector<FormatFit> fits;
    // Each DRAM set's time by the roofline alone (no stalls), per format, at its decode cost.
    std::vector<std::vector<double>> roof(formats);
    // Unknowns x = (c_m, c_r of format 0, 1, ...): the normal equations A x = b.
    const size_t n = formats + 1;
    std::vector<double> a(n * n, 0.0), b(n, 0.0);
    for (size_t i = 0; i < formats; ++i) {
      const FormatTimings& f = t.formats[i];
      const Roof cache = RoofFor(peaks, f.cache_bytes);
      const double cache_mem = f.cache_bytes / (cache.bytes_per_second * e);
      const double weights = static_cast<double>(f.cache_rows * f.cache_cols) +
                             static_cast<double>(f.cache_rows) * row_compute;  // the work, in weights
      FormatFit ff;
      ff.kernel_class = f.kernel_class;
      ff.cache_level = cache.level;
      ff.decode_ops_from_cache = SolveIncreasing(
          [&](double ops) { return SmoothRoofSeconds(cache_mem, weights * ops / alu, p); }, f.cache_gemv_seconds, kMinOps,
          1e4);
      // The cache GEMV shares the L3 with the host's other tenants and can run slow for a whole
      // calibration; a GEMV from DRAM cannot take less than its compute, so no DRAM set may need less
      // time than the compute side alone allows: the decode cost is the smaller of the two bounds.
      ff.decode_ops_per_weight = ff.decode_ops_from_cache;
      for (const GemvSetTiming& s : f.dram_sets) {
        const double bound = SolveIncreasing(
            [&](double ops) { return SetRoofSeconds(s, ops, row_compute, dram, alu, p); }, s.seconds, kMinOps, 1e4);
        ff.decode_ops_per_weight = std::min(ff.decode_ops_per_weight, bound);
      }
      if (out) {
        const double tokens = static_cast<double>(f.gemm_tokens);
        ff.prefill_ops_per_weight = SolveIncreasing(
            [&](double ops) { return SmoothRoofSeconds(cache_mem, tokens * weights * ops / alu, p); }, f.gemm_seconds,
            kMinOps, 1e4);
      }
      for (const GemvSetTiming& s : f.dram_sets) {
        roof[i].push_back(SetRoofSeconds(s, ff.decode_ops_per_weight, row_compute, dram, alu, p));
        const double w = 1.0 / (s.seconds * s.seconds);
        const double residual = s.seconds - roof[i].back();
        const double x[2] = {static_cast<double>(s.count), RowWeightSeconds(s, dram)};
        const size_t at[2] = {0, i + 1};
        for (int u = 0; u < 2; ++u) {
          b[at[u]] += w * x[u] * residual;
          for (int v = 0; v < 2; ++v) a[at[u] * n + at[v]] += w * x[u] * x[v];
        }
      }
      fits.push_back(ff);
    }
    const std::vector<double> x = SolveNonNegative(a, b, n);
    Stalls st;
    st.matrix = std::clamp(x[0], 0.0, 1e-3);
    for (size_t i = 0; i < formats; ++i) st.row.push_back(std::clamp(x[i + 1], 0.0, 1e5));
    // Set k of format i with a row stall of `stall` weights: its time, predicted / measured - 1.
    auto set_error = [&](size_t i, size_t k, double stall) {
      const GemvSetTiming& s = t.formats[i].dram_sets[k];
      return (roof[i][k] + RowWeightSeconds(s, dram) * stall + static_cast<double>(s.count) * st.matrix) / s.seconds -
             1.0;
    };
    // The loss, with each format's one row stall: (e, p) must explain every width at once.
    double loss = 0;
    for (size_t i = 0; i < formats; ++i) {
      for (size_t k = 0; k < roof[i].size(); ++k) {
        const double err = set_error(i, k, st.row[i]);
        loss += err * err;
      }
      fits[i].row_stall_weights = st.row[i];
    }
    if (out) {
      // At the chosen (e, p) and matrix stall, each format's row stall at each width it was timed
      // at: the least-squares stall of its sets of that width. The simulator interpolates between
      // them; the errors reported are those of this final model.
      for (size_t i = 0; i < formats; ++i) {
        std::vector<int64_t> widths;
        for (const GemvSetTiming& s : t.formats[i].dram_sets) widths.push_back(s.cols);
        std::sort(widths.begin(), widths.end());
        widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
        const std::vector<GemvSetTiming>& sets = t.formats[i].dram_sets;
        std::vector<double> stall_of_set(sets.size(), 0.0);
        for (int64_t cols : widths) {
          double sxx = 0, sxy = 0;
          for (size_t k = 0; k < sets.size(); ++k) {
            if (sets[k].cols != cols) continue;
            const double w = 1.0 / (sets[k].seconds * sets[k].seconds);
            const double rows = RowWeightSeconds(sets[k], dram);
            const double residual = sets[k].seconds - roof[i][k] - static_cast<double>(sets[k].count) * st.matrix;
            sxx += w * rows * rows;
            sxy += w * rows * residual;
          }
          const double stall = std::clamp(sxx > 0 ? sxy / sxx : 0.0, 0.0, 1e5);
          fits[i].row_stall_by_cols.emplace_back(cols, stall);
          for (size_t k = 0; k < sets.size(); ++k) {
            if (sets[k].cols == cols) stall_of_set[k] = stall;
          }
        }
        double worst = 0;
        for (size_t k = 0; k < sets.size(); ++k) {
          const double err = set_error(i, k, stall_of_set[k]);
          fits[i].dram_set_errors.push_back(err);
          if (std::abs(err) > std::abs(worst)) worst = err;
        }
        fits[i].worst_dram_error = worst;
      }
      out->memory_efficiency = e;
      out->overlap_exponent = p;
      double sum = 0;
      for (double r : st.row) sum += r;
      out->row_stall_weights = sum / static_cast<double>(formats);
      out->row_compute_weights = row_compute;
      out->formats = fits;
    }
    if (stalls) *stalls = st;
    return loss;
  };

  double best_e = 1;
  double best_p = 1;
  double best_loss = 1e300;
  for (int ei = 40; ei <= 100; ++ei) {  // e in [0.40, 1.00]
    for (int pi = 10; pi <= 160; ++pi) {  // p in [1.0, 16.0]; past 16 the roofline is a max
      const double e = ei / 100.0;
      const double p = pi / 10.0;
      const double loss = fit_at(e, p, nullptr, nullptr);
      if (loss < best_loss - 1e-12) {
        best_loss = loss;
        best_e = e;
        best_p = p;
      }
    }
  }
  row_compute = FitRowCompute(t, peaks, alu, best_e, best_p);
  CpuEngineFit fit;
  Stalls stalls;
  fit_at(best_e, best_p, &fit, &stalls);

  // Fixed costs. A tiny GEMV in cache is nearly all a parallel loop (dispatch_seconds, which the
  // simulator charges per launch). A matmul from DRAM costs c_m beyond its bytes, work and rows:
  // one launch plus matrix_seconds (streams that start cold, the last chunk's imbalance).
  const FormatFit& first = fit.formats.front();
  const double tiny_weights = static_cast<double>(t.tiny_rows * t.tiny_cols) + static_cast<double>(t.tiny_rows) * row_compute;
  const Roof tiny_roof = RoofFor(peaks, t.tiny_bytes);
  const double tiny_work =
      SmoothRoofSeconds(t.tiny_bytes / (tiny_roof.bytes_per_second * fit.memory_efficiency),
                        tiny_weights * first.decode_ops_per_weight / alu, fit.overlap_exponent);
  fit.dispatch_seconds = std::max(0.0, t.tiny_gemv_seconds - tiny_work);
  fit.matmul_fixed_seconds = stalls.matrix;
  fit.matrix_seconds = std::max(0.0, stalls.matrix - fit.dispatch_seconds);
  // Attention in cache is compute-bound: its rate over the FMA peak, less one loop.
  if (t.attention_seconds > 0) {
    const double seconds = std::max(t.attention_seconds - fit.dispatch_seconds, 0.5 * t.attention_seconds);
    fit.attention_compute_efficiency = std::clamp(t.attention_flops / seconds / alu, 1e-4, 1.0);
  }
  // Attention over caches in DRAM: the memory efficiency at which the simulator's attention op
  // (K and V bytes against the compute above, the same overlap p, one loop per layer) takes as long.
  fit.attention_memory_efficiency = fit.memory_efficiency;
  if (t.attention_dram_seconds > 0 && t.attention_layers > 0 && fit.attention_compute_efficiency > 0) {
    const double layers = static_cast<double>(t.attention_layers);
    const double compute = layers * t.attention_flops / (alu * fit.attention_compute_efficiency);
    const double target = t.attention_dram_seconds - layers * fit.dispatch_seconds;
    // Time falls as the efficiency rises: solve on 1 / efficiency.
    const double inverse = SolveIncreasing(
        [&](double inv) { return SmoothRoofSeconds(t.attention_bytes * inv / dram_peak, compute, fit.overlap_exponent); },
        target, 1.0, 1e3);
    fit.attention_memory_efficiency = std::clamp(1.0 / inverse, 1e-3, 1.0);
  }
  return fit;
}

void ApplyCpuEngineFit(const CpuEngineFit& fit, const std::string& provenance, EngineSpec& e) {
  auto set = [&](EngineParam& param, double value, const std::string& what) {
    param.value = value;
    param.source.clear();
    param.fitted = fmt::format("{}: {}", provenance, what);
  };
  const std::string dram =
      "GEMVs over square, short-row and long-row matrix sets streamed from DRAM vs the same format's GEMV in cache";
  set(e.param(EngineParamId::kMemoryEfficiency), fit.memory_efficiency, dram);
  set(e.param(EngineParamId::kAttentionMemoryEfficiency), fit.attention_memory_efficiency,
      "decode attention layer after layer over F16 caches in DRAM, against its compute in cache");
  set(e.param(EngineParamId::kOverlapExponent), fit.overlap_exponent, dram);
  set(e.param(EngineParamId::kRowStallWeights), fit.row_stall_weights,
      "the mean of the timed kernel classes' row stalls (one per class, over all widths), for the classes not timed");
  set(e.param(EngineParamId::kRowComputeWeights), fit.row_compute_weights,
      "the same weights in cache as 2048- and 512-wide matrices, one token and a chunk");
  set(e.param(EngineParamId::kAttentionComputeEfficiency), fit.attention_compute_efficiency,
      "decode attention (scores, softmax, values over an F16 cache) in cache");
  set(e.param(EngineParamId::kDispatchSeconds), fit.dispatch_seconds,
      "a tiny GEMV in cache, nearly all the fixed cost of a parallel loop");
  set(e.param(EngineParamId::kMatrixSeconds), fit.matrix_seconds,
      "small GEMVs streamed from DRAM, beyond their roofline, row stalls and one parallel loop");
  for (const FormatFit& f : fit.formats) {
    auto it = std::find_if(e.kernels.begin(), e.kernels.end(),
                           [&](const KernelCost& k) { return k.kernel_class == f.kernel_class; });
    if (it == e.kernels.end()) {
      KernelCost k;
      k.kernel_class = f.kernel_class;
      e.kernels.push_back(k);
      it = std::prev(e.kernels.end());
    }
    set(it->decode_ops_per_weight, f.decode_ops_per_weight, "GEMV of a matrix in cache");
    set(it->prefill_ops_per_weight, f.prefill_ops_per_weight, "GEMM of a token chunk against a matrix in cache");
    it->row_stall_weights.clear();
    for (const auto& [cols, weights] : f.row_stall_by_cols) {
      RowStallPoint point;
      point.cols = cols;
      set(point.weights, weights, fmt::format("GEMVs of {}-wide matrices streamed from DRAM, at the fitted efficiency, "
                                              "overlap and matrix stall", cols));
      it->row_stall_weights.push_back(std::move(point));
    }
  }
  e.calibration = provenance;
}

}  // namespace siliconsim::sim
