#include "model/quant_loader.h"

#include <gtest/gtest.h>

#include "../test_util.h"

#include <string>

namespace siliconsim {
namespace {

// A valid file with one entry of each kind; tests replace one piece to break it in one way.
const std::string kValid = R"(schema_version: 1
gguf_file_types:
  - id: q4_k_m
    name: Q4_K_M
    aliases: [Q4_K]
    ftype: {value: 15, source: "llama.h"}
    default_type: {value: Q4_K, source: "llama-quant.cpp"}
    promoted_types: {value: [Q5_K, Q6_K, Q8_0], source: "llama-quant.cpp"}
    requires_imatrix: {value: false, source: "llama-quant.cpp"}
mlx_quants:
  - id: mlx-4bit
    name: "MLX affine 4-bit, group 64"
    mode: {value: affine, source: "mlx docs"}
    bits: {value: 4, source: "mlx-lm"}
    group_size: {value: 64, source: "mlx-lm"}
    scale_dtype: {value: bf16, source: "mlx-lm"}
    bias_dtype: {value: bf16, source: "mlx-lm"}
    unquantized_dtype: {value: bf16, source: "mlx-lm"}
    router_bits: {value: 8, source: "qwen3_moe.py"}
    router_group_size: {value: 64, source: "qwen3_moe.py"}
kv_cache_types:
  - id: q8_0
    name: q8_0
    engine: llama.cpp
    ggml_type: {value: Q8_0, source: "arg.cpp"}
    v_requires_flash_attention: {value: true, source: "llama-context.cpp"}
  - id: mlx-4bit
    name: "MLX 4-bit KV"
    engine: mlx
    bits: {value: 4, source: "generate.py"}
    group_size: {value: 64, source: "generate.py"}
    scale_dtype: {value: bf16, source: "cache.py"}
    v_requires_flash_attention: {value: false, source: "cache.py"}
)";

std::string Replace(const std::string& text, const std::string& from, const std::string& to) {
  return test::ReplaceOnce(text, from, to);
}

std::string LoadError(const std::string& text) {
  return test::ErrorOf([&] { LoadQuantsFromString(text, "quants.yaml"); });
}

TEST(QuantLoaderTest, ValidFileLoadsEveryKindWithSources) {
  Warnings warnings;
  const QuantTables t = LoadQuantsFromString(kValid, "quants.yaml", &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(t.gguf_file_types.size(), 1u);
  const GgufFileType& g = t.gguf_file_types[0];
  EXPECT_EQ(g.id, "q4_k_m");
  EXPECT_EQ(g.ftype.value, 15);
  EXPECT_EQ(g.ftype.source, "llama.h");
  EXPECT_EQ(g.default_type.value.name, "Q4_K");
  ASSERT_EQ(g.promoted_types.value.size(), 3u);
  EXPECT_EQ(g.promoted_types.value[1].name, "Q6_K");
  EXPECT_EQ(g.aliases, std::vector<std::string>{"Q4_K"});
  EXPECT_EQ(g.where.line, 3);
  ASSERT_EQ(t.mlx_quants.size(), 1u);
  const MlxQuant& m = t.mlx_quants[0];
  EXPECT_EQ(m.mode.value, MlxMode::kAffine);
  EXPECT_EQ(m.bits.value, 4);
  EXPECT_EQ(m.group_size.value, 64);
  EXPECT_DOUBLE_EQ(m.bytes_per_weight(4), 0.5 + 4.0 / 64);
  ASSERT_TRUE(m.router_bits.has_value());
  EXPECT_EQ(m.router_bits->value, 8);
  ASSERT_EQ(t.kv_cache_types.size(), 2u);
  EXPECT_DOUBLE_EQ(t.kv_cache_types[0].bytes_per_element(), 34.0 / 32);
  EXPECT_DOUBLE_EQ(t.kv_cache_types[1].bytes_per_element(), 0.5 + 4.0 / 64);
  EXPECT_EQ(t.kv_cache_types[1].block_elements(), 64);
}

TEST(QuantLoaderTest, MisspelledKeyIsRejectedWithASuggestion) {
  EXPECT_EQ(LoadError(Replace(kValid, "    default_type:", "    default_typ:")),
            "quants.yaml:7:5: error: gguf_file_types[0].default_typ: unknown key 'default_typ'; did you mean "
            "'default_type'?\n"
            "    7 |     default_typ: {value: Q4_K, source: \"llama-quant.cpp\"}\n"
            "      |     ^");
}

TEST(QuantLoaderTest, UnknownBlockTypeGetsASuggestion) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: Q4_K,", "{value: Q4_KK,")),
            "quants.yaml:7:27: error: gguf_file_types[0].default_type.value: unknown ggml type 'Q4_KK'; did you "
            "mean 'Q4_K'?\n"
            "    7 |     default_type: {value: Q4_KK, source: \"llama-quant.cpp\"}\n"
            "      |                           ^");
}

TEST(QuantLoaderTest, FactWithoutSourceIsRejected) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 15, source: \"llama.h\"}", "{value: 15}")),
            "quants.yaml:6:12: error: gguf_file_types[0].ftype.source: a known value needs a source\n"
            "    6 |     ftype: {value: 15}\n"
            "      |            ^");
}

