// `siliconsim import gguf FILE` end to end through RunCli, on small GGUF files written by the
// test writer: exact summary numbers, per-type and per-tensor rows, goldens, and hostile files
// refused with the reader's message, exit status 2 and no output file.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "cli_test_util.h"
#include "common/diagnostics.h"
#include "model/gguf_reader.h"
#include "tests/model/gguf_test_writer.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;
using cli_test::ExpectGolden;
using cli_test::Invoke;
using cli_test::ReadFile;
using cli_test::Result;
namespace gt = gguf_test;


// A tiny model: two Q4_K matrices, one Q8_0 matrix and an F32 norm.
//   token_embd.weight      256 x 8  Q4_K  2048 elements  8 blocks x 144 = 1152 bytes  at 0
//   blk.0.attn_q.weight    256 x 4  Q4_K  1024 elements  4 blocks x 144 =  576 bytes  at 1152
//   blk.0.ffn_down.weight   64 x 4  Q8_0   256 elements  8 blocks x  34 =  272 bytes  at 1728
//   output_norm.weight     256      F32    256 elements  256 x 4        = 1024 bytes  at 2016 (2000 aligned to 32)
// Totals: 3584 elements, 3024 bytes; the tensor data runs to 2016 + 1024 = 3040.
gt::Spec TinySpec() {
  gt::Spec spec;
  spec.metadata = {
      {"general.architecture", gt::Str("llama")},
      {"general.name", gt::Str("Tiny Llama")},
      {"general.file_type", gt::U32(15)},
      {"llama.block_count", gt::U32(1)},
      {"tokenizer.ggml.tokens", gt::StringArray({"<s>", "a", "bc"})},
  };
  spec.tensors = {{"token_embd.weight", {256, 8}, gt::kTypeQ4_K},
                  {"blk.0.attn_q.weight", {256, 4}, gt::kTypeQ4_K},
                  {"blk.0.ffn_down.weight", {64, 4}, gt::kTypeQ8_0},
                  {"output_norm.weight", {256}, gt::kTypeF32}};
  return spec;
}

class ImportGgufTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("import_gguf_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  std::string Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }

  // The output with this test's directory shown as TMP, so goldens do not depend on it.
  std::string Relative(std::string text) const {
    const std::string prefix = dir_.string();
    for (size_t at; (at = text.find(prefix)) != std::string::npos;) text.replace(at, prefix.size(), "TMP");
    return text;
  }

  fs::path dir_;
};

