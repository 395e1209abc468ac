// Chip entries of kind cpu (measured hosts), the chip writer, and --chip FILE resolution.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/data_sources.h"
#include "hardware/chip_db.h"
#include "hardware/chip_loader.h"
#include "../test_util.h"

namespace siliconsim {
namespace {

using test::ErrorOf;
using test::ReplaceOnce;

const std::string kCpuChip = R"(schema_version: 1
chips:
  - id: host-amd-epyc
    name: AMD EPYC
    family: AMD
    kind: cpu
    cpu_performance_cores: {value: 2, source: "/proc/cpuinfo"}
    memory_bandwidth_gbs:  {value: 29.1, source: "siliconsim host --measure 2026-11-22 on AMD EPYC"}
    memory_options_gb:     {value: [24], source: "/proc/meminfo MemTotal"}
    cpu_threads:           {value: 2, source: "siliconsim host --measure 2026-11-22 on AMD EPYC"}
    cpu_fma_gflops:        {value: 250.5, source: "siliconsim host --measure 2026-11-22 on AMD EPYC"}
    cpu_features:          {value: [avx2, fma, avx512f], source: "/proc/cpuinfo flags"}
    memory_bandwidth_by_threads_gbs: {value: [15.2, 29.1], source: "siliconsim host --measure"}
    cpu_fma_gflops_by_threads:       {value: [125.3, 250.5], source: "siliconsim host --measure"}
    caches:
      - {name: L1d, size_bytes: 49152, instances: 2, threads_sharing: 1, read_bandwidth_gbs: 400, source: "cpuid"}
      - {name: L2, size_bytes: 1048576, instances: 2, threads_sharing: 1, source: "cpuid"}
      - {name: L3, size_bytes: 532676608, instances: 1, threads_sharing: 2, read_bandwidth_gbs: 60.5, source: "cpuid"}
)";

std::string LoadError(const std::string& text) {
  return ErrorOf([&] { LoadChipsFromString(text); });
}

TEST(ChipCpuKindTest, LoadsACpuChipWithoutGpuFactsOrTierAndWithoutWarnings) {
  Warnings warnings;
  const std::vector<ChipSpec> chips = LoadChipsFromString(kCpuChip, "input", &warnings);
  EXPECT_TRUE(warnings.empty()) << (warnings.empty() ? "" : FormatDiagnostic(warnings[0]));
  ASSERT_EQ(chips.size(), 1u);
  const ChipSpec& c = chips[0];
  EXPECT_EQ(c.kind, ChipKind::kCpu);
  EXPECT_FALSE(c.gpu_cores.known());
  EXPECT_EQ(c.memory_bandwidth_gbs.value, 29.1);
  EXPECT_EQ(c.cpu_threads.value, 2);
  EXPECT_EQ(c.cpu_fma_gflops.value, 250.5);
  EXPECT_EQ(c.cpu_features.value, (std::vector<std::string>{"avx2", "fma", "avx512f"}));
  EXPECT_EQ(c.memory_bandwidth_by_threads_gbs.value, (std::vector<double>{15.2, 29.1}));
  ASSERT_EQ(c.caches.size(), 3u);
  EXPECT_EQ(c.caches[0].name, "L1d");
  EXPECT_EQ(c.caches[0].size_bytes, 49152);
  EXPECT_EQ(c.caches[0].read_bandwidth_gbs, 400);
  EXPECT_FALSE(c.caches[1].read_bandwidth_gbs.has_value());
  EXPECT_EQ(c.caches[2].instances, 1);
  EXPECT_EQ(c.caches[2].threads_sharing, 2);
  EXPECT_EQ(c.caches[2].where.line, 18);
}

TEST(ChipCpuKindTest, AbsentKindIsAppleSiliconAndStillNeedsGpuCoresAndTier) {
  const std::string apple = ReplaceOnce(kCpuChip, "    kind: cpu\n", "");
  EXPECT_EQ(LoadError(apple),
            "input:3:5: error: chips[0].tier: missing required field\n"
            "    3 |   - id: host-amd-epyc\n"
            "      |     ^");
  const std::string with_tier = ReplaceOnce(apple, "    family: AMD\n", "    family: AMD\n    tier: base\n");
  EXPECT_NE(LoadError(with_tier).find("chips[0].gpu_cores: missing required field"), std::string::npos)
      << LoadError(with_tier);
}

TEST(ChipCpuKindTest, RejectsBadKindAndBadCaches) {
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "kind: cpu", "kind: cpus")).find("(did you mean 'cpu'?)"),
            std::string::npos);
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "threads_sharing: 1, read_bandwidth_gbs: 400",
                                  "threads_sharing: 1, read_bandwith_gbs: 400"))
                .find("did you mean 'read_bandwidth_gbs'"),
            std::string::npos);
  const std::string unordered = ReplaceOnce(kCpuChip, "size_bytes: 1048576", "size_bytes: 32768");
  EXPECT_NE(LoadError(unordered).find("caches must be listed innermost first"), std::string::npos)
      << LoadError(unordered);
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, ", source: \"cpuid\"}\n      - {name: L2", "}\n      - {name: L2"))
                .find("chips[0].caches[0].source: missing required field"),
            std::string::npos);
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "name: L2,", "name: L1d,")).find("duplicate cache level 'L1d'"),
            std::string::npos);
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "instances: 1,", "instances: 0,")).find("must be greater than zero"),
            std::string::npos);
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "{value: 250.5, source: \"siliconsim host --measure 2026-11-22 on AMD EPYC\"}",
                                  "{value: 250.5}"))
                .find("chips[0].cpu_fma_gflops.source: a known value needs a source"),
            std::string::npos);
  // Memory bandwidth stays required and known for every kind.
  EXPECT_NE(LoadError(ReplaceOnce(kCpuChip, "{value: 29.1, source: \"siliconsim host --measure 2026-11-22 on AMD EPYC\"}",
                                  "{value: null, note: \"not measured\"}"))
                .find("must be known"),
            std::string::npos);
}

