#include "model/model_loader.h"

#include <gtest/gtest.h>

#include "../test_util.h"

#include <set>

#include "model/hf_import.h"

namespace siliconsim {
namespace {

const std::string kConfigs = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/";

const ModelDatabase& Shipped() {
  static const ModelDatabase db = ModelDatabase::Load(DataSources{});
  return db;
}

std::string LoadError(const std::string& text) {
  return test::ErrorOf([&] { LoadModelsFromString(text, "m.yaml"); });
}

const std::string kDense = R"(schema_version: 1
models:
  - id: tiny
    name: Tiny
    family: llama
    source: "test"
    hidden_size: 64
    num_layers: 2
    vocab_size: 100
    tie_word_embeddings: false
    max_context_tokens: 1024
    attention: {num_heads: 4, num_kv_heads: 2, head_dim: 16}
    ffn: {intermediate_size: 128}
    layers:
      - {count: 2, attention: full, ffn: dense}
)";

std::string Replace(const std::string& text, const std::string& from, const std::string& to) {
  return test::ReplaceOnce(text, from, to);
}

TEST(ShippedModelsTest, FortyOrMoreModelsLoadWithoutWarnings) {
  EXPECT_GE(Shipped().models().size(), 40u);
  for (const Diagnostic& w : Shipped().warnings()) ADD_FAILURE() << FormatDiagnostic(w);
}

TEST(ShippedModelsTest, IdsAndAliasesAreUniqueAndEveryModelCarriesItsSource) {
  std::set<std::string> names;
  for (const ModelSpec& m : Shipped().models()) {
    EXPECT_TRUE(names.insert(m.id).second) << m.id;
    for (const std::string& a : m.aliases) EXPECT_TRUE(names.insert(a).second) << a;
    EXPECT_FALSE(m.source.empty()) << m.id;
  }
}

TEST(ShippedModelsTest, EveryAttentionAndFfnFamilyIsCovered) {
  std::set<AttentionKind> kinds;
  bool moe = false, shared = false, dense_first = false;
  for (const ModelSpec& m : Shipped().models()) {
    kinds.insert(m.layer_attention.begin(), m.layer_attention.end());
    moe = moe || m.moe.has_value();
    shared = shared || (m.moe && m.moe->num_shared_experts > 0);
    dense_first = dense_first || (m.moe && m.layer_ffn.front() == FfnKind::kDense);
  }
  EXPECT_TRUE(kinds.count(AttentionKind::kFull));
  EXPECT_TRUE(kinds.count(AttentionKind::kSliding));
  EXPECT_TRUE(kinds.count(AttentionKind::kLinear));
  EXPECT_TRUE(kinds.count(AttentionKind::kMla));
  EXPECT_TRUE(moe && shared && dense_first);
}

TEST(ModelDatabaseTest, ResolvesIdsAliasesAndConfigFiles) {
  EXPECT_EQ(Shipped().Resolve("qwen3-30b-a3b").id, "qwen3-30b-a3b");
  EXPECT_EQ(Shipped().Resolve("Qwen/Qwen3-30B-A3B-Instruct-2507").id, "qwen3-30b-a3b");
  EXPECT_EQ(Shipped().Resolve("meta-llama/llama-3.1-8b-instruct").id, "llama-3.1-8b");
  EXPECT_EQ(Shipped().Resolve(kConfigs + "gpt-oss-20b.json").num_layers, 24);
  try {
    Shipped().Resolve("qwen3-30b-a3");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'qwen3-30b-a3b'?"), std::string::npos) << e.what();
  }
}

// What `import hf` writes reads back to the same architecture, tensor for tensor.
TEST(ModelYamlTest, WriteThenLoadIsTheIdentityOnEveryShippedConfig) {
  for (const ModelSpec& m : Shipped().models()) {
    const std::vector<ModelSpec> again = LoadModelsFromString(WriteModelYaml(m), "roundtrip");
    ASSERT_EQ(again.size(), 1u);
    const TensorInventory a = BuildTensorInventory(m), b = BuildTensorInventory(again[0]);
    ASSERT_EQ(a.size(), b.size()) << m.id;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].name, b[i].name);
      EXPECT_EQ(a[i].ne, b[i].ne) << a[i].name;
    }
    EXPECT_EQ(again[0].layer_attention, m.layer_attention) << m.id;
  }
}

TEST(ModelYamlTest, EscapedControlCharactersSurviveTheRoundTrip) {
  // Found by fuzz_model_yaml: "\a" in a double-quoted source decodes to 0x07, which the writer
  // wrote raw and the loader (rightly) refused on the way back.
  const std::string text = Replace(kDense, "source: \"test\"", "source: \"bell \\a esc \\e tab \\t quote \\\" nl \\n\"");
  const std::vector<ModelSpec> m = LoadModelsFromString(text, "m.yaml");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].source, "bell \a esc \x1b tab \t quote \" nl \n");
  const std::vector<ModelSpec> again = LoadModelsFromString(WriteModelYaml(m[0]), "roundtrip");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].source, m[0].source);
}

