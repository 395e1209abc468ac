#include "hardware/chip_loader.h"

#include <gtest/gtest.h>

#include "../test_util.h"

#include <string>

namespace siliconsim {
namespace {

// A valid file with one chip; tests replace one line to break it in one way.
const std::string kValid = R"(schema_version: 1
chips:
  - id: m2-10c
    name: Apple M2
    family: M2
    tier: base
    gpu_cores: {value: 10, source: "Apple newsroom 2022-06-06"}
    gpu_alus_per_core: {value: 128, source: "philipturner/metal-benchmarks"}
    gpu_clock_mhz: {value: 1398, source: "philipturner/metal-benchmarks"}
    fp32_tflops: {value: 3.579, source: "philipturner/metal-benchmarks"}
    memory_bandwidth_gbs: {value: 100, source: "Apple newsroom 2022-06-06"}
    memory_bus_width_bits: {value: 128, source: "AnandTech"}
    memory_type: {value: LPDDR5-6400, source: "AnandTech"}
    memory_options_gb: {value: [8, 16, 24], source: "Apple tech specs"}
    cpu_efficiency_cores: {value: 4, source: "Apple newsroom 2022-06-06"}
)";

std::string Replace(const std::string& text, const std::string& from, const std::string& to) {
  return test::ReplaceOnce(text, from, to);
}

std::string LoadError(const std::string& text) {
  return test::ErrorOf([&] { LoadChipsFromString(text, "chips.yaml"); });
}

TEST(ChipLoaderTest, ValidChipLoadsWithEveryFactAndItsSource) {
  Warnings warnings;
  const std::vector<ChipSpec> chips = LoadChipsFromString(kValid, "chips.yaml", &warnings);
  ASSERT_EQ(chips.size(), 1u);
  const ChipSpec& c = chips[0];
  EXPECT_EQ(c.id, "m2-10c");
  EXPECT_EQ(c.name, "Apple M2");
  EXPECT_EQ(c.tier, ChipTier::kBase);
  EXPECT_EQ(c.gpu_cores.value, 10);
  EXPECT_EQ(c.gpu_cores.source, "Apple newsroom 2022-06-06");
  EXPECT_DOUBLE_EQ(*c.memory_bandwidth_gbs.value, 100.0);
  EXPECT_EQ(c.memory_options_gb.value, (std::vector<int>{8, 16, 24}));
  EXPECT_FALSE(c.year.known());  // absent facts are unknown, not zero
  EXPECT_EQ(c.where.line, 3);
  EXPECT_EQ(c.gpu_cores.where.line, 7);
  EXPECT_TRUE(warnings.empty());
}

TEST(ChipLoaderTest, MisspelledKeyIsRejectedWithASuggestion) {
  EXPECT_EQ(LoadError(Replace(kValid, "    memory_bandwidth_gbs:", "    memory_bandwith_gbs:")),
            "chips.yaml:11:5: error: chips[0].memory_bandwith_gbs: unknown key 'memory_bandwith_gbs'; did you mean "
            "'memory_bandwidth_gbs'?\n"
            "   11 |     memory_bandwith_gbs: {value: 100, source: \"Apple newsroom 2022-06-06\"}\n"
            "      |     ^");
}

TEST(ChipLoaderTest, StringWhereANumberBelongsIsRejected) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 10,", "{value: ten,")),
            "chips.yaml:7:24: error: chips[0].gpu_cores.value: expected an integer, got \"ten\"\n"
            "    7 |     gpu_cores: {value: ten, source: \"Apple newsroom 2022-06-06\"}\n"
            "      |                        ^");
}

TEST(ChipLoaderTest, NegativeCoreCountIsRejected) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 10,", "{value: -10,")),
            "chips.yaml:7:24: error: chips[0].gpu_cores.value: must be greater than zero, got -10\n"
            "    7 |     gpu_cores: {value: -10, source: \"Apple newsroom 2022-06-06\"}\n"
            "      |                        ^");
  EXPECT_EQ(LoadError(Replace(kValid, "cpu_efficiency_cores: {value: 4", "cpu_efficiency_cores: {value: -1")),
            "chips.yaml:15:35: error: chips[0].cpu_efficiency_cores.value: must not be negative, got -1\n"
            "   15 |     cpu_efficiency_cores: {value: -1, source: \"Apple newsroom 2022-06-06\"}\n"
            "      |                                   ^");
}

