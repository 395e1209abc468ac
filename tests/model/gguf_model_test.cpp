// GGUF header -> ModelSpec: small files written per architecture; the spec's tensor inventory
// must list exactly the tensors in the file, and a missing key is a clear error.

#include "model/gguf_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/model_loader.h"
#include "tests/model/gguf_test_writer.h"
#include "tests/test_util.h"

namespace siliconsim {
namespace {

namespace gt = gguf_test;
using test::ErrorOf;

// A file holding every tensor of `model`'s inventory (matrices Q8_0, vectors F32, both readable by
// the writer) under the metadata `kv`, with `arch` as general.architecture.
std::vector<uint8_t> WriteFile(const ModelSpec& model, const std::string& arch,
                               const std::vector<std::pair<std::string, gt::Value>>& kv) {
  gt::Spec spec;
  spec.metadata = kv;
  spec.metadata.insert(spec.metadata.begin(), {{"general.architecture", gt::Str(arch)},
                                               {"general.name", gt::Str("test model")}});
  for (const TensorInfo& t : BuildTensorInventory(model)) {
    std::vector<uint64_t> dims;
    for (int d = 0; d < t.n_dims; ++d) dims.push_back(static_cast<uint64_t>(t.ne[static_cast<size_t>(d)]));
    const bool matrix = t.n_dims >= 2 && t.ne[0] % 32 == 0;
    spec.tensors.emplace_back(t.name, dims, matrix ? gt::kTypeQ8_0 : gt::kTypeF32);
  }
  return gt::Build(spec).bytes;
}

GgufHeader Parse(const std::vector<uint8_t>& bytes) { return ParseGgufHeader(bytes, "model.gguf"); }

// The inventory rebuilt from the file's metadata names the file's tensors with the file's shapes.
void ExpectInventoryMatchesFile(const GgufHeader& h, const ModelSpec& m) {
  const TensorInventory inventory = BuildTensorInventory(m);
  ASSERT_EQ(inventory.size(), h.tensors.size());
  for (size_t i = 0; i < inventory.size(); ++i) {
    const TensorInfo& t = inventory[i];
    EXPECT_EQ(t.name, h.tensors[i].name);
    std::vector<int64_t> dims(t.ne.begin(), t.ne.begin() + t.n_dims);
    EXPECT_EQ(dims, h.tensors[i].dims) << t.name;
  }
}

MoeSpec Experts(int n, int k, int64_t f, int64_t shared = 0) {
  MoeSpec e;
  e.num_experts = n;
  e.experts_per_token = k;
  e.expert_intermediate_size = f;
  e.num_shared_experts = shared > 0 ? 1 : 0;
  e.shared_expert_intermediate_size = shared;
  return e;
}

ModelSpec LlamaShaped() {
  ModelSpec m;
  m.hidden_size = 64;
  m.num_layers = 3;
  m.vocab_size = 100;
  m.attention.num_heads = 4;
  m.attention.num_kv_heads = 2;
  m.attention.head_dim = 16;
  m.ffn.intermediate_size = 96;
  m.layer_attention.assign(3, AttentionKind::kFull);
  m.layer_ffn.assign(3, FfnKind::kDense);
  return m;
}

std::vector<std::pair<std::string, gt::Value>> LlamaKeys(const std::string& arch) {
  return {{arch + ".block_count", gt::U32(3)},
          {arch + ".context_length", gt::U32(4096)},
          {arch + ".embedding_length", gt::U32(64)},
          {arch + ".feed_forward_length", gt::U32(96)},
          {arch + ".attention.head_count", gt::U32(4)},
          {arch + ".attention.head_count_kv", gt::U32(2)}};
}

TEST(GgufModelTest, LlamaShapedFileGivesItsOwnInventory) {
  const GgufHeader h = Parse(WriteFile(LlamaShaped(), "llama", LlamaKeys("llama")));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  EXPECT_EQ(m.id, "model.gguf");
  EXPECT_EQ(m.name, "test model");
  EXPECT_EQ(m.family, "llama");
  EXPECT_EQ(m.hidden_size, 64);
  EXPECT_EQ(m.num_layers, 3);
  EXPECT_EQ(m.vocab_size, 100);  // from token_embd's shape
  EXPECT_EQ(m.max_context_tokens, 4096);
  EXPECT_EQ(m.attention.head_dim, 16);
  EXPECT_FALSE(m.tie_word_embeddings);
  EXPECT_FALSE(m.moe);
  ExpectInventoryMatchesFile(h, m);
}

TEST(GgufModelTest, TiedEmbeddingsAreAFileWithoutOutputWeight) {
  ModelSpec tied = LlamaShaped();
  tied.tie_word_embeddings = true;
  auto keys = LlamaKeys("qwen2");
  tied.attention.qkv_bias = true;
  const GgufHeader h = Parse(WriteFile(tied, "qwen2", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  EXPECT_TRUE(m.tie_word_embeddings);
  EXPECT_TRUE(m.attention.qkv_bias);
  ExpectInventoryMatchesFile(h, m);
}

TEST(GgufModelTest, MoeShapedFileGivesItsOwnInventory) {
  ModelSpec moe = LlamaShaped();
  moe.attention.qk_norm = true;
  moe.moe = Experts(8, 2, 32);
  moe.layer_ffn.assign(3, FfnKind::kMoe);
  auto keys = LlamaKeys("qwen3moe");
  keys.emplace_back("qwen3moe.expert_count", gt::U32(8));
  keys.emplace_back("qwen3moe.expert_used_count", gt::U32(2));
  keys.emplace_back("qwen3moe.expert_feed_forward_length", gt::U32(32));
  const GgufHeader h = Parse(WriteFile(moe, "qwen3moe", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  ASSERT_TRUE(m.moe);
  EXPECT_EQ(m.moe->num_experts, 8);
  EXPECT_EQ(m.moe->experts_per_token, 2);
  EXPECT_EQ(m.moe->expert_intermediate_size, 32);
  EXPECT_EQ(m.moe->num_shared_experts, 0);
  EXPECT_TRUE(m.attention.qk_norm);
  EXPECT_EQ(m.layer_ffn, std::vector<FfnKind>(3, FfnKind::kMoe));
  ExpectInventoryMatchesFile(h, m);
  const ParamCounts c = CountParams(BuildTensorInventory(m));
  EXPECT_LT(c.active, c.total);
}

TEST(GgufModelTest, Llama4HasChunkedLayersSharedExpertsAndInterleavedMoe) {
  ModelSpec l4 = LlamaShaped();
  l4.num_layers = 4;
  l4.moe = Experts(4, 1, 32, 32);
  l4.layer_attention.assign(4, AttentionKind::kFull);
  l4.layer_ffn = {FfnKind::kDense, FfnKind::kMoe, FfnKind::kDense, FfnKind::kMoe};
  std::vector<std::pair<std::string, gt::Value>> keys = LlamaKeys("llama4");
  keys[0].second = gt::U32(4);
  keys.emplace_back("llama4.expert_count", gt::U32(4));
  keys.emplace_back("llama4.expert_used_count", gt::U32(1));
  keys.emplace_back("llama4.expert_feed_forward_length", gt::U32(32));
  keys.emplace_back("llama4.interleave_moe_layer_step", gt::U32(2));
  const GgufHeader h = Parse(WriteFile(l4, "llama4", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  EXPECT_EQ(m.layer_attention, (std::vector<AttentionKind>{AttentionKind::kChunked, AttentionKind::kChunked,
                                                           AttentionKind::kChunked, AttentionKind::kFull}));
  EXPECT_EQ(m.attention.chunk_tokens, 8192);
  EXPECT_EQ(m.layer_ffn, l4.layer_ffn);
  ASSERT_TRUE(m.moe);
  EXPECT_EQ(m.moe->num_shared_experts, 1);
  EXPECT_EQ(m.moe->shared_expert_intermediate_size, 32);
  ExpectInventoryMatchesFile(h, m);
  EXPECT_EQ(LayerCacheShape(m, 0).max_tokens, 8192);
  EXPECT_FALSE(LayerCacheShape(m, 3).max_tokens);
}

TEST(GgufModelTest, Gemma3SlidesFiveLayersOfSixAndHasFourNorms) {
  ModelSpec g = LlamaShaped();
  g.num_layers = 7;
  g.norms_per_layer = 4;
  g.tie_word_embeddings = true;
  g.attention.qk_norm = true;
  g.layer_attention.assign(7, AttentionKind::kFull);
  g.layer_ffn.assign(7, FfnKind::kDense);
  auto keys = LlamaKeys("gemma3");
  keys[0].second = gt::U32(7);
  keys.emplace_back("gemma3.attention.sliding_window", gt::U32(512));
  const GgufHeader h = Parse(WriteFile(g, "gemma3", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  EXPECT_EQ(m.norms_per_layer, 4);
  EXPECT_EQ(m.attention.sliding_window_tokens, 512);
  EXPECT_EQ(m.layer_attention[4], AttentionKind::kSliding);
  EXPECT_EQ(m.layer_attention[5], AttentionKind::kFull);
  EXPECT_EQ(m.layer_attention[6], AttentionKind::kSliding);
  ExpectInventoryMatchesFile(h, m);
}

TEST(GgufModelTest, GptOssAlternatesSlidingLayersAndHasSinksAndBiases) {
  ModelSpec g = LlamaShaped();
  g.num_layers = 2;
  g.attention.qkv_bias = g.attention.output_bias = g.attention.sinks = true;
  g.moe = Experts(4, 2, 64);
  g.moe->router_bias = g.moe->expert_bias = true;
  g.ffn.intermediate_size = 0;
  g.layer_attention.assign(2, AttentionKind::kFull);
  g.layer_ffn.assign(2, FfnKind::kMoe);
  std::vector<std::pair<std::string, gt::Value>> keys = {
      {"gpt-oss.block_count", gt::U32(2)},         {"gpt-oss.context_length", gt::U32(131072)},
      {"gpt-oss.embedding_length", gt::U32(64)},   {"gpt-oss.attention.head_count", gt::U32(4)},
      {"gpt-oss.attention.head_count_kv", gt::U32(2)}, {"gpt-oss.attention.key_length", gt::U32(16)},
      {"gpt-oss.attention.value_length", gt::U32(16)}, {"gpt-oss.attention.sliding_window", gt::U32(128)},
      {"gpt-oss.expert_count", gt::U32(4)},        {"gpt-oss.expert_used_count", gt::U32(2)},
      {"gpt-oss.expert_feed_forward_length", gt::U32(64)}};
  const GgufHeader h = Parse(WriteFile(g, "gpt-oss", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  EXPECT_EQ(m.layer_attention, (std::vector<AttentionKind>{AttentionKind::kSliding, AttentionKind::kFull}));
  EXPECT_EQ(m.attention.sliding_window_tokens, 128);
  EXPECT_TRUE(m.attention.sinks);
  ASSERT_TRUE(m.moe);
  EXPECT_TRUE(m.moe->router_bias);
  EXPECT_TRUE(m.moe->expert_bias);
  ExpectInventoryMatchesFile(h, m);
}

TEST(GgufModelTest, DeepSeek2ReadsMlaAndLeadingDenseLayers) {
  ModelSpec d = LlamaShaped();
  d.num_layers = 2;
  MlaSpec mla;
  mla.q_lora_rank = 32;
  mla.kv_lora_rank = 32;
  mla.qk_nope_head_dim = 16;
  mla.qk_rope_head_dim = 8;
  mla.v_head_dim = 16;
  d.mla = mla;
  d.moe = Experts(4, 2, 32, 32);
  d.layer_attention.assign(2, AttentionKind::kMla);
  d.layer_ffn = {FfnKind::kDense, FfnKind::kMoe};
  auto keys = LlamaKeys("deepseek2");
  keys[0].second = gt::U32(2);
  keys.emplace_back("deepseek2.attention.q_lora_rank", gt::U32(32));
  keys.emplace_back("deepseek2.attention.kv_lora_rank", gt::U32(32));
  keys.emplace_back("deepseek2.attention.key_length", gt::U32(24));
  keys.emplace_back("deepseek2.attention.value_length", gt::U32(16));
  keys.emplace_back("deepseek2.rope.dimension_count", gt::U32(8));
  keys.emplace_back("deepseek2.expert_count", gt::U32(4));
  keys.emplace_back("deepseek2.expert_used_count", gt::U32(2));
  keys.emplace_back("deepseek2.expert_shared_count", gt::U32(1));
  keys.emplace_back("deepseek2.expert_feed_forward_length", gt::U32(32));
  const GgufHeader h = Parse(WriteFile(d, "deepseek2", keys));
  const ModelSpec m = ModelSpecFromGguf(h, "model.gguf");
  ASSERT_TRUE(m.mla);
  EXPECT_EQ(m.mla->qk_nope_head_dim, 16);
  EXPECT_EQ(m.mla->qk_rope_head_dim, 8);
  EXPECT_EQ(m.layer_ffn, d.layer_ffn);
  EXPECT_EQ(LayerCacheShape(m, 0).kv_elements_per_token, 32 + 8);
  ExpectInventoryMatchesFile(h, m);
}

TEST(GgufModelTest, Phi3IgnoresTheSlidingWindowAsLlamaCppDoes) {
  auto keys = LlamaKeys("phi3");
  keys.emplace_back("phi3.attention.sliding_window", gt::U32(2047));
  const ModelSpec m = ModelSpecFromGguf(Parse(WriteFile(LlamaShaped(), "phi3", keys)), "model.gguf");
  EXPECT_EQ(m.layer_attention, std::vector<AttentionKind>(3, AttentionKind::kFull));
  EXPECT_FALSE(m.attention.sliding_window_tokens);
}

TEST(GgufModelTest, UniformPerLayerArraysAreAcceptedAndMixedOnesRefused) {
  auto keys = LlamaKeys("llama");
  keys[5].second = gt::Array(gt::kU32, {gt::U32(2), gt::U32(2), gt::U32(2)});
  EXPECT_EQ(ModelSpecFromGguf(Parse(WriteFile(LlamaShaped(), "llama", keys)), "model.gguf").attention.num_kv_heads, 2);
  keys[5].second = gt::Array(gt::kU32, {gt::U32(2), gt::U32(4), gt::U32(2)});
  const GgufHeader h = Parse(WriteFile(LlamaShaped(), "llama", keys));
  EXPECT_EQ(ErrorOf([&] { ModelSpecFromGguf(h, "model.gguf"); }),
            "model.gguf: error: llama.attention.head_count_kv: per-layer values differ (2 and 4); only uniform "
            "layers are modeled");
}

TEST(GgufModelTest, MissingKeysAndUnsupportedArchitecturesAreNamed) {
  auto keys = LlamaKeys("llama");
  keys.erase(keys.begin() + 2);  // llama.embedding_length
  const GgufHeader missing = Parse(WriteFile(LlamaShaped(), "llama", keys));
  EXPECT_EQ(ErrorOf([&] { ModelSpecFromGguf(missing, "model.gguf"); }),
            "model.gguf: error: llama.embedding_length: missing: the importer needs it to size the model");

  const GgufHeader mamba = Parse(WriteFile(LlamaShaped(), "mamba", LlamaKeys("mamba")));
  EXPECT_TRUE(ErrorOf([&] { ModelSpecFromGguf(mamba, "model.gguf"); })
                  .starts_with("model.gguf: error: general.architecture: 'mamba' is not supported; supported: llama, "
                               "qwen2, qwen3, qwen3moe, gemma2, gemma3, phi3, gpt-oss, deepseek2, llama4"));

  gt::Spec none;
  const GgufHeader no_arch = Parse(gt::Build(none).bytes);
  EXPECT_EQ(ErrorOf([&] { ModelSpecFromGguf(no_arch, "model.gguf"); }),
            "model.gguf: error: general.architecture: missing or not a string: cannot tell which architecture this is");

  auto zero = LlamaKeys("llama");
  zero[1].second = gt::U32(0);  // context_length
  const GgufHeader bad = Parse(WriteFile(LlamaShaped(), "llama", zero));
  EXPECT_EQ(ErrorOf([&] { ModelSpecFromGguf(bad, "model.gguf"); }),
            "model.gguf: error: llama.context_length: 0 is outside 1..1099511627776");
}

TEST(GgufModelTest, ImportedWeightsAreTheFileTypesAndBytes) {
  const GgufHeader h = Parse(WriteFile(LlamaShaped(), "llama", LlamaKeys("llama")));
  const ImportedWeights w = ImportedWeightsFromGguf(h, "model.gguf");
  ASSERT_EQ(w.tensors.size(), h.tensors.size());
  EXPECT_EQ(w.tensors[0].name, "token_embd.weight");
  EXPECT_EQ(w.tensors[0].type.name, "Q8_0");
  EXPECT_EQ(w.tensors[0].bytes, 64 * 100 / 32 * 34);
  EXPECT_EQ(w.tensors[1].type.name, "F32");  // blk.0.attn_norm.weight
  EXPECT_EQ(w.tensors[1].bytes, 64 * 4);
  int64_t sum = 0;
  for (const ImportedTensor& t : w.tensors) sum += t.bytes;
  EXPECT_EQ(w.tensor_bytes, sum);

  gt::Spec unknown;
  unknown.tensors.emplace_back("token_embd.weight", std::vector<uint64_t>{64, 100}, 250u, std::nullopt, 64u);
  const GgufHeader odd = Parse(gt::Build(unknown).bytes);
  EXPECT_EQ(ErrorOf([&] { ImportedWeightsFromGguf(odd, "model.gguf"); }),
            "model.gguf: error: tensors[0] 'token_embd.weight': ggml type id 250 is unknown to this build, so its "
            "size cannot be computed");
}

TEST(GgufModelTest, ResolveReadsAGgufFileAndKeepsItsWeights) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / "resolve_test.GGUF";
  const std::vector<uint8_t> bytes = WriteFile(LlamaShaped(), "llama", LlamaKeys("llama"));
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  const ModelDatabase db(std::vector<ModelSpec>{});
  const ResolvedModel r = db.ResolveWithWeights(path.string());
  EXPECT_EQ(r.spec.num_layers, 3);
  ASSERT_TRUE(r.gguf_weights);
  EXPECT_EQ(r.gguf_weights->tensors.size(), BuildTensorInventory(r.spec).size());
  EXPECT_EQ(db.Resolve(path.string()).hidden_size, 64);
  EXPECT_FALSE(db.ResolveWithWeights(std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/llama-3.1-8b.json")
                   .gguf_weights);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace siliconsim
