// config.json is untrusted input: every malformed file is a clear error, never a crash.

#include "model/hf_import.h"

#include <gtest/gtest.h>

namespace siliconsim {
namespace {

std::string ImportError(const std::string& json) {
  try {
    ImportHfConfig(json, "config.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kLlama =
    R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100,
        "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
        "max_position_embeddings": 1024})";

TEST(HfImportTest, MinimalLlamaImports) {
  const ModelSpec m = ImportHfConfig(kLlama, "config.json");
  EXPECT_EQ(m.attention.head_dim, 16);
  EXPECT_EQ(m.layer_attention.size(), 2u);
}

TEST(HfImportTest, UnsupportedArchitectureNamesWhatIsMissing) {
  const std::string e = ImportError(R"({"model_type": "mamba2", "hidden_size": 64})");
  EXPECT_NE(e.find("config.json: error: model_type: model_type 'mamba2' is not supported; supported: llama"),
            std::string::npos)
      << e;
  EXPECT_EQ(ImportError(R"({"hidden_size": 64})"),
            "config.json: error: model_type: missing: cannot tell which architecture this is");
}

TEST(HfImportTest, MissingOrWrongFieldsAreNamed) {
  std::string bad = kLlama;
  bad.replace(bad.find("\"vocab_size\": 100"), 17, "\"vocab_size\": \"100\"");
  EXPECT_EQ(ImportError(bad), "config.json: error: vocab_size: expected an integer, got \"100\"");
  bad = kLlama;
  bad.replace(bad.find("\"num_hidden_layers\": 2"), 22, "\"num_hidden_layers\": -2");
  EXPECT_EQ(ImportError(bad), "config.json: error: num_hidden_layers: must be greater than zero, got -2");
  bad = kLlama;
  bad.replace(bad.find("\"num_key_value_heads\": 2"), 24, "\"num_key_value_heads\": 3");
  EXPECT_EQ(ImportError(bad), "config.json: error: num_key_value_heads: 3 does not divide num_attention_heads 4");
}

TEST(HfImportTest, AbsurdSizesAreRefusedBeforeAnyArithmetic) {
  std::string bad = kLlama;
  bad.replace(bad.find("\"hidden_size\": 64"), 17, "\"hidden_size\": 9223372036854775807");
  EXPECT_NE(ImportError(bad).find("hidden_size"), std::string::npos);
  bad = kLlama;
  bad.replace(bad.find("\"vocab_size\": 100"), 17, "\"vocab_size\": 1e300");
  EXPECT_NE(ImportError(bad).find("vocab_size: expected an integer"), std::string::npos);
}

TEST(HfImportTest, NotJsonDeepNestingAndNonObjectsAreErrors) {
  EXPECT_NE(ImportError("{\"model_type\": ").find("not a valid config.json"), std::string::npos);
  EXPECT_NE(ImportError("[1, 2]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(ImportError(std::string(100000, '[') + std::string(100000, ']')).find("nesting deeper than 16"),
            std::string::npos);
  EXPECT_NE(ImportError("").find("not a valid config.json"), std::string::npos);
}

TEST(HfImportTest, LayerTypesMustMatchTheLayerCount) {
  const std::string gpt_oss =
      R"({"model_type": "gpt_oss", "hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100,
          "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "sliding_window": 8,
          "num_local_experts": 4, "num_experts_per_tok": 2, "layer_types": ["sliding_attention"]})";
  EXPECT_EQ(ImportError(gpt_oss), "config.json: error: layer_types: lists 1 layers but num_hidden_layers is 2");
}

}  // namespace
}  // namespace siliconsim
