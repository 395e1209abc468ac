// llama.cpp's per-tensor quantization rules (model/gguf_mixture.h): specific decisions pinned,
// the database's promoted types checked against the rules, and predicted file sizes checked
// against published GGUF files (data/research/gguf_file_sizes.csv).

#include "model/gguf_mixture.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

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

const GgufFileType& Ftype(std::string_view name) { return *Db().Resolve(name).gguf; }

std::map<std::string, std::string> TypesByName(const GgufMixture& m) {
  std::map<std::string, std::string> out;
  for (const GgufTensorChoice& c : m.tensors) out[c.name] = std::string(c.type.name);
  return out;
}

const TestModel& Llama31_8B() {
  static const TestModel m = LoadHfModel("llama-3.1-8b.json");
  return m;
}
const TestModel& Qwen3_30B() {
  static const TestModel m = LoadHfModel("qwen3-30b-a3b.json");
  return m;
}

TEST(GgufMixtureTest, UseMoreBitsIsTheFirstAndLastEighthAndEveryThirdBetween) {
  std::vector<int> more;
  for (int i = 0; i < 32; ++i) {
    if (UseMoreBits(i, 32)) more.push_back(i);
  }
  EXPECT_EQ(more, (std::vector<int>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}));
}

TEST(GgufMixtureTest, Q4KMGivesQ6KToHalfOfAttnVAndFfnDownAndToTheOutput) {
  const TestModel& m = Llama31_8B();
  const auto types = TypesByName(AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits));
  EXPECT_EQ(types.at("output.weight"), "Q6_K");
  EXPECT_EQ(types.at("token_embd.weight"), "Q4_K");
  EXPECT_EQ(types.at("output_norm.weight"), "F32");
  EXPECT_EQ(types.at("rope_freqs.weight"), "F32");
  int q6_v = 0, q6_down = 0;
  for (int i = 0; i < 32; ++i) {
    const std::string v = types.at(fmt::format("blk.{}.attn_v.weight", i));
    const std::string down = types.at(fmt::format("blk.{}.ffn_down.weight", i));
    EXPECT_EQ(v, UseMoreBits(i, 32) ? "Q6_K" : "Q4_K") << i;
    EXPECT_EQ(down, UseMoreBits(i, 32) ? "Q6_K" : "Q4_K") << i;
    q6_v += v == "Q6_K";
    q6_down += down == "Q6_K";
    for (const char* rest : {"attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"}) {
      EXPECT_EQ(types.at(fmt::format("blk.{}.{}.weight", i, rest)), "Q4_K") << rest << i;
    }
    EXPECT_EQ(types.at(fmt::format("blk.{}.attn_norm.weight", i)), "F32");
  }
  EXPECT_EQ(q6_v, 16);
  EXPECT_EQ(q6_down, 16);
}

TEST(GgufMixtureTest, Q2KUsesQ3KForFfnDownAndAttnOutputAndQ4KForGqaAttnV) {
  const TestModel& m = Llama31_8B();  // n_gqa = 32/8 = 4
  const auto types = TypesByName(AssignGgufTypes(Ftype("Q2_K"), m.tensors, m.traits));
  EXPECT_EQ(types.at("blk.5.ffn_down.weight"), "Q3_K");
  EXPECT_EQ(types.at("blk.5.attn_output.weight"), "Q3_K");
  EXPECT_EQ(types.at("blk.5.attn_v.weight"), "Q4_K");
  EXPECT_EQ(types.at("blk.5.attn_q.weight"), "Q2_K");
  EXPECT_EQ(types.at("blk.5.ffn_up.weight"), "Q2_K");
  EXPECT_EQ(types.at("output.weight"), "Q6_K");
  EXPECT_EQ(types.at("token_embd.weight"), "Q2_K");

  const TestModel mha = LoadHfModel("llama-2-7b.json");  // n_gqa = 1
  EXPECT_EQ(TypesByName(AssignGgufTypes(Ftype("Q2_K"), mha.tensors, mha.traits)).at("blk.5.attn_v.weight"), "Q3_K");
}

