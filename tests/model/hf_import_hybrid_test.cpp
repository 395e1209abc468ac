// Llama 4 (chunked attention, interleaved MoE with a shared expert), Granite 4.0-H (Mamba-2 +
// attention + MoE) and Phi-3 (no sliding window, as llama.cpp runs it) from config.json.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/data_sources.h"
#include "model/hf_import.h"
#include "model/model_loader.h"
#include "tests/test_util.h"

namespace siliconsim {
namespace {

// Llama-4-Scout-17B-16E's shapes (transformers' Llama4Config keys; values as quoted from the HF
// config.json in AMD-AGI/Primus PR #165 and debaditc/kvfit src/kvfit/data/models.json). No verbatim
// copy of the whole file was found, so it is not in data/hf_configs; this pins the accounting.
const char* kScout = R"({
  "architectures": ["Llama4ForConditionalGeneration"], "model_type": "llama4", "tie_word_embeddings": false,
  "text_config": {
    "model_type": "llama4_text", "attention_bias": false, "attention_chunk_size": 8192, "head_dim": 128,
    "hidden_size": 5120, "interleave_moe_layer_step": 1, "intermediate_size": 8192,
    "intermediate_size_mlp": 16384, "max_position_embeddings": 10485760, "no_rope_layers": [],
    "num_attention_heads": 40, "num_experts_per_tok": 1, "num_hidden_layers": 48, "num_key_value_heads": 8,
    "num_local_experts": 16, "use_qk_norm": true, "vocab_size": 202048},
  "vision_config": {
    "hidden_size": 1408, "image_size": 336, "intermediate_size": 5632, "model_type": "llama4_vision_model",
    "multi_modal_projector_bias": false, "num_channels": 3, "num_hidden_layers": 34, "patch_size": 14,
    "pixel_shuffle_ratio": 0.5, "projector_input_dim": 4096, "projector_output_dim": 4096,
    "vision_output_dim": 4096}})";

// Llama 4's vision encoder and projector (transformers' Llama4VisionModel and
// Llama4MultiModalProjector): patch embedding without bias, class embedding, positional
// embedding over the patches plus the class token, biased LayerNorms before and after, ViT
// layers with biased q/k/v/o and a two-matrix MLP, the pixel-shuffle adapter MLP (no biases) and
// the projector into the text model.
int64_t Llama4VisionParams(const nlohmann::json& config) {
  const nlohmann::json& v = config.at("vision_config");
  const int64_t d = v.at("hidden_size"), f = v.at("intermediate_size"), layers = v.at("num_hidden_layers");
  const int64_t patch = v.at("patch_size"), image = v.at("image_size"), channels = v.at("num_channels");
  const double ratio = v.at("pixel_shuffle_ratio");
  const int64_t adapter_in = static_cast<int64_t>(static_cast<double>(d) / (ratio * ratio));
  const int64_t proj_in = v.at("projector_input_dim"), proj_out = v.at("projector_output_dim");
  const int64_t out = v.at("vision_output_dim"), text = config.at("text_config").at("hidden_size");
  const int64_t patches = (image / patch) * (image / patch);
  const int64_t per_layer = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 2 * 2 * d;
  const int64_t embeddings = channels * patch * patch * d + d + (patches + 1) * d + 2 * 2 * d;
  const int64_t adapter = adapter_in * proj_in + proj_out * proj_out;
  return embeddings + layers * per_layer + adapter + out * text;
}

