#include "model/gguf_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "common/diagnostics.h"
#include "tests/model/gguf_test_writer.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;
namespace gt = gguf_test;

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

GgufHeader Parse(const std::vector<uint8_t>& bytes) { return ParseGgufHeader(bytes, "input"); }

// The message of the InputError parsing `bytes` throws, or "" if it throws none.
std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  try {
    Parse(bytes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The diagnostic of the InputError parsing `bytes` throws; a test failure if none.
Diagnostic DiagnosticOf(const std::vector<uint8_t>& bytes) {
  try {
    Parse(bytes);
  } catch (const InputError& e) {
    return e.diagnostic();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

std::vector<uint8_t> Bytes(const gt::Spec& spec) { return gt::Build(spec).bytes; }

// A file with one of everything, small enough to cut at every byte.
gt::Spec SmallValidSpec() {
  gt::Spec spec;
  spec.metadata = {
      {"general.architecture", gt::Str("llama")},
      {"general.alignment", gt::U32(32)},
      {"llama.block_count", gt::U32(2)},
      {"llama.rope.freq_base", gt::F32(10000.0f)},
      {"tokenizer.ggml.add_bos_token", gt::Bool(true)},
      {"tokenizer.ggml.tokens", gt::StringArray({"<s>", "a", "bc"})},
      {"nested", gt::Array(gt::kArray, {gt::Array(gt::kI16, {gt::I16(-1), gt::I16(2)})})},
  };
  spec.tensors = {{"token_embd.weight", {32, 2}, gt::kTypeQ4_0}, {"output_norm.weight", {32}, gt::kTypeF32}};
  return spec;
}

// ---- round trips ---------------------------------------------------------------------------------

TEST(GgufReaderTest, RoundTripsEveryMetadataType) {
  std::vector<std::string> tokens;
  std::vector<gt::Value> scores;
  for (int i = 0; i < 1000; ++i) {
    tokens.push_back(fmt::format("tok{}", i));
    scores.push_back(gt::F32(static_cast<float>(i)));
  }
  gt::Spec spec;
  spec.metadata = {
      {"general.architecture", gt::Str("llama")},
      {"u8", gt::U8(255)},
      {"i8", gt::I8(-128)},
      {"u16", gt::U16(65535)},
      {"i16", gt::I16(-32768)},
      {"u32", gt::U32(4'000'000'000u)},
      {"i32", gt::I32(-2'000'000'000)},
      {"u64", gt::U64(kU64Max)},
      {"i64", gt::I64(std::numeric_limits<int64_t>::min())},
      {"f32", gt::F32(0.1f)},
      {"f64", gt::F64(3.141592653589793)},
      {"yes", gt::Bool(true)},
      {"no", gt::Bool(false)},
      {"empty", gt::Str("")},
      {"utf8", gt::Str("h\xc3\xa9llo\n")},
      {"u32s", gt::Array(gt::kU32, {gt::U32(1), gt::U32(2), gt::U32(3)})},
      {"strings", gt::StringArray({"a", "bc", ""})},
      {"bools", gt::Array(gt::kBool, {gt::Bool(true), gt::Bool(false)})},
      {"nested", gt::Array(gt::kArray, {gt::Array(gt::kI16, {gt::I16(-1), gt::I16(2)}), gt::Array(gt::kI16, {})})},
      {"tokenizer.ggml.tokens", gt::StringArray(tokens)},
      {"tokenizer.ggml.scores", gt::Array(gt::kF32, scores)},
  };
  const GgufHeader h = Parse(Bytes(spec));

  EXPECT_EQ(h.version, 3u);
  EXPECT_EQ(h.metadata_count, spec.metadata.size());
  ASSERT_EQ(h.metadata.size(), spec.metadata.size());
  for (size_t i = 0; i < spec.metadata.size(); ++i) {
    EXPECT_EQ(h.metadata[i].first, spec.metadata[i].first);
    EXPECT_EQ(static_cast<uint32_t>(h.metadata[i].second.type), spec.metadata[i].second.type) << i;
  }
  EXPECT_EQ(h.GetString("general.architecture"), "llama");
  EXPECT_EQ(h.GetInt("u8"), 255);
  EXPECT_EQ(h.GetInt("i8"), -128);
  EXPECT_EQ(h.GetInt("u16"), 65535);
  EXPECT_EQ(h.GetInt("i16"), -32768);
  EXPECT_EQ(h.GetInt("u32"), 4'000'000'000);
  EXPECT_EQ(h.GetInt("i32"), -2'000'000'000);
  EXPECT_EQ(h.GetInt("u64"), std::nullopt);  // does not fit int64; the value is still there
  EXPECT_EQ(std::get<uint64_t>(h.Find("u64")->scalar), kU64Max);
  EXPECT_EQ(h.GetInt("i64"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(h.GetFloat("f32"), static_cast<double>(0.1f));
  EXPECT_EQ(h.GetFloat("f64"), 3.141592653589793);
  EXPECT_EQ(h.GetBool("yes"), true);
  EXPECT_EQ(h.GetBool("no"), false);
  EXPECT_EQ(h.GetString("empty"), "");
  EXPECT_EQ(h.GetString("utf8"), "h\xc3\xa9llo\n");

  // Getters are typed: no silent conversions, and missing keys are empty.
  EXPECT_EQ(h.GetInt("general.architecture"), std::nullopt);
  EXPECT_EQ(h.GetFloat("u32"), std::nullopt);
  EXPECT_EQ(h.GetBool("u8"), std::nullopt);
  EXPECT_EQ(h.GetString("missing"), std::nullopt);
  EXPECT_EQ(h.Find("missing"), nullptr);

  const GgufValue* u32s = h.Find("u32s");
  ASSERT_NE(u32s, nullptr);
  EXPECT_TRUE(u32s->is_array());
  EXPECT_EQ(u32s->element_type, GgufValueType::kUint32);
  EXPECT_EQ(u32s->count, 3u);
  ASSERT_TRUE(u32s->elements_stored);
  ASSERT_EQ(u32s->elements.size(), 3u);
  EXPECT_EQ(u32s->elements[2].AsInt(), 3);

  const GgufValue* strings = h.Find("strings");
  ASSERT_EQ(strings->elements.size(), 3u);
  EXPECT_EQ(strings->elements[0].AsString(), "a");
  EXPECT_EQ(strings->elements[1].AsString(), "bc");
  EXPECT_EQ(strings->elements[2].AsString(), "");

  const GgufValue* bools = h.Find("bools");
  ASSERT_EQ(bools->elements.size(), 2u);
  EXPECT_EQ(bools->elements[0].AsBool(), true);
  EXPECT_EQ(bools->elements[1].AsBool(), false);

  const GgufValue* nested = h.Find("nested");
  EXPECT_EQ(nested->element_type, GgufValueType::kArray);
  ASSERT_EQ(nested->elements.size(), 2u);
  EXPECT_EQ(nested->elements[0].element_type, GgufValueType::kInt16);
  ASSERT_EQ(nested->elements[0].elements.size(), 2u);
  EXPECT_EQ(nested->elements[0].elements[0].AsInt(), -1);
  EXPECT_EQ(nested->elements[0].elements[1].AsInt(), 2);
  EXPECT_EQ(nested->elements[1].count, 0u);
  EXPECT_TRUE(nested->elements[1].elements.empty());

  // Long arrays are counted, not stored.
  const GgufValue* vocab = h.Find("tokenizer.ggml.tokens");
  EXPECT_EQ(vocab->element_type, GgufValueType::kString);
  EXPECT_EQ(h.GetArrayCount("tokenizer.ggml.tokens"), 1000u);
  EXPECT_FALSE(vocab->elements_stored);
  EXPECT_TRUE(vocab->elements.empty());
  EXPECT_EQ(h.GetArrayCount("tokenizer.ggml.scores"), 1000u);
  EXPECT_EQ(h.GetArrayCount("u8"), std::nullopt);
  EXPECT_TRUE(h.tensors.empty());
}

TEST(GgufReaderTest, ReadsTensorRecordsAndComputesTheirBytes) {
  gt::Spec spec;
  spec.metadata = {{"general.architecture", gt::Str("llama")}};
  spec.tensors = {
      {"token_embd.weight", {64, 3}, gt::kTypeF32},     {"blk.0.attn_norm.weight", {128, 2}, gt::kTypeF16},
      {"blk.0.attn_q.weight", {64, 4}, gt::kTypeQ4_0},  {"blk.0.ffn_down_exps.weight", {32, 2, 3}, gt::kTypeQ8_0},
      {"blk.0.attn_k.weight", {256, 2}, gt::kTypeQ4_K}, {"blk.0.ffn_up_exps.weight", {64, 2, 4}, gt::kTypeMXFP4},
  };
  const gt::Built b = gt::Build(spec);
  const GgufHeader h = Parse(b.bytes);

  const std::vector<std::string> type_names = {"F32", "F16", "Q4_0", "Q8_0", "Q4_K", "MXFP4"};
  const std::vector<int> type_ids = {0, 1, 2, 8, 12, 39};
  const std::vector<int64_t> elements = {192, 256, 256, 192, 512, 512};
  // 192 × 4; 256 × 2; 8 blocks × 18; 6 blocks × 34; 2 blocks × 144; 16 blocks × 17.
  const std::vector<int64_t> bytes = {768, 512, 144, 204, 288, 272};

  EXPECT_EQ(h.tensor_count, 6u);
  ASSERT_EQ(h.tensors.size(), 6u);
  for (size_t i = 0; i < h.tensors.size(); ++i) {
    const GgufTensorRecord& t = h.tensors[i];
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.name, spec.tensors[i].name);
    ASSERT_EQ(t.dims.size(), spec.tensors[i].dims.size());
    for (size_t d = 0; d < t.dims.size(); ++d) EXPECT_EQ(static_cast<uint64_t>(t.dims[d]), spec.tensors[i].dims[d]);
    EXPECT_EQ(t.type_id, type_ids[i]);
    ASSERT_TRUE(t.type.has_value());
    EXPECT_EQ(t.type->name, type_names[i]);
    EXPECT_EQ(t.elements, elements[i]);
    EXPECT_EQ(t.bytes, bytes[i]);
    EXPECT_EQ(t.offset, b.tensor_offsets[i]);
    EXPECT_EQ(t.offset % 32, 0u);
  }
  EXPECT_EQ(h.alignment, 32u);
  EXPECT_EQ(h.data_offset, b.data_offset);
  EXPECT_EQ(h.data_offset % 32, 0u);
  EXPECT_GE(h.data_offset, b.header_end);
  EXPECT_LT(h.data_offset - b.header_end, 32u);
  EXPECT_EQ(h.file_size_bytes, b.bytes.size());
  EXPECT_EQ(h.FindTensor("blk.0.attn_k.weight"), &h.tensors[4]);
  EXPECT_EQ(h.FindTensor("nope"), nullptr);
}

TEST(GgufReaderTest, CustomAlignmentMovesTheDataStartAndOffsets) {
  gt::Spec spec;
  spec.metadata = {{"general.alignment", gt::U32(256)}};
  spec.tensors = {{"a", {3}, gt::kTypeF32}, {"b", {5}, gt::kTypeF16}, {"c", {32}, gt::kTypeQ8_0}};
  const gt::Built b = gt::Build(spec);
  ASSERT_EQ(b.alignment, 256u);
  const GgufHeader h = Parse(b.bytes);
  EXPECT_EQ(h.alignment, 256u);
  EXPECT_EQ(h.data_offset, 256u);  // the header is under 256 bytes
  EXPECT_EQ(h.data_offset, b.data_offset);
  ASSERT_EQ(h.tensors.size(), 3u);
  EXPECT_EQ(h.tensors[0].offset, 0u);
  EXPECT_EQ(h.tensors[1].offset, 256u);
  EXPECT_EQ(h.tensors[2].offset, 512u);
}

TEST(GgufReaderTest, UnknownTensorTypeIsRecordedWithoutASize) {
  gt::Spec spec;
  spec.tensors = {{"future.weight", {64, 64}, 1234, std::nullopt, 100}, {"b", {4}, gt::kTypeF32}};
  const GgufHeader h = Parse(Bytes(spec));
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].type_id, 1234);
  EXPECT_FALSE(h.tensors[0].type.has_value());
  EXPECT_FALSE(h.tensors[0].bytes.has_value());
  EXPECT_EQ(h.tensors[0].elements, 4096);
  EXPECT_EQ(h.tensors[1].bytes, 16);
}

TEST(GgufReaderTest, ReadsVersion2) {
  gt::Spec spec = SmallValidSpec();
  spec.version = 2;
  EXPECT_EQ(Parse(Bytes(spec)).version, 2u);
}

TEST(GgufReaderTest, PrefixWithDeclaredFileSize) {
  const gt::Built b = gt::Build(SmallValidSpec());
  const std::vector<uint8_t> prefix(b.bytes.begin(), b.bytes.begin() + static_cast<std::ptrdiff_t>(b.data_offset));
  const GgufHeader h = ParseGgufHeader(prefix, "input", b.bytes.size());
  EXPECT_EQ(h.file_size_bytes, b.bytes.size());
  EXPECT_EQ(h.tensors.size(), 2u);
  // Without the declared size the prefix is the whole file, and the tensor data is missing.
  EXPECT_NE(ErrorOf(prefix).find("runs past the end of the"), std::string::npos);
  // A prefix that stops inside the header says so.
  const std::vector<uint8_t> shorter(b.bytes.begin(), b.bytes.begin() + 20);
  try {
    ParseGgufHeader(shorter, "input", b.bytes.size());
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "input: error: metadata_kv_count: truncated: metadata_kv_count needs 8 bytes but only 4 are left in "
              "the 20 bytes given (at byte 0x10)");
  }
}

// ---- files on disk ----------------------------------------------------------------------------------

void WriteFile(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good());
}

void ExpectSameHeader(const GgufHeader& a, const GgufHeader& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.alignment, b.alignment);
  EXPECT_EQ(a.data_offset, b.data_offset);
  EXPECT_EQ(a.file_size_bytes, b.file_size_bytes);
  ASSERT_EQ(a.metadata.size(), b.metadata.size());
  for (size_t i = 0; i < a.metadata.size(); ++i) {
    EXPECT_EQ(a.metadata[i].first, b.metadata[i].first);
    EXPECT_EQ(a.metadata[i].second.scalar, b.metadata[i].second.scalar);
    EXPECT_EQ(a.metadata[i].second.count, b.metadata[i].second.count);
  }
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(a.tensors[i].name, b.tensors[i].name);
    EXPECT_EQ(a.tensors[i].dims, b.tensors[i].dims);
    EXPECT_EQ(a.tensors[i].offset, b.tensors[i].offset);
    EXPECT_EQ(a.tensors[i].bytes, b.tensors[i].bytes);
  }
}

TEST(GgufReaderTest, ReadsAFileOnDiskAcrossManyChunks) {
  // A 200,000-token vocabulary (about 4 MB of strings, so reads cross many 1 MiB chunks and
  // strings straddle chunk edges) and 2 MB of tensor data.
  std::vector<std::string> tokens;
  for (int i = 0; i < 200'000; ++i) tokens.push_back(fmt::format("token_{}", i));
  gt::Spec spec;
  spec.metadata = {{"general.architecture", gt::Str("llama")},
                   {"tokenizer.ggml.tokens", gt::StringArray(tokens)},
                   {"general.name", gt::Str("after the vocabulary")}};
  spec.tensors = {{"token_embd.weight", {1024, 512}, gt::kTypeF32}, {"output_norm.weight", {1024}, gt::kTypeF32}};
  const gt::Built b = gt::Build(spec);
  const fs::path path = fs::path(::testing::TempDir()) / "siliconsim_gguf_reader_chunks.gguf";
  WriteFile(path, b.bytes);

  const GgufHeader h = ReadGgufHeader(path.string());
  fs::remove(path);
  EXPECT_EQ(h.GetArrayCount("tokenizer.ggml.tokens"), 200'000u);
  EXPECT_EQ(h.GetString("general.name"), "after the vocabulary");
  EXPECT_EQ(h.file_size_bytes, b.bytes.size());
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].bytes, 1024 * 512 * 4);
  ExpectSameHeader(h, Parse(b.bytes));
}

TEST(GgufReaderTest, ReadsOnlyTheHeaderOfAMultiGigabyteFile) {
  // A sparse 2.6 GiB file: reading its data would take seconds and gigabytes; the header is read.
  gt::Spec spec;
  spec.metadata = {{"general.architecture", gt::Str("llama")}};
  spec.tensors = {{"token_embd.weight", {4096, 262'144}, gt::kTypeF16},  // 2 GiB
                  {"output.weight", {4096, 262'144}, gt::kTypeQ4_K}};    // 576 MiB
  spec.write_data = false;
  const gt::Built b = gt::Build(spec);
  const uint64_t file_size = b.data_offset + b.tensor_offsets[1] + b.tensor_bytes[1];
  const fs::path path = fs::path(::testing::TempDir()) / "siliconsim_gguf_reader_sparse.gguf";
  WriteFile(path, b.bytes);
  fs::resize_file(path, file_size);

  const GgufHeader h = ReadGgufHeader(path.string());
  fs::remove(path);
  EXPECT_EQ(h.file_size_bytes, file_size);
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].bytes, int64_t{2} << 30);
  EXPECT_EQ(h.tensors[1].bytes, int64_t{576} << 20);
  EXPECT_EQ(h.tensors[1].offset, uint64_t{2} << 30);
}

TEST(GgufReaderTest, MissingFileAndDirectoryAreInputErrors) {
  const std::string missing = (fs::path(::testing::TempDir()) / "siliconsim_no_such.gguf").string();
  try {
    ReadGgufHeader(missing);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().location.file, missing);
    EXPECT_EQ(e.diagnostic().message, "no such file");
  }
  try {
    ReadGgufHeader(::testing::TempDir());
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().message, "not a regular file");
  }
}

TEST(GgufReaderTest, FileErrorsNameThePath) {
  gt::Spec spec = SmallValidSpec();
  spec.version = 1;
  const fs::path path = fs::path(::testing::TempDir()) / "siliconsim_gguf_reader_v1.gguf";
  WriteFile(path, Bytes(spec));
  try {
    ReadGgufHeader(path.string());
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().location.file, path.string());
    EXPECT_EQ(e.diagnostic().key_path, "version");
  }
  fs::remove(path);
}

// ---- hostile files -------------------------------------------------------------------------------

TEST(GgufHostileTest, BadMagic) {
  gt::Spec spec = SmallValidSpec();
  spec.magic = 0x4c4d4747;  // "GGML"
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: magic: not a GGUF file: it starts with 'GGML', not 'GGUF' (at byte 0x0)");
  EXPECT_EQ(ErrorOf({0x7f, 'E', 'L', 'F', 2, 1}),
            "input: error: magic: not a GGUF file: it starts with '\\x7fELF', not 'GGUF' (at byte 0x0)");
  EXPECT_EQ(ErrorOf({}), "input: error: magic: not a GGUF file: the file is only 0 bytes long (at byte 0x0)");
}

TEST(GgufHostileTest, Version1IsRefused) {
  gt::Spec spec = SmallValidSpec();
  spec.version = 1;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: version: GGUF version 1 (32-bit counts) is not supported; only versions 2 and 3 are "
            "(at byte 0x4)");
}

TEST(GgufHostileTest, Version99IsRefused) {
  gt::Spec spec = SmallValidSpec();
  spec.version = 99;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: version: GGUF version 99 is not supported; only versions 2 and 3 are (at byte 0x4)");
}

TEST(GgufHostileTest, BigEndianFileIsRecognised) {
  gt::Spec spec = SmallValidSpec();
  spec.version = 0x03000000;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: version: version 50331648 reads as 3 byte-swapped: a big-endian GGUF file, which is not "
            "supported (at byte 0x4)");
}

TEST(GgufHostileTest, EveryTruncationIsAnInputError) {
  const std::vector<uint8_t> bytes = Bytes(SmallValidSpec());
  ASSERT_NO_THROW(Parse(bytes));
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(ErrorOf(prefix), "") << "prefix of " << n << " bytes";
  }
}

TEST(GgufHostileTest, TruncationMessageSaysWhatWasBeingRead) {
  gt::Spec spec;
  spec.metadata = {{"tokenizer.ggml.tokens", gt::StringArray({"<s>", "hello"})}};
  std::vector<uint8_t> bytes = Bytes(spec);
  bytes.resize(bytes.size() - 3);
  EXPECT_EQ(ErrorOf(bytes),
            "input: error: metadata[0] 'tokenizer.ggml.tokens'[1]: string length 5 exceeds the 2 bytes left in the "
            "file (at byte 0x50)");
  bytes.resize(bytes.size() - 4);
  EXPECT_EQ(ErrorOf(bytes),
            "input: error: metadata[0] 'tokenizer.ggml.tokens'[1]: truncated: a string length needs 8 bytes but only "
            "6 are left in the file (at byte 0x50)");
}

TEST(GgufHostileTest, MutatedBytesNeverCrash) {
  const std::vector<uint8_t> bytes = Bytes(SmallValidSpec());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const int value : {0x00, 0x01, 0x05, 0x09, 0x7f, 0x80, 0xff}) {
      std::vector<uint8_t> mutated = bytes;
      mutated[i] = static_cast<uint8_t>(value);
      try {
        Parse(mutated);
      } catch (const InputError&) {
        // Expected for most mutations; anything else propagates and fails the test.
      }
    }
  }
}