TEST(GgufMixtureTest, EightExpertModelsGetQ8_0AttnVAndAttnK) {
  const TestModel m = LoadHfModel("mixtral-8x7b.json");
  ASSERT_EQ(m.traits.n_expert, 8);
  const auto types = TypesByName(AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits));
  EXPECT_EQ(types.at("blk.3.attn_v.weight"), "Q8_0");
  EXPECT_EQ(types.at("blk.4.attn_v.weight"), "Q8_0");
  EXPECT_EQ(types.at("blk.4.attn_k.weight"), "Q8_0");
  EXPECT_EQ(types.at("blk.4.attn_output.weight"), "Q5_K");
  EXPECT_EQ(types.at("blk.4.ffn_gate_inp.weight"), "F32");  // the router is never quantized
  EXPECT_EQ(types.at("blk.0.ffn_down_exps.weight"), "Q6_K");
  EXPECT_EQ(types.at("blk.4.ffn_down_exps.weight"), "Q4_K");
}

TEST(GgufMixtureTest, ManyExpertMoeParsesTheLayerFromTheName) {
  const TestModel& m = Qwen3_30B();  // 128 experts: the == 8 rules do not apply
  const GgufMixture mix = AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits);
  const auto types = TypesByName(mix);
  int q6_down = 0;
  for (int i = 0; i < 48; ++i) {
    const std::string down = types.at(fmt::format("blk.{}.ffn_down_exps.weight", i));
    EXPECT_EQ(down, UseMoreBits(i, 48) ? "Q6_K" : "Q4_K") << i;
    q6_down += down == "Q6_K";
    EXPECT_EQ(types.at(fmt::format("blk.{}.attn_k.weight", i)), "Q4_K");
    EXPECT_EQ(types.at(fmt::format("blk.{}.ffn_gate_inp.weight", i)), "F32");
    EXPECT_EQ(types.at(fmt::format("blk.{}.attn_q_norm.weight", i)), "F32");
    EXPECT_EQ(types.at(fmt::format("blk.{}.ffn_up_exps.weight", i)), "Q4_K");
  }
  EXPECT_EQ(q6_down, 24);
  // Q2_K with n_gqa = 8: attn_v Q4_K, experts' ffn_down Q3_K.
  const auto q2 = TypesByName(AssignGgufTypes(Ftype("Q2_K"), m.tensors, m.traits));
  EXPECT_EQ(q2.at("blk.7.attn_v.weight"), "Q4_K");
  EXPECT_EQ(q2.at("blk.7.ffn_down_exps.weight"), "Q3_K");
}

TEST(GgufMixtureTest, IQ2MMixture) {
  const TestModel& m = Llama31_8B();
  const auto types = TypesByName(AssignGgufTypes(Ftype("IQ2_M"), m.tensors, m.traits, {.imatrix = true}));
  EXPECT_EQ(types.at("output.weight"), "Q5_K");
  EXPECT_EQ(types.at("token_embd.weight"), "IQ3_S");
  EXPECT_EQ(types.at("blk.9.attn_v.weight"), "Q4_K");     // n_gqa >= 4
  EXPECT_EQ(types.at("blk.3.ffn_down.weight"), "IQ3_S");  // first n_layer/8 by the counter
  EXPECT_EQ(types.at("blk.4.ffn_down.weight"), "IQ2_S");
  EXPECT_EQ(types.at("blk.9.attn_output.weight"), "IQ3_S");
  EXPECT_EQ(types.at("blk.9.attn_q.weight"), "IQ2_S");
}

TEST(GgufMixtureTest, ImatrixChangesIQ4AndQ4_0FfnDown) {
  const TestModel& m = Llama31_8B();
  EXPECT_EQ(TypesByName(AssignGgufTypes(Ftype("IQ4_XS"), m.tensors, m.traits)).at("blk.0.ffn_down.weight"), "Q5_K");
  EXPECT_EQ(
      TypesByName(AssignGgufTypes(Ftype("IQ4_XS"), m.tensors, m.traits, {.imatrix = true})).at("blk.0.ffn_down.weight"),
      "IQ4_XS");
  EXPECT_EQ(TypesByName(AssignGgufTypes(Ftype("Q4_0"), m.tensors, m.traits)).at("blk.0.ffn_down.weight"), "Q4_0");
  EXPECT_EQ(
      TypesByName(AssignGgufTypes(Ftype("Q4_0"), m.tensors, m.traits, {.imatrix = true})).at("blk.0.ffn_down.weight"),
      "Q4_1");
}