TEST(HfImportLlama4Test, ScoutCountsMatchTheSafetensorsTotalWithItsVisionTower) {
  const ModelSpec m = ImportHfConfig(kScout, "config.json");
  EXPECT_EQ(m.family, "llama4_text");
  ASSERT_TRUE(m.moe);
  EXPECT_EQ(m.moe->num_experts, 16);
  EXPECT_EQ(m.moe->num_shared_experts, 1);
  EXPECT_EQ(m.moe->shared_expert_intermediate_size, 8192);
  EXPECT_EQ(m.ffn.intermediate_size, 16384);
  EXPECT_EQ(m.layer_ffn, std::vector<FfnKind>(48, FfnKind::kMoe));
  for (int i = 0; i < 48; ++i) {
    EXPECT_EQ(m.layer_attention[static_cast<size_t>(i)], i % 4 == 3 ? AttentionKind::kFull : AttentionKind::kChunked);
  }
  const ParamCounts c = CountParams(BuildTensorInventory(m));
  EXPECT_EQ(c.total, 107'769'861'120);
  const int64_t vision = Llama4VisionParams(nlohmann::json::parse(kScout));
  EXPECT_EQ(vision, 871'932'416);
  // HF safetensors total of meta-llama/Llama-4-Scout-17B-16E-Instruct (debaditc/kvfit models.json).
  EXPECT_EQ(c.total + vision, 108'641'793'536);
  // "17B active" counts the token embedding: 17.17e9.
  EXPECT_EQ(c.active_with_embedding, 17'172'894'720);
}

TEST(HfImportLlama4Test, ChunkedLayersStopGrowingAtTheChunk) {
  const ModelSpec m = ImportHfConfig(kScout, "config.json");
  EXPECT_EQ(LayerCacheShape(m, 0).max_tokens, 8192);
  EXPECT_FALSE(LayerCacheShape(m, 3).max_tokens);
  // 36 chunked layers hold 8192 tokens, 12 full layers the whole context; 2*8*128 per token.
  const double per_token = 2.0 * 8 * 128 * 2;
  EXPECT_DOUBLE_EQ(KvCacheBytes(m, 100'000, 2.0), per_token * (36 * 8192 + 12 * 100'000));
}

TEST(HfImportLlama4Test, MaverickStyleInterleaveMakesEverySecondLayerMoe) {
  nlohmann::json j = nlohmann::json::parse(kScout);
  j["text_config"]["interleave_moe_layer_step"] = 2;
  const ModelSpec m = ImportHfConfig(j.dump(), "config.json");
  EXPECT_EQ(m.layer_ffn[0], FfnKind::kDense);
  EXPECT_EQ(m.layer_ffn[1], FfnKind::kMoe);
  j["text_config"]["no_rope_layers"] = std::vector<int>(47, 1);
  EXPECT_EQ(test::ErrorOf([&] { ImportHfConfig(j.dump(), "config.json"); }),
            "config.json: error: text_config.no_rope_layers: lists 47 layers but num_hidden_layers is 48");
}

const char* kGranite = R"({
  "model_type": "granitemoehybrid", "hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100,
  "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 32, "shared_intermediate_size": 48,
  "num_local_experts": 4, "num_experts_per_tok": 2, "layer_types": ["mamba", "attention"],
  "mamba_n_heads": 4, "mamba_d_head": 32, "mamba_d_state": 16, "mamba_n_groups": 1, "mamba_d_conv": 4,
  "mamba_conv_bias": true, "mamba_proj_bias": false, "max_position_embeddings": 1024,
  "tie_word_embeddings": true})";

TEST(HfImportGraniteTest, MambaLayersHaveTheirOwnTensorsAndAConstantState) {
  const ModelSpec m = ImportHfConfig(kGranite, "config.json");
  EXPECT_EQ(m.layer_attention, (std::vector<AttentionKind>{AttentionKind::kMamba2, AttentionKind::kFull}));
  ASSERT_TRUE(m.mamba2);
  EXPECT_EQ(m.mamba2->inner_size(), 128);
  int64_t mamba = 0;
  for (const TensorInfo& t : BuildTensorInventory(m)) {
    if (t.layer == 0 && t.name.find(".ssm_") != std::string::npos) mamba += t.elements();
  }
  // in_proj 64 x (2*128 + 2*16 + 4), conv 4 x 160 + 160, dt/A/D 3 x 4, norm 128, out_proj 128 x 64.
  EXPECT_EQ(mamba, 64 * 292 + 640 + 160 + 12 + 128 + 128 * 64);
  const LayerCache state = LayerCacheShape(m, 0);
  EXPECT_EQ(state.kv_elements_per_token, 0);
  EXPECT_EQ(state.state_bytes, (3 * 160 + 128 * 16) * 4);  // f32 conv and SSM states
  EXPECT_EQ(LayerCacheShape(m, 1).kv_elements_per_token, 2 * 2 * 16);
  ASSERT_TRUE(m.moe);
  EXPECT_EQ(m.moe->shared_expert_intermediate_size, 48);
  EXPECT_EQ(m.layer_ffn, std::vector<FfnKind>(2, FfnKind::kMoe));
}

TEST(HfImportGraniteTest, Mamba2SurvivesTheModelYamlRoundTrip) {
  ModelSpec m = ImportHfConfig(kGranite, "config.json");
  m.id = "granite-test";
  m.name = "granite test";
  m.source = "test";
  const std::string yaml = WriteModelYaml(m);
  EXPECT_NE(yaml.find("mamba2: {num_heads: 4, head_dim: 32, state_size: 16, num_groups: 1, conv_kernel: 4"),
            std::string::npos)
      << yaml;
  const std::vector<ModelSpec> back = LoadModelsFromString(yaml);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].layer_attention, m.layer_attention);
  EXPECT_EQ(CountParams(BuildTensorInventory(back[0])).total, CountParams(BuildTensorInventory(m)).total);
  const std::string no_section = test::ReplaceOnce(yaml, yaml.substr(yaml.find("    mamba2:"), yaml.find('\n', yaml.find("    mamba2:")) - yaml.find("    mamba2:") + 1), "");
  EXPECT_NE(test::ErrorOf([&] { LoadModelsFromString(no_section); }).find("mamba2 layers need a mamba2 section"),
            std::string::npos);
}