TEST(GgufHostileTest, HugeStringLength) {
  gt::Spec spec;
  spec.metadata = {{"general.name", gt::Raw(gt::kString, gt::ByteWriter{}.U64(kU64Max).data)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'general.name': string length 18446744073709551615 exceeds the 0 bytes left "
            "in the file (at byte 0x30)");

  // Inside a vocabulary, with bytes still left after it.
  spec.metadata = {{"tokenizer.ggml.tokens",
                    gt::RawArray(gt::kString, 3, gt::ByteWriter{}.Str("a").Str("b").U64(1'000'000).U64(0).data)},
                   {"general.name", gt::Str("x")}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'tokenizer.ggml.tokens'[2]: string length 1000000 exceeds the 41 bytes left "
            "in the file (at byte 0x57)");
}

TEST(GgufHostileTest, HugeArrayCount) {
  gt::Spec spec;
  spec.metadata = {{"tokenizer.ggml.scores", gt::RawArray(gt::kF32, uint64_t{1} << 62)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'tokenizer.ggml.scores': array count 4611686018427387904 of float32 elements "
            "(4 bytes each) exceeds the 0 bytes left in the file (at byte 0x3d)");
  spec.metadata = {{"tokenizer.ggml.tokens", gt::RawArray(gt::kString, kU64Max, {0, 0, 0, 0, 0, 0, 0, 0})}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'tokenizer.ggml.tokens': array count 18446744073709551615 of string elements "
            "(at least 8 bytes each) exceeds the 8 bytes left in the file (at byte 0x3d)");
  spec.metadata = {{"x", gt::RawArray(gt::kArray, 1000, std::vector<uint8_t>(100, 0))}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'x': array count 1000 of array elements (at least 12 bytes each) exceeds the "
            "100 bytes left in the file (at byte 0x29)");
}

TEST(GgufHostileTest, HugeTensorCount) {
  gt::Spec spec = SmallValidSpec();
  spec.tensor_count = uint64_t{1} << 60;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: tensor_count: tensor_count 1152921504606846976 exceeds the limit of 1000000 tensors "
            "(at byte 0x8)");
  spec.tensor_count = 1'000'000;
  const std::vector<uint8_t> bytes = Bytes(spec);
  EXPECT_EQ(ErrorOf(bytes), fmt::format("input: error: tensor_count: tensor_count 1000000 needs at least 32000000 "
                                        "bytes of tensor infos but only {} are left in the file (at byte 0x8)",
                                        bytes.size() - 24));
}

TEST(GgufHostileTest, HugeCountsFailFastWithoutAllocating) {
  // 2^60 tensors or pairs would need exabytes if anything were sized from the count; the
  // parse must fail on the count itself, at once, with an InputError (not std::bad_alloc).
  gt::Spec spec;
  spec.tensor_count = uint64_t{1} << 60;
  spec.metadata_count = uint64_t{1} << 60;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(Parse(Bytes(spec)), InputError);
  spec.tensor_count = 0;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata_kv_count: metadata_kv_count 1152921504606846976 exceeds the limit of 65536 "
            "key/value pairs (at byte 0x10)");
  spec.metadata_count = 10;
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata_kv_count: metadata_kv_count 10 with tensor_count 0 needs at least 130 bytes but "
            "only 0 are left in the file (at byte 0x10)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

gt::Spec OneTensor(gt::Tensor t) {
  gt::Spec spec;
  spec.tensors = {std::move(t)};
  spec.write_data = false;
  return spec;
}

TEST(GgufHostileTest, FiveDimsAreRefused) {
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"blk.0.attn_q.weight", {1, 1, 1, 1, 1}}))),
            "input: error: tensors[0] 'blk.0.attn_q.weight'.n_dims: n_dims 5 is not between 1 and 4 (at byte 0x33)");
  // A record without dims is shorter than the 32-byte minimum; pad the file so n_dims is reached.
  std::vector<uint8_t> no_dims = Bytes(OneTensor({"a", {}}));
  no_dims.resize(no_dims.size() + 8);
  EXPECT_EQ(ErrorOf(no_dims), "input: error: tensors[0] 'a'.n_dims: n_dims 0 is not between 1 and 4 (at byte 0x21)");
}