TEST(ChipLoaderTest, ZeroBandwidthIsRejected) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 100,", "{value: 0,")),
            "chips.yaml:11:35: error: chips[0].memory_bandwidth_gbs.value: must be greater than zero, got 0\n"
            "   11 |     memory_bandwidth_gbs: {value: 0, source: \"Apple newsroom 2022-06-06\"}\n"
            "      |                                   ^");
}

TEST(ChipLoaderTest, MissingRequiredFieldIsReportedAtTheChip) {
  EXPECT_EQ(LoadError(Replace(kValid, "    name: Apple M2\n", "")),
            "chips.yaml:3:5: error: chips[0].name: missing required field\n"
            "    3 |   - id: m2-10c\n"
            "      |     ^");
}

TEST(ChipLoaderTest, BandwidthMustBeKnown) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 100, source: \"Apple newsroom 2022-06-06\"}",
                              "{value: null, note: \"unpublished\"}")),
            "chips.yaml:11:35: error: chips[0].memory_bandwidth_gbs.value: must be known: predictions depend on it\n"
            "   11 |     memory_bandwidth_gbs: {value: null, note: \"unpublished\"}\n"
            "      |                                   ^");
}

TEST(ChipLoaderTest, DuplicateIdNamesTheFirstDefinition) {
  const std::string second = kValid.substr(kValid.find("  - id:"));
  EXPECT_EQ(LoadError(kValid + second),
            "chips.yaml:16:9: error: chips[1].id: duplicate id 'm2-10c' (first defined at chips.yaml:3)\n"
            "   16 |   - id: m2-10c\n"
            "      |         ^");
}

TEST(ChipLoaderTest, FactsNeedSourcesNotesAndFormulas) {
  EXPECT_EQ(LoadError(Replace(kValid, "{value: 10, source: \"Apple newsroom 2022-06-06\"}", "{value: 10}")),
            "chips.yaml:7:16: error: chips[0].gpu_cores.source: a known value needs a source\n"
            "    7 |     gpu_cores: {value: 10}\n"
            "      |                ^");
  EXPECT_EQ(LoadError(Replace(kValid, "memory_type: {value: LPDDR5-6400, source: \"AnandTech\"}",
                              "memory_type: {value: null}")),
            "chips.yaml:13:18: error: chips[0].memory_type.note: an unknown value (null) needs a note saying why\n"
            "   13 |     memory_type: {value: null}\n"
            "      |                  ^");
  EXPECT_EQ(LoadError(Replace(kValid, "fp32_tflops: {value: 3.579,", "fp32_tflops: {value: 3.579, derived: true,")),
            "chips.yaml:10:18: error: chips[0].fp32_tflops.formula: a derived value needs the formula it was "
            "computed with\n"
            "   10 |     fp32_tflops: {value: 3.579, derived: true, source: \"philipturner/metal-benchmarks\"}\n"
            "      |                  ^");
  EXPECT_EQ(LoadError(Replace(kValid, "gpu_cores: {value: 10, source: \"Apple newsroom 2022-06-06\"}", "gpu_cores: 10")),
            "chips.yaml:7:16: error: chips[0].gpu_cores: expected a fact map such as {value: 40, source: \"Apple "
            "tech specs\"}\n"
            "    7 |     gpu_cores: 10\n"
            "      |                ^");
}

TEST(ChipLoaderTest, MemoryOptionsMustIncrease) {
  EXPECT_EQ(LoadError(Replace(kValid, "[8, 16, 24]", "[8, 24, 16]")),
            "chips.yaml:14:40: error: chips[0].memory_options_gb.value[2]: sizes must be listed in increasing order; "
            "16 follows 24\n"
            "   14 |     memory_options_gb: {value: [8, 24, 16], source: \"Apple tech specs\"}\n"
            "      |                                        ^");
}

