// The simulator against hand-computed cases, invariants over the whole database, the working-set
// rule against every public report, the shipped engines against the calibration data, and an
// Apple chip's CPU side.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/data_sources.h"
#include "common/diagnostics.h"
#include "engine/engine_db.h"
#include "hardware/chip_db.h"
#include "model/model_loader.h"
#include "model/quant_db.h"
#include "sim/calibration.h"
#include "sim/peaks.h"
#include "sim/simulate.h"
#include "sim/weights.h"

namespace siliconsim::sim {
namespace {

struct Databases {
  ChipDatabase chips = ChipDatabase::Load(DataSources{});
  ModelDatabase models = ModelDatabase::Load(DataSources{});
  QuantDatabase quants = QuantDatabase::Load(DataSources{});
  EngineDatabase engines = EngineDatabase::Load(DataSources{});
};
const Databases& Db() {
  static const Databases db;
  return db;
}

// An engine with no losses: full bandwidth, a sharp roofline, no overheads, 2 FLOP per weight.
EngineSpec IdealEngine() {
  EngineSpec e = Db().engines.Resolve("llama.cpp-metal");
  for (EngineParam& p : e.params) p.value = 1.0;
  e.param(EngineParamId::kOverlapExponent).value = 64;
  e.param(EngineParamId::kDispatchSeconds).value = 0;
  e.param(EngineParamId::kStepOverheadSeconds).value = 0;
  e.param(EngineParamId::kRowStallWeights).value = 0;
  e.param(EngineParamId::kMatrixSeconds).value = 0;
  e.param(EngineParamId::kRowComputeWeights).value = 0;
  for (KernelCost& k : e.kernels) {
    k.decode_ops_per_weight.value = 2;
    k.prefill_ops_per_weight.value = 2;
  }
  return e;
}

ChipPeaks Peaks(double bandwidth_gbs, double tflops) {
  ChipPeaks p;
  p.memory_bandwidth_gbs = bandwidth_gbs;
  p.alu_tflops = tflops;
  p.matmul_tflops = tflops;
  return p;
}

// Seconds of one decoded token (no prompt) of Llama-2-7B in F16 with `engine` on `peaks`.
double Llama2F16TokenSeconds(const EngineSpec& engine, const ChipPeaks& peaks) {
  const ModelSpec& model = Db().models.Resolve("llama-2-7b");
  Workload w;
  w.prompt_tokens = 0;
  w.gen_tokens = 1;
  return Predict(Compile(model, PlanGgufWeights(model, *Db().quants.Resolve("F16").gguf), engine), peaks, w).decode.seconds;
}

TEST(SimulateTest, DecodeOfLlama2F16IsItsWeightBytesOverBandwidth) {
  // Llama-2-7B by hand: 32 layers, hidden 4096, FFN 11008, vocab 32000, untied. F16 matrices,
  // F32 norms. One token reads every matrix, one embedding row and the LM head, plus its own
  // K and V (32 layers x 2 x 4096 x 2 bytes).
  const double matrices = 32.0 * (4 * 4096.0 * 4096 + 3 * 4096.0 * 11008) + 4096.0 * 32000;  // + LM head
  const double norms = (2 * 32 + 1) * 4096.0 * 4;
  const double bytes = matrices * 2 + norms + 4096 * 2 /* one embedding row */ + 32 * 2 * 4096 * 2.0;
  const EngineSpec engine = IdealEngine();
  const ModelSpec& model = Db().models.Resolve("llama-2-7b");
  const WeightPlan plan = PlanGgufWeights(model, *Db().quants.Resolve("F16").gguf);
  const CompiledModel c = Compile(model, plan, engine);
  Workload w;
  w.prompt_tokens = 0;
  w.gen_tokens = 1;
  const Prediction p = Predict(c, Peaks(100, 1000), w);
  EXPECT_NEAR(p.decode.tokens_per_second, 100e9 / bytes, 100e9 / bytes * 1e-4);
  EXPECT_EQ(p.decode.bound, "memory");
}

TEST(SimulateTest, RowStallAddsEveryStreamedRowOfDecodeFromDram) {
  // Llama-2-7B rows (ggml ne[1]) per layer: q, k, v, o 4096 each, gate and up 11008, down 4096;
  // plus the LM head's 32000 and the one embedding row a token looks up. Norms are vectors.
  const double rows = 32.0 * (4 * 4096 + 2 * 11008 + 4096) + 32000 + 1;
  // A row stalls as long as 1000 more F16 weights take at 100 GB/s: 2000 bytes, 20 ns.
  const double stall_weights = 1000;
  const double stall = stall_weights * 2 / 100e9;
  EngineSpec engine = IdealEngine();
  const double base = Llama2F16TokenSeconds(engine, Peaks(100, 1000));
  engine.param(EngineParamId::kRowStallWeights).value = stall_weights;
  const double stalled = Llama2F16TokenSeconds(engine, Peaks(100, 1000));
  EXPECT_NEAR(stalled - base, rows * stall, rows * stall * 1e-9);
  // Weights that sit in a cache level do not stall: a CPU host whose L3 holds the whole model.
  ChipPeaks cached = Peaks(100, 1000);
  cached.caches.push_back({"L3", 1e12, 500});
  const double in_cache = Llama2F16TokenSeconds(engine, cached);
  engine.param(EngineParamId::kRowStallWeights).value = 0;
  EXPECT_DOUBLE_EQ(in_cache, Llama2F16TokenSeconds(engine, cached));
}

// A kernel class with row stalls measured by width uses them instead of the engine's, each row at
// its own width; the other classes keep the engine's. Llama-2-7B in F16: every matrix row is 4096
// weights wide but the FFN down projection's (11008), so a table {4096: 1000, 11008: 3000} adds
// 2000 weights (4000 bytes) to each of the 32 x 4096 down rows against the engine's 1000.
TEST(SimulateTest, AKernelClassesRowStallsByWidthReplaceTheEngines) {
  EngineSpec engine = IdealEngine();
  engine.param(EngineParamId::kRowStallWeights).value = 1000;
  const double engine_wide = Llama2F16TokenSeconds(engine, Peaks(100, 1000));
  KernelCost* f16 = nullptr;
  for (KernelCost& k : engine.kernels) {
    if (k.kernel_class == "f16") f16 = &k;
  }
  ASSERT_NE(f16, nullptr);
  f16->row_stall_weights = {{4096, {1000, "test", "", "", {}}}, {11008, {3000, "test", "", "", {}}}};
  const double by_width = Llama2F16TokenSeconds(engine, Peaks(100, 1000));
  const double expected = 32.0 * 4096 * 2000 * 2 / 100e9;
  EXPECT_NEAR(by_width - engine_wide, expected, expected * 1e-9);
  // Another class's table changes nothing here.
  f16->row_stall_weights.clear();
  for (KernelCost& k : engine.kernels) {
    if (k.kernel_class == "q4_0") k.row_stall_weights = {{2048, {9000, "test", "", "", {}}}};
  }
  EXPECT_DOUBLE_EQ(Llama2F16TokenSeconds(engine, Peaks(100, 1000)), engine_wide);
}

TEST(SimulateTest, RowStallBetweenMeasuredWidthsIsLinearInLogWidthAndHeldOutside) {
  KernelCost k;
  EXPECT_EQ(k.RowStallWeights(2048, 700), 700);  // no table: the engine's
  k.row_stall_weights = {{1024, {600, "test", "", "", {}}}, {4096, {1000, "test", "", "", {}}}};
  EXPECT_DOUBLE_EQ(k.RowStallWeights(2048, 0), 800);  // halfway in log width
  EXPECT_DOUBLE_EQ(k.RowStallWeights(1024, 0), 600);
  EXPECT_DOUBLE_EQ(k.RowStallWeights(512, 0), 600);
  EXPECT_DOUBLE_EQ(k.RowStallWeights(16384, 0), 1000);
}

TEST(SimulateTest, PrefillIsTwoFlopsPerWeightPerTokenWhenComputeBound) {
  // 512 tokens through Llama-2-7B at 1 TFLOPS: 2 x 512 x (matrices without the LM head), plus
  // causal attention 4 x 32 heads x 128 x (1 + ... + 512) per layer, plus one token's LM head.
  const double matrices = 32.0 * (4 * 4096.0 * 4096 + 3 * 4096.0 * 11008);
  const double attention = 32 * 4.0 * 32 * 128 * (512.0 * 513 / 2);
  const double flops = 2 * 512 * matrices + attention + 2 * 4096.0 * 32000;
  const EngineSpec engine = IdealEngine();
  const ModelSpec& model = Db().models.Resolve("llama-2-7b");
  const CompiledModel c = Compile(model, PlanGgufWeights(model, *Db().quants.Resolve("F16").gguf), engine);
  Workload w;
  w.prompt_tokens = 512;
  w.gen_tokens = 0;
  const Prediction p = Predict(c, Peaks(1e6, 1), w);  // bandwidth so high only compute counts
  EXPECT_NEAR(p.prefill.seconds, flops / 1e12, flops / 1e12 * 2e-3);
  EXPECT_EQ(p.prefill.bound, "compute");
}

TEST(SimulateTest, RowComputeCostAddsEveryComputedRowOfEveryToken) {
  // Compute-bound prefill of 512 tokens: each of a layer's rows (q, k, v, o 4096, gate and up
  // 11008, down 4096) costs 300 more weights' work per token, at 2 FLOP each; the LM head computes
  // its 32000 rows for the last token only. It applies in cache too (it is work, not a stall).
  const double layer_rows = 32.0 * (4 * 4096 + 2 * 11008 + 4096);
  const double c = 300;
  const double extra = 2 * c * (512 * layer_rows + 32000);
  EngineSpec engine = IdealEngine();
  const ModelSpec& model = Db().models.Resolve("llama-2-7b");
  const WeightPlan plan = PlanGgufWeights(model, *Db().quants.Resolve("F16").gguf);
  Workload w;
  w.prompt_tokens = 512;
  w.gen_tokens = 0;
  ChipPeaks cached = Peaks(1e6, 1);
  cached.caches.push_back({"L3", 1e12, 1e6});
  const double base = Predict(Compile(model, plan, engine), cached, w).prefill.seconds;
  engine.param(EngineParamId::kRowComputeWeights).value = c;
  const double with_rows = Predict(Compile(model, plan, engine), cached, w).prefill.seconds;
  EXPECT_NEAR(with_rows - base, extra / 1e12, extra / 1e12 * 1e-6);
}

TEST(SimulateTest, SlidingLayersStopGrowingAtTheirWindow) {
  const ModelSpec& model = Db().models.Resolve("gemma-3-27b");
  const CompiledModel c = Compile(model, PlanGgufWeights(model, *Db().quants.Resolve("Q4_K_M").gguf),
                                  Db().engines.Resolve("llama.cpp-metal"));
  auto kv = [&](int64_t tokens) {
    Workload w;
    w.prompt_tokens = tokens;
    w.gen_tokens = 0;
    return EstimateMemory(c, Peaks(400, 10), w).kv_cache_bytes;
  };
  // Beyond the 1024-token window only the full layers (1 in 6) keep growing.
  const double full_per_token = (kv(64000) - kv(32000)) / 32000;
  const double all_per_token = (kv(1000) - kv(500)) / 500;
  EXPECT_NEAR(full_per_token / all_per_token, 10.0 / 62.0, 1e-9);
}

TEST(SimulateTest, WorkingSetRuleTracksEveryPublicReport) {
  // ../shared/data/metal_working_set.csv, copied to data/calibration/: within 15% of each report.
  std::ifstream in(std::string(SILICONSIM_SOURCE_DATA_DIR) + "/calibration/metal_working_set.csv");
  ASSERT_TRUE(in);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.starts_with("chip,")) continue;
    std::stringstream s(line);
    std::string chip, ram, value, unit;
    std::getline(s, chip, ',');
    std::getline(s, ram, ',');
    std::getline(s, value, ',');
    std::getline(s, unit, ',');
    const double ram_bytes = std::stod(ram) * 1024.0 * 1024 * 1024;
    const double reported = std::stod(value) * (unit == "GiB" ? 1024.0 * 1024 * 1024 : 1e9);
    EXPECT_NEAR(DefaultGpuWorkingSetBytes(ram_bytes) / reported, 1.0, 0.15) << line;
    ++rows;
  }
  EXPECT_GE(rows, 8);
}