TEST(GgufMixtureTest, SeventyBClassLiftsQ4KAttnVToQ5K) {
  const TestModel m = LoadHfModel("llama-3.1-70b.json");
  ASSERT_TRUE(m.traits.size_class_70b);
  const auto types = TypesByName(AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits));
  EXPECT_EQ(types.at("blk.12.attn_v.weight"), "Q6_K");    // use_more_bits(12, 80): (12 - 10) % 3 == 2
  EXPECT_EQ(types.at("blk.11.attn_v.weight"), "Q5_K");    // Q4_K lifted by the 70B rule
  EXPECT_EQ(types.at("blk.11.ffn_down.weight"), "Q4_K");  // the 70B rule is attn_v only
}

TEST(GgufMixtureTest, TiedEmbeddingsTakeTheOutputRule) {
  const TestModel m = LoadHfModel("qwen3-0.6b.json");
  const auto types = TypesByName(AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits));
  EXPECT_EQ(types.count("output.weight"), 0u);
  EXPECT_EQ(types.at("token_embd.weight"), "Q6_K");
}

TEST(GgufMixtureTest, RowLengthsTheBlockDoesNotDivideFallBack) {
  TensorInventory t;
  const auto add = [&](std::string name, int64_t ne0, int64_t ne1) {
    TensorInfo x;
    x.name = std::move(name);
    x.ne = {ne0, ne1, 1, 1};
    x.n_dims = 2;
    t.push_back(x);
  };
  add("token_embd.weight", 2880, 1000);
  add("blk.0.attn_q.weight", 2880, 4096);    // 2880 = 11.25 x 256
  add("blk.0.ffn_down.weight", 2880, 2880);  // use_more_bits(0, 1): Q6_K -> Q8_0
  add("blk.0.ffn_up.weight", 100, 64);       // not even a multiple of 32: F16
  add("output.weight", 2880, 1000);
  GgufModelTraits traits;
  traits.n_layer = 1;
  traits.n_head = 8;
  traits.n_head_kv = 8;
  const GgufMixture mix = AssignGgufTypes(Ftype("Q4_K_M"), t, traits);
  const auto types = TypesByName(mix);
  EXPECT_EQ(types.at("blk.0.attn_q.weight"), "Q5_0");
  EXPECT_EQ(types.at("blk.0.ffn_down.weight"), "Q8_0");
  EXPECT_EQ(types.at("blk.0.ffn_up.weight"), "F16");
  EXPECT_EQ(types.at("output.weight"), "Q8_0");  // the output rule's own check
  EXPECT_EQ(types.at("token_embd.weight"), "Q5_0");
  EXPECT_EQ(mix.fallbacks, 4);
  // Q8_0 has no fallback: llama.cpp stops, and so do we.
  EXPECT_THROW(AssignGgufTypes(Ftype("Q8_0"), t, traits), InputError);
}

TEST(GgufMixtureTest, Mxfp4MoeQuantizesStackedExpertsOnly) {
  const TestModel m = LoadHfModel("gpt-oss-20b.json");
  const auto types = TypesByName(AssignGgufTypes(Ftype("MXFP4_MOE"), m.tensors, m.traits));
  EXPECT_EQ(types.at("blk.0.ffn_up_exps.weight"), "MXFP4");
  EXPECT_EQ(types.at("blk.0.ffn_down_exps.weight"), "MXFP4");
  EXPECT_EQ(types.at("blk.0.attn_q.weight"), "Q8_0");
  EXPECT_EQ(types.at("output.weight"), "Q8_0");
  EXPECT_EQ(types.at("token_embd.weight"), "Q8_0");
  EXPECT_EQ(types.at("blk.0.ffn_gate_inp.weight"), "F32");
  EXPECT_EQ(types.at("blk.0.attn_sinks.weight"), "F32");
}