TEST(ChipCpuKindTest, WarnsWhenPerThreadListsDisagreeWithTheTotals) {
  Warnings warnings;
  LoadChipsFromString(ReplaceOnce(kCpuChip, "[15.2, 29.1]", "[15.2, 20.0]"), "input", &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key_path, "chips[0].memory_bandwidth_gbs");
  EXPECT_NE(warnings[0].message.find("ends at 20"), std::string::npos) << warnings[0].message;
  warnings.clear();
  LoadChipsFromString(ReplaceOnce(kCpuChip, "[125.3, 250.5]", "[250.5]"), "input", &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("lists 1 thread counts, but cpu_threads is 2"), std::string::npos);
}

// Writing and reading back gives the same entry, for a cpu chip and for every shipped chip.
void ExpectRoundTrip(const ChipSpec& chip) {
  SCOPED_TRACE(chip.id);
  const std::string yaml = WriteChipYaml(chip);
  std::vector<ChipSpec> back;
  Warnings warnings;
  ASSERT_NO_THROW(back = LoadChipsFromString(yaml, "written", &warnings)) << yaml;
  ASSERT_EQ(back.size(), 1u);
  const ChipSpec& b = back[0];
  EXPECT_EQ(WriteChipYaml(b), yaml);
  EXPECT_EQ(b.id, chip.id);
  EXPECT_EQ(b.name, chip.name);
  EXPECT_EQ(b.kind, chip.kind);
  EXPECT_EQ(b.tier, chip.tier);
  EXPECT_EQ(b.confidence, chip.confidence);
  EXPECT_EQ(b.gpu_cores.value, chip.gpu_cores.value);
  EXPECT_EQ(b.fp16_tflops.value, chip.fp16_tflops.value);
  EXPECT_EQ(b.fp16_tflops.formula, chip.fp16_tflops.formula);
  EXPECT_EQ(b.memory_bandwidth_gbs.value, chip.memory_bandwidth_gbs.value);
  EXPECT_EQ(b.memory_bandwidth_gbs.source, chip.memory_bandwidth_gbs.source);
  EXPECT_EQ(b.memory_options_gb.value, chip.memory_options_gb.value);
  EXPECT_EQ(b.products.value, chip.products.value);
  EXPECT_EQ(b.slc_mb.note, chip.slc_mb.note);
  EXPECT_EQ(b.caches, chip.caches);
  EXPECT_EQ(b.cpu_fma_gflops_by_threads.value, chip.cpu_fma_gflops_by_threads.value);
}

