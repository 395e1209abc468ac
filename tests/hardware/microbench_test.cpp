// Microbenchmarks: the working-set plan is exact; the live measurements are only checked for
// sanity (a shared, noisy machine: no timing is asserted).

#include <gtest/gtest.h>

#include "hardware/chip_loader.h"
#include "hardware/host_chip.h"
#include "hardware/microbench.h"

namespace siliconsim {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * 1024;

HostCache Cache(std::string name, int64_t size, int instances, int sharing) {
  HostCache c;
  c.name = std::move(name);
  c.type = c.name == "L1d" ? "Data" : "Unified";
  c.level = c.name[1] - '0';
  c.size_bytes = size;
  c.instances = instances;
  c.threads_sharing = sharing;
  c.source = "test";
  return c;
}

// This project's VM: 48 KiB L1d and 1 MiB L2 per core, one 508 MiB L3 shared by both CPUs.
std::vector<HostCache> VmCaches() {
  return {Cache("L1d", 48 * kKiB, 2, 1), Cache("L2", 1 * kMiB, 2, 1), Cache("L3", 508 * kMiB, 1, 2)};
}

TEST(MicrobenchTest, PlansHalfOfEachCacheAndFourTimesTheLastLevelForDram) {
  const std::vector<WorkingSet> one = PlanWorkingSets(VmCaches(), 1, false, 16 * 1024 * kMiB, nullptr);
  ASSERT_EQ(one.size(), 4u);
  EXPECT_EQ(one[0].level, "L1d");
  EXPECT_EQ(one[0].per_thread_bytes, 24 * kKiB);
  EXPECT_EQ(one[1].per_thread_bytes, 512 * kKiB);
  EXPECT_EQ(one[2].per_thread_bytes, 254 * kMiB);
  EXPECT_EQ(one[3].level, "DRAM");
  EXPECT_EQ(one[3].total_bytes, 4 * 508 * kMiB);

  // Two threads: private caches give each thread half of its own; the shared L3 is split.
  const std::vector<WorkingSet> two = PlanWorkingSets(VmCaches(), 2, false, 16 * 1024 * kMiB, nullptr);
  EXPECT_EQ(two[0].per_thread_bytes, 24 * kKiB);
  EXPECT_EQ(two[0].total_bytes, 48 * kKiB);
  EXPECT_EQ(two[2].per_thread_bytes, 127 * kMiB);
  EXPECT_EQ(two[2].total_bytes, 254 * kMiB);
  EXPECT_EQ(two[3].total_bytes, 4 * 508 * kMiB);
  EXPECT_EQ(two[3].per_thread_bytes % 4096, 0);
}

TEST(MicrobenchTest, DramSetIsBoundedByMemoryAndSaysSo) {
  std::vector<std::string> notes;
  const std::vector<WorkingSet> sets = PlanWorkingSets(VmCaches(), 2, false, 1024 * kMiB, &notes);
  EXPECT_EQ(sets.back().total_bytes, 1024 * kMiB);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("limited"), std::string::npos);
}

TEST(MicrobenchTest, QuickSetsAreSmall) {
  for (const WorkingSet& s : PlanWorkingSets(VmCaches(), 2, true, 0, nullptr)) {
    EXPECT_LE(s.total_bytes, 32 * kMiB) << s.level;
  }
  // Without any cache information only DRAM is planned, at least 256 MiB.
  const std::vector<WorkingSet> bare = PlanWorkingSets({}, 1, false, 0, nullptr);
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].total_bytes, 256 * kMiB);
}

TEST(MicrobenchTest, ThreadCounts) {
  EXPECT_EQ(ThreadCounts(1), std::vector<int>{1});
  EXPECT_EQ(ThreadCounts(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(ThreadCounts(20), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 16, 20}));
}

TEST(MicrobenchTest, KernelsAreVectorizedOnThisBuild) {
#if defined(__x86_64__) || defined(__aarch64__)
  // Every x86-64 CPU this project runs on has AVX2; arm64 always has NEON.
  EXPECT_NE(ReadKernelName(), "portable");
  EXPECT_NE(FmaKernelName(), "portable");
#endif
}

TEST(MicrobenchTest, MeasuresSomethingPositive) {
  EXPECT_GT(MeasureReadBandwidthGbs(256 * kKiB, 1, 1, 0.001), 0);
  EXPECT_GT(MeasureReadBandwidthGbs(256 * kKiB, 2, 1, 0.001), 0);
  EXPECT_GT(MeasureFmaGflops(1, 1, 0.001), 0);
  EXPECT_GT(MeasureFmaGflops(2, 1, 0.001), 0);
}