TEST(GgufMixtureTest, SixteenBitFilesSkipTheRules) {
  const TestModel& m = Qwen3_30B();
  const auto types = TypesByName(AssignGgufTypes(Ftype("BF16"), m.tensors, m.traits));
  EXPECT_EQ(types.at("output.weight"), "BF16");
  EXPECT_EQ(types.at("blk.0.ffn_down_exps.weight"), "BF16");
  EXPECT_EQ(types.at("blk.0.ffn_gate_inp.weight"), "F32");
  EXPECT_EQ(types.at("blk.0.attn_norm.weight"), "F32");
}

TEST(GgufMixtureTest, UnknownFtypeNumbersGetTheDefaultTypeOnly) {
  GgufFileType custom = Ftype("Q4_K_M");
  custom.ftype.value = 500;
  const TestModel& m = Llama31_8B();
  const GgufMixture mix = AssignGgufTypes(custom, m.tensors, m.traits);
  for (const GgufTensorChoice& c : mix.tensors) {
    if (c.quantized) {
      EXPECT_EQ(c.type.name, "Q4_K") << c.name;
    }
  }
}

// The database's promoted_types must be exactly what the rules can produce, over models that
// reach every branch: GQA and MHA, 8 and 128 experts, 70B class, tied embeddings, Falcon.
TEST(GgufMixtureTest, WithoutExplainTheTypesAndBytesAreTheSameAndReasonsAreSkipped) {
  // The simulator plans with explain = false; it must get exactly the mixture `quants` explains.
  const std::vector<TestModel> models = {Llama31_8B(), Qwen3_30B(), LoadHfModel("llama-3.1-70b.json"),
                                         LoadHfModel("qwen3-0.6b.json")};
  for (const GgufFileType& ft : Db().gguf_file_types()) {
    for (const TestModel& m : models) {
      const GgufMixture with = AssignGgufTypes(ft, m.tensors, m.traits, {.imatrix = true});
      const GgufMixture without = AssignGgufTypes(ft, m.tensors, m.traits, {.imatrix = true, .explain = false});
      ASSERT_EQ(with.tensors.size(), without.tensors.size());
      EXPECT_EQ(with.tensor_bytes, without.tensor_bytes) << ft.name << " " << m.config;
      EXPECT_EQ(with.fallbacks, without.fallbacks);
      for (size_t i = 0; i < with.tensors.size(); ++i) {
        EXPECT_EQ(with.tensors[i].type.id, without.tensors[i].type.id) << ft.name << " " << with.tensors[i].name;
        EXPECT_FALSE(with.tensors[i].reason.empty()) << ft.name << " " << with.tensors[i].name;
        EXPECT_TRUE(without.tensors[i].reason.empty());
        EXPECT_TRUE(without.tensors[i].name.empty());
      }
    }
  }
}

// Planning several file types of a model shares one index of its names (IndexForQuantizer): the
// mixture must be the one the name-by-name call gives, options included.
TEST(GgufMixtureTest, ASharedQuantizerIndexGivesTheSameMixture) {
  const std::vector<TestModel> models = {Llama31_8B(), Qwen3_30B(), LoadHfModel("qwen3-0.6b.json")};
  for (const TestModel& m : models) {
    const GgufQuantizerIndex index = IndexForQuantizer(m.tensors);
    for (const GgufFileType& ft : Db().gguf_file_types()) {
      for (const GgufQuantizeOptions& options :
           {GgufQuantizeOptions{}, GgufQuantizeOptions{.imatrix = true, .leave_output_tensor = true}}) {
        const GgufMixture plain = AssignGgufTypes(ft, m.tensors, m.traits, options);
        const GgufMixture shared = AssignGgufTypes(ft, m.tensors, index, m.traits, options);
        ASSERT_EQ(plain.tensors.size(), shared.tensors.size());
        EXPECT_EQ(plain.tensor_bytes, shared.tensor_bytes) << ft.name << " " << m.config;
        for (size_t i = 0; i < plain.tensors.size(); ++i) {
          EXPECT_EQ(plain.tensors[i].type.id, shared.tensors[i].type.id) << ft.name << " " << plain.tensors[i].name;
          EXPECT_EQ(plain.tensors[i].reason, shared.tensors[i].reason) << ft.name << " " << plain.tensors[i].name;
        }
      }
    }
  }
  // --leave-output-tensor keeps output.weight as the converter wrote it, index or not.
  const TestModel m = Llama31_8B();
  const GgufFileType& q4 = Ftype("Q4_K_M");
  const GgufMixture left = AssignGgufTypes(q4, m.tensors, IndexForQuantizer(m.tensors), m.traits,
                                           {.leave_output_tensor = true});
  const auto types = TypesByName(left);
  EXPECT_EQ(types.at("output.weight"), "BF16");
  EXPECT_EQ(types.at("blk.0.attn_q.weight"), "Q4_K");
  // An index made for another inventory is refused, not read out of bounds.
  EXPECT_THROW(AssignGgufTypes(q4, m.tensors, IndexForQuantizer(Qwen3_30B().tensors), m.traits), std::logic_error);
}

