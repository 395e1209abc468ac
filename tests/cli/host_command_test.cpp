// `siliconsim host`: the probe prints in every format; `--measure --quick -o f.yaml` writes a
// chip file that ResolveChipArgument reads back. Timings are never asserted (shared machine).

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "common/data_sources.h"
#include "hardware/chip_db.h"

namespace siliconsim {
namespace {

using cli_test::Invoke;
using cli_test::ReadFile;

class HostCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("siliconsim_host_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(HostCommandTest, ProbePrintsTable) {
  const cli_test::Result r = Invoke({"host"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Host: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Cores:  "), std::string::npos);
  EXPECT_NE(r.out.find("Memory: "), std::string::npos);
  EXPECT_NE(r.out.find("SIMD:   "), std::string::npos);
}

TEST_F(HostCommandTest, ProbePrintsJsonAndCsv) {
  const cli_test::Result json = Invoke({"host", "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["schema_version"], 1);
  EXPECT_GE(j[0]["logical_threads"].get<int>(), 1);
  EXPECT_GT(j[0]["memory_bytes"].get<int64_t>(), 0);
  EXPECT_TRUE(j[0]["caches"].is_array());
  EXPECT_FALSE(j[0].contains("measurements"));

  const cli_test::Result csv = Invoke({"host", "--format", "csv"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_TRUE(csv.out.starts_with("os,arch,cpu_vendor,cpu_model,")) << csv.out;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2);
}

TEST_F(HostCommandTest, MeasureQuickWritesAChipFileThatLoadsBack) {
  const std::string path = (dir_ / "host.yaml").string();
  const cli_test::Result r = Invoke({"host", "--measure", "--quick", "-o", path});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Read bandwidth"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Peak f32 FMA"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("wrote " + path), std::string::npos) << r.err;
  const std::string yaml = ReadFile(path);
  EXPECT_NE(yaml.find("kind: cpu"), std::string::npos) << yaml;

  const ChipDatabase db = ChipDatabase::Load(DataSources{});
  Warnings warnings;
  const ChipSpec chip = ResolveChipArgument(db, path, std::nullopt, &warnings);
  EXPECT_TRUE(warnings.empty()) << (warnings.empty() ? "" : FormatDiagnostic(warnings[0]));
  EXPECT_EQ(chip.kind, ChipKind::kCpu);
  EXPECT_EQ(chip.confidence, Confidence::kLow);  // --quick
  ASSERT_TRUE(chip.memory_bandwidth_gbs.known());
  EXPECT_GT(*chip.memory_bandwidth_gbs.value, 0);
  EXPECT_NE(chip.memory_bandwidth_gbs.source.find("siliconsim host --measure --quick"), std::string::npos);
  ASSERT_TRUE(chip.cpu_fma_gflops.known());
  EXPECT_GT(*chip.cpu_fma_gflops.value, 0);
  ASSERT_TRUE(chip.cpu_threads.known());
  EXPECT_GE(*chip.cpu_threads.value, 1);
  ASSERT_TRUE(chip.memory_options_gb.known());
  int64_t previous = 0;
  for (const CacheLevel& c : chip.caches) {  // innermost first; no ordering of bandwidths asserted
    EXPECT_GT(c.size_bytes, previous) << c.name;
    previous = c.size_bytes;
    ASSERT_TRUE(c.read_bandwidth_gbs.has_value()) << c.name;
    EXPECT_GT(*c.read_bandwidth_gbs, 0) << c.name;
  }
}

TEST_F(HostCommandTest, MeasureQuickJsonAndCsv) {
  const cli_test::Result json = Invoke({"host", "--measure", "--quick", "--threads", "1", "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  const nlohmann::json& m = j[0]["measurements"];
  ASSERT_FALSE(m["bandwidth"].empty());
  for (const auto& b : m["bandwidth"]) {
    EXPECT_EQ(b["threads"], 1);
    EXPECT_GT(b["read_gbs"].get<double>(), 0);
  }
  EXPECT_EQ(m["bandwidth"].back()["level"], "DRAM");
  ASSERT_EQ(m["fma"].size(), 1u);
  EXPECT_GT(m["fma"][0]["fma_gflops"].get<double>(), 0);

  const cli_test::Result csv = Invoke({"host", "--measure", "--quick", "--threads", "1", "--format", "csv"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_TRUE(csv.out.starts_with("kind,level,working_set_bytes,threads,read_gbs,fma_gflops,kernel\n")) << csv.out;
  EXPECT_NE(csv.out.find("\nfma,"), std::string::npos);
}

TEST_F(HostCommandTest, RejectsBadCombinations) {
  const std::string path = (dir_ / "host.yaml").string();
  cli_test::Result r = Invoke({"host", "-o", path});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("needs --measure"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path));
  r = Invoke({"host", "--measure", "--threads", "0"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--threads must be at least 1"), std::string::npos) << r.err;
  r = Invoke({"host", "--quick"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("only apply with --measure"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace siliconsim
