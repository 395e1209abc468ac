#include "sim/cpu_calibration.h"

#include <gtest/gtest.h>

#include "common/data_sources.h"
#include "engine/engine_db.h"
#include "engine/engine_loader.h"
#include "sim/simulate.h"

namespace siliconsim::sim {
namespace {

// A host and a kernel with known parameters; timings generated from the simulator's formula.
struct Truth {
  double e = 0.8;
  double p = 4.0;
  // Each row streamed from DRAM costs this many more weights, per format (the tiles differ).
  double q8_row_stall_weights = 550;
  double q4_row_stall_weights = 900;
  double q4_row_stall_weights_at_2048 = 900;  // a width whose rows stall differently
  double row_compute_weights = 150;  // each row computed costs 150 more weights' work, in any regime
  double dispatch_seconds = 1.5e-6;
  double matrix_seconds = 6e-6;
  double attention_efficiency = 0.3;
  double attention_memory_efficiency = 0.35;
  double dram_bw = 30e9;
  double l3_bw = 150e9;
  double alu = 200e9;
};

ChipPeaks HostPeaks(const Truth& t) {
  ChipPeaks p;
  p.cpu = true;
  p.memory_bandwidth_gbs = t.dram_bw / 1e9;
  p.alu_tflops = t.alu / 1e12;
  p.matmul_tflops = p.alu_tflops;
  p.caches.push_back({"L3", 16.0 * (1 << 20), t.l3_bw / 1e9});
  return p;
}

FormatTimings Format(const Truth& t, const std::string& cls, double bytes_per_weight, double decode_ops,
                     double prefill_ops, double row_stall_weights, double row_stall_weights_at_2048) {
  FormatTimings f;
  f.kernel_class = cls;
  f.cache_cols = 2048;
  f.cache_rows = 2048;
  const double weights = 2048.0 * 2048;
  const double c = t.row_compute_weights;
  f.cache_bytes = weights * bytes_per_weight;
  const double cache_mem = f.cache_bytes / (t.l3_bw * t.e);
  f.cache_gemv_seconds = SmoothRoofSeconds(cache_mem, (weights + 2048 * c) * decode_ops / t.alu, t.p);
  f.gemm_tokens = 256;
  f.gemm_seconds = SmoothRoofSeconds(cache_mem, 256 * (weights + 2048 * c) * prefill_ops / t.alu, t.p);
  // The same weights as 8192 rows of 512.
  f.narrow_rows = 8192;
  f.narrow_cols = 512;
  f.narrow_gemv_seconds = SmoothRoofSeconds(cache_mem, (weights + 8192 * c) * decode_ops / t.alu, t.p);
  f.narrow_gemm_tokens = 64;
  f.narrow_gemm_seconds = SmoothRoofSeconds(cache_mem, 64 * (weights + 8192 * c) * prefill_ops / t.alu, t.p);
  const int64_t shapes[][2] = {{4096, 4096}, {8192, 2048}, {16384, 1024}, {1024, 16384}, {1024, 4096}};
  for (const auto& shape : shapes) {
    GemvSetTiming s;
    s.rows = shape[0];
    s.cols = shape[1];
    s.count = static_cast<int64_t>(256e6 / (static_cast<double>(s.rows * s.cols) * bytes_per_weight)) + 1;
    const double w = static_cast<double>(s.rows * s.cols * s.count);
    s.bytes = w * bytes_per_weight;
    const double rows = static_cast<double>(s.rows * s.count);
    s.seconds = SmoothRoofSeconds(s.bytes / (t.dram_bw * t.e), (w + rows * c) * decode_ops / t.alu, t.p) +
                static_cast<double>(s.rows * s.count) * (s.cols == 2048 ? row_stall_weights_at_2048 : row_stall_weights) *
                    bytes_per_weight / (t.dram_bw * t.e);
    s.seconds += static_cast<double>(s.count) * (t.dispatch_seconds + t.matrix_seconds);  // every matmul: a launch and its stall
    f.dram_sets.push_back(s);
  }
  return f;
}

CpuTimings Timings(const Truth& t) {
  CpuTimings c;
  c.formats.push_back(Format(t, "q8_0", 34.0 / 32, 3.5, 2.6, t.q8_row_stall_weights, t.q8_row_stall_weights));
  c.formats.push_back(Format(t, "q4_0", 18.0 / 32, 4.5, 2.4, t.q4_row_stall_weights, t.q4_row_stall_weights_at_2048));
  c.tiny_rows = 64;
  c.tiny_cols = 512;
  c.tiny_bytes = 64 * 512 * 34.0 / 32;
  c.tiny_gemv_seconds =
      SmoothRoofSeconds(c.tiny_bytes / (t.l3_bw * t.e), (64 * 512 + 64 * t.row_compute_weights) * 3.5 / t.alu, t.p) +
      t.dispatch_seconds;
  c.attention_flops = 4.0 * 64 * 16 * 1024;
  c.attention_seconds = c.attention_flops / (t.alu * t.attention_efficiency) + t.dispatch_seconds;
  c.attention_layers = 256;
  c.attention_bytes = 256.0 * (1 << 20);
  c.attention_dram_seconds = SmoothRoofSeconds(c.attention_bytes / (t.dram_bw * t.attention_memory_efficiency),
                                               256 * c.attention_flops / (t.alu * t.attention_efficiency), t.p) +
                             256 * t.dispatch_seconds;
  return c;
}

TEST(CpuCalibrationTest, RecoversTheParametersTheTimingsWereMadeWith) {
  const Truth t;
  const CpuEngineFit fit = FitCpuEngine(Timings(t), HostPeaks(t));
  EXPECT_NEAR(fit.memory_efficiency, t.e, 0.011);
  EXPECT_NEAR(fit.overlap_exponent, t.p, 0.11);
  EXPECT_NEAR(fit.row_compute_weights, t.row_compute_weights, 0.02 * t.row_compute_weights);
  ASSERT_EQ(fit.formats.size(), 2u);
  EXPECT_NEAR(fit.formats[0].row_stall_weights, t.q8_row_stall_weights, 0.05 * t.q8_row_stall_weights);
  EXPECT_NEAR(fit.formats[1].row_stall_weights, t.q4_row_stall_weights, 0.05 * t.q4_row_stall_weights);
  EXPECT_DOUBLE_EQ(fit.row_stall_weights, 0.5 * (fit.formats[0].row_stall_weights + fit.formats[1].row_stall_weights));
  // The stall at each width timed (1024, 2048, 4096, 16384) is the format's one stall here.
  for (size_t f = 0; f < 2; ++f) {
    const double truth = f == 0 ? t.q8_row_stall_weights : t.q4_row_stall_weights;
    ASSERT_EQ(fit.formats[f].row_stall_by_cols.size(), 4u);
    EXPECT_EQ(fit.formats[f].row_stall_by_cols[1].first, 2048);
    for (const auto& [cols, weights] : fit.formats[f].row_stall_by_cols) EXPECT_NEAR(weights, truth, 0.05 * truth) << cols;
  }
  EXPECT_EQ(fit.formats[0].cache_level, "L3");
  EXPECT_NEAR(fit.formats[0].decode_ops_per_weight, 3.5, 0.05);
  EXPECT_NEAR(fit.formats[1].decode_ops_per_weight, 4.5, 0.05);
  EXPECT_NEAR(fit.formats[0].prefill_ops_per_weight, 2.6, 0.03);
  EXPECT_NEAR(fit.formats[1].prefill_ops_per_weight, 2.4, 0.03);
  EXPECT_LT(std::abs(fit.formats[0].worst_dram_error), 0.01);
  EXPECT_NEAR(fit.dispatch_seconds, t.dispatch_seconds, 0.1e-6);
  EXPECT_NEAR(fit.matrix_seconds, t.matrix_seconds, 0.5e-6);
  EXPECT_NEAR(fit.attention_compute_efficiency, t.attention_efficiency, 0.01);
  EXPECT_NEAR(fit.attention_memory_efficiency, t.attention_memory_efficiency, 0.01);
}

// Without the narrow matrices there is nothing to tell a row's work from a weight's: the row cost
// stays 0 and the per-weight costs absorb it (the fit of the wide shapes is unchanged).
TEST(CpuCalibrationTest, WithoutNarrowMatricesTheRowComputeCostIsZero) {
  Truth t;
  t.row_compute_weights = 0;
  CpuTimings c = Timings(t);
  for (FormatTimings& f : c.formats) f.narrow_rows = 0;
  const CpuEngineFit fit = FitCpuEngine(c, HostPeaks(t));
  EXPECT_EQ(fit.row_compute_weights, 0.0);
  EXPECT_NEAR(fit.formats[0].decode_ops_per_weight, 3.5, 0.05);
}

// Rows of one width that stall more than the format's others (Q4_0 at 2048 on the validation host)
// get their own stall; the fit's (e, p) and the other widths' stalls hold, and the final model fits
// every set.
TEST(CpuCalibrationTest, AWidthThatStallsMoreGetsItsOwnStall) {
  Truth t;
  t.q4_row_stall_weights_at_2048 = 1600;
  const CpuEngineFit fit = FitCpuEngine(Timings(t), HostPeaks(t));
  EXPECT_NEAR(fit.memory_efficiency, t.e, 0.03);
  ASSERT_EQ(fit.formats.size(), 2u);
  // Each width's stall within 10%, or, on the 16384-wide rows where a stall is a small part of the
  // time and takes up what (e, p) leave over, within 3% of the row's own weights.
  for (const auto& [cols, weights] : fit.formats[1].row_stall_by_cols) {
    const double truth = cols == 2048 ? t.q4_row_stall_weights_at_2048 : t.q4_row_stall_weights;
    EXPECT_NEAR(weights, truth, std::max(0.1 * truth, 0.03 * static_cast<double>(cols))) << cols;
  }
  EXPECT_LT(std::abs(fit.formats[1].worst_dram_error), 0.03);
}

// A cache GEMV that ran slow (the L3 shared with another tenant) overstates the compute per weight;
// the DRAM sets bound it, so the streams from DRAM are still predicted at their measured speed.
TEST(CpuCalibrationTest, ASlowCacheGemvIsBoundedByTheDramSets) {
  const Truth t;
  CpuTimings c = Timings(t);
  c.formats[1].cache_gemv_seconds *= 1.5;
  const CpuEngineFit fit = FitCpuEngine(c, HostPeaks(t));
  ASSERT_EQ(fit.formats.size(), 2u);
  // Bounded below the cache estimate, and no DRAM set is predicted slower than it ran.
  EXPECT_LT(fit.formats[1].decode_ops_per_weight, 0.9 * fit.formats[1].decode_ops_from_cache);
  EXPECT_LT(fit.formats[1].worst_dram_error, 0.03);
  // Without the slow GEMV nothing is bounded.
  const CpuEngineFit clean = FitCpuEngine(Timings(t), HostPeaks(t));
  EXPECT_DOUBLE_EQ(clean.formats[1].decode_ops_per_weight, clean.formats[1].decode_ops_from_cache);
}

// A format whose rows cost nothing extra gets a row stall of 0, not a negative one that would buy
// back the other format's (the stalls are solved with none below 0).
TEST(CpuCalibrationTest, AFormatWithoutRowStallsFitsZeroAndTheOtherKeepsItsOwn) {
  Truth t;
  t.q8_row_stall_weights = 0;
  const CpuEngineFit fit = FitCpuEngine(Timings(t), HostPeaks(t));
  ASSERT_EQ(fit.formats.size(), 2u);
  EXPECT_GE(fit.formats[0].row_stall_weights, 0.0);
  EXPECT_LT(fit.formats[0].row_stall_weights, 20.0);
  EXPECT_NEAR(fit.formats[1].row_stall_weights, t.q4_row_stall_weights, 0.05 * t.q4_row_stall_weights);
  EXPECT_NEAR(fit.matrix_seconds, t.matrix_seconds, 0.5e-6);
}

TEST(CpuCalibrationTest, OneFormatCannotSeparateBandwidthFromOverlap) {
  const Truth t;
  CpuTimings c = Timings(t);
  c.formats.pop_back();
  EXPECT_THROW(FitCpuEngine(c, HostPeaks(t)), InputError);
}

TEST(CpuCalibrationTest, FittedEngineIsAValidEngineFileMarkedFitted) {
  const Truth t;
  const CpuEngineFit fit = FitCpuEngine(Timings(t), HostPeaks(t));
  const EngineDatabase db = EngineDatabase::Load(DataSources{});
  EngineSpec engine = db.Resolve("reference");
  ApplyCpuEngineFit(fit, "test fit", engine);
  EXPECT_DOUBLE_EQ(engine.param(EngineParamId::kRowStallWeights).value, fit.row_stall_weights);
  EXPECT_DOUBLE_EQ(engine.param(EngineParamId::kRowComputeWeights).value, fit.row_compute_weights);
  EXPECT_EQ(engine.param(EngineParamId::kOverlapExponent).fitted.rfind("test fit: ", 0), 0u);
  EXPECT_TRUE(engine.param(EngineParamId::kMemoryEfficiency).source.empty());
  const std::vector<EngineSpec> back = LoadEnginesFromString(WriteEngineYaml({engine}, "test"), "reference.yaml");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_NEAR(back[0].FindKernel("q4_0")->decode_ops_per_weight.value, 4.5, 0.05);
  // Each timed class carries its row stalls by width; a class not timed (f16) uses the engine's.
  const KernelCost& q4 = *back[0].FindKernel("q4_0");
  ASSERT_EQ(q4.row_stall_weights.size(), fit.formats[1].row_stall_by_cols.size());
  for (size_t i = 0; i < q4.row_stall_weights.size(); ++i) {
    EXPECT_EQ(q4.row_stall_weights[i].cols, fit.formats[1].row_stall_by_cols[i].first);
    EXPECT_DOUBLE_EQ(q4.row_stall_weights[i].weights.value, fit.formats[1].row_stall_by_cols[i].second);
    EXPECT_FALSE(q4.row_stall_weights[i].weights.fitted.empty());
  }
  EXPECT_TRUE(back[0].FindKernel("f16")->row_stall_weights.empty());
}

}  // namespace
}  // namespace siliconsim::sim
