// Exact accounting: parameters counted from the tensor shapes of every imported config.json
// match the published figures (model cards, safetensors totals) in data/hf_configs/index.yaml.

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "model/hf_import.h"

namespace siliconsim {
namespace {

const std::string kConfigs = std::string(SILICONSIM_SOURCE_DATA_DIR) + "/hf_configs/";

struct Entry {
  std::string id;
  std::string config;
  std::string total_text;   ///< as written, for its precision
  std::string active_text;
  bool active_includes_embedding = false;
  bool includes_vision = false;
};

// Parameters of a SigLIP vision tower plus Gemma 3's projector into the text model, from
// vision_config: patch and position embeddings, pre-norm ViT layers with biased q/k/v/o and a
// two-matrix MLP, a final norm, and the projector (a matrix and an RMSNorm).
int64_t SiglipTowerParams(const std::string& config_path) {
  std::ifstream in(config_path);
  const nlohmann::json j = nlohmann::json::parse(in);
  const nlohmann::json& v = j.at("vision_config");
  const int64_t d = v.at("hidden_size"), f = v.at("intermediate_size"), layers = v.at("num_hidden_layers");
  const int64_t patch = v.at("patch_size"), image = v.at("image_size");
  const int64_t text_hidden = j.at("text_config").at("hidden_size");
  const int64_t per_layer = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 2 * 2 * d;
  const int64_t patches = (image / patch) * (image / patch);
  const int64_t embeddings = 3 * patch * patch * d + d + patches * d;
  return embeddings + layers * per_layer + 2 * d + d * text_hidden + d;
}

std::vector<Entry> Entries() {
  std::vector<Entry> entries;
  const YAML::Node index = YAML::LoadFile(kConfigs + "index.yaml");
  for (const YAML::Node& m : index["models"]) {
    Entry e{m["id"].as<std::string>(), m["config"].as<std::string>(), "", "", false};
    if (m["published_total_params"] && !m["published_total_params"].IsNull()) {
      e.total_text = m["published_total_params"].Scalar();
    }
    if (m["published_active_params"] && !m["published_active_params"].IsNull()) {
      e.active_text = m["published_active_params"].Scalar();
    }
    e.includes_vision = m["published_includes_vision"] && m["published_includes_vision"].as<bool>();
    e.active_includes_embedding =
        m["active_convention"] && m["active_convention"].Scalar() == "includes_token_embedding";
    entries.push_back(e);
  }
  return entries;
}

// Published figures are compared to 0.5%, or to one unit of their last digit if coarser
// ("30532122624" is exact, "3.3e9" is a rounded figure, "35e9" a size class).
double Tolerance(const std::string& text) {
  PublishedCount p;
  p.text = text;
  return std::max(0.005, p.rounding_relative());
}

double RelativeError(int64_t computed, const std::string& published) {
  const double p = std::strtod(published.c_str(), nullptr);
  return (static_cast<double>(computed) - p) / p;
}

class HfImportAccountingTest : public ::testing::TestWithParam<Entry> {};

TEST_P(HfImportAccountingTest, CountsFromTensorShapesMatchThePublishedFigures) {
  const Entry& e = GetParam();
  const ModelSpec m = ImportHfConfigFile(kConfigs + e.config);
  ParamCounts c = CountParams(BuildTensorInventory(m));
  if (e.includes_vision) {
    const int64_t vision = SiglipTowerParams(kConfigs + e.config);
    c.total += vision;
    c.active += vision;
    c.active_with_embedding += vision;
  }
  ASSERT_FALSE(e.total_text.empty()) << "no published total for " << e.id;
  EXPECT_LE(std::abs(RelativeError(c.total, e.total_text)), Tolerance(e.total_text))
      << fmt::format("{}: computed {} total, published {}", e.id, c.total, e.total_text);
  ASSERT_FALSE(e.active_text.empty()) << "no published active count for " << e.id;
  if (m.moe) {
    const int64_t active = e.active_includes_embedding ? c.active_with_embedding : c.active;
    EXPECT_LE(std::abs(RelativeError(active, e.active_text)), Tolerance(e.active_text))
        << fmt::format("{}: computed {} active, published {}", e.id, active, e.active_text);
    EXPECT_LT(c.active, c.total);
  } else {
    EXPECT_EQ(c.active_with_embedding, c.total);
    EXPECT_LE(std::abs(RelativeError(c.active_with_embedding, e.active_text)), Tolerance(e.active_text));
  }
}

INSTANTIATE_TEST_SUITE_P(AllPublishedConfigs, HfImportAccountingTest, ::testing::ValuesIn(Entries()),
                         [](const ::testing::TestParamInfo<Entry>& param_info) {
                           std::string name;
                           for (char ch : param_info.param.id) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

TEST(HfImportCoverageTest, AtLeastFortyArchitecturesAreCovered) { EXPECT_GE(Entries().size(), 40u); }

// Exact counts hand-computed from the Llama-3.1-8B config: embedding and LM head 128256 x 4096
// each; per layer q 4096^2, k and v 4096 x 1024, o 4096^2, three FFN matrices 4096 x 14336, two
// norms; a final norm.
TEST(HfImportHandCountTest, Llama31_8b) {
  const ModelSpec m = ImportHfConfigFile(kConfigs + "llama-3.1-8b.json");
  const int64_t layer = 2 * 4096LL * 4096 + 2 * 4096LL * 1024 + 3 * 4096LL * 14336 + 2 * 4096;
  const int64_t expected = 2 * 128256LL * 4096 + 32 * layer + 4096;
  EXPECT_EQ(CountParams(BuildTensorInventory(m)).total, expected);
  EXPECT_EQ(expected, 8'030'261'248);
}

}  // namespace
}  // namespace siliconsim