TEST(GgufHostileTest, ZeroDimIsRefused) {
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {4, 0}}))),
            "input: error: tensors[0] 'a'.dims[1]: dim is 0; every dim must be at least 1 (at byte 0x2d)");
}

TEST(GgufHostileTest, DimsWhoseProductOverflowsAreRefused) {
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {uint64_t{1} << 32, uint64_t{1} << 32}}))),
            "input: error: tensors[0] 'a'.dims[1]: element count 4294967296 × 4294967296 overflows int64 "
            "(at byte 0x2d)");
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {uint64_t{1} << 63}}))),
            "input: error: tensors[0] 'a'.dims[0]: dim 9223372036854775808 does not fit int64 (at byte 0x25)");
  // The element count fits but the byte count does not.
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {uint64_t{1} << 31, uint64_t{1} << 31}, gt::kTypeF32}))),
            "input: error: tensors[0] 'a'.type: 4611686018427387904 elements of F32 take more than 2^63 bytes "
            "(at byte 0x35)");
}

TEST(GgufHostileTest, RowsMustBeWholeBlocks) {
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {33, 2}, gt::kTypeQ4_0}))),
            "input: error: tensors[0] 'a'.type: row length dims[0] = 33 is not a multiple of the 32-element Q4_0 "
            "block (at byte 0x35)");
}

