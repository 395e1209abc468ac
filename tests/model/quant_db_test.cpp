// The quant database we ship: it loads cleanly, covers the file types and recipes users name,
// and resolves names as users write them.

#include "model/quant_db.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "model/gguf_mixture.h"

namespace siliconsim {
namespace {

const QuantDatabase& Shipped() {
  static const QuantDatabase db = QuantDatabase::Load(DataSources{});
  return db;
}

std::string ResolveError(std::string_view query) {
  try {
    Shipped().Resolve(query);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(QuantDbTest, EveryShippedFileHasSchemaVersionAndLoadsWithoutWarnings) {
  size_t files = 0;
  for (const EmbeddedFile& f : EmbeddedDataFiles()) {
    if (!f.path.starts_with("quants/")) continue;
    ++files;
    EXPECT_NE(f.text.find("schema_version: 1"), std::string_view::npos) << f.path;
  }
  EXPECT_GE(files, 3u);
  EXPECT_TRUE(Shipped().warnings().empty());
  for (const Diagnostic& w : Shipped().warnings()) ADD_FAILURE() << FormatDiagnostic(w);
}

TEST(QuantDbTest, EveryLlamaCppFileTypeIsPresentWithItsRulesKnown) {
  const std::vector<std::string> required = {
      "F32",    "F16",    "BF16",    "Q4_0",   "Q4_1",   "Q5_0",   "Q5_1",   "Q8_0",   "Q2_K",  "Q2_K_S",  "Q3_K_S",
      "Q3_K_M", "Q3_K_L", "Q4_K_S",  "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K",   "IQ1_S",  "IQ1_M", "IQ2_XXS", "IQ2_XS",
      "IQ2_S",  "IQ2_M",  "IQ3_XXS", "IQ3_XS", "IQ3_S",  "IQ3_M",  "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0",   "MXFP4_MOE"};
  std::set<std::string> names;
  for (const GgufFileType& g : Shipped().gguf_file_types()) {
    names.insert(g.name);
    // The rules are keyed by the number: every shipped type must be one the rules know.
    EXPECT_EQ(LlamaFtypeName(g.ftype.value).value_or("?"), g.name) << g.id;
    EXPECT_FALSE(g.ftype.source.empty());
    EXPECT_FALSE(g.default_type.source.empty());
  }
  for (const std::string& n : required) EXPECT_TRUE(names.count(n)) << "missing " << n;
}

TEST(QuantDbTest, DefaultTypesFollowLlamaFtypeGetDefaultType) {
  const auto default_of = [](std::string_view q) {
    return std::string(Shipped().Resolve(q).gguf->default_type.value.name);
  };
  EXPECT_EQ(default_of("IQ3_XS"), "IQ3_S");
  EXPECT_EQ(default_of("IQ2_S"), "IQ2_XS");
  EXPECT_EQ(default_of("IQ2_M"), "IQ2_S");
  EXPECT_EQ(default_of("IQ3_M"), "IQ3_S");
  EXPECT_EQ(default_of("Q2_K_S"), "Q2_K");
  EXPECT_EQ(default_of("MXFP4_MOE"), "MXFP4");
  EXPECT_EQ(default_of("Q4_K_M"), "Q4_K");
}

TEST(QuantDbTest, UserSpellingsResolve) {
  const auto id = [](std::string_view q) { return Shipped().Resolve(q).id(); };
  EXPECT_EQ(id("Q4_K_M"), "q4_k_m");
  EXPECT_EQ(id("q4_k_m"), "q4_k_m");
  EXPECT_EQ(id("q4km"), "q4_k_m");
  EXPECT_EQ(id("Q4_K"), "q4_k_m");  // llama-quantize's alias
  EXPECT_EQ(id("Q4-K-M"), "q4_k_m");
  EXPECT_EQ(id("LLAMA_FTYPE_MOSTLY_Q4_K_M"), "q4_k_m");
  EXPECT_EQ(id("Q8_0"), "q8_0");
  EXPECT_EQ(id("F16"), "f16");
  EXPECT_EQ(id("BF16"), "bf16");
  EXPECT_EQ(id("IQ2_M"), "iq2_m");
  EXPECT_EQ(id("iq4_xs"), "iq4_xs");
  EXPECT_EQ(id("mxfp4"), "mxfp4_moe");
  EXPECT_EQ(id("mlx-4bit"), "mlx-4bit");
  EXPECT_EQ(id("MLX 4bit"), "mlx-4bit");
  EXPECT_EQ(id("mlx-4bit-g64"), "mlx-4bit");
  EXPECT_EQ(id("mlx-8bit"), "mlx-8bit");
  EXPECT_EQ(id("mlx-4bit-g32"), "mlx-4bit-g32");
  EXPECT_EQ(id("mlx-mxfp4"), "mlx-mxfp4");
  EXPECT_EQ(id("mixed_3_6"), "mlx-mixed-3-6");
  EXPECT_EQ(id("mlx-bf16"), "mlx-bf16");
  EXPECT_EQ(Shipped().Resolve("mlx-8bit").format, QuantFormat::kMlx);
  EXPECT_EQ(Shipped().Resolve("q8_0").format, QuantFormat::kGguf);
}

TEST(QuantDbTest, UnknownNamesGetTheNearestSuggestion) {
  EXPECT_EQ(ResolveError("Q4_K_MM"),
            "siliconsim: error: unknown quant 'Q4_K_MM'; did you mean 'Q4_K_M'? ('siliconsim quants' lists every "
            "quantization)");
  EXPECT_EQ(ResolveError("mlx-4bits"),
            "siliconsim: error: unknown quant 'mlx-4bits'; did you mean 'mlx-4bit'? ('siliconsim quants' lists every "
            "quantization)");
  EXPECT_EQ(ResolveError("IQ2_MM"),
            "siliconsim: error: unknown quant 'IQ2_MM'; did you mean 'IQ2_M'? ('siliconsim quants' lists every "
            "quantization)");
}

TEST(QuantDbTest, EveryMlxBitWidthAndGroupSizeIsPresent) {
  for (int bits : {2, 3, 4, 5, 6, 8}) {
    for (int group : {32, 64, 128}) {
      const std::string q = group == 64 ? fmt::format("mlx-{}bit", bits) : fmt::format("mlx-{}bit-g{}", bits, group);
      const QuantChoice c = Shipped().Resolve(q);
      ASSERT_EQ(c.format, QuantFormat::kMlx) << q;
      EXPECT_EQ(c.mlx->bits.value, bits) << q;
      EXPECT_EQ(c.mlx->group_size.value, group) << q;
      EXPECT_DOUBLE_EQ(c.mlx->bytes_per_weight(bits), bits / 8.0 + 4.0 / group) << q;  // bf16 scale + bias
    }
  }
  const MlxQuant& mx = *Shipped().Resolve("mlx-mxfp4").mlx;
  EXPECT_DOUBLE_EQ(mx.bytes_per_weight(4), 0.5 + 1.0 / 32);  // one E8M0 byte per 32, no bias
  for (const char* recipe : {"mlx-mixed-2-6", "mlx-mixed-3-4", "mlx-mixed-3-6", "mlx-mixed-4-6"}) {
    const MlxQuant& m = *Shipped().Resolve(recipe).mlx;
    ASSERT_TRUE(m.high_bits.has_value()) << recipe;
    EXPECT_GT(m.high_bits->value, m.bits.value);
    EXPECT_FALSE(m.router_bits.has_value()) << recipe;  // the recipe predicate replaces the model's
  }
}

TEST(QuantDbTest, KvCacheTypesHaveBlockGeometryBytes) {
  const auto bpe = [](std::string_view q) { return Shipped().ResolveKvCache(q).bytes_per_element(); };
  EXPECT_DOUBLE_EQ(bpe("f32"), 4);
  EXPECT_DOUBLE_EQ(bpe("F16"), 2);
  EXPECT_DOUBLE_EQ(bpe("bf16"), 2);
  EXPECT_DOUBLE_EQ(bpe("q8_0"), 34.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("q4_0"), 18.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("q4_1"), 20.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("iq4_nl"), 18.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("q5_0"), 22.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("q5_1"), 24.0 / 32);
  EXPECT_DOUBLE_EQ(bpe("mlx-8bit"), 1.0625);  // same as q8_0
  EXPECT_DOUBLE_EQ(bpe("mlx-kv4"), 0.5625);   // same as q4_0
  EXPECT_FALSE(Shipped().ResolveKvCache("f16").v_requires_flash_attention.value);
  EXPECT_TRUE(Shipped().ResolveKvCache("q8_0").v_requires_flash_attention.value);
  try {
    Shipped().ResolveKvCache("q8");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "siliconsim: error: unknown KV cache type 'q8'; did you mean 'q8_0'? (known: f32, f16, bf16, q8_0, "
              "q4_0, q4_1, iq4_nl, q5_0, q5_1, mlx-8bit, mlx-4bit)");
  }
}

TEST(QuantDbTest, FindByFtypeServesGgufImport) {
  ASSERT_NE(Shipped().FindByFtype(15), nullptr);
  EXPECT_EQ(Shipped().FindByFtype(15)->name, "Q4_K_M");
  EXPECT_EQ(Shipped().FindByFtype(999), nullptr);
}

TEST(QuantDbTest, OverlayReplacesByIdAndAddsNewIds) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("siliconsim-quant-overlay-{}", ::getpid());
  fs::create_directories(dir / "quants");
  {
    std::ofstream out(dir / "quants" / "mine.yaml");
    out << R"(schema_version: 1
gguf_file_types:
  - id: q4_k_m
    name: Q4_K_M
    description: "overridden"
    ftype: {value: 15, source: "me"}
    default_type: {value: Q4_K, source: "me"}
    promoted_types: {value: [Q6_K], source: "me"}
    requires_imatrix: {value: false, source: "me"}
mlx_quants:
  - id: mlx-5bit-g16
    name: "made up"
    mode: {value: affine, source: "me"}
    bits: {value: 5, source: "me"}
    group_size: {value: 32, source: "me"}
    scale_dtype: {value: fp16, source: "me"}
    bias_dtype: {value: fp16, source: "me"}
    unquantized_dtype: {value: fp16, source: "me"}
)";
  }
  DataSources sources;
  sources.overlay_dirs = {dir.string()};
  const QuantDatabase db = QuantDatabase::Load(sources);
  const QuantChoice q = db.Resolve("Q4_K_M");
  EXPECT_EQ(q.gguf->description, "overridden");
  EXPECT_EQ(q.gguf->ftype.source, "me");
  EXPECT_EQ(db.gguf_file_types().size(), Shipped().gguf_file_types().size());  // replaced in place
  EXPECT_EQ(db.gguf_file_types()[0].id, Shipped().gguf_file_types()[0].id);
  EXPECT_EQ(db.mlx_quants().size(), Shipped().mlx_quants().size() + 1);
  EXPECT_EQ(db.Resolve("mlx-5bit-g16").mlx->bits.value, 5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace siliconsim