TEST(ChipCpuKindTest, WriterRoundTrips) {
  ExpectRoundTrip(LoadChipsFromString(kCpuChip)[0]);
  const ChipDatabase shipped = ChipDatabase::Load(DataSources{});
  for (const ChipSpec& chip : shipped.chips()) ExpectRoundTrip(chip);
}

TEST(ChipCpuKindTest, WriterQuotesStrings) {
  ChipSpec chip = LoadChipsFromString(kCpuChip)[0];
  chip.name = "Odd \"name\": with\\ colon\tand tab";
  chip.memory_bandwidth_gbs.note = "true";  // would read as a bool unquoted
  const ChipSpec back = LoadChipsFromString(WriteChipYaml(chip))[0];
  EXPECT_EQ(back.name, chip.name);
  EXPECT_EQ(back.memory_bandwidth_gbs.note, "true");
}

class ResolveChipArgumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("siliconsim_resolve_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::filesystem::path dir_;
  const ChipDatabase db_ = ChipDatabase::Load(DataSources{});
};

TEST_F(ResolveChipArgumentTest, LoadsAChipFile) {
  const std::string path = Write("host.yaml", kCpuChip);
  EXPECT_TRUE(IsChipFileArgument(path));
  Warnings warnings;
  const ChipSpec chip = ResolveChipArgument(db_, path, std::nullopt, &warnings);
  EXPECT_EQ(chip.id, "host-amd-epyc");
  EXPECT_EQ(chip.kind, ChipKind::kCpu);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(chip.where.file, path);
}

TEST_F(ResolveChipArgumentTest, FallsBackToTheDatabase) {
  EXPECT_EQ(ResolveChipArgument(db_, "M4 Max", 40, nullptr).id, "m4-max-40c");
  EXPECT_FALSE(IsChipFileArgument("missing.yaml"));
  // A .yaml name that is not a file is looked up (and then not found) like any name.
  EXPECT_NE(ErrorOf([&] { ResolveChipArgument(db_, "missing.yaml", std::nullopt, nullptr); }).find("unknown chip"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { ResolveChipArgument(db_, "M4 Max", std::nullopt, nullptr); }).find("ambiguous"),
            std::string::npos);
}

TEST_F(ResolveChipArgumentTest, FileMustHoldExactlyOneChip) {
  const std::string two = kCpuChip + ReplaceOnce(kCpuChip.substr(kCpuChip.find("  - id:")), "host-amd-epyc", "other");
  const std::string path = Write("two.yml", two);
  EXPECT_NE(ErrorOf([&] { ResolveChipArgument(db_, path, std::nullopt, nullptr); }).find("holds 2 chips"),
            std::string::npos);
  const std::string bad = Write("bad.yaml", ReplaceOnce(kCpuChip, "kind: cpu", "kind: gpu"));
  EXPECT_NE(ErrorOf([&] { ResolveChipArgument(db_, bad, std::nullopt, nullptr); }).find("bad.yaml:6:11: error"),
            std::string::npos);
  const std::string one = Write("one.yaml", kCpuChip);
  EXPECT_NE(ErrorOf([&] { ResolveChipArgument(db_, one, 40, nullptr); }).find("not 40"), std::string::npos);
}

}  // namespace
}  // namespace siliconsim
