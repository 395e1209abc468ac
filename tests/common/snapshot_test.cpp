// The build-time snapshot of the databases (common/snapshot.h) against the YAML it was made from.

#include "common/snapshot.h"

#include <gtest/gtest.h>

#include "common/data_sources.h"
#include "engine/engine_db.h"
#include "engine/engine_snapshot.h"
#include "hardware/chip_db.h"
#include "hardware/chip_snapshot.h"
#include "model/model_loader.h"
#include "model/model_snapshot.h"
#include "model/quant_db.h"
#include "snapshot/builtin_snapshot.h"

namespace siliconsim {
namespace {

DataSources Yaml() { return DataSources{}; }
DataSources Snapshot() {
  DataSources s;
  s.builtin_snapshot = BuiltinSnapshot();
  return s;
}

// Every struct compares all its members (defaulted operator==), so a member the snapshot's field
// lists forget comes back default and fails here, on whichever built-in entry sets it.
TEST(SnapshotTest, BuiltinSnapshotEqualsTheYaml) {
  const ChipDatabase chips_yaml = ChipDatabase::Load(Yaml());
  const ChipDatabase chips_snap = ChipDatabase::Load(Snapshot());
  ASSERT_GT(chips_yaml.chips().size(), 30u);
  ASSERT_EQ(chips_yaml.chips().size(), chips_snap.chips().size());
  for (size_t i = 0; i < chips_yaml.chips().size(); ++i) {
    const ChipSpec& a = chips_yaml.chips()[i];
    const ChipSpec& b = chips_snap.chips()[i];
    EXPECT_TRUE(a == b) << a.id;
    ASSERT_EQ(a.caches.size(), b.caches.size()) << a.id;
    for (size_t c = 0; c < a.caches.size(); ++c) EXPECT_TRUE(a.caches[c].where == b.caches[c].where) << a.id;
  }
  EXPECT_TRUE(chips_yaml.warnings() == chips_snap.warnings());

  const ModelDatabase models_yaml = ModelDatabase::Load(Yaml());
  const ModelDatabase models_snap = ModelDatabase::Load(Snapshot());
  ASSERT_GT(models_yaml.models().size(), 40u);
  ASSERT_EQ(models_yaml.models().size(), models_snap.models().size());
  for (size_t i = 0; i < models_yaml.models().size(); ++i) {
    EXPECT_TRUE(models_yaml.models()[i] == models_snap.models()[i]) << models_yaml.models()[i].id;
  }
  EXPECT_TRUE(models_yaml.warnings() == models_snap.warnings());

  const QuantDatabase quants_yaml = QuantDatabase::Load(Yaml());
  const QuantDatabase quants_snap = QuantDatabase::Load(Snapshot());
  ASSERT_GT(quants_yaml.gguf_file_types().size(), 10u);
  EXPECT_TRUE(quants_yaml.gguf_file_types() == quants_snap.gguf_file_types());
  EXPECT_TRUE(quants_yaml.mlx_quants() == quants_snap.mlx_quants());
  EXPECT_TRUE(quants_yaml.kv_cache_types() == quants_snap.kv_cache_types());
  EXPECT_TRUE(quants_yaml.warnings() == quants_snap.warnings());

  const EngineDatabase engines_yaml = EngineDatabase::Load(Yaml());
  const EngineDatabase engines_snap = EngineDatabase::Load(Snapshot());
  ASSERT_GE(engines_yaml.engines().size(), 4u);
  ASSERT_EQ(engines_yaml.engines().size(), engines_snap.engines().size());
  for (size_t i = 0; i < engines_yaml.engines().size(); ++i) {
    EXPECT_TRUE(engines_yaml.engines()[i] == engines_snap.engines()[i]) << engines_yaml.engines()[i].id;
  }
}

// The equality above is only as strong as operator==: a changed member must make it fail.
TEST(SnapshotTest, TheComparisonSeesEveryKindOfMember) {
  const ChipDatabase chips = ChipDatabase::Load(Snapshot());
  ChipSpec c = chips.chips().front();
  c.cpu_p_core_clock_ghz.source += "x";
  EXPECT_FALSE(c == chips.chips().front());
  c = chips.chips().front();
  c.where.line += 1;
  EXPECT_FALSE(c == chips.chips().front());

  const EngineDatabase engines = EngineDatabase::Load(Snapshot());
  EngineSpec e = engines.engines().front();
  ASSERT_FALSE(e.kernels.empty());
  e.kernels.back().decode_ops_per_weight.value *= 1.5;
  EXPECT_FALSE(e == engines.engines().front());
}

// Overlays still override the snapshot's entries by id, exactly as they override the YAML's.
TEST(SnapshotTest, AnOverlayReplacesASnapshotEntry) {
  DataSources yaml = Yaml();
  DataSources snap = Snapshot();
  // tests/testdata/chips/fixture.yaml redefines m1-max-24c and m1-max-32c.
  yaml.overlay_dirs = snap.overlay_dirs = {std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata"};
  const ChipDatabase a = ChipDatabase::Load(yaml);
  const ChipDatabase b = ChipDatabase::Load(snap);
  ASSERT_EQ(a.chips().size(), b.chips().size());
  for (size_t i = 0; i < a.chips().size(); ++i) EXPECT_TRUE(a.chips()[i] == b.chips()[i]) << a.chips()[i].id;
  EXPECT_EQ(b.Resolve("m1-max-24c").where.file, std::string(SILICONSIM_TEST_DATA_DIR) + "/testdata/chips/fixture.yaml");
  EXPECT_EQ(b.Resolve("m4-max-40c").where.file, "data/chips/m4.yaml");
}

TEST(SnapshotTest, ABrokenSnapshotIsRefusedNotReadPastItsEnd) {
  const std::string_view good = BuiltinSnapshot();
  EXPECT_THROW(FindSnapshotSection("not a snapshot", "chips"), SnapshotError);
  std::string wrong_version(good);
  wrong_version[8] = static_cast<char>(wrong_version[8] + 1);
  EXPECT_THROW(FindSnapshotSection(wrong_version, "chips"), SnapshotError);
  EXPECT_FALSE(FindSnapshotSection(good, "no-such-database").has_value());

  const std::string_view chips = *FindSnapshotSection(good, "chips");
  for (size_t cut : {size_t{0}, size_t{7}, chips.size() / 2, chips.size() - 1}) {
    EXPECT_THROW(DecodeChipSnapshot(chips.substr(0, cut)), SnapshotError) << cut;
  }
  EXPECT_THROW(DecodeChipSnapshot(std::string(chips) + "x"), SnapshotError);
  // A section table that claims more bytes than there are.
  EXPECT_THROW(FindSnapshotSection(good.substr(0, 40), "engines"), SnapshotError);
}

}  // namespace
}  // namespace siliconsim
