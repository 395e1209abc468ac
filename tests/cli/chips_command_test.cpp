// `siliconsim chips` end to end through RunCli: golden output per format, exit statuses,
// and the guarantee that a failed command writes no output file.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

const std::string kTestData = std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata";

// The fixture database only: goldens must not change when the shipped data does.
std::vector<std::string> FixtureArgs(std::vector<std::string> args) {
  args.insert(args.end(), {"--no-builtin-data", "--data", kTestData});
  return args;
}

TEST(ChipsCommandTest, TableGolden) {
  const Result r = Invoke(FixtureArgs({"chips"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ExpectGolden("chips.table.txt", r.out);
}

TEST(ChipsCommandTest, JsonGolden) {
  const Result r = Invoke(FixtureArgs({"chips", "--format", "json"}));
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("chips.json", r.out);
}

TEST(ChipsCommandTest, CsvGolden) {
  const Result r = Invoke(FixtureArgs({"chips", "--format", "csv"}));
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("chips.csv", r.out);
}

TEST(ChipsCommandTest, ShowTableGolden) {
  const Result r = Invoke(FixtureArgs({"chips", "show", "M1 Max", "--gpu-cores", "24"}));
  ASSERT_EQ(r.status, 0) << r.err;
  // The fixture's absolute path differs per checkout; the golden holds it relative.
  std::string out = r.out;
  for (size_t at; (at = out.find(kTestData)) != std::string::npos;) out.replace(at, kTestData.size(), "TESTDATA");
  ExpectGolden("chips_show.table.txt", out);
}

TEST(ChipsCommandTest, ShowJsonCarriesSourcesPerFact) {
  const Result r = Invoke(FixtureArgs({"chips", "show", "m1-max-32c", "--format", "json"}));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "m1-max-32c");
  EXPECT_EQ(j[0]["schema_version"], 1);
  EXPECT_EQ(j[0]["gpu_cores"], 32);
  EXPECT_TRUE(j[0]["fp16_tflops"].is_null());
  EXPECT_EQ(j[0]["sources"]["fp16_tflops"]["note"], "not measured separately");
  EXPECT_EQ(j[0]["sources"]["memory_bandwidth_gbs"]["source"], "Apple newsroom 2021-10-18");
}

TEST(ChipsCommandTest, ShippedJsonListsEveryVariantWithUnitSuffixedKeys) {
  const Result r = Invoke({"chips", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j.size(), 34u);
  for (const auto& chip : j) {
    EXPECT_EQ(chip["schema_version"], 1);
    EXPECT_GT(chip["memory_bandwidth_gbs"].get<double>(), 0) << chip["id"];
    EXPECT_GT(chip["gpu_cores"].get<int>(), 0) << chip["id"];
    EXPECT_TRUE(chip["memory_options_gb"].is_array()) << chip["id"];
    EXPECT_TRUE(chip.contains("fp16_tflops")) << chip["id"];
  }
}

TEST(ChipsCommandTest, AmbiguousAndUnknownChipsExitTwo) {
  Result r = Invoke(FixtureArgs({"chips", "show", "m1max"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("is ambiguous: it names 2 variants"), std::string::npos) << r.err;
  r = Invoke(FixtureArgs({"chips", "show", "m1-maks-24c"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'm1-max-24c'?"), std::string::npos) << r.err;
}

TEST(ChipsCommandTest, BadFlagsExitTwo) {
  EXPECT_EQ(Invoke({"chips", "--format", "xml"}).status, 2);
  EXPECT_EQ(Invoke({"chipz"}).status, 2);
  EXPECT_EQ(Invoke({}).status, 2);
  EXPECT_EQ(Invoke({"chips", "show"}).status, 2);
}

TEST(ChipsCommandTest, HelpAndVersionExitZeroWithExamples) {
  Result r = Invoke({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  r = Invoke({"chips", "show", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("siliconsim chips show \"M4 Max\" --gpu-cores 32"), std::string::npos);
  r = Invoke({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("siliconsim "), std::string::npos);
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("out_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bad" / "chips");
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, SuccessWritesTheSameBytesAsStdout) {
  const fs::path out = dir_ / "chips.csv";
  const Result r = Invoke(FixtureArgs({"chips", "--format", "csv", "-o", out.string()}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(out), Invoke(FixtureArgs({"chips", "--format", "csv"})).out);
}

struct BadChip {
  const char* what;
  const char* from;
  const char* to;
  const char* expected_error;
};

class BadChipFileTest : public OutputFileTest, public ::testing::WithParamInterface<BadChip> {};

// A broken chip file: exit 2, the error names file, line and key, and no output file appears
// (an earlier good one is left as it was).
TEST_P(BadChipFileTest, RejectedWithLocationAndNoOutputFile) {
  std::string text = ReadFile(fs::path(kTestData) / "chips" / "fixture.yaml");
  const size_t at = text.find(GetParam().from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string(GetParam().from).size(), GetParam().to);
  const fs::path file = dir_ / "bad" / "chips" / "broken.yaml";
  std::ofstream(file) << text;

  const fs::path out = dir_ / "chips.json";
  const Result r = Invoke({"chips", "--data", (dir_ / "bad").string(), "--format", "json", "-o", out.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), file.string() + GetParam().expected_error);
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_TRUE(entry.is_directory()) << "stray file " << entry.path();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Chips, BadChipFileTest,
    ::testing::Values(
        BadChip{"misspelled_key", "    memory_bandwidth_gbs:  {value: 400", "    memory_bandwith_gbs:  {value: 400",
                ":16:5: error: chips[0].memory_bandwith_gbs: unknown key 'memory_bandwith_gbs'; did you mean "
                "'memory_bandwidth_gbs'?"},
        BadChip{"string_for_number", "gpu_cores:             {value: 24,", "gpu_cores:             {value: \"24\",",
                ":11:36: error: chips[0].gpu_cores.value: expected an integer, got the string \"24\""},
        BadChip{"negative_cores", "cpu_performance_cores: {value: 8,", "cpu_performance_cores: {value: -8,",
                ":9:36: error: chips[0].cpu_performance_cores.value: must be greater than zero, got -8"}),
    [](const ::testing::TestParamInfo<BadChip>& param_info) { return std::string(param_info.param.what); });

TEST(ChipsCommandTest, EnvironmentDataPathIsAnOverlay) {
  CliEnvironment env;
  env.data_path = kTestData;
  const Result r = Invoke({"chips", "show", "m1-max-24c", "--format", "json"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["sources"]["memory_bus_width_bits"]["source"], "AnandTech M1 Max review");
  EXPECT_NE(j[0]["sources"]["gpu_cores"]["defined_at"].get<std::string>().find("testdata/chips/fixture.yaml"),
            std::string::npos);
}

}  // namespace
}  // namespace siliconsim