TEST(GgufMixtureTest, PromotedTypesInTheDatabaseMatchTheRules) {
  std::vector<TestModel> models = {Llama31_8B(), LoadHfModel("llama-2-7b.json"),    LoadHfModel("mixtral-8x7b.json"),
                                   Qwen3_30B(),  LoadHfModel("llama-3.1-70b.json"), LoadHfModel("qwen3-0.6b.json")};
  TestModel falcon = Llama31_8B();
  falcon.traits.arch = "falcon";
  models.push_back(falcon);
  for (const GgufFileType& ft : Db().gguf_file_types()) {
    if (ft.default_type.value.block_elements == 1) continue;
    std::set<std::string> reached;
    for (const TestModel& m : models) {
      for (bool imatrix : {false, true}) {
        const GgufMixture mix = AssignGgufTypes(ft, m.tensors, m.traits, {.imatrix = imatrix});
        for (const GgufTensorChoice& c : mix.tensors) {
          if (c.quantized && !c.fallback) reached.insert(std::string(c.type.name));
        }
      }
    }
    reached.erase(std::string(ft.default_type.value.name));
    std::set<std::string> listed;
    for (const GgmlType& t : ft.promoted_types.value) listed.insert(std::string(t.name));
    EXPECT_EQ(reached, listed) << ft.name;
  }
}

// ---- file sizes against published GGUF files ----------------------------------------------

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          fields.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

// The architecture each published file was made from, and the tokenizer it stores. Merge
// counts are read from llama.cpp load logs: Llama 3 "tokenizer.ggml.merges arr[str,280147]"
// (ikawrakow/ik_llama.cpp issue log), Qwen2/3 "arr[str,151387]" (several llama.cpp logs).
struct Architecture {
  std::string config;
  std::optional<bool> rope_freqs;
  std::optional<int64_t> merges;
};

std::optional<Architecture> ArchitectureOf(const std::string& model) {
  if (model == "Llama-3.1-8B" || model == "Llama-3.1-8B-Instruct") return Architecture{"llama-3.1-8b.json", {}, 280147};
  // Llama 3 (not 3.1): the same shapes, no rope_scaling, so no rope_freqs tensor.
  if (model == "Llama-3-8B") return Architecture{"llama-3.1-8b.json", false, 280147};
  if (model == "Llama-3.1-70B") return Architecture{"llama-3.1-70b.json", {}, 280147};
  if (model == "Qwen3-30B-A3B") return Architecture{"qwen3-30b-a3b.json", {}, 151387};
  if (model == "Qwen3-8B" || model.starts_with("DeepSeek-R1-0528-Qwen3-8B"))
    return Architecture{"qwen3-8b.json", {}, 151387};
  if (model == "gpt-oss-20b") return Architecture{"gpt-oss-20b.json", {}, {}};
  if (model == "gpt-oss-120b") return Architecture{"gpt-oss-120b.json", {}, {}};
  return std::nullopt;  // no config in data/hf_configs (Mixtral-8x22B, Llama-3.1-405B)
}

// "F32 (original)" -> F32, "MXFP4 (MXFP4_MOE)" -> MXFP4_MOE; custom mixes (UD-*, *_L, *_XL,
// Q4_0_4_4) name no llama.cpp file type.
const GgufFileType* FileTypeOf(const std::string& quant) {
  std::vector<std::string> candidates;
  if (const size_t open = quant.find('('); open != std::string::npos) {
    candidates.push_back(quant.substr(open + 1, quant.find(')') - open - 1));
    candidates.push_back(quant.substr(0, open - 1));
  } else {
    candidates.push_back(quant);
  }
  for (const std::string& c : candidates) {
    const std::vector<QuantChoice> m = Db().Match(c);
    if (m.size() == 1 && m[0].gguf) return m[0].gguf;
  }
  return nullptr;
}