TEST(GgufHostileTest, TensorDataBeyondEndOfFile) {
  gt::Spec spec;
  spec.tensors = {{"a", {4}, gt::kTypeF32}, {"output.weight", {8}, gt::kTypeF32}};
  const gt::Built b = gt::Build(spec);
  std::vector<uint8_t> bytes = b.bytes;
  bytes.pop_back();
  EXPECT_EQ(ErrorOf(bytes),
            fmt::format("input: error: tensors[1] 'output.weight'.offset: tensor data [{:#x}, {:#x}) (32 bytes of F32 "
                        "at data start {:#x} + offset 0x20) runs past the end of the {}-byte file (at byte {:#x})",
                        b.data_offset + 32, b.data_offset + 64, b.data_offset, bytes.size(),
                        b.tensor_info_at[1] + 8 + 13 + 4 + 8 + 4));

  // An offset so large that data start + offset + size overflows 64 bits.
  gt::Spec far = OneTensor({"a", {4}, gt::kTypeF32, kU64Max - 31});
  EXPECT_EQ(ErrorOf(Bytes(far)),
            "input: error: tensors[0] 'a'.offset: offset 18446744073709551584 puts the tensor data beyond the end of "
            "the 57-byte file (at byte 0x31)");

  // A tensor of unknown type must at least start inside the file.
  gt::Spec unknown = OneTensor({"a", {4}, 1234, 1024});
  EXPECT_EQ(ErrorOf(Bytes(unknown)),
            "input: error: tensors[0] 'a'.offset: tensor data starts at byte 0x440 (data start 0x40 + offset 0x400), "
            "past the end of the 57-byte file (at byte 0x31)");
}

