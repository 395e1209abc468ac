// The chip database we ship: it loads cleanly, it is complete, and its key facts hold.

#include <gtest/gtest.h>

#include <set>

#include <fmt/format.h>

#include "common/data_sources.h"
#include "hardware/chip_db.h"
#include "common/text.h"
#include "hardware/chip_loader.h"

namespace siliconsim {
namespace {

const ChipDatabase& Shipped() {
  static const ChipDatabase db = ChipDatabase::Load(DataSources{});
  return db;
}

TEST(ShippedChipsTest, EveryFileHasSchemaVersionAndLoadsWithoutWarnings) {
  size_t files = 0;
  for (const EmbeddedFile& f : EmbeddedDataFiles()) {
    if (!f.path.starts_with("chips/")) continue;
    ++files;
    EXPECT_NE(f.text.find("schema_version: 1"), std::string_view::npos) << f.path;
  }
  EXPECT_GE(files, 5u);  // one file per generation, M1..M5
  for (const Diagnostic& w : Shipped().warnings()) ADD_FAILURE() << FormatDiagnostic(w);
}

TEST(ShippedChipsTest, EveryVariantFromM1ToM5IsPresent) {
  const std::vector<std::string> required = {
      "m1-7c", "m1-8c", "m1-pro-14c", "m1-pro-16c", "m1-max-24c", "m1-max-32c", "m1-ultra-48c", "m1-ultra-64c",
      "m2-8c", "m2-10c", "m2-pro-16c", "m2-pro-19c", "m2-max-30c", "m2-max-38c", "m2-ultra-60c", "m2-ultra-76c",
      "m3-10c", "m3-pro-14c", "m3-pro-18c", "m3-max-30c", "m3-max-40c", "m3-ultra-60c", "m3-ultra-80c",
      "m4-8c", "m4-10c", "m4-pro-16c", "m4-pro-20c", "m4-max-32c", "m4-max-40c",
      "m5-10c", "m5-pro-16c", "m5-pro-20c", "m5-max-32c", "m5-max-40c"};
  std::set<std::string> ids;
  for (const ChipSpec& c : Shipped().chips()) ids.insert(c.id);
  for (const std::string& id : required) EXPECT_TRUE(ids.count(id)) << "missing " << id;
}

TEST(ShippedChipsTest, EveryEntryDeclaresEveryFactWithSourceOrNote) {
  for (const ChipSpec& c : Shipped().chips()) {
    SCOPED_TRACE(c.id);
    const auto check = [&](const auto& fact, const char* name) {
      EXPECT_NE(fact.note, "not given") << name << " is not declared";
      if (fact.known()) EXPECT_FALSE(fact.source.empty()) << name;
      else EXPECT_FALSE(fact.note.empty()) << name;
    };
    check(c.year, "year");
    check(c.cpu_performance_cores, "cpu_performance_cores");
    check(c.cpu_efficiency_cores, "cpu_efficiency_cores");
    check(c.gpu_cores, "gpu_cores");
    check(c.gpu_alus_per_core, "gpu_alus_per_core");
    check(c.gpu_clock_mhz, "gpu_clock_mhz");
    check(c.fp32_tflops, "fp32_tflops");
    check(c.fp16_tflops, "fp16_tflops");
    check(c.memory_bandwidth_gbs, "memory_bandwidth_gbs");
    check(c.memory_bus_width_bits, "memory_bus_width_bits");
    check(c.memory_type, "memory_type");
    check(c.memory_options_gb, "memory_options_gb");
    check(c.slc_mb, "slc_mb");
    check(c.gpu_neural_accelerators, "gpu_neural_accelerators");
    check(c.products, "products");
  }
}

TEST(ShippedChipsTest, IdsFollowTheFamilyTierCoresPattern) {
  for (const ChipSpec& c : Shipped().chips()) {
    const std::string tier = c.tier == ChipTier::kBase ? "" : fmt::format("-{}", ToString(c.tier));
    const std::string expected = fmt::format("{}{}-{}c", ToLower(c.family), tier, *c.gpu_cores.value);
    EXPECT_EQ(c.id, expected);
  }
}

// Facts the issue names explicitly; each is a published figure.
TEST(ShippedChipsTest, BinsWithDifferentBandwidthKeepTheirOwnFigures) {
  const ChipDatabase& db = Shipped();
  EXPECT_DOUBLE_EQ(*db.Resolve("m3-max-30c").memory_bandwidth_gbs.value, 300);
  EXPECT_DOUBLE_EQ(*db.Resolve("m3-max-40c").memory_bandwidth_gbs.value, 400);
  EXPECT_DOUBLE_EQ(*db.Resolve("m4-max-32c").memory_bandwidth_gbs.value, 410);
  EXPECT_DOUBLE_EQ(*db.Resolve("m4-max-40c").memory_bandwidth_gbs.value, 546);
  EXPECT_DOUBLE_EQ(*db.Resolve("m4-pro-20c").memory_bandwidth_gbs.value, 273);
  EXPECT_DOUBLE_EQ(*db.Resolve("m2-ultra-76c").fp32_tflops.value, 27.2);
  EXPECT_EQ(db.Resolve("m3-ultra-80c").memory_options_gb.value->back(), 512);
  EXPECT_TRUE(*db.Resolve("m5-10c").gpu_neural_accelerators.value);
  EXPECT_FALSE(*db.Resolve("m4-10c").gpu_neural_accelerators.value);
}

TEST(ShippedChipsTest, NamesResolveAsUsersWriteThem) {
  const ChipDatabase& db = Shipped();
  EXPECT_EQ(db.Resolve("M4 Max", 40).id, "m4-max-40c");
  EXPECT_EQ(db.Resolve("m4max", 32).id, "m4-max-32c");
  EXPECT_THROW(db.Resolve("M4 Max"), InputError);  // two variants
}

}  // namespace
}  // namespace siliconsim