// Whether the publisher quantized with an importance matrix. bartowski: every repo is titled
// "Llamacpp imatrix Quantizations of ..."; unsloth: "all future GGUF uploads will utilize
// Dynamic 2.0 and our new calibration dataset" (docs.unsloth.ai, Unsloth Dynamic 2.0 GGUFs).
// Others say nothing, so only the types llama-quantize refuses to make without one have it.
bool UsedImatrix(const std::string& source, const GgufFileType& ft) {
  if (source.find("bartowski") != std::string::npos || source.find("unsloth") != std::string::npos) return true;
  return ft.requires_imatrix.value;
}

// Published figures that are wrong, with the evidence.
std::optional<std::string> KnownBadRow(const std::string& model, const std::string& source, const std::string& quant) {
  if (model == "Llama-3-8B" && source.find("help text") != std::string::npos && quant == "Q2_K_S") {
    return "help text repeats Q2_K's 2.96G; the README gives 2.78 GiB for Q2_K_S on the same shapes";
  }
  if (model == "Llama-3.1-70B" && quant == "Q4_K_M") {
    return "the same table's 280.9 GB F32 figure is below 4 B x 70.55e9 parameters; bartowski's 70B Q4_K_M "
           "file is 42.52 GB, which we match (BartowskiSeventyBFileMatches)";
  }
  return std::nullopt;
}

TEST(GgufMixtureTest, PredictedFileSizesMatchPublishedFiles) {
  const auto rows = ReadCsv(std::string(SILICONSIM_SOURCE_DATA_DIR) + "/research/gguf_file_sizes.csv");
  ASSERT_GT(rows.size(), 100u);
  ASSERT_EQ(rows[0][3], "file_size_bytes");
  std::map<std::string, TestModel> models;
  std::string table =
      "| model | published by | quant | imatrix | published B | predicted B | error |\n"
      "| --- | --- | --- | --- | ---: | ---: | ---: |\n";
  std::string skipped;
  std::set<std::string> gated_models;
  int gated = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    ASSERT_GE(row.size(), 5u) << r;
    const std::string& model = row[0];
    const std::string& source = row[1];
    const std::string& quant = row[2];
    const double published = std::stod(row[3]);
    const GgufFileType* ft = FileTypeOf(quant);
    const std::optional<Architecture> arch = ArchitectureOf(model);
    if (!ft || !arch) {
      skipped += fmt::format(
          "| {} | {} | {} | {} |\n", model, source, quant,
          !arch ? "no config in data/hf_configs" : "not a llama.cpp file type (custom per-tensor overrides)");
      continue;
    }
    if (!models.count(model)) {
      TestModel m = LoadHfModel(arch->config, arch->rope_freqs);
      m.tokenizer.merges = arch->merges;
      models.emplace(model, std::move(m));
    }
    const TestModel& m = models.at(model);
    const bool imatrix = UsedImatrix(source, *ft);
    const GgufMixture mix = AssignGgufTypes(*ft, m.tensors, m.traits, {.imatrix = imatrix});
    const double predicted = static_cast<double>(EstimateGgufFile(mix, m.tensors, m.tokenizer).file_bytes);
    const double error = predicted / published - 1;
    const std::optional<std::string> bad = KnownBadRow(model, source, quant);
    table +=
        fmt::format("| {} | {} | {} | {} | {:.0f} | {:.0f} | {:+.3f}%{} |\n", model, source, quant,
                    imatrix ? "yes" : "no", published, predicted, 100 * error, bad ? " (not gated: " + *bad + ")" : "");
    if (bad) continue;
    ++gated;
    gated_models.insert(model);
    EXPECT_LT(std::abs(error), 0.01) << model << " " << source << " " << quant << ": published " << published
                                     << " B, predicted " << predicted << " B";
  }
  // The two models the brief names must be covered, and most of the file must be used.
  EXPECT_TRUE(gated_models.count("Llama-3.1-8B"));
  EXPECT_TRUE(gated_models.count("Llama-3.1-8B-Instruct"));
  EXPECT_TRUE(gated_models.count("Qwen3-30B-A3B"));
  EXPECT_GE(gated, 80);
  if (const char* out = std::getenv("SILICONSIM_QUANT_TABLE")) {
    std::ofstream f(std::string(out) + ".gguf.md");
    f << table << "\nRows not modeled:\n\n| model | published by | quant | why |\n| --- | --- | --- | --- |\n"
      << skipped;
  }
}

