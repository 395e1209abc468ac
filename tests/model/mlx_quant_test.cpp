// MLX sizing (model/mlx_quant.h): per-tensor decisions pinned, and predicted repo sizes checked
// against published mlx-community repos (data/research/mlx_repo_sizes.csv).

#include "model/mlx_quant.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "model/quant_db.h"
#include "tests/model/test_inventories.h"

namespace siliconsim {
namespace {

using testing::LoadHfModel;
using testing::TestModel;

const QuantDatabase& Db() {
  static const QuantDatabase db = QuantDatabase::Load(DataSources{});
  return db;
}

const MlxQuant& Recipe(std::string_view name) { return *Db().Resolve(name).mlx; }

std::map<std::string, MlxTensorChoice> ByName(const MlxSizing& s) {
  std::map<std::string, MlxTensorChoice> out;
  for (const MlxTensorChoice& c : s.tensors) out[c.name] = c;
  return out;
}

TEST(MlxQuantTest, FourBitPacksHalfAByteAndAScaleAndBiasPerGroup) {
  const TestModel m = LoadHfModel("llama-3.1-8b.json");
  const auto t = ByName(SizeMlxWeights(Recipe("mlx-4bit"), m.tensors));
  const MlxTensorChoice& q = t.at("blk.0.attn_q.weight");  // 4096 x 4096
  EXPECT_TRUE(q.quantized);
  EXPECT_EQ(q.bytes, 4096 * 4096 / 2 + 4096 * 4096 / 64 * 4);
  EXPECT_EQ(t.at("blk.0.attn_norm.weight").bytes, 4096 * 2);  // bf16, not F32 as in GGUF
  EXPECT_FALSE(t.at("blk.0.attn_norm.weight").quantized);
  EXPECT_FALSE(t.at("rope_freqs.weight").stored);
  EXPECT_TRUE(t.at("token_embd.weight").quantized);  // QuantizedEmbedding
  const auto g32 = ByName(SizeMlxWeights(Recipe("mlx-4bit-g32"), m.tensors));
  EXPECT_EQ(g32.at("blk.0.attn_q.weight").bytes, 4096 * 4096 / 2 + 4096 * 4096 / 32 * 4);
}

TEST(MlxQuantTest, InputWidthsTheGroupDoesNotDivideStayUnquantized) {
  TensorInventory t(1);
  t[0].name = "blk.0.ffn_down.weight";
  t[0].ne = {2880 + 32, 100, 1, 1};  // 2912 = 45.5 x 64, = 91 x 32
  t[0].n_dims = 2;
  EXPECT_FALSE(SizeMlxWeights(Recipe("mlx-4bit"), t).tensors[0].quantized);
  EXPECT_EQ(SizeMlxWeights(Recipe("mlx-4bit"), t).weight_bytes, 2912 * 100 * 2);
  EXPECT_TRUE(SizeMlxWeights(Recipe("mlx-4bit-g32"), t).tensors[0].quantized);
}

TEST(MlxQuantTest, MoeRouterStaysAtEightBits) {
  const TestModel m = LoadHfModel("qwen3-30b-a3b.json");
  const auto t = ByName(SizeMlxWeights(Recipe("mlx-4bit"), m.tensors));
  const MlxTensorChoice& router = t.at("blk.0.ffn_gate_inp.weight");  // [2048, 128]
  EXPECT_EQ(router.bits, 8);
  EXPECT_EQ(router.group_size, 64);
  EXPECT_EQ(router.bytes, 2048 * 128 + 2048 * 128 / 64 * 4);
  EXPECT_EQ(t.at("blk.0.ffn_down_exps.weight").bits, 4);
  EXPECT_EQ(t.at("blk.0.ffn_down_exps.weight").bytes, 768LL * 2048 * 128 / 2 + 768LL * 2048 * 128 / 64 * 4);
  EXPECT_EQ(t.at("blk.0.attn_k_norm.weight").bytes, 128 * 2);
}

TEST(MlxQuantTest, MixedRecipeGivesHighBitsToVProjDownProjOnUseMoreBitsLayersAndLmHead) {
  const TestModel m = LoadHfModel("llama-3.1-8b.json");
  const auto t = ByName(SizeMlxWeights(Recipe("mlx-mixed-3-6"), m.tensors));
  for (int i = 0; i < 32; ++i) {
    const int want = UseMoreBits(i, 32) ? 6 : 3;
    EXPECT_EQ(t.at(fmt::format("blk.{}.attn_v.weight", i)).bits, want) << i;
    EXPECT_EQ(t.at(fmt::format("blk.{}.ffn_down.weight", i)).bits, want) << i;
    EXPECT_EQ(t.at(fmt::format("blk.{}.attn_k.weight", i)).bits, 3) << i;
  }
  EXPECT_EQ(t.at("output.weight").bits, 6);
  EXPECT_EQ(t.at("token_embd.weight").bits, 3);  // embed_tokens gets the low bits
  // A tied model has no lm_head: its one embedding matrix stays at the low bits.
  const TestModel tied = LoadHfModel("qwen3-0.6b.json");
  EXPECT_EQ(ByName(SizeMlxWeights(Recipe("mlx-mixed-4-6"), tied.tensors)).at("token_embd.weight").bits, 4);
  // In a MoE model the routed experts' down_proj follow the same rule; the router is low-bit.
  const TestModel moe = LoadHfModel("qwen3-30b-a3b.json");
  const auto mt = ByName(SizeMlxWeights(Recipe("mlx-mixed-2-6"), moe.tensors));
  EXPECT_EQ(mt.at("blk.0.ffn_down_exps.weight").bits, 6);
  EXPECT_EQ(mt.at("blk.7.ffn_down_exps.weight").bits, 2);
  EXPECT_EQ(mt.at("blk.7.ffn_gate_inp.weight").bits, 2);
}

TEST(MlxQuantTest, Mxfp4HasOneE8M0BytePer32AndNoBias) {
  const TestModel m = LoadHfModel("gpt-oss-20b.json");
  const auto t = ByName(SizeMlxWeights(Recipe("mlx-mxfp4"), m.tensors));
  const MlxTensorChoice& up = t.at("blk.0.ffn_up_exps.weight");  // [2880, 2880, 32]
  EXPECT_EQ(up.mode, MlxMode::kMxfp4);
  EXPECT_EQ(up.bytes, 2880LL * 2880 * 32 / 2 + 2880LL * 2880 * 32 / 32);
  const MlxTensorChoice& router = t.at("blk.0.ffn_gate_inp.weight");
  EXPECT_EQ(router.mode, MlxMode::kAffine);
  EXPECT_EQ(router.bits, 8);
}

// The simulator sizes with explain off; it must get exactly the bits and bytes `quants` explains.
TEST(MlxQuantTest, WithoutExplainTheSizesAreTheSameAndNamesAndReasonsAreSkipped) {
  const std::vector<TestModel> models = {LoadHfModel("llama-3.1-8b.json"), LoadHfModel("qwen3-30b-a3b.json"),
                                         LoadHfModel("gpt-oss-20b.json"), LoadHfModel("qwen3-0.6b.json")};
  for (const MlxQuant& q : Db().mlx_quants()) {
    for (const TestModel& m : models) {
      const MlxSizing with = SizeMlxWeights(q, m.tensors);
      const MlxSizing without = SizeMlxWeights(q, m.tensors, /*explain=*/false);
      ASSERT_EQ(with.tensors.size(), without.tensors.size());
      EXPECT_EQ(with.weight_bytes, without.weight_bytes) << q.id << " " << m.config;
      EXPECT_EQ(with.stored_arrays, without.stored_arrays) << q.id << " " << m.config;
      for (size_t i = 0; i < with.tensors.size(); ++i) {
        const MlxTensorChoice& a = with.tensors[i];
        const MlxTensorChoice& b = without.tensors[i];
        EXPECT_EQ(a.bytes, b.bytes) << q.id << " " << a.name;
        EXPECT_EQ(a.bits, b.bits) << q.id << " " << a.name;
        EXPECT_EQ(a.quantized, b.quantized) << q.id << " " << a.name;
        EXPECT_EQ(a.stored, b.stored) << q.id << " " << a.name;
        EXPECT_FALSE(a.reason.empty()) << q.id << " " << a.name;
        EXPECT_TRUE(b.reason.empty() && b.name.empty()) << q.id << " " << a.name;
      }
    }
  }
}

TEST(MlxQuantTest, UnquantizedModelsAreTwoBytesPerWeight) {
  const TestModel m = LoadHfModel("llama-3.1-8b.json");
  const MlxSizing s = SizeMlxWeights(Recipe("mlx-bf16"), m.tensors);
  EXPECT_EQ(s.weight_bytes, 2 * (testing::CountElements(m.tensors) - 64));  // rope_freqs is not stored
}

// ---- repo sizes against published mlx-community repos ---------------------------------------

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (char c : line) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        fields.emplace_back();
      else
        fields.back() += c;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

struct Repo {
  std::string config;
  std::optional<int64_t> merges;
};

std::optional<Repo> RepoArchitecture(const std::string& model) {
  if (model == "Qwen3-30B-A3B") return Repo{"qwen3-30b-a3b.json", 151387};
  if (model == "Llama-3.1-8B-Instruct") return Repo{"llama-3.1-8b.json", 280147};
  if (model == "Qwen3-4B") return Repo{"qwen3-4b.json", 151387};
  if (model == "Qwen3-8B") return Repo{"qwen3-8b.json", 151387};
  if (model == "Qwen3-1.7B") return Repo{"qwen3-1.7b.json", 151387};
  if (model == "Qwen3-0.6B") return Repo{"qwen3-0.6b.json", 151387};
  if (model == "Llama-3.2-3B-Instruct") return Repo{"llama-3.2-3b.json", 280147};
  if (model == "Llama-3.2-1B-Instruct") return Repo{"llama-3.2-1b.json", 280147};
  if (model == "Mistral-7B-Instruct-v0.3") return Repo{"mistral-7b-v0.3.json", {}};
  return std::nullopt;
}

std::optional<std::string> RecipeOf(const std::string& quant) {
  if (quant == "4bit affine g64") return "mlx-4bit";
  if (quant == "8bit affine g64") return "mlx-8bit";
  if (quant == "bf16") return "mlx-bf16";
  return std::nullopt;  // "mxfp4 experts + 8bit rest": a per-layer mix no recipe here names
}

TEST(MlxQuantTest, PredictedRepoSizesMatchPublishedRepos) {
  const auto rows = ReadCsv(std::string(SILICONSIM_SOURCE_DATA_DIR) + "/research/mlx_repo_sizes.csv");
  ASSERT_GT(rows.size(), 20u);
  std::string table =
      "| repo | quant | published B | as published | predicted B | error | gated |\n"
      "| --- | --- | ---: | --- | ---: | ---: | --- |\n";
  int gated = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    ASSERT_GE(row.size(), 6u) << r;
    const std::string& model = row[0];
    const std::string& repo = row[1];
    const std::string& quant = row[2];
    const std::string& as_published = row[4];
    const std::string& source = row[5];
    const double published = std::stod(row[3]);
    const std::optional<Repo> arch = RepoArchitecture(model);
    const std::optional<std::string> recipe = RecipeOf(quant);
    if (!arch || !recipe) {
      table += fmt::format("| {} | {} | {:.0f} | {} | | | no: {} |\n", repo, quant, published, as_published,
                           !recipe ? "no recipe here for this per-layer mix" : "no config in data/hf_configs");
      continue;
    }
    TestModel m = LoadHfModel(arch->config);
    m.tokenizer.merges = arch->merges;
    m.tokenizer.sentencepiece = !arch->merges.has_value();
    const MlxRepoEstimate e = EstimateMlxRepo(SizeMlxWeights(Recipe(*recipe), m.tensors), m.tokenizer);
    const double predicted = static_cast<double>(e.total_bytes);
    const double error = predicted / published - 1;
    // exo's model cards give Memory.from_mb/from_kb figures that disagree with byte-exact
    // listings of the same repos by +2.4% (Qwen3-30B-A3B-4bit, Llama-3.1-8B-Instruct-4bit) and
    // are not in one unit (docs/research/quantization.md §4.6): reported, not gated.
    const bool exact =
        source.find("exo-explore") == std::string::npos && as_published.find("inconsistent") == std::string::npos;
    table += fmt::format("| {} | {} | {:.0f} | {} | {:.0f} | {:+.2f}% | {} |\n", repo, quant, published, as_published,
                         predicted, 100 * error,
                         exact                                                    ? "yes (2%)"
                         : as_published.find("inconsistent") != std::string::npos ? "no: the CSV marks it inconsistent"
                                                                                  : "no: exo figure, approximate");
    if (!exact) continue;
    ++gated;
    EXPECT_LT(std::abs(error), 0.02) << repo << ": published " << published << " B, predicted " << predicted << " B";
  }
  EXPECT_GE(gated, 10);
  if (const char* out = std::getenv("SILICONSIM_QUANT_TABLE")) {
    std::ofstream f(std::string(out) + ".mlx.md");
    f << table;
  }
}

}  // namespace
}  // namespace siliconsim