TEST(ChipLoaderTest, TierMustBeKnown) {
  EXPECT_EQ(LoadError(Replace(kValid, "tier: base", "tier: bse")),
            "chips.yaml:6:11: error: chips[0].tier: 'bse' is not one of: base, pro, max, ultra (did you mean "
            "'base'?)\n"
            "    6 |     tier: bse\n"
            "      |           ^");
}

TEST(ChipLoaderTest, SchemaVersionIsRequired) {
  EXPECT_EQ(LoadError(Replace(kValid, "schema_version: 1\n", "")),
            "chips.yaml:1:1: error: schema_version: missing required field\n"
            "    1 | chips:\n"
            "      | ^");
}

TEST(ChipLoaderTest, EmptyFileIsAnError) {
  EXPECT_EQ(LoadError(""), "chips.yaml: error: the file is empty; expected schema_version and chips");
}

TEST(ChipLoaderTest, DeclaredTflopsFarFromCoresTimesClockWarnsWithBothNumbers) {
  Warnings warnings;
  LoadChipsFromString(Replace(kValid, "{value: 3.579,", "{value: 4.2,"), "chips.yaml", &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(warnings[0]),
            "chips.yaml:10:18: warning: chips[0].fp32_tflops: declared 4.2 TFLOPS, but 10 GPU cores x 128 ALUs x 2 "
            "FLOP x 1398 MHz = 3.579 TFLOPS (17.4% apart)\n"
            "   10 |     fp32_tflops: {value: 4.2, source: \"philipturner/metal-benchmarks\"}\n"
            "      |                  ^");
}

TEST(ChipLoaderTest, DeclaredBandwidthFarFromBusTimesRateWarns) {
  Warnings warnings;
  LoadChipsFromString(Replace(kValid, "{value: 128, source: \"AnandTech\"}", "{value: 256, source: \"AnandTech\"}"),
                      "chips.yaml", &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message,
            "declared 100 GB/s, but a 256-bit bus of LPDDR5-6400 = 204.8 GB/s (51.2% apart)");
  EXPECT_EQ(warnings[0].key_path, "chips[0].memory_bandwidth_gbs");
}

TEST(ChipLoaderTest, RoundedPublishedFiguresDoNotWarn) {
  // Apple's "800 GB/s" for a 1024-bit LPDDR5-6400 bus (819.2 GB/s) is rounding, not an error.
  Warnings warnings;
  std::string text = Replace(kValid, "{value: 100,", "{value: 800,");
  text = Replace(text, "{value: 128, source: \"AnandTech\"}", "{value: 1024, source: \"AnandTech\"}");
  LoadChipsFromString(text, "chips.yaml", &warnings);
  EXPECT_TRUE(warnings.empty());
}

TEST(ChipDerivationTest, TransferRateComesFromTheMemoryTypeName) {
  EXPECT_EQ(TransferRateMts("LPDDR5X-8533"), 8533.0);
  EXPECT_EQ(TransferRateMts("LPDDR4X-4266"), 4266.0);
  EXPECT_EQ(TransferRateMts("LPDDR5"), std::nullopt);
  EXPECT_EQ(TransferRateMts("LPDDR5-"), std::nullopt);
}

}  // namespace
}  // namespace siliconsim

namespace siliconsim {
namespace {

TEST(ChipLoaderIdTest, IdsAreLowerCaseLettersDigitsDashesAndDots) {
  EXPECT_EQ(LoadError(Replace(kValid, "id: m2-10c", "id: M2_10c")),
            "chips.yaml:3:9: error: chips[0].id: 'M2_10c' is not a valid id: use lower-case letters, digits, '-' "
            "and '.'\n"
            "    3 |   - id: M2_10c\n"
            "      |         ^");
  EXPECT_NE(LoadError(Replace(kValid, "id: m2-10c", "id: -m2")), "");
  EXPECT_EQ(LoadError(Replace(kValid, "id: m2-10c", "id: m2.5-10c")), "");
}

}  // namespace
}  // namespace siliconsim