TEST(QuantLoaderTest, FtypeNumberMustMatchTheNameLlamaCppGivesIt) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 15,", "{value: 14,")),
            "quants.yaml:6:20: error: gguf_file_types[0].ftype.value: llama_ftype 14 is Q4_K_S in llama.h, but "
            "this entry is named 'Q4_K_M'\n"
            "    6 |     ftype: {value: 14, source: \"llama.h\"}\n"
            "      |                    ^");
}

TEST(QuantLoaderTest, DefaultTypeIsNotAPromotion) {
  EXPECT_EQ(LoadError(Replace(kValid, "[Q5_K, Q6_K, Q8_0]", "[Q5_K, Q4_K]")),
            "quants.yaml:8:36: error: gguf_file_types[0].promoted_types.value[1]: Q4_K is the default type; list "
            "only the types the rules promote to\n"
            "    8 |     promoted_types: {value: [Q5_K, Q4_K], source: \"llama-quant.cpp\"}\n"
            "      |                                    ^");
}

TEST(QuantLoaderTest, DuplicateIdNamesTheFirstDefinition) {
  const std::string twice = Replace(kValid, "mlx_quants:\n  - id: mlx-4bit", "mlx_quants:\n  - id: q4_k_m");
  EXPECT_EQ(LoadError(twice),
            "quants.yaml:11:9: error: mlx_quants[0].id: duplicate id 'q4_k_m' (first defined at quants.yaml:3)\n"
            "   11 |   - id: q4_k_m\n"
            "      |         ^");
}

TEST(QuantLoaderTest, KvIdsAreTheirOwnNamespace) {
  // mlx-4bit is both an MLX weight recipe and an MLX KV type: no clash.
  EXPECT_EQ(LoadError(kValid), "");
}

TEST(QuantLoaderTest, AffineBitsOutsideMlxRangeAreRejected) {
  EXPECT_EQ(LoadError(Replace(kValid, "bits: {value: 4, source: \"mlx-lm\"}", "bits: {value: 7, source: \"mlx-lm\"}")),
            "quants.yaml:14:19: error: mlx_quants[0].bits.value: affine quantization takes 2, 3, 4, 5, 6 or 8 "
            "bits, got 7\n"
            "   14 |     bits: {value: 7, source: \"mlx-lm\"}\n"
            "      |                   ^");
}

TEST(QuantLoaderTest, UnknownModeGetsASuggestion) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: affine,", "{value: afine,")),
            "quants.yaml:13:19: error: mlx_quants[0].mode.value: 'afine' is not one of: affine, mxfp4, none (did "
            "you mean 'affine'?)\n"
            "   13 |     mode: {value: afine, source: \"mlx docs\"}\n"
            "      |                   ^");
}

TEST(QuantLoaderTest, RouterOverrideNeedsBothFields) {
  EXPECT_EQ(LoadError(Replace(kValid, "    router_group_size: {value: 64, source: \"qwen3_moe.py\"}\n", "")),
            "quants.yaml:11:5: error: mlx_quants[0].router_group_size: missing required field\n"
            "   11 |   - id: mlx-4bit\n"
            "      |     ^");
}

TEST(QuantLoaderTest, LlamaCppKvTypeRejectsMlxFields) {
  EXPECT_EQ(
      LoadError(Replace(kValid, "    ggml_type: {value: Q8_0, source: \"arg.cpp\"}\n",
                        "    ggml_type: {value: Q8_0, source: \"arg.cpp\"}\n    bits: {value: 8, source: \"x\"}\n")),
      "quants.yaml:26:5: error: kv_cache_types[0].bits: does not apply to llama.cpp cache types\n"
      "   26 |     bits: {value: 8, source: \"x\"}\n"
      "      |     ^");
}

TEST(QuantLoaderTest, SchemaVersionIsChecked) {
  EXPECT_EQ(LoadError(Replace(kValid, "schema_version: 1", "schema_version: 2")),
            "quants.yaml:1:17: error: schema_version: unsupported version 2; this build of siliconsim reads "
            "version 1\n"
            "    1 | schema_version: 2\n"
            "      |                 ^");
}

TEST(QuantLoaderTest, EmptyAndListlessFilesAreErrors) {
  EXPECT_EQ(LoadError("schema_version: 1\n"),
            "quants.yaml:1:1: error: expected at least one of gguf_file_types, mlx_quants, kv_cache_types\n"
            "    1 | schema_version: 1\n"
            "      | ^");
  EXPECT_NE(LoadError(""), "");
}

TEST(QuantLoaderTest, InputErrorCarriesTheStructuredDiagnostic) {
  try {
    LoadQuantsFromString(Replace(kValid, "{value: Q4_K,", "{value: Q4_KK,"), "quants.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().location.line, 7);
    EXPECT_EQ(e.diagnostic().key_path, "gguf_file_types[0].default_type.value");
  }
}

}  // namespace
}  // namespace siliconsim
