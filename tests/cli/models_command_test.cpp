// `siliconsim models`, `models show` and `import hf` end to end through RunCli.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli_test_util.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;
using cli_test::ExpectGolden;
using cli_test::Invoke;
using cli_test::ReadFile;
using cli_test::Result;
const std::string kConfigs = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/";

TEST(ModelsCommandTest, JsonListsEveryModelWithCountsAndKvBytes) {
  const Result r = Invoke({"models", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j.size(), 40u);
  for (const auto& m : j) {
    EXPECT_EQ(m["schema_version"], 1);
    EXPECT_GT(m["total_params"].get<int64_t>(), 0) << m["id"];
    EXPECT_GT(m["active_params"].get<int64_t>(), 0) << m["id"];
    EXPECT_LE(m["active_params"].get<int64_t>(), m["total_params"].get<int64_t>()) << m["id"];
    EXPECT_GE(m["kv_bytes_per_token"].get<int64_t>(), 0) << m["id"];
  }
}

TEST(ModelsCommandTest, ShowByAliasGivesThePerLayerTable) {
  const Result r = Invoke({"models", "show", "Qwen/Qwen3-Next-80B-A3B-Instruct"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("0-2     linear     moe"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3       full       moe"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total 79674391296 params"), std::string::npos) << r.out;
}

TEST(ModelsCommandTest, UnknownModelExitsTwoWithASuggestion) {
  const Result r = Invoke({"models", "show", "llama-3.1-8"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'llama-3.1-8b'?"), std::string::npos) << r.err;
}

class ImportHfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test and process: ctest runs the tests of this fixture in parallel.
    dir_ = fs::path(::testing::TempDir()) /
           ("import_hf_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data" / "models");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ImportHfTest, WrittenYamlLoadsAsAnOverlayAndKeepsTheCounts) {
  const fs::path out = dir_ / "data" / "models" / "mine.yaml";
  Result r = Invoke({"import", "hf", kConfigs + "qwen3-30b-a3b.json", "--id", "my-qwen", "--alias", "me/my-qwen",
                     "--published-total", "30532122624", "--published-source", "test", "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");  // the declared count agrees with the shapes: no warning
  r = Invoke({"models", "show", "me/my-qwen", "--format", "json", "--data", (dir_ / "data").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["id"], "my-qwen");
  EXPECT_EQ(j[0]["total_params"], 30532122624);
}

TEST_F(ImportHfTest, BadConfigExitsTwoAndWritesNothing) {
  const fs::path config = dir_ / "config.json";
  std::ofstream(config) << R"({"model_type": "llama", "hidden_size": "big"})";
  const fs::path out = dir_ / "out.yaml";
  const Result r = Invoke({"import", "hf", config.string(), "-o", out.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, config.string() + ": error: hidden_size: expected an integer, got \"big\"\n");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace siliconsim