TEST_F(ImportGgufTest, SummaryNumbersAreExact) {
  const gt::Built built = gt::Build(TinySpec());
  const std::string file = Write("tiny.gguf", built.bytes);
  const Result r = Invoke({"import", "gguf", file, "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 4u);  // the file, then Q4_K, F32, Q8_0 (largest first)

  const auto& f = rows[0];
  EXPECT_EQ(f["schema_version"], 1);
  EXPECT_EQ(f["kind"], "file");
  EXPECT_EQ(f["file"], file);
  EXPECT_EQ(f["architecture"], "llama");
  EXPECT_EQ(f["model_name"], "Tiny Llama");
  EXPECT_EQ(f["ftype"], 15);
  EXPECT_EQ(f["file_type"], "Q4_K_M");
  EXPECT_EQ(f["gguf_version"], 3);
  EXPECT_EQ(f["file_bytes"], built.bytes.size());
  EXPECT_EQ(f["header_bytes"], built.data_offset);
  EXPECT_EQ(f["tensor_data_bytes"], 3040);
  EXPECT_EQ(built.bytes.size(), built.data_offset + 3040);
  EXPECT_EQ(f["metadata_count"], 5);
  EXPECT_EQ(f["tensors"], 4);
  EXPECT_EQ(f["elements"], 3584);
  EXPECT_EQ(f["bytes"], 3024);
  EXPECT_DOUBLE_EQ(f["share"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(f["bits_per_weight"].get<double>(), 8.0 * 3024 / 3584);

  const struct {
    const char* type;
    int type_id, tensors, elements, bytes;
    double bits_per_weight;
  } expected[] = {{"Q4_K", 12, 2, 3072, 1728, 4.5}, {"F32", 0, 1, 256, 1024, 32.0}, {"Q8_0", 8, 1, 256, 272, 8.5}};
  for (size_t i = 0; i < std::size(expected); ++i) {
    const auto& row = rows[i + 1];
    EXPECT_EQ(row["kind"], "type");
    EXPECT_EQ(row["type"], expected[i].type);
    EXPECT_EQ(row["type_id"], expected[i].type_id);
    EXPECT_EQ(row["tensors"], expected[i].tensors);
    EXPECT_EQ(row["elements"], expected[i].elements);
    EXPECT_EQ(row["bytes"], expected[i].bytes);
    EXPECT_DOUBLE_EQ(row["share"].get<double>(), expected[i].bytes / 3024.0);
    EXPECT_DOUBLE_EQ(row["bits_per_weight"].get<double>(), expected[i].bits_per_weight);
  }
}

TEST_F(ImportGgufTest, TensorsFlagAddsOneRowPerTensor) {
  const gt::Built built = gt::Build(TinySpec());
  const std::string file = Write("tiny.gguf", built.bytes);
  const Result r = Invoke({"import", "gguf", file, "--tensors", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 1u + 3u + 4u);
  const auto& embd = rows[4];
  EXPECT_EQ(embd["kind"], "tensor");
  EXPECT_EQ(embd["name"], "token_embd.weight");
  EXPECT_EQ(embd["type"], "Q4_K");
  EXPECT_EQ(embd["dims"], nlohmann::json({256, 8}));
  EXPECT_EQ(embd["elements"], 2048);
  EXPECT_EQ(embd["bytes"], 1152);
  EXPECT_EQ(embd["offset_bytes"], 0);
  const auto& norm = rows[7];
  EXPECT_EQ(norm["name"], "output_norm.weight");
  EXPECT_EQ(norm["type"], "F32");
  EXPECT_EQ(norm["dims"], nlohmann::json({256}));
  EXPECT_EQ(norm["bytes"], 1024);
  EXPECT_EQ(norm["offset_bytes"], 2016);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(rows[4 + i]["offset_bytes"], built.tensor_offsets[i]);
}

TEST_F(ImportGgufTest, TableGolden) {
  const std::string file = Write("tiny.gguf", gt::Build(TinySpec()).bytes);
  const Result r = Invoke({"import", "gguf", file});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("import_gguf.table.txt", Relative(r.out));
}

TEST_F(ImportGgufTest, TensorsTableGolden) {
  const std::string file = Write("tiny.gguf", gt::Build(TinySpec()).bytes);
  const Result r = Invoke({"import", "gguf", file, "--tensors"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("import_gguf_tensors.table.txt", Relative(r.out));
}

TEST_F(ImportGgufTest, CsvGolden) {
  const std::string file = Write("tiny.gguf", gt::Build(TinySpec()).bytes);
  const Result r = Invoke({"import", "gguf", file, "--tensors", "--format", "csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectGolden("import_gguf_tensors.csv", Relative(r.out));
}

TEST_F(ImportGgufTest, OutputFileHoldsTheSameBytesAsStdout) {
  const std::string file = Write("tiny.gguf", gt::Build(TinySpec()).bytes);
  const fs::path out = dir_ / "tiny.json";
  const Result r = Invoke({"import", "gguf", file, "--format", "json", "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(out), Invoke({"import", "gguf", file, "--format", "json"}).out);
}

TEST_F(ImportGgufTest, MissingMetadataAndUnknownTypesAreNullNotGuessed) {
  gt::Spec spec;
  spec.tensors = {{"a.weight", {32}, gt::kTypeF16}, {"b.weight", {32}, 33, std::nullopt, 64}};  // 33: not a ggml type
  const std::string file = Write("odd.gguf", gt::Build(spec).bytes);
  const Result r = Invoke({"import", "gguf", file, "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0]["architecture"].is_null());
  EXPECT_TRUE(rows[0]["model_name"].is_null());
  EXPECT_TRUE(rows[0]["ftype"].is_null());
  EXPECT_TRUE(rows[0]["bytes"].is_null());
  EXPECT_EQ(rows[0]["elements"], 64);
  EXPECT_EQ(rows[1]["type"], "F16");
  EXPECT_EQ(rows[1]["bytes"], 64);
  EXPECT_DOUBLE_EQ(rows[1]["share"].get<double>(), 1.0);
  EXPECT_TRUE(rows[2]["type"].is_null());
  EXPECT_EQ(rows[2]["type_id"], 33);
  EXPECT_TRUE(rows[2]["bytes"].is_null());

  const Result table = Invoke({"import", "gguf", file});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("unknown type 33"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("architecture  unknown"), std::string::npos) << table.out;
}

TEST_F(ImportGgufTest, FileWithoutTensorsHasEmptyTotals) {
  gt::Spec spec;
  spec.metadata = {{"general.architecture", gt::Str("abc")}};  // the header ends off the 32-byte alignment
  const gt::Built built = gt::Build(spec);
  ASSERT_NE(built.header_end % 32, 0u);
  const std::string file = Write("empty.gguf", built.bytes);
  const Result r = Invoke({"import", "gguf", file, "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["tensors"], 0);
  EXPECT_EQ(rows[0]["bytes"], 0);
  EXPECT_EQ(rows[0]["tensor_data_bytes"], 0);
  EXPECT_TRUE(rows[0]["share"].is_null());
  EXPECT_TRUE(rows[0]["bits_per_weight"].is_null());
  EXPECT_EQ(Invoke({"import", "gguf", file}).status, 0);
}

// The reader's own message for a file, to compare the CLI's stderr with.
std::string ReaderError(const std::string& path) {
  try {
    ReadGgufHeader(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

struct Hostile {
  const char* what;
  std::vector<uint8_t> (*bytes)();
  const char* message;
};

class HostileGgufTest : public ImportGgufTest, public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostileGgufTest, ExitsTwoWithTheReadersMessageAndNoOutputFile) {
  const std::string file = Write("hostile.gguf", GetParam().bytes());
  const fs::path out = dir_ / "out.json";
  const Result r = Invoke({"import", "gguf", file, "--format", "json", "-o", out.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, ReaderError(file) + "\n");
  EXPECT_EQ(r.err.rfind(file + ": error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "hostile.gguf") << "stray file " << entry.path();
  }
}

std::vector<uint8_t> BadMagic() {
  gt::Spec spec = TinySpec();
  spec.magic = 0x4c4c4747;  // "GGLL"
  return gt::Build(spec).bytes;
}

std::vector<uint8_t> TruncatedHeader() {
  std::vector<uint8_t> bytes = gt::Build(TinySpec()).bytes;
  // erase, not resize: resize trips a GCC 12 -Wstringop-overflow false positive under ASan.
  bytes.erase(bytes.begin() + 100, bytes.end());
  return bytes;
}

std::vector<uint8_t> TruncatedTensorData() {
  std::vector<uint8_t> bytes = gt::Build(TinySpec()).bytes;
  bytes.pop_back();
  return bytes;
}

std::vector<uint8_t> HugeStringLength() {
  gt::Spec spec = TinySpec();
  spec.metadata[1].second = gt::Raw(gt::kString, gt::ByteWriter{}.U64(~0ull).data);  // general.name
  return gt::Build(spec).bytes;
}

INSTANTIATE_TEST_SUITE_P(
    ImportGguf, HostileGgufTest,
    ::testing::Values(Hostile{"bad_magic", BadMagic, "not a GGUF file: it starts with"},
                      Hostile{"truncated_header", TruncatedHeader, "truncated"},
                      Hostile{"truncated_tensor_data", TruncatedTensorData, "runs past the end"},
                      Hostile{"huge_string_length", HugeStringLength, "string length 18446744073709551615 exceeds"}),
    [](const ::testing::TestParamInfo<Hostile>& param_info) { return std::string(param_info.param.what); });

TEST_F(ImportGgufTest, MissingFileExitsTwo) {
  const Result r = Invoke({"import", "gguf", (dir_ / "nope.gguf").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("nope.gguf"), std::string::npos) << r.err;
}

TEST(ImportGgufCommandTest, BadUsageExitsTwoAndHelpExitsZero) {
  EXPECT_EQ(Invoke({"import", "gguf"}).status, 2);
  EXPECT_EQ(Invoke({"import"}).status, 2);
  EXPECT_EQ(Invoke({"import", "gguf", "x.gguf", "--format", "yaml"}).status, 2);
  EXPECT_EQ(Invoke({"import", "gguf", "x.gguf", "--tensor"}).status, 2);
  const Result help = Invoke({"import", "gguf", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("Worked example:"), std::string::npos);
  EXPECT_NE(help.out.find("--tensors"), std::string::npos);
}

}  // namespace
}  // namespace siliconsim