// Invariants over every model, for two quants and three chips.
TEST(SimulateInvariantsTest, HoldOverTheWholeDatabase) {
  const EngineSpec& engine = Db().engines.Resolve("llama.cpp-metal");
  const ChipSpec& slow = Db().chips.Resolve("m2-max-38c");
  const ChipSpec& fast = Db().chips.Resolve("m2-ultra-76c");
  const ChipPeaks slow_peaks = PeaksOf(slow, Db().chips.chips());
  ChipPeaks faster = slow_peaks;
  faster.memory_bandwidth_gbs *= 1.5;
  (void)fast;
  const std::vector<std::string> ladder = {"Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"};
  int checked = 0;
  for (const ModelSpec& model : Db().models.models()) {
    const ParamCounts counts = CountParams(BuildTensorInventory(model));
    EXPECT_LE(counts.active, counts.total) << model.id;
    double previous_weights = 0;
    for (const std::string& q : ladder) {
      const WeightPlan plan = PlanGgufWeights(model, *Db().quants.Resolve(q).gguf);
      EXPECT_GE(plan.total_bytes, previous_weights) << model.id << " " << q;  // fewer bits never weigh more
      previous_weights = static_cast<double>(plan.total_bytes);
      if (q != "Q4_K_M" && q != "Q8_0") continue;
      const CompiledModel c = Compile(model, plan, engine);
      double last_tps = 1e300;
      double last_bytes = 0;
      for (int64_t depth : {0, 1024, 8192, 32768}) {
        Workload w;
        w.prompt_tokens = 0;
        w.gen_tokens = 64;
        w.depth_tokens = depth;
        const Prediction p = Predict(c, slow_peaks, w);
        EXPECT_LE(p.decode.tokens_per_second, last_tps * (1 + 1e-12)) << model.id << " depth " << depth;
        EXPECT_GE(p.memory.total_bytes, last_bytes) << model.id << " depth " << depth;
        last_tps = p.decode.tokens_per_second;
        last_bytes = p.memory.total_bytes;
        EXPECT_GE(Predict(c, faster, w).decode.tokens_per_second, p.decode.tokens_per_second) << model.id;
        EXPECT_GT(p.decode.tokens_per_second, 0);
        EXPECT_TRUE(std::isfinite(p.decode.tokens_per_second));
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(SimulateTest, MoeDecodeReadsOnlyTheActiveExperts) {
  const ModelSpec& model = Db().models.Resolve("qwen3-30b-a3b");
  const EngineSpec engine = IdealEngine();
  const WeightPlan plan = PlanGgufWeights(model, *Db().quants.Resolve("Q8_0").gguf);
  const CompiledModel c = Compile(model, plan, engine);
  Workload w;
  w.prompt_tokens = 0;
  w.gen_tokens = 1;
  const Prediction p = Predict(c, Peaks(100, 1000), w, /*explain=*/true);
  double read = 0;
  for (const OpTime& op : p.decode.ops) read += op.bytes;
  // 8 of 128 experts: the bytes read are far below the file and near the active share.
  EXPECT_LT(read, 0.2 * static_cast<double>(plan.total_bytes));
  EXPECT_GT(read, 0.08 * static_cast<double>(plan.total_bytes));
}

// ---- an Apple chip's CPU side (llama.cpp -ngl 0) and the fit's phase rule ----

TEST(AppleCpuPeaksTest, ComputeIsThreadsTimesClockTimesFlopsPerCycle) {
  const ChipSpec& chip = Db().chips.Resolve("m2-max-38c");
  ASSERT_EQ(*chip.cpu_performance_cores.value, 8);
  const ChipPeaks eight = PeaksOf(chip, Db().chips.chips(), 8, PeakSide::kCpu);
  EXPECT_TRUE(eight.cpu);
  EXPECT_EQ(eight.cpu_threads, 8);
  // 8 cores x 3.696 GHz x 32 FP32 FLOP per cycle (4 NEON pipes x 4 lanes x FMA).
  EXPECT_NEAR(eight.alu_tflops, 8 * 3.696 * 32 / 1000.0, 1e-12);
  EXPECT_DOUBLE_EQ(eight.matmul_tflops, eight.alu_tflops);
  EXPECT_DOUBLE_EQ(eight.memory_bandwidth_gbs, 400);
  EXPECT_TRUE(eight.caches.empty());
  EXPECT_FALSE(eight.dual_die);

  const ChipPeaks two = PeaksOf(chip, Db().chips.chips(), 2, PeakSide::kCpu);
  EXPECT_NEAR(two.alu_tflops, eight.alu_tflops / 4, 1e-12);
  // Default: one thread per performance core, as llama.cpp on macOS.
  EXPECT_EQ(PeaksOf(chip, Db().chips.chips(), {}, PeakSide::kCpu).cpu_threads, 8);
  // The GPU side is untouched.
  const ChipPeaks gpu = PeaksOf(chip, Db().chips.chips());
  EXPECT_FALSE(gpu.cpu);
  EXPECT_GT(gpu.alu_tflops, 10);
}

TEST(AppleCpuPeaksTest, ThreadsBeyondThePerformanceCoresAddNoComputeAndSaySo) {
  const ChipSpec& chip = Db().chips.Resolve("m4-10c");
  const int p = *chip.cpu_performance_cores.value;
  const ChipPeaks all_p = PeaksOf(chip, Db().chips.chips(), p, PeakSide::kCpu);
  const ChipPeaks more = PeaksOf(chip, Db().chips.chips(), p + 4, PeakSide::kCpu);
  EXPECT_DOUBLE_EQ(more.alu_tflops, all_p.alu_tflops);
  EXPECT_TRUE(all_p.assumptions.empty());
  ASSERT_EQ(more.assumptions.size(), 1u);
  EXPECT_NE(more.assumptions[0].find("only 4 are credited"), std::string::npos) << more.assumptions[0];
  EXPECT_THROW(PeaksOf(chip, Db().chips.chips(), 0, PeakSide::kCpu), InputError);
}

TEST(AppleCpuPeaksTest, AnUltraIsTwoDiesAndAChipWithoutAClockCannotBePredicted) {
  EXPECT_TRUE(PeaksOf(Db().chips.Resolve("m2-ultra-76c"), Db().chips.chips(), 8, PeakSide::kCpu).dual_die);
  const ChipSpec& ultra5 = Db().chips.Resolve("m5-ultra-80c");
  ASSERT_FALSE(ultra5.cpu_p_core_clock_ghz.known());
  EXPECT_THROW(PeaksOf(ultra5, Db().chips.chips(), {}, PeakSide::kCpu), InputError);
}

TEST(AppleCpuPeaksTest, EveryAppleChipWithAKnownClockHasACpuSide) {
  int with_clock = 0;
  for (const ChipSpec& c : Db().chips.chips()) {
    if (c.kind != ChipKind::kAppleSilicon || !c.cpu_p_core_clock_ghz.known()) continue;
    ++with_clock;
    const ChipPeaks p = PeaksOf(c, Db().chips.chips(), {}, PeakSide::kCpu);
    EXPECT_GT(p.alu_tflops, 0.3) << c.id;  // 4 cores x 3.2 GHz x 32 = 0.41 TFLOPS at the least
    EXPECT_LT(p.alu_tflops, 3.6) << c.id;  // 24 cores x 4.6 GHz x 32 = 3.5 at the most (an Ultra)
    EXPECT_FALSE(c.cpu_p_core_clock_ghz.source.empty()) << c.id;
  }
  EXPECT_GE(with_clock, 36);
}

// A prefill cost is free only when prefill rows use the format, a decode cost only with decode rows.
TEST(CalibrationTest, AKernelCostIsFreeOnlyInThePhaseItsRowsMeasure) {
  EngineSpec engine = Db().engines.Resolve("llama.cpp-cpu");
  const ModelSpec& model = Db().models.Resolve("llama-2-7b");
  const CompiledModel c = Compile(model, PlanGgufWeights(model, *Db().quants.Resolve("Q4_0").gguf), engine);
  const ChipPeaks peaks = PeaksOf(Db().chips.Resolve("m2-max-38c"), Db().chips.chips(), 8, PeakSide::kCpu);
  Workload w;
  w.gen_tokens = 128;
  const std::vector<CalibrationRow> decode_only = {{&c, &peaks, w, true, 20.0}};
  auto names = [](const std::vector<FreeParam>& free) {
    std::vector<std::string> n;
    for (const FreeParam& f : free) n.push_back(f.name);
    return n;
  };
  const std::vector<std::string> d = names(FreeParameters(engine, decode_only));
  EXPECT_NE(std::find(d.begin(), d.end(), "q4_0.decode_ops_per_weight"), d.end());
  EXPECT_EQ(std::find(d.begin(), d.end(), "q4_0.prefill_ops_per_weight"), d.end());

  Workload pp;
  pp.prompt_tokens = 512;
  const std::vector<CalibrationRow> prefill_only = {{&c, &peaks, pp, false, 60.0}};
  const std::vector<FreeParam> free = FreeParameters(engine, prefill_only);
  const std::vector<std::string> p = names(free);
  EXPECT_EQ(std::find(p.begin(), p.end(), "q4_0.decode_ops_per_weight"), p.end());
  ASSERT_NE(std::find(p.begin(), p.end(), "q4_0.prefill_ops_per_weight"), p.end());
  // A CPU kernel may multiply-add a weight in less than one FP32 FMA (int8 dot products).
  for (const FreeParam& f : free) {
    if (f.name == "q4_0.prefill_ops_per_weight") {
      EXPECT_LT(f.min, 1.0);
    }
  }
}

// A format no row measured takes the nearest measured format's cost in that phase, and says so.
TEST(CalibrationTest, AnUnmeasuredFormatTakesTheNearestMeasuredCostPhaseByPhase) {
  EngineSpec engine = Db().engines.Resolve("llama.cpp-cpu");
  KernelCost* q4_0 = nullptr;
  KernelCost* q5_0 = nullptr;
  KernelCost* q8_0 = nullptr;
  for (KernelCost& k : engine.kernels) {
    if (k.kernel_class == "q4_0") q4_0 = &k;
    if (k.kernel_class == "q5_0") q5_0 = &k;
    if (k.kernel_class == "q8_0") q8_0 = &k;
  }
  ASSERT_TRUE(q4_0 && q5_0 && q8_0);
  q4_0->decode_ops_per_weight.value = 3.0;
  q8_0->decode_ops_per_weight.value = 7.0;
  q8_0->prefill_ops_per_weight.value = 0.5;
  const std::vector<FreeParam> free = {{"q4_0.decode_ops_per_weight", &q4_0->decode_ops_per_weight, 0.25, 64},
                                       {"q8_0.decode_ops_per_weight", &q8_0->decode_ops_per_weight, 0.25, 64},
                                       {"q8_0.prefill_ops_per_weight", &q8_0->prefill_ops_per_weight, 0.25, 16}};
  FillUnmeasuredKernelCosts(engine, free, "test");
  // Q5_0 (5.5 bits) is nearer Q4_0 (4.5) than Q8_0 (8.5) for decode; only Q8_0 measured prefill.
  EXPECT_EQ(q5_0->decode_ops_per_weight.value, 3.0);
  EXPECT_EQ(q5_0->prefill_ops_per_weight.value, 0.5);
  EXPECT_EQ(q4_0->prefill_ops_per_weight.value, 0.5);
  EXPECT_NE(q5_0->decode_ops_per_weight.fitted.find("q5_0 not in the decode rows: the fitted q4_0 value"), std::string::npos)
      << q5_0->decode_ops_per_weight.fitted;
  EXPECT_EQ(q4_0->decode_ops_per_weight.value, 3.0);  // measured values stay
}

}  // namespace
}  // namespace siliconsim::sim
