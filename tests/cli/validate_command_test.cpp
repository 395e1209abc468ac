// `siliconsim validate --model M --quant Q`, driven in-process on this host with --quick: checks
// the pipeline (measure, fit, predict, run, compare), not the timings (docs/validation.md has those).

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

#include "cli/app.h"
#include "tests/cli/cli_test_util.h"

namespace siliconsim {
namespace {

using cli_test::Invoke;
using Json = nlohmann::json;

const std::string kTiny = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/../examples/models/tiny-llama-in-cache.yaml";

TEST(ValidateCommandTest, QuickRunPredictsAndMeasuresEveryModelAndFormat) {
  const auto r = Invoke({"validate", "--model", kTiny, "--quant", "Q8_0,Q4_0", "--prompt", "40", "--gen", "3",
                         "--threads", "2", "--quick", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  for (const Json& row : j) {
    EXPECT_EQ(row["model_id"], "tiny-llama-in-cache");
    EXPECT_EQ(row["threads"], 2);
    EXPECT_EQ(row["prompt_tokens"], 40);
    EXPECT_EQ(row["gen_tokens"], 3);
    // host_speed_*: the host's speed around the run against its typical calibration round;
    // *_at_run_memory_speed: the prediction with the DRAM bandwidth scaled by that (reported only).
    for (const char* key : {"measured_prefill_tps", "predicted_prefill_tps", "measured_decode_tps",
                            "predicted_decode_tps", "memory_bandwidth_gbs", "fma_gflops", "decode_ops_per_weight",
                            "host_speed_memory", "host_speed_compute", "predicted_prefill_tps_at_run_memory_speed",
                            "predicted_decode_tps_at_run_memory_speed"}) {
      ASSERT_TRUE(row[key].is_number()) << key;
      EXPECT_GT(row[key].get<double>(), 0) << key;
    }
    // The errors are what the two numbers say they are.
    EXPECT_NEAR(row["decode_error_pct"].get<double>(),
                100.0 * (row["predicted_decode_tps"].get<double>() / row["measured_decode_tps"].get<double>() - 1), 1e-6);
    EXPECT_TRUE(row["engine_fitted_on_host"].get<bool>());
    EXPECT_EQ(row["repeats"], 3);  // the default: the median of three passes, with their range
    for (const char* phase : {"prefill", "decode"}) {
      const double median = row[fmt::format("measured_{}_tps", phase)].get<double>();
      EXPECT_LE(row[fmt::format("measured_{}_tps_min", phase)].get<double>(), median) << phase;
      EXPECT_GE(row[fmt::format("measured_{}_tps_max", phase)].get<double>(), median) << phase;
    }
    // The format's DRAM calibration sets, the 2048-wide one among them, each with the fit's residual.
    ASSERT_TRUE(row["calibration_dram_sets"].is_array());
    ASSERT_EQ(row["calibration_dram_sets"].size(), 5u);
    bool has_2048 = false;
    for (const Json& set : row["calibration_dram_sets"]) {
      EXPECT_GT(set["measured_gbs"].get<double>(), 0);
      EXPECT_TRUE(set["fit_error_pct"].is_number());
      has_2048 = has_2048 || set["cols"] == 2048;
    }
    EXPECT_TRUE(has_2048);
    // The simulator plans the same bytes the kernel allocates (every matrix in one block type,
    // norms in F32).
    EXPECT_NEAR(row["predicted_weights_bytes"].get<double>(), row["weights_bytes"].get<double>(),
                1e-9 * row["weights_bytes"].get<double>());
  }
  EXPECT_EQ(j[0]["quant"], "Q8_0");
  EXPECT_EQ(j[1]["quant"], "Q4_0");
  EXPECT_GT(j[0]["weights_bytes"].get<double>(), j[1]["weights_bytes"].get<double>());
}

TEST(ValidateCommandTest, SaveEngineWritesAnEngineTheOtherCommandsAccept) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "siliconsim_validate_engine";
  std::filesystem::create_directories(dir / "engines");
  const std::string file = (dir / "engines" / "reference.yaml").string();
  const auto r = Invoke({"validate", "--model", kTiny, "--quant", "Q4_0", "--prompt", "8", "--gen", "2", "--quick",
                         "--save-engine", file});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto shown = Invoke({"engines", "show", "reference", "--data", dir.string()});
  ASSERT_EQ(shown.status, 0) << shown.err;
  EXPECT_NE(shown.out.find("siliconsim validate"), std::string::npos) << shown.out;
  std::filesystem::remove_all(dir);
}

TEST(ValidateCommandTest, RejectsWhatTheKernelCannotRunBeforeMeasuringAnything) {
  const auto moe = Invoke({"validate", "--model", "qwen3-30b-a3b", "--quant", "Q4_0"});
  EXPECT_EQ(moe.status, 2);
  EXPECT_NE(moe.err.find("reference kernel"), std::string::npos) << moe.err;
  const auto quant = Invoke({"validate", "--model", "llama-2-7b", "--quant", "Q4_K_M"});
  EXPECT_EQ(quant.status, 2);
  EXPECT_NE(quant.err.find("F32, F16, Q8_0 and Q4_0"), std::string::npos) << quant.err;
  const auto none = Invoke({"validate"});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("--model"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find("measuring"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace siliconsim