MicrobenchResult QuickRun(const HostInfo& host) {
  MicrobenchOptions options;
  options.quick = true;
  options.max_threads = 2;
  options.repetitions = 1;
  options.target_rep_seconds = 0.001;
  return RunMicrobenchmarks(host, options);
}

HostInfo VmHost() {
  HostInfo host;
  host.os = "linux";
  host.cpu_vendor = "AuthenticAMD";
  host.cpu_model = "AMD EPYC";
  host.physical_cores = 2;
  host.logical_threads = 2;
  host.usable_threads = 2;
  host.memory_bytes = 24 * 1024 * kMiB;
  host.simd_features = {"avx2", "fma", "avx512f"};
  for (HostCache c : VmCaches()) host.caches.push_back(c);
  return host;
}

TEST(MicrobenchTest, QuickRunCoversEveryLevelAndThreadCount) {
  const MicrobenchResult r = QuickRun(VmHost());
  EXPECT_EQ(r.thread_counts, (std::vector<int>{1, 2}));
  EXPECT_TRUE(r.AllThreadCounts());
  ASSERT_EQ(r.bandwidth.size(), 8u);  // L1d, L2, L3, DRAM x 1, 2 threads
  EXPECT_EQ(r.bandwidth[0].level, "L1d");
  EXPECT_EQ(r.bandwidth[7].level, "DRAM");
  for (const BandwidthMeasurement& m : r.bandwidth) {
    EXPECT_GT(m.read_gbs, 0) << m.level;
    EXPECT_GT(m.working_set_bytes, 0) << m.level;
  }
  ASSERT_EQ(r.fma.size(), 2u);
  for (const FmaMeasurement& m : r.fma) EXPECT_GT(m.gflops, 0);
}

TEST(MicrobenchTest, HostChipRoundTripsThroughYaml) {
  const HostInfo host = VmHost();
  const MicrobenchResult r = QuickRun(host);
  const ChipSpec chip = BuildHostChipSpec(host, r, "2026-11-22");
  EXPECT_EQ(chip.id, "host-amd-epyc");
  EXPECT_EQ(chip.kind, ChipKind::kCpu);
  EXPECT_EQ(chip.family, "AMD");
  EXPECT_EQ(chip.confidence, Confidence::kLow);  // --quick
  ASSERT_TRUE(chip.memory_bandwidth_gbs.known());
  EXPECT_GT(*chip.memory_bandwidth_gbs.value, 0);
  EXPECT_NE(chip.memory_bandwidth_gbs.source.find("siliconsim host --measure --quick 2026-11-22 on AMD EPYC"),
            std::string::npos);
  EXPECT_EQ(chip.cpu_threads.value, 2);
  EXPECT_EQ(chip.memory_options_gb.value, std::vector<int>{24});
  ASSERT_EQ(chip.caches.size(), 3u);
  for (const CacheLevel& c : chip.caches) EXPECT_TRUE(c.read_bandwidth_gbs.has_value()) << c.name;
  ASSERT_TRUE(chip.memory_bandwidth_by_threads_gbs.known());
  EXPECT_EQ(chip.memory_bandwidth_by_threads_gbs.value->size(), 2u);

  const std::string yaml = WriteChipYaml(chip, "captured in a test");
  Warnings warnings;
  const std::vector<ChipSpec> back = LoadChipsFromString(yaml, "host.yaml", &warnings);
  EXPECT_TRUE(warnings.empty()) << (warnings.empty() ? "" : warnings[0].message);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(WriteChipYaml(back[0], "captured in a test"), yaml);
  EXPECT_EQ(back[0].caches, chip.caches);
  EXPECT_EQ(back[0].cpu_fma_gflops.value, chip.cpu_fma_gflops.value);
}

TEST(MicrobenchTest, HostChipIds) {
  EXPECT_EQ(HostChipId("Intel(R) Xeon(R) Platinum 8480+"), "host-intel-r-xeon-r-platinum-8480");
  EXPECT_EQ(HostChipId("Apple M4 Max"), "host-apple-m4-max");
  EXPECT_EQ(HostChipId(""), "host");
}

}  // namespace
}  // namespace siliconsim