TEST(GgufHostileTest, MisalignedOffset) {
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"a", {4}, gt::kTypeF32, 16}))),
            "input: error: tensors[0] 'a'.offset: offset 16 (0x10) is not a multiple of the alignment 32 "
            "(at byte 0x31)");
}

TEST(GgufHostileTest, DuplicateTensorName) {
  gt::Spec spec;
  spec.tensors = {{"a", {4}, gt::kTypeF32}, {"b", {4}, gt::kTypeF32}, {"a", {4}, gt::kTypeF32}};
  const gt::Built b = gt::Build(spec);
  EXPECT_EQ(ErrorOf(b.bytes), fmt::format("input: error: tensors[2] 'a': duplicate tensor name (first at tensors[0]) "
                                          "(at byte {:#x})",
                                          b.tensor_info_at[2]));
}

TEST(GgufHostileTest, DuplicateKey) {
  gt::Spec spec;
  spec.metadata = {{"general.name", gt::Str("a")}, {"general.name", gt::Str("b")}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[1] 'general.name': duplicate key (first at metadata[0]) (at byte 0x39)");
}

TEST(GgufHostileTest, BadBool) {
  gt::Spec spec;
  spec.metadata = {{"x", gt::Raw(gt::kBool, {2})}};
  EXPECT_EQ(ErrorOf(Bytes(spec)), "input: error: metadata[0] 'x': bool value 2 is not 0 or 1 (at byte 0x25)");
  // Also in a long array whose elements are not kept.
  std::vector<uint8_t> elements(100, 1);
  elements[99] = 0xff;
  spec.metadata = {{"x", gt::RawArray(gt::kBool, 100, elements)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)), "input: error: metadata[0] 'x'[99]: bool value 255 is not 0 or 1 (at byte 0x94)");
}