TEST(ModelLoaderTest, MinimalDenseModelLoads) {
  const std::vector<ModelSpec> m = LoadModelsFromString(kDense, "m.yaml");
  ASSERT_EQ(m.size(), 1u);
  // embd 6400 + 2 x (norms 128 + q 4096 + k,v 2048 each + o 4096 + ffn 3 x 8192) + norm 64 + head 6400
  EXPECT_EQ(CountParams(BuildTensorInventory(m[0])).total, 6400 + 2 * (128 + 4096 + 2 * 2048 + 4096 + 24576) + 64 + 6400);
}

TEST(ModelLoaderTest, LayerRunsMustCoverEveryLayer) {
  EXPECT_EQ(LoadError(Replace(kDense, "{count: 2,", "{count: 3,")),
            "m.yaml:15:17: error: models[0].layers[0].count: the runs add up to more than num_layers (2)\n"
            "   15 |       - {count: 3, attention: full, ffn: dense}\n"
            "      |                 ^");
  EXPECT_EQ(LoadError(Replace(kDense, "{count: 2,", "{count: 1,")),
            "m.yaml:15:7: error: models[0].layers: the runs cover 1 layers but num_layers is 2\n"
            "   15 |       - {count: 1, attention: full, ffn: dense}\n"
            "      |       ^");
}

TEST(ModelLoaderTest, KindsNeedTheirSections) {
  EXPECT_EQ(LoadError(Replace(kDense, "attention: full, ffn: dense", "attention: sliding, ffn: dense")),
            "m.yaml:12:16: error: models[0].attention.sliding_window_tokens: sliding layers need a window\n"
            "   12 |     attention: {num_heads: 4, num_kv_heads: 2, head_dim: 16}\n"
            "      |                ^");
  EXPECT_NE(LoadError(Replace(kDense, "ffn: dense}", "ffn: moe}")).find("moe layers need a moe section"),
            std::string::npos);
  EXPECT_NE(LoadError(Replace(kDense, "attention: full,", "attention: mla,")).find("mla layers need an mla section"),
            std::string::npos);
}

TEST(ModelLoaderTest, BadValuesAreRejectedWithKeyPaths) {
  EXPECT_EQ(LoadError(Replace(kDense, "num_kv_heads: 2", "num_kv_heads: 3")),
            "m.yaml:12:45: error: models[0].attention.num_kv_heads: 3 does not divide num_heads 4\n"
            "   12 |     attention: {num_heads: 4, num_kv_heads: 3, head_dim: 16}\n"
            "      |                                             ^");
  EXPECT_NE(LoadError(Replace(kDense, "hidden_size: 64", "hidden_sise: 64")).find("did you mean 'hidden_size'?"),
            std::string::npos);
  EXPECT_NE(LoadError(Replace(kDense, "vocab_size: 100", "vocab_size: -100")).find("must be greater than zero"),
            std::string::npos);
  EXPECT_NE(LoadError(Replace(kDense, "attention: full", "attention: ful")).find("did you mean 'full'?"),
            std::string::npos);
}

TEST(ModelLoaderTest, DeclaredCountsFarFromTheShapesWarn) {
  Warnings warnings;
  LoadModelsFromString(kDense + "    published:\n      total_params: {value: 90000, source: \"test\"}\n", "m.yaml",
                       &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message, "published 90000 but the tensor shapes give 86848 (3.50% apart)");
}

// KV cache, hand-computed from the configs.
TEST(KvCacheTest, FullAttentionGrowsWithEveryToken) {
  const ModelSpec m = Shipped().Resolve("llama-3.1-8b");
  // 32 layers x (K + V) x 8 kv heads x 128 dims x 2 bytes (f16) = 131072 bytes per token.
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 1, 2.0), 131072.0);
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 32768, 2.0), 131072.0 * 32768);
}

TEST(KvCacheTest, SlidingLayersStopAtTheirWindow) {
  const ModelSpec m = Shipped().Resolve("gpt-oss-20b");
  const double per_layer_token = 2.0 * 8 * 64 * 2.0;  // K+V, 8 kv heads, head_dim 64, f16
  // 12 full layers hold all 4096 tokens; 12 sliding layers hold their 128-token window.
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 4096, 2.0), per_layer_token * (12 * 4096 + 12 * 128));
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 100, 2.0), per_layer_token * 24 * 100);
}

TEST(KvCacheTest, LinearLayersHoldAConstantState) {
  const ModelSpec m = Shipped().Resolve("qwen3-next-80b-a3b");
  // 36 Gated DeltaNet layers: 32 value heads x 128 x 128 recurrent state plus a 3-step conv
  // state over q, k (16 x 128 each) and v (32 x 128), all f32.
  const double state = 36.0 * (32 * 128 * 128 + 3 * (2 * 16 * 128 + 32 * 128)) * 4;
  const double full_per_token = 12.0 * 2 * 2 * 256 * 2.0;  // 12 full layers, 2 kv heads, head_dim 256
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 1000, 2.0), state + 1000 * full_per_token);
}

TEST(KvCacheTest, MlaCachesTheLatentAndTheRopeKey) {
  const ModelSpec m = Shipped().Resolve("deepseek-v3");
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 1, 2.0), 61.0 * (512 + 64) * 2.0);
}

}  // namespace
}  // namespace siliconsim