TEST(GgufMixtureTest, BartowskiSeventyBFileMatches) {
  // bartowski's Llama-3.1-70B-class Q4_K_M (imatrix) is listed at 42.52 GB (decimal, 2 places)
  // in his README table, as copied at https://ozeki.chat/p_8590-understanding-ai-model-files.html
  // (Llama-3.1-Nemotron-70B, the Llama-3.1-70B shapes). Needs the 70B-class attn_v rule.
  TestModel m = LoadHfModel("llama-3.1-70b.json");
  m.tokenizer.merges = 280147;
  const GgufMixture mix = AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits, {.imatrix = true});
  const double predicted = static_cast<double>(EstimateGgufFile(mix, m.tensors, m.tokenizer).file_bytes);
  EXPECT_NEAR(predicted, 42.52e9, 0.005e9);
}

TEST(GgufMixtureTest, TensorBytesReproduceTheReadmeBitsPerWeight) {
  // tools/quantize/README.md@f4a71e70 gives bits/weight (tensor bytes x 8 / parameters) to
  // 4 decimals for Llama-3.1-8B: a check of the tensor types alone, without the metadata.
  const std::map<std::string, double> readme = {
      {"IQ1_S", 2.0042},  {"IQ1_M", 2.1460},   {"IQ2_XXS", 2.3824}, {"IQ2_XS", 2.5882}, {"IQ2_S", 2.7403},
      {"IQ2_M", 2.9294},  {"IQ3_XXS", 3.2548}, {"IQ3_XS", 3.4977},  {"IQ3_S", 3.6606},  {"IQ3_M", 3.7628},
      {"IQ4_XS", 4.4597}, {"IQ4_NL", 4.6818},  {"Q2_K_S", 2.9697},  {"Q2_K", 3.1593},   {"Q3_K_S", 3.6429},
      {"Q3_K_L", 4.2979}, {"Q4_K_S", 4.6672},  {"Q4_K_M", 4.8944},  {"Q5_K_S", 5.5704}, {"Q5_K_M", 5.7036},
      {"Q6_K", 6.5633},   {"Q8_0", 8.5008},    {"F16", 16.0005}};
  const TestModel& m = Llama31_8B();
  const double params = static_cast<double>(testing::CountElements(m.tensors));
  for (const auto& [quant, bpw] : readme) {
    const GgufFileType& ft = Ftype(quant);
    const GgufMixture mix = AssignGgufTypes(ft, m.tensors, m.traits, {.imatrix = ft.requires_imatrix.value});
    EXPECT_NEAR(8.0 * static_cast<double>(mix.tensor_bytes) / params, bpw, 0.00051) << quant;
  }
}

TEST(GgufMixtureTest, MetadataEstimateIsCloseForATokenizerItWasNotMeasuredOn) {
  // unsloth's Qwen3-30B-A3B Q4_K_M file is 18,556,686,912 B; its tensor data is exact, so the
  // rest, 5,970,496 B, is the header. The estimate's token length came from a Llama 3 file.
  TestModel m = Qwen3_30B();
  m.tokenizer.merges = 151387;
  const GgufMixture mix = AssignGgufTypes(Ftype("Q4_K_M"), m.tensors, m.traits, {.imatrix = true});
  EXPECT_EQ(18556686912 - mix.aligned_tensor_bytes, 5970496);
  const GgufMetadataEstimate e = EstimateGgufMetadata(m.tensors, m.tokenizer);
  EXPECT_NEAR(static_cast<double>(e.total_bytes), 5970496.0, 0.03 * 5970496);
}

}  // namespace
}  // namespace siliconsim
