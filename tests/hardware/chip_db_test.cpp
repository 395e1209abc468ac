#include "hardware/chip_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/data_sources.h"
#include "hardware/chip_loader.h"

namespace siliconsim {
namespace {

ChipSpec Chip(const std::string& id, const std::string& name, int gpu_cores, double bandwidth_gbs) {
  ChipSpec c;
  c.id = id;
  c.name = name;
  c.gpu_cores.value = gpu_cores;
  c.memory_bandwidth_gbs.value = bandwidth_gbs;
  return c;
}

ChipDatabase TestDb() {
  return ChipDatabase({Chip("m4-8c", "Apple M4", 8, 120), Chip("m4-10c", "Apple M4", 10, 120),
                       Chip("m4-max-32c", "Apple M4 Max", 32, 410), Chip("m4-max-40c", "Apple M4 Max", 40, 546),
                       Chip("m3-ultra-80c", "Apple M3 Ultra", 80, 819)});
}

std::string ResolveError(const ChipDatabase& db, const std::string& query, std::optional<int> cores = {}) {
  try {
    db.Resolve(query, cores);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ChipDbTest, ResolvesIdsAndNamesInAnyCaseAndSpacing) {
  const ChipDatabase db = TestDb();
  EXPECT_EQ(db.Resolve("m4-max-40c").id, "m4-max-40c");
  EXPECT_EQ(db.Resolve("M4-MAX-40C").id, "m4-max-40c");
  EXPECT_EQ(db.Resolve("M3 Ultra").id, "m3-ultra-80c");
  EXPECT_EQ(db.Resolve("m3ultra").id, "m3-ultra-80c");
  EXPECT_EQ(db.Resolve("Apple M3 Ultra").id, "m3-ultra-80c");
  EXPECT_EQ(db.Resolve("M4 Max 40-core GPU").id, "m4-max-40c");
  EXPECT_EQ(db.Resolve("m4max40").id, "m4-max-40c");
}

TEST(ChipDbTest, GpuCoresPicksAVariant) {
  const ChipDatabase db = TestDb();
  EXPECT_EQ(db.Resolve("M4 Max", 32).id, "m4-max-32c");
  EXPECT_EQ(db.Resolve("m4max", 40).id, "m4-max-40c");
  EXPECT_EQ(db.Resolve("M4", 8).id, "m4-8c");
}

TEST(ChipDbTest, AmbiguousNameListsTheVariants) {
  EXPECT_EQ(ResolveError(TestDb(), "M4 Max"),
            "siliconsim: error: chip 'M4 Max' is ambiguous: it names 2 variants; pick one by id or with "
            "--gpu-cores N:\n"
            "  m4-max-32c       32 GPU cores, 410 GB/s\n"
            "  m4-max-40c       40 GPU cores, 546 GB/s");
}

TEST(ChipDbTest, UnknownNameSuggestsTheNearest) {
  EXPECT_EQ(ResolveError(TestDb(), "M4 Maxx"),
            "siliconsim: error: unknown chip 'M4 Maxx'; did you mean 'M4 Max'? ('siliconsim chips' lists every "
            "chip)");
  EXPECT_EQ(ResolveError(TestDb(), "m4-max-38c"),
            "siliconsim: error: unknown chip 'm4-max-38c'; did you mean 'm4-max-32c'? ('siliconsim chips' lists "
            "every chip)");
}

TEST(ChipDbTest, GpuCoreCountThatNoVariantHasListsTheVariants) {
  EXPECT_EQ(ResolveError(TestDb(), "M4 Max", 36),
            "siliconsim: error: no variant of 'M4 Max' has 36 GPU cores; the variants are:\n"
            "  m4-max-32c       32 GPU cores, 410 GB/s\n"
            "  m4-max-40c       40 GPU cores, 546 GB/s");
  EXPECT_EQ(ResolveError(TestDb(), "m4-max-40c", 32),
            "siliconsim: error: chip 'm4-max-40c' has 40 GPU cores, not 32");
}

class ChipOverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("overlay_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "chips");
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "chips" / name) << text;
  }
  std::filesystem::path dir_;
};

constexpr const char* kOverlay = R"(schema_version: 1
chips:
  - id: m4-max-40c
    name: Apple M4 Max
    family: M4
    tier: max
    gpu_cores: {value: 40, source: "test"}
    memory_bandwidth_gbs: {value: 999, source: "test"}
    memory_options_gb: {value: [128], source: "test"}
  - id: my-lab-chip-12c
    name: Lab Chip
    family: LAB
    tier: base
    gpu_cores: {value: 12, source: "test"}
    memory_bandwidth_gbs: {value: 150, source: "test"}
    memory_options_gb: {value: [32], source: "test"}
)";

TEST_F(ChipOverlayTest, OverlayReplacesBuiltInIdsAndAddsNewOnes) {
  Write("mine.yaml", kOverlay);
  const ChipDatabase builtin = ChipDatabase::Load(DataSources{});
  const ChipDatabase merged = ChipDatabase::Load(DataSources{true, {dir_.string()}, {}});
  EXPECT_EQ(merged.chips().size(), builtin.chips().size() + 1);
  EXPECT_DOUBLE_EQ(*merged.Resolve("m4-max-40c").memory_bandwidth_gbs.value, 999.0);
  EXPECT_EQ(merged.Resolve("m4-max-40c").where.file, (dir_ / "chips" / "mine.yaml").string());
  EXPECT_EQ(merged.Resolve("Lab Chip").id, "my-lab-chip-12c");
  // The built-in entry keeps its place in the listing.
  size_t builtin_pos = 0, merged_pos = 0;
  for (size_t i = 0; i < builtin.chips().size(); ++i) if (builtin.chips()[i].id == "m4-max-40c") builtin_pos = i;
  for (size_t i = 0; i < merged.chips().size(); ++i) if (merged.chips()[i].id == "m4-max-40c") merged_pos = i;
  EXPECT_EQ(builtin_pos, merged_pos);
}

TEST_F(ChipOverlayTest, DuplicateIdAcrossFilesOfOneDirectoryIsAnError) {
  Write("a.yaml", kOverlay);
  Write("b.yaml", kOverlay);
  try {
    ChipDatabase::Load(DataSources{false, {dir_.string()}, {}});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().message, "duplicate id 'm4-max-40c' (first defined at " +
                                          (dir_ / "chips" / "a.yaml").string() + ":3)");
    EXPECT_EQ(e.diagnostic().location.file, (dir_ / "chips" / "b.yaml").string());
  }
}

TEST_F(ChipOverlayTest, MissingDirectoryIsAnError) {
  try {
    ChipDatabase::Load(DataSources{true, {(dir_ / "nope").string()}, {}});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostic().message,
              "data directory '" + (dir_ / "nope").string() + "' does not exist or is not a directory");
  }
}

TEST(DataSourcesTest, SplitsPathLists) {
  EXPECT_EQ(DataSources::SplitPathList("a:b::c:"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(DataSources::SplitPathList("").empty());
}

}  // namespace
}  // namespace siliconsim
