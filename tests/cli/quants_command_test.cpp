// `siliconsim quants` end to end through RunCli: goldens per format, the JSON contract, --kind,
// overlays and exit statuses.
//
// The goldens run against the built-in quant database (data/quants/*.yaml) and the ggml block
// table (model/ggml_types.cpp). That data is stable, but when it changes on purpose, regenerate
// them with SILICONSIM_UPDATE_GOLDEN=1 (e.g.
// `SILICONSIM_UPDATE_GOLDEN=1 build/tests/siliconsim_tests --gtest_filter='Quants*'`) and review the diff.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "cli_test_util.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;
using cli_test::ExpectGolden;
using cli_test::Invoke;
using cli_test::ReadFile;
using cli_test::Result;


nlohmann::json ParseJson(const std::vector<std::string>& args) {
  const Result r = Invoke(args);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return nlohmann::json::parse(r.out);
}

const nlohmann::json* FindRow(const nlohmann::json& rows, const std::string& key, const nlohmann::json& value) {
  for (const auto& row : rows) {
    if (row.contains(key) && row[key] == value) return &row;
  }
  return nullptr;
}

TEST(QuantsCommandTest, TableGolden) {
  const Result r = Invoke({"quants"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ExpectGolden("quants.table.txt", r.out);
}

TEST(QuantsCommandTest, JsonGolden) {
  const Result r = Invoke({"quants", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("quants.json", r.out);
}

TEST(QuantsCommandTest, CsvGolden) {
  const Result r = Invoke({"quants", "--format", "csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("quants.csv", r.out);
}

TEST(QuantsCommandTest, BlocksTableGolden) {
  const Result r = Invoke({"quants", "--kind", "blocks"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("quants_blocks.table.txt", r.out);
}

TEST(QuantsCommandTest, JsonRowsHaveSchemaVersionKindAndUnitSuffixedKeys) {
  const auto rows = ParseJson({"quants", "--format", "json"});
  ASSERT_TRUE(rows.is_array());
  std::map<std::string, int> kinds;
  for (const auto& row : rows) {
    EXPECT_EQ(row["schema_version"], 1);
    const std::string kind = row["kind"];
    ++kinds[kind];
    if (kind == "gguf") {
      for (const char* key : {"id", "name", "ftype", "default_type", "bits_per_weight", "promoted_types"}) {
        EXPECT_TRUE(row.contains(key)) << key << " in " << row["id"];
      }
      EXPECT_GT(row["bits_per_weight"].get<double>(), 1.0) << row["id"];
    } else if (kind == "mlx") {
      for (const char* key : {"id", "bits", "group_size", "bits_per_weight", "high_bits", "bias_dtype"}) {
        EXPECT_TRUE(row.contains(key)) << key << " in " << row["id"];
      }
    } else if (kind == "kv") {
      EXPECT_GT(row["bytes_per_element"].get<double>(), 0.0) << row["id"];
      EXPECT_GE(row["block_elements"].get<int>(), 1) << row["id"];
    } else {
      ADD_FAILURE() << "unexpected kind " << kind;
    }
  }
  EXPECT_GE(kinds["gguf"], 33);
  EXPECT_GE(kinds["mlx"], 20);
  EXPECT_GE(kinds["kv"], 10);
  EXPECT_EQ(kinds.count("block"), 0u);  // blocks only with --kind blocks
}

TEST(QuantsCommandTest, JsonValuesComeFromTheDatabaseAndTheBlockTable) {
  const auto rows = ParseJson({"quants", "--format", "json"});
  const auto* q4km = FindRow(rows, "id", "q4_k_m");
  ASSERT_NE(q4km, nullptr);
  EXPECT_EQ((*q4km)["name"], "Q4_K_M");
  EXPECT_EQ((*q4km)["ftype"], 15);
  EXPECT_EQ((*q4km)["default_type"], "Q4_K");
  EXPECT_DOUBLE_EQ((*q4km)["bits_per_weight"].get<double>(), 4.5);  // 144 bytes per 256
  EXPECT_NE(std::find((*q4km)["promoted_types"].begin(), (*q4km)["promoted_types"].end(), "Q6_K"),
            (*q4km)["promoted_types"].end());

  const auto* q6k = FindRow(rows, "id", "q6_k");
  ASSERT_NE(q6k, nullptr);
  EXPECT_DOUBLE_EQ((*q6k)["bits_per_weight"].get<double>(), 6.5625);  // 210 bytes per 256

  const auto* mlx4 = FindRow(rows, "id", "mlx-4bit");
  ASSERT_NE(mlx4, nullptr);
  EXPECT_EQ((*mlx4)["kind"], "mlx");
  EXPECT_EQ((*mlx4)["bits"], 4);
  EXPECT_EQ((*mlx4)["group_size"], 64);
  EXPECT_DOUBLE_EQ((*mlx4)["bits_per_weight"].get<double>(), 4.5);  // 4 + (2 + 2) x 8 / 64
  EXPECT_TRUE((*mlx4)["high_bits"].is_null());

  const auto* mixed = FindRow(rows, "id", "mlx-mixed-3-6");
  ASSERT_NE(mixed, nullptr);
  EXPECT_EQ((*mixed)["high_bits"], 6);
  EXPECT_DOUBLE_EQ((*mixed)["high_bits_per_weight"].get<double>(), 6.5);

  const auto* mxfp4 = FindRow(rows, "id", "mlx-mxfp4");
  ASSERT_NE(mxfp4, nullptr);
  EXPECT_TRUE((*mxfp4)["bias_dtype"].is_null());
  EXPECT_DOUBLE_EQ((*mxfp4)["bits_per_weight"].get<double>(), 4.25);  // 4 + 8 / 32, no bias

  const auto* bf16 = FindRow(rows, "id", "mlx-bf16");
  ASSERT_NE(bf16, nullptr);
  EXPECT_TRUE((*bf16)["group_size"].is_null());
  EXPECT_DOUBLE_EQ((*bf16)["bits_per_weight"].get<double>(), 16.0);

  // KV types share ids with MLX recipes (`mlx-8bit`), so look them up among kind == kv.
  nlohmann::json kv = nlohmann::json::array();
  for (const auto& row : rows) {
    if (row["kind"] == "kv") kv.push_back(row);
  }
  const auto* q8 = FindRow(kv, "id", "q8_0");
  ASSERT_NE(q8, nullptr);
  EXPECT_EQ((*q8)["engine"], "llama.cpp");
  EXPECT_EQ((*q8)["ggml_type"], "Q8_0");
  EXPECT_DOUBLE_EQ((*q8)["bytes_per_element"].get<double>(), 34.0 / 32);
  EXPECT_EQ((*q8)["v_requires_flash_attention"], true);
  const auto* mlx_kv8 = FindRow(kv, "id", "mlx-8bit");
  ASSERT_NE(mlx_kv8, nullptr);
  EXPECT_EQ((*mlx_kv8)["engine"], "mlx");
  EXPECT_EQ((*mlx_kv8)["bits"], 8);
  EXPECT_DOUBLE_EQ((*mlx_kv8)["bytes_per_element"].get<double>(), 1.0 + 4.0 / 64);
}

TEST(QuantsCommandTest, KindSelectsOneTable) {
  for (const std::string kind : {"gguf", "mlx", "kv"}) {
    const auto rows = ParseJson({"quants", "--kind", kind, "--format", "json"});
    ASSERT_FALSE(rows.empty()) << kind;
    for (const auto& row : rows) EXPECT_EQ(row["kind"], kind);
  }
  const auto blocks = ParseJson({"quants", "--kind", "blocks", "--format", "json"});
  ASSERT_GE(blocks.size(), 30u);
  for (const auto& row : blocks) EXPECT_EQ(row["kind"], "block");
  const auto* q4k = FindRow(blocks, "type", "Q4_K");
  ASSERT_NE(q4k, nullptr);
  EXPECT_EQ((*q4k)["type_id"], 12);
  EXPECT_EQ((*q4k)["block_elements"], 256);
  EXPECT_EQ((*q4k)["block_bytes"], 144);
  EXPECT_DOUBLE_EQ((*q4k)["bits_per_weight"].get<double>(), 4.5);

  const Result csv = Invoke({"quants", "--kind", "blocks", "--format", "csv"});
  ASSERT_EQ(csv.status, 0);
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "kind,type,type_id,block_elements,block_bytes,bits_per_weight");
  EXPECT_NE(csv.out.find("\nblock,Q4_K,12,256,144,4.5\n"), std::string::npos);

  const Result table = Invoke({"quants", "--kind", "kv"});
  ASSERT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("KV-cache types"), std::string::npos);
  EXPECT_EQ(table.out.find("GGUF file types"), std::string::npos);
}

TEST(QuantsCommandTest, CsvHasTheUnionOfColumnsAndOneLinePerRow) {
  const Result csv = Invoke({"quants", "--format", "csv"});
  const auto rows = ParseJson({"quants", "--format", "json"});
  ASSERT_EQ(csv.status, 0);
  const std::string header = csv.out.substr(0, csv.out.find('\n'));
  EXPECT_EQ(header.rfind("kind,id,name,", 0), 0u) << header;
  for (const char* column : {"ftype", "bits_per_weight", "group_size", "bytes_per_element"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  EXPECT_EQ(header.find("schema_version"), std::string::npos);
  size_t lines = 0;
  for (char c : csv.out) lines += c == '\n';
  EXPECT_EQ(lines, rows.size() + 1);
}

TEST(QuantsCommandTest, BadFlagsExitTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"quants", "--kind", "awq"},
                                               {"quants", "--format", "xml"},
                                               {"quants", "Q4_K_M"},
                                               {"quants", "--kind"},
                                               {"quantz"}}) {
    const Result r = Invoke(args);
    EXPECT_EQ(r.status, 2) << args.back();
    EXPECT_EQ(r.out, "") << args.back();
    EXPECT_NE(r.err.find("siliconsim: error: "), std::string::npos) << r.err;
  }
}

TEST(QuantsCommandTest, HelpExitsZeroWithAWorkedExample) {
  const Result r = Invoke({"quants", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_NE(r.out.find("Worked example:"), std::string::npos);
  EXPECT_NE(r.out.find("--kind"), std::string::npos);
  EXPECT_NE(Invoke({"--help"}).out.find("quants"), std::string::npos);
}

class QuantsOverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("quants_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data" / "quants");
  }
  void WriteOverlay(const std::string& yaml) { std::ofstream(dir_ / "data" / "quants" / "extra.yaml") << yaml; }
  fs::path dir_;
};

constexpr const char* kExtraKv = R"(schema_version: 1
kv_cache_types:
  - id: q4_0-lab
    name: lab q4_0
    engine: llama.cpp
    ggml_type: {value: Q4_0, source: "test"}
    v_requires_flash_attention: {value: true, source: "test"}
)";

TEST_F(QuantsOverlayTest, DataDirectoriesAddEntries) {
  WriteOverlay(kExtraKv);
  const Result r = Invoke({"quants", "--kind", "kv", "--format", "json", "--data", (dir_ / "data").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  const auto* lab = FindRow(rows, "id", "q4_0-lab");
  ASSERT_NE(lab, nullptr);
  EXPECT_DOUBLE_EQ((*lab)["bytes_per_element"].get<double>(), 18.0 / 32);
  EXPECT_NE(FindRow(rows, "id", "f16"), nullptr);  // the built-ins are still there

  CliEnvironment env;
  env.data_path = (dir_ / "data").string();
  const Result only = Invoke({"quants", "--kind", "kv", "--format", "json", "--no-builtin-data"}, env);
  ASSERT_EQ(only.status, 0) << only.err;
  EXPECT_EQ(nlohmann::json::parse(only.out).size(), 1u);
}

TEST_F(QuantsOverlayTest, OutputFileHoldsTheSameBytesAsStdout) {
  const fs::path out = dir_ / "quants.csv";
  const Result r = Invoke({"quants", "--format", "csv", "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(out), Invoke({"quants", "--format", "csv"}).out);
}

TEST_F(QuantsOverlayTest, BrokenOverlayExitsTwoWithLocationAndNoOutputFile) {
  std::string yaml = kExtraKv;
  yaml.replace(yaml.find("ggml_type:"), 10, "ggml_typ:  ");
  WriteOverlay(yaml);
  const fs::path out = dir_ / "quants.json";
  const Result r = Invoke({"quants", "--format", "json", "--data", (dir_ / "data").string(), "-o", out.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  const std::string file = (dir_ / "data" / "quants" / "extra.yaml").string();
  EXPECT_EQ(r.err.rfind(file + ":6:5: error: kv_cache_types[0].ggml_typ: unknown key 'ggml_typ'", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace siliconsim