TEST(GgufHostileTest, UnknownMetadataValueType) {
  gt::Spec spec;
  spec.metadata = {{"x", gt::Raw(13, {0, 0, 0, 0})}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'x': unknown value type 13; GGUF value types are 0 to 12 (at byte 0x21)");
  spec.metadata = {{"x", gt::RawArray(0xffffffff, 1, {0, 0, 0, 0})}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'x': unknown array element type 4294967295; GGUF value types are 0 to 12 "
            "(at byte 0x25)");
}

TEST(GgufHostileTest, AlignmentMustBeANonZeroPowerOfTwo) {
  for (uint32_t alignment : {0u, 3u, 96u}) {
    gt::Spec spec = SmallValidSpec();
    spec.metadata = {{"general.alignment", gt::U32(alignment)}};
    EXPECT_EQ(ErrorOf(Bytes(spec)),
              fmt::format("input: error: metadata[0] 'general.alignment': alignment {} is not a non-zero power of "
                          "two (at byte 0x35)",
                          alignment));
  }
  gt::Spec spec = SmallValidSpec();
  spec.metadata = {{"general.alignment", gt::U64(64)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'general.alignment': general.alignment must be a uint32, not uint64 "
            "(at byte 0x31)");
}

TEST(GgufHostileTest, NestedArrayDepthExceeded) {
  gt::Spec spec;
  spec.metadata = {{"x", gt::Array(gt::kArray, {gt::Array(gt::kArray, {})})}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0] 'x'[0]: arrays nested more than 2 deep are not supported (at byte 0x31)");
}

TEST(GgufHostileTest, EmptyAndOverlongNames) {
  gt::Spec spec;
  spec.metadata = {{"", gt::U8(1)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)), "input: error: metadata[0]: the key is empty (at byte 0x18)");
  spec.metadata = {{std::string(70'000, 'k'), gt::U8(1)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            "input: error: metadata[0]: key length 70000 exceeds the limit of 65536 bytes (at byte 0x18)");
  EXPECT_EQ(ErrorOf(Bytes(OneTensor({"", {4}}))), "input: error: tensors[0]: the tensor name is empty (at byte 0x18)");
}

TEST(GgufHostileTest, NamesAreEscapedInMessages) {
  const Diagnostic d = DiagnosticOf(Bytes(OneTensor({"evil\n\x1b[31m'", {4, 0}})));
  EXPECT_EQ(d.location.file, "input");
  EXPECT_EQ(d.key_path, "tensors[0] 'evil\\x0a\\x1b[31m\\x27'.dims[1]");
}

TEST(GgufHostileTest, KeptStringsAreCapped) {
  const std::string big(33u << 20, 'x');  // two of these exceed the 64 MiB kept in memory
  gt::Spec spec;
  spec.metadata = {{"a", gt::Str(big)}, {"b", gt::Str(big)}};
  EXPECT_EQ(ErrorOf(Bytes(spec)),
            fmt::format("input: error: metadata[1] 'b': a 34603008-byte string would take the strings kept in memory "
                        "past the limit of 67108864 bytes (at byte {:#x})",
                        24 + (8 + 1 + 4 + 8 + big.size()) + 8 + 1 + 4));
}

TEST(GgufHostileTest, StoredArrayElementsAreCapped) {
  // 1,025 short arrays: the first 1,024 fill the 65,536 stored elements, the last is only counted.
  gt::Spec spec;
  std::vector<gt::Value> elements(64, gt::U8(7));
  for (int i = 0; i < 1025; ++i) spec.metadata.push_back({fmt::format("a{}", i), gt::Array(gt::kU8, elements)});
  const GgufHeader h = Parse(Bytes(spec));
  EXPECT_TRUE(h.metadata[1023].second.elements_stored);
  EXPECT_EQ(h.metadata[1023].second.elements.size(), 64u);
  EXPECT_FALSE(h.metadata[1024].second.elements_stored);
  EXPECT_EQ(h.metadata[1024].second.count, 64u);
}

}  // namespace
}  // namespace siliconsim
