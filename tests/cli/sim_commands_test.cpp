// predict, fit, which-mac, sweep, calibrate and validate published, driven in-process.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli/app.h"
#include "tests/cli/cli_test_util.h"

namespace siliconsim {
namespace {

using cli_test::Invoke;
using Json = nlohmann::json;

const std::string kCalibration = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/calibration/";

/// Mean absolute percentage error and row count of one group of `validate published` rows.
struct GroupError {
  double mape = 0;
  int rows = 0;
};

/// `validate published --format json` output grouped by phase (`decode`, `prefill`), or by
/// engine and phase (`mlx decode`) when `by_engine`.
std::map<std::string, GroupError> ErrorByPhase(const std::string& json, bool by_engine = false) {
  std::map<std::string, GroupError> groups;
  for (const Json& row : Json::parse(json)) {
    const std::string phase = row["phase"].get<std::string>();
    GroupError& g = groups[by_engine ? row["engine"].get<std::string>() + " " + phase : phase];
    g.mape += std::abs(row["error_pct"].get<double>());
    g.rows += 1;
  }
  for (auto& [key, g] : groups) g.mape /= g.rows;
  return groups;
}

TEST(PredictCommandTest, JsonHasTheContractKeysForEveryCombination) {
  const auto r = Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_K_M,mlx-4bit", "--chip", "m4-max-40c",
                         "--memory", "48", "--prompt", "512", "--gen", "0,128", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);  // 2 quants x 2 gen lengths
  for (const Json& row : j) {
    for (const char* key : {"model", "quant", "chip", "engine", "weights_bytes", "kv_cache_bytes", "total_bytes", "fits",
                            "prefill_tps", "ttft_s", "decode_tps", "e2e_s", "bound"}) {
      EXPECT_TRUE(row.contains(key)) << key;
    }
    EXPECT_TRUE(row["fits"].get<bool>());
    EXPECT_EQ(row["engine"], row["quant"] == "mlx-4bit" ? "mlx" : "llama.cpp-metal");
  }
  EXPECT_TRUE(j[0]["decode_tps"].is_null());  // pp512 alone
  EXPECT_GT(j[1]["decode_tps"].get<double>(), 20);
}

TEST(PredictCommandTest, ExplainShowsTheRoofsOfEveryOp) {
  const auto r = Invoke({"predict", "--model", "llama-2-7b", "--quant", "Q4_0", "--chip", "m1-max-32c", "--explain"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* text : {"op time = (t_mem^p + t_compute^p)^(1/p)", "attention projections", "dense FFN", "LM head",
                           "attention, full (32 layers", "overhead:", "memory: weights"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
}

TEST(PredictCommandTest, DoesNotFitSaysWhyAndHowToRaiseTheLimit) {
  const auto r = Invoke({"predict", "--model", "llama-3.3-70b", "--quant", "Q4_K_M", "--chip", "m4-max-40c", "--memory",
                         "36,48,64", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  // ~40 GiB: over what 36 GiB can give at all, over 48 GB's 36 GiB default limit but under
  // 48 - 4.8 GiB after raising it, and under 64 GB's 48 GiB default limit.
  EXPECT_EQ(j[0]["fit"], "does-not-fit");
  EXPECT_EQ(j[1]["fit"], "fits-after-raising-limit");
  EXPECT_NE(j[1]["fit_reason"].get<std::string>().find("sudo sysctl iogpu.wired_limit_mb="), std::string::npos);
  EXPECT_EQ(j[2]["fit"], "fits");
}

TEST(PredictCommandTest, BadInputIsExitTwo) {
  EXPECT_EQ(Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_K_Z", "--chip", "m4-max-40c"}).status, 2);
  const auto wrong = Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "mlx-4bit", "--chip", "m4-max-40c",
                             "--engine", "llama.cpp-metal"});
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("engine llama.cpp-metal runs GGUF weights"), std::string::npos) << wrong.err;
  EXPECT_EQ(Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_0", "--chip", "m4", "--prompt", "1k..2k:x1"}).status, 2);
}

TEST(FitCommandTest, AnswersWhichModelsFitA48GbM4Pro) {
  const auto r = Invoke({"fit", "--chip", "M4 Pro", "--memory", "48", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_GT(j.size(), 50u);
  bool has_70b = false;
  bool has_8b = false;
  for (const Json& row : j) {
    EXPECT_TRUE(row["fits"].get<bool>());
    EXPECT_LE(row["total_bytes"].get<double>(), row["memory_limit_bytes"].get<double>());
    has_70b |= row["model"] == "llama-3.3-70b";
    has_8b |= row["model"] == "llama-3.1-8b";
  }
  EXPECT_FALSE(has_70b);  // 70B in 4 bits needs ~40 GiB: over the 36 GiB default limit
  EXPECT_TRUE(has_8b);
}

const std::string kM4MaxSysctl = std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata/host/m4max_sysctl.txt";

TEST(FitCommandTest, WithoutChipPlansForThisMacFromSysctl) {
  // A captured `sysctl -a` of a 16-core, 64 GB M4 Max stands in for the machine (SILICONSIM_SYSCTL).
  CliEnvironment env;
  env.sysctl_path = kM4MaxSysctl;
  const auto r = Invoke({"fit", "--format", "json"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("planning for this Mac: Apple M4 Max with 64 GB -> m4-max-40c"), std::string::npos) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_FALSE(j.empty());
  for (const Json& row : j) {
    EXPECT_EQ(row["chip"], "m4-max-40c");
    EXPECT_EQ(row["memory_gb"].get<double>(), 64);
  }
  // --memory still asks about another size of the same Mac.
  const auto r48 = Invoke({"fit", "--memory", "48", "--format", "json"}, env);
  ASSERT_EQ(r48.status, 0) << r48.err;
  EXPECT_EQ(Json::parse(r48.out)[0]["memory_gb"].get<double>(), 48);
}

TEST(FitCommandTest, WithoutChipOffAMacAsksForOne) {
  CliEnvironment env;
  env.sysctl_path = std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata/host/epyc_vm_cpuinfo.txt";  // no brand string
  const auto r = Invoke({"fit"}, env);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--chip is required"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("host --measure"), std::string::npos) << r.err;

  env.sysctl_path = "/nonexistent/sysctl.txt";
  const auto missing = Invoke({"fit"}, env);
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("/nonexistent/sysctl.txt"), std::string::npos) << missing.err;
}

TEST(FitCommandTest, AnUnknownAppleChipAsksForChip) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "siliconsim_fit_m9";
  std::filesystem::create_directories(dir);
  std::string text = cli_test::ReadFile(kM4MaxSysctl);
  text.replace(text.find("Apple M4 Max"), 12, "Apple M9 Max");
  std::ofstream(dir / "sysctl.txt") << text;
  CliEnvironment env;
  env.sysctl_path = (dir / "sysctl.txt").string();
  const auto r = Invoke({"fit"}, env);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("Apple M9 Max"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pass --chip"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(FitCommandTest, AMacWithoutMemsizeTakesTheChipsLargestMemoryAndSaysSo) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "siliconsim_fit_nomem";
  std::filesystem::create_directories(dir);
  std::string text = cli_test::ReadFile(kM4MaxSysctl);
  text.replace(text.find("hw.memsize:"), 11, "hw.memsizX:");
  std::ofstream(dir / "sysctl.txt") << text;
  CliEnvironment env;
  env.sysctl_path = (dir / "sysctl.txt").string();
  const auto r = Invoke({"fit", "--format", "json"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("memory is unknown"), std::string::npos) << r.err;
  EXPECT_EQ(Json::parse(r.out)[0]["memory_gb"].get<double>(), 128);  // the M4 Max's largest option
  std::filesystem::remove_all(dir);
}

TEST(PredictCommandTest, WithoutChipPredictsThisMacAndSweepsToo) {
  CliEnvironment env;
  env.sysctl_path = kM4MaxSysctl;
  const auto r = Invoke({"predict", "--model", "qwen3-30b-a3b", "--quant", "Q4_K_M", "--format", "json"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["chip"], "m4-max-40c");
  EXPECT_EQ(j[0]["memory_gb"].get<double>(), 64);
  // The same numbers as naming the chip and memory.
  const auto named = Invoke({"predict", "--model", "qwen3-30b-a3b", "--quant", "Q4_K_M", "--chip", "m4-max-40c",
                             "--memory", "64", "--format", "json"});
  ASSERT_EQ(named.status, 0) << named.err;
  EXPECT_EQ(j[0]["decode_tps"], Json::parse(named.out)[0]["decode_tps"]);

  const auto sweep = Invoke({"sweep", "--model", "qwen3-8b", "--quant", "Q4_K_M", "--ctx", "1k,4k", "--format", "json"}, env);
  ASSERT_EQ(sweep.status, 0) << sweep.err;
  EXPECT_EQ(Json::parse(sweep.out)[1]["chip"], "m4-max-40c");

  CliEnvironment linux_host;
  linux_host.sysctl_path = std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata/host/epyc_vm_cpuinfo.txt";
  const auto off_mac = Invoke({"predict", "--model", "qwen3-8b", "--quant", "Q4_K_M"}, linux_host);
  EXPECT_EQ(off_mac.status, 2);
  EXPECT_NE(off_mac.err.find("--chip is required"), std::string::npos) << off_mac.err;
}

TEST(WhichMacCommandTest, SeventyBAt32kAndTenTokensPerSecond) {
  const auto r = Invoke({"which-mac", "--model", "llama-3.3-70b", "--quant", "Q4_K_M", "--ctx", "32k", "--min-tps", "10",
                         "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_FALSE(j.empty());
  double last_memory = 0;
  for (const Json& row : j) {
    EXPECT_GE(row["decode_tps"].get<double>(), 10);
    EXPECT_TRUE(row["fits"].get<bool>());
    EXPECT_GE(row["memory_gb"].get<double>(), last_memory);  // smallest first
    last_memory = row["memory_gb"].get<double>();
    EXPECT_GE(row["memory_gb"].get<double>(), 64);
  }
}

TEST(SweepCommandTest, OneRowPerContextAndDecodeSlowsDown) {
  const auto r = Invoke({"sweep", "--model", "qwen3-8b", "--quant", "Q4_K_M", "--chip", "m4-pro-20c", "--memory", "48",
                         "--ctx", "1k..64k:x2", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 7u);
  for (size_t i = 1; i < j.size(); ++i) {
    EXPECT_LT(j[i]["decode_tps"].get<double>(), j[i - 1]["decode_tps"].get<double>());
    EXPECT_GT(j[i]["kv_cache_bytes"].get<double>(), j[i - 1]["kv_cache_bytes"].get<double>());
  }
}

// The shipped engines meet the bar on the calibration data: MAPE <= 10% for decode and
// <= 15% for prefill, per engine.
TEST(ValidatePublishedTest, ShippedEnginesMeetTheAccuracyBar) {
  const auto r = Invoke({"validate", "published", kCalibration + "llamacpp_metal_llama2_7b.csv", kCalibration + "mlx_lm.csv",
                         "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::map<std::string, GroupError> groups = ErrorByPhase(r.out, /*by_engine=*/true);
  ASSERT_EQ(groups.size(), 4u);
  for (const auto& [key, g] : groups) EXPECT_LE(g.mape, key.ends_with("decode") ? 10.0 : 15.0) << key;
  EXPECT_EQ(groups["llama.cpp-metal decode"].rows, 64);
  EXPECT_EQ(groups["mlx prefill"].rows, 31);
}

// The llama.cpp CPU engine on Apple chips, on every published row (data/calibration/
// llamacpp_cpu_apple.csv). It does not meet the 10% decode bar: the CPU cores of an M2 Max reach
// about 120 GB/s and those of an M4 Max 250+, which one fraction of DRAM cannot both fit
// (docs/accuracy.md). These bounds are the shipped fit's, so a regression fails. The prefill bound
// also holds the Q6_K rows of PR #18888: before they were in the fit, Q6_K prefill took the 0.25
// FLOP/weight floor and was predicted 3.7-4.1x too fast, which alone lifts this MAPE above 60%.
TEST(ValidatePublishedTest, AppleCpuEngineOnThePublishedRows) {
  const auto r = Invoke({"validate", "published", kCalibration + "llamacpp_cpu_apple.csv", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const Json& row : Json::parse(r.out)) EXPECT_EQ(row["engine"], "llama.cpp-cpu");
  std::map<std::string, GroupError> groups = ErrorByPhase(r.out);
  EXPECT_EQ(groups["decode"].rows, 42);
  EXPECT_EQ(groups["prefill"].rows, 11);
  EXPECT_LE(groups["decode"].mape, 18.5);
  EXPECT_LE(groups["prefill"].mape, 12.5);
}

// A Mac's CPU cores: more threads decode faster up to the memory roof, the Metal engine is
// faster at prefill, and the reference kernel (an x86 build) refuses an Apple chip.
TEST(PredictCommandTest, AMacsCpuCoresWithLlamaCppCpu) {
  auto decode = [](const std::string& threads) {
    const auto r = Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_0", "--chip", "m2-max-38c", "--engine",
                           "llama.cpp-cpu", "--threads", threads, "--format", "json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return Json::parse(r.out)[0];
  };
  const Json two = decode("2");
  const Json eight = decode("8");
  EXPECT_GT(eight["decode_tps"].get<double>(), 1.5 * two["decode_tps"].get<double>());
  EXPECT_GT(eight["prefill_tps"].get<double>(), 3.0 * two["prefill_tps"].get<double>());
  const auto metal = Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_0", "--chip", "m2-max-38c", "--format", "json"});
  ASSERT_EQ(metal.status, 0) << metal.err;
  EXPECT_GT(Json::parse(metal.out)[0]["prefill_tps"].get<double>(), 3.0 * eight["prefill_tps"].get<double>());

  const auto reference = Invoke({"predict", "--model", "llama-3.1-8b", "--quant", "Q4_0", "--chip", "m2-max-38c",
                                 "--engine", "reference"});
  EXPECT_EQ(reference.status, 2);
  EXPECT_NE(reference.err.find("--engine llama.cpp-cpu"), std::string::npos) << reference.err;
}

// Rows the engines never saw (data/calibration/llamacpp_metal_heldout.csv: M3 Ultra, M4, M4 Pro,
// M4 Max, M5, M2/M1 Ultra, and 3B-70B models, on builds newer than the calibration's) stay within
// the same bar.
TEST(ValidatePublishedTest, HeldOutMetalRowsOnNewerChipsMeetTheBar) {
  const auto r = Invoke({"validate", "published", kCalibration + "llamacpp_metal_heldout.csv", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::map<std::string, GroupError> groups = ErrorByPhase(r.out);
  EXPECT_EQ(groups["decode"].rows, 26);
  EXPECT_EQ(groups["prefill"].rows, 27);
  EXPECT_LE(groups["decode"].mape, 10.0);
  EXPECT_LE(groups["prefill"].mape, 15.0);
}

// llama.cpp's Metal matmuls use M5's per-core matrix units (Metal 4 tensor API): an M5 prefills
// far faster than an M4 with the same GPU core count, and decodes about as fast per GB/s.
TEST(PredictCommandTest, LlamaCppMetalPrefillUsesTheM5MatrixUnits) {
  auto row = [](const std::string& chip) {
    const auto r = Invoke({"predict", "--model", "llama-2-7b", "--quant", "Q4_0", "--chip", chip, "--format", "json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return Json::parse(r.out)[0];
  };
  const Json m4 = row("m4-10c");
  const Json m5 = row("m5-10c");
  EXPECT_GT(m5["prefill_tps"].get<double>(), 2.5 * m4["prefill_tps"].get<double>());
  EXPECT_LT(m5["decode_tps"].get<double>(), 1.5 * m4["decode_tps"].get<double>());
}

double Mape(const std::string& json) {
  double sum = 0;
  int n = 0;
  for (const Json& row : Json::parse(json)) {
    sum += std::abs(row["error_pct"].get<double>());
    ++n;
  }
  return n > 0 ? sum / n : 1e9;
}

// calibrate reproduces a shipped engine from its data: the refitted engine, used as an overlay,
// predicts the rows as well as the shipped one.
void ExpectRefitReproducesTheShippedEngine(const std::string& csv_name, const std::string& engine_file) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("siliconsim_calibrate_test_" + engine_file);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "engines");
  const std::string csv = kCalibration + csv_name;
  const auto r = Invoke({"calibrate", csv, "--save-engines", (dir / "engines").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(dir / "engines" / engine_file));
  const auto shipped = Invoke({"validate", "published", csv, "--format", "json"});
  const auto refit = Invoke({"validate", "published", csv, "--format", "json", "--data", dir.string()});
  ASSERT_EQ(shipped.status, 0) << shipped.err;
  ASSERT_EQ(refit.status, 0) << refit.err;
  EXPECT_NEAR(Mape(refit.out), Mape(shipped.out), 0.5);
  std::filesystem::remove_all(dir);
}

TEST(CalibrateCommandTest, RefitReproducesTheShippedEngine) {
  ExpectRefitReproducesTheShippedEngine("llamacpp_metal_llama2_7b.csv", "llama_cpp_metal.yaml");
}

TEST(CalibrateCommandTest, RefitReproducesTheShippedAppleCpuEngine) {
  ExpectRefitReproducesTheShippedEngine("llamacpp_cpu_apple.csv", "llama_cpp_cpu.yaml");
}

TEST(CalibrateCommandTest, AMeasurementOfAnUnknownChipNamesItsRow) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "siliconsim_bad_rows.csv";
  {
    std::ofstream out(file);
    out << "chip,gpu_cores,bw_gbs,model,quant,pp512_tps,tg128_tps,source\n"
           "M9 Hyper,99,100,llama-2-7b,Q4_0,100,10,test\n";
  }
  const auto r = Invoke({"calibrate", file.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("M9 Hyper"), std::string::npos) << r.err;
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace siliconsim