TEST(HfImportGraniteTest, DenseGraniteUsesTheSharedMlpAsItsFfn) {
  nlohmann::json j = nlohmann::json::parse(kGranite);
  j["num_local_experts"] = 0;
  j["mamba_d_head"] = "auto";
  j["mamba_expand"] = 2;
  const ModelSpec m = ImportHfConfig(j.dump(), "config.json");
  EXPECT_FALSE(m.moe);
  EXPECT_EQ(m.ffn.intermediate_size, 48);
  EXPECT_EQ(m.mamba2->head_dim, 2 * 64 / 4);
  j["layer_types"] = {"mamba", "conv"};
  EXPECT_EQ(test::ErrorOf([&] { ImportHfConfig(j.dump(), "config.json"); }),
            "config.json: error: layer_types: unknown layer type 'conv' (expected mamba or attention)");
}

TEST(HfImportPhi3Test, TheDeclaredWindowIsIgnoredAsInLlamaCpp) {
  const ModelSpec m = ImportHfConfigFile(std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/phi-3-mini-4k.json");
  EXPECT_EQ(m.layer_attention, std::vector<AttentionKind>(32, AttentionKind::kFull));
  EXPECT_FALSE(m.attention.sliding_window_tokens);
}

}  // namespace
}  // namespace siliconsim

namespace siliconsim {
namespace {

// The shipped data/models/llama-4-scout-17b-16e.yaml is this config, imported.
TEST(HfImportLlama4Test, ShippedModelIsTheImportedConfig) {
  const ModelDatabase db = ModelDatabase::Load(DataSources{});
  const ModelSpec shipped = db.Resolve("meta-llama/Llama-4-Scout-17B-16E-Instruct");
  const ParamCounts a = CountParams(BuildTensorInventory(shipped));
  const ParamCounts b = CountParams(BuildTensorInventory(ImportHfConfig(kScout, "config.json")));
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.active, b.active);
  EXPECT_EQ(a.total, 107769861120);  // text model; + 871,932,416 vision = the published 108,641,793,536
}

}  // namespace
}  // namespace siliconsim
