// The host probe's parsers, fed with captured text from tests/testdata/host/: a Linux Xeon
// (sysfs caches), this project's EPYC VM (no sysfs caches; cpuid registers replayed) and an
// M4 Max Mac (sysctl -a).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/data_sources.h"
#include "hardware/chip_db.h"
#include "hardware/host_probe.h"

namespace siliconsim {
namespace {

std::string ReadTestFile(const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(SILICONSIM_TEST_DATA_DIR) / "testdata" / "host" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `grep . /sys/devices/system/cpu/cpu*/cache/index*/*` output -> {"cpu0/cache/index0/size": "48K"}.
std::map<std::string, std::string> ParseGrepCapture(const std::string& text) {
  const std::string prefix = "/sys/devices/system/cpu/";
  std::map<std::string, std::string> files;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || !line.starts_with(prefix)) continue;
    files[line.substr(prefix.size(), colon - prefix.size())] = line.substr(colon + 1);
  }
  return files;
}

const HostCache* Find(const std::vector<HostCache>& caches, const std::string& name, const std::string& core = "") {
  for (const HostCache& c : caches) {
    if (c.name == name && c.core_type == core) return &c;
  }
  return nullptr;
}

// ---- Linux: an 8-thread Xeon slice with sysfs caches -------------------------------------------

TEST(HostProbeTest, ParsesXeonCpuinfo) {
  const CpuinfoFacts cpu = ParseProcCpuinfo(ReadTestFile("xeon_cpuinfo.txt"));
  EXPECT_EQ(cpu.vendor, "GenuineIntel");
  EXPECT_EQ(cpu.model, "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_EQ(cpu.logical_cpus, 8);
  EXPECT_EQ(cpu.physical_cores, 4);
  EXPECT_EQ(cpu.packages, 1);
  EXPECT_FALSE(cpu.hypervisor);
  EXPECT_EQ(NormalizeSimdFeatures(cpu.flags),
            (std::vector<std::string>{"sse4.2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512dq",
                                      "avx512bw", "avx512vl", "avx512vnni", "avx512_bf16", "avx512_fp16", "amx",
                                      "amx_tile", "amx_int8", "amx_bf16"}));
}

TEST(HostProbeTest, ParsesXeonCacheSysfs) {
  const std::vector<HostCache> caches = ParseCacheSysfs(ParseGrepCapture(ReadTestFile("xeon_cache_sysfs.txt")));
  ASSERT_EQ(caches.size(), 4u);
  EXPECT_EQ(caches[0].name, "L1d");
  EXPECT_EQ(caches[1].name, "L1i");
  EXPECT_EQ(caches[2].name, "L2");
  EXPECT_EQ(caches[3].name, "L3");
  const HostCache& l1d = caches[0];
  EXPECT_EQ(l1d.size_bytes, 48 * 1024);
  EXPECT_EQ(l1d.instances, 4);  // one per core, shared by its two hyperthreads
  EXPECT_EQ(l1d.threads_sharing, 2);
  EXPECT_EQ(l1d.shared_cpu_lists, (std::vector<std::string>{"0,4", "1,5", "2,6", "3,7"}));
  EXPECT_EQ(l1d.line_bytes, 64);
  EXPECT_EQ(caches[2].size_bytes, 2048 * 1024);
  const HostCache& l3 = caches[3];
  EXPECT_EQ(l3.size_bytes, int64_t{107520} * 1024);
  EXPECT_EQ(l3.instances, 1);
  EXPECT_EQ(l3.threads_sharing, 8);
  EXPECT_EQ(l3.shared_cpu_lists, std::vector<std::string>{"0-7"});
}

TEST(HostProbeTest, BuildsXeonHost) {
  const HostInfo host = HostInfoFromLinux(ReadTestFile("xeon_cpuinfo.txt"), ReadTestFile("xeon_meminfo.txt"),
                                          ParseGrepCapture(ReadTestFile("xeon_cache_sysfs.txt")), "x86_64");
  EXPECT_EQ(host.os, "linux");
  EXPECT_EQ(host.arch, "x86_64");
  EXPECT_EQ(host.physical_cores, 4);
  EXPECT_EQ(host.logical_threads, 8);
  EXPECT_EQ(host.memory_bytes, int64_t{65536000} * 1024);
  EXPECT_EQ(host.memory_available_bytes, int64_t{62345678} * 1024);
  const std::vector<HostCache> data = host.DataCaches();
  ASSERT_EQ(data.size(), 3u);  // L1i left out
  EXPECT_EQ(data[0].name, "L1d");
  EXPECT_EQ(data[2].name, "L3");
  EXPECT_TRUE(host.apple_chip_id.empty());
}

// ---- Linux: this project's EPYC VM; no sysfs caches, so cpuid ----------------------------------

// Registers captured on the VM (`cpuid` leaves 0, 0x80000000, 0x80000002-6, 0x8000001D).
CpuidFunction CapturedEpycVm() {
  return [](uint32_t leaf, uint32_t) -> CpuidRegisters {
    switch (leaf) {
      case 0: return {0x0000000d, 0x68747541, 0x444d4163, 0x69746e65};  // "AuthenticAMD"
      case 0x80000000u: return {0x80000021u, 0, 0, 0};
      case 0x80000002u: return {0x6469784f, 0x69562065, 0x61757472, 0x7554206c};  // "Oxide Virtual Tu"
      case 0x80000003u: return {0x2d6e6972, 0x656b696c, 0x6f725020, 0x73736563};  // "rin-like Process"
      case 0x80000004u: return {0x2020726f, 0x20202020, 0x20202020, 0x00202020};  // "or"
      case 0x80000005u: return {0xff60ff40, 0xff60ff40, 0x300c0140, 0x20080140};
      case 0x80000006u: return {0x40802040, 0x60804040, 0x04006140, 0x0fe09140};
      default: return {};  // leaf 4 and 0x8000001D are empty on this VM
    }
  };
}

TEST(HostProbeTest, DecodesAmdLegacyCpuidCaches) {
  std::vector<std::string> notes;
  const std::vector<HostCache> caches = DecodeCpuidCaches(CapturedEpycVm(), 2, 2, &notes);
  ASSERT_EQ(caches.size(), 4u);
  const HostCache* l1d = Find(caches, "L1d");
  const HostCache* l2 = Find(caches, "L2");
  const HostCache* l3 = Find(caches, "L3");
  ASSERT_TRUE(l1d && l2 && l3 && Find(caches, "L1i"));
  EXPECT_EQ(l1d->size_bytes, 48 * 1024);
  EXPECT_EQ(l1d->instances, 2);
  EXPECT_EQ(l1d->threads_sharing, 1);
  EXPECT_EQ(l2->size_bytes, 1024 * 1024);
  EXPECT_EQ(l3->size_bytes, int64_t{1016} * 512 * 1024);  // 508 MiB, as the hypervisor reports it
  EXPECT_EQ(l3->instances, 1);
  EXPECT_EQ(l3->threads_sharing, 2);
  EXPECT_EQ(l3->line_bytes, 64);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("assumed"), std::string::npos);
  EXPECT_EQ(CpuidBrandString(CapturedEpycVm()), "Oxide Virtual Turin-like Processor");
}

TEST(HostProbeTest, DecodesDeterministicCacheLeaf) {
  // Intel leaf 4: L1d 48 KiB (12 ways x 64 sets x 64 B) shared by 2 threads; L3 shared by 16.
  const CpuidFunction intel = [](uint32_t leaf, uint32_t sub) -> CpuidRegisters {
    if (leaf == 0) return {0x20, 0x756e6547, 0x6c65746e, 0x49656e69};  // "GenuineIntel"
    if (leaf != 4) return {};
    if (sub == 0) return {(1u << 14) | (1u << 5) | 1u, (11u << 22) | 63u, 63u, 0};
    if (sub == 1) return {(15u << 14) | (3u << 5) | 3u, (14u << 22) | 63u, 32767u, 0};
    return {};
  };
  const std::vector<HostCache> caches = DecodeCpuidCaches(intel, 8, 4, nullptr);
  ASSERT_EQ(caches.size(), 2u);
  EXPECT_EQ(caches[0].name, "L1d");
  EXPECT_EQ(caches[0].size_bytes, 12 * 64 * 64);
  EXPECT_EQ(caches[0].threads_sharing, 2);
  EXPECT_EQ(caches[0].instances, 4);
  EXPECT_EQ(caches[1].name, "L3");
  EXPECT_EQ(caches[1].size_bytes, int64_t{15} * 32768 * 64);
  EXPECT_EQ(caches[1].threads_sharing, 8);  // 16 addressable ids, clamped to the 8 CPUs
  EXPECT_EQ(caches[1].instances, 1);
}

TEST(HostProbeTest, BuildsEpycVmHostFromCpuidWhenSysfsHasNoCaches) {
  const CpuidFunction cpuid = CapturedEpycVm();
  const HostInfo host = HostInfoFromLinux(ReadTestFile("epyc_vm_cpuinfo.txt"), ReadTestFile("epyc_vm_meminfo.txt"),
                                          {}, "x86_64", &cpuid);
  EXPECT_EQ(host.cpu_vendor, "AuthenticAMD");
  EXPECT_EQ(host.cpu_model, "AMD EPYC");
  EXPECT_EQ(host.logical_threads, 2);
  EXPECT_EQ(host.physical_cores, 2);
  EXPECT_TRUE(host.virtualized);
  EXPECT_GT(host.memory_bytes, 0);
  const std::vector<std::string>& f = host.simd_features;
  for (const char* want : {"avx2", "fma", "avx512f", "avx512bw", "avx512vnni", "avx512_bf16"}) {
    EXPECT_NE(std::find(f.begin(), f.end(), want), f.end()) << want;
  }
  EXPECT_EQ(std::find(f.begin(), f.end(), "amx"), f.end());
  ASSERT_EQ(host.DataCaches().size(), 3u);
  EXPECT_EQ(host.DataCaches().back().name, "L3");
  std::string notes;
  for (const std::string& n : host.notes) notes += n + "\n";
  EXPECT_NE(notes.find("read from cpuid"), std::string::npos) << notes;
  EXPECT_NE(notes.find("Oxide Virtual Turin-like Processor"), std::string::npos) << notes;
  EXPECT_NE(notes.find("hypervisor"), std::string::npos) << notes;
}

TEST(HostProbeTest, SmallParsers) {
  EXPECT_EQ(ParseSysfsSize("48K\n"), 48 * 1024);
  EXPECT_EQ(ParseSysfsSize("32M"), 32 * 1024 * 1024);
  EXPECT_EQ(ParseSysfsSize("512"), 512);
  EXPECT_FALSE(ParseSysfsSize("big"));
  EXPECT_FALSE(ParseSysfsSize(""));
  EXPECT_EQ(ParseCpuList("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_TRUE(ParseCpuList("3-1").empty());
  const MeminfoFacts mem = ParseProcMeminfo("MemTotal:  1000 kB\nMemFree: 10 kB\nMemAvailable:   500 kB\n");
  EXPECT_EQ(mem.total_bytes, 1024000);
  EXPECT_EQ(mem.available_bytes, 512000);
}

TEST(HostProbeTest, ParsesArm64Cpuinfo) {
  const char* text =
      "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
      "asimdhp cpuid asimdrdm lrcpc dcpop asimddp sve i8mm bf16\nCPU implementer\t: 0x41\nCPU architecture: 8\n"
      "CPU variant\t: 0x1\nCPU part\t: 0xd40\nCPU revision\t: 1\n\n"
      "processor\t: 1\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n";
  const CpuinfoFacts cpu = ParseProcCpuinfo(text);
  EXPECT_EQ(cpu.logical_cpus, 2);
  EXPECT_EQ(cpu.physical_cores, 0);  // not stated; HostInfoFromLinux assumes one thread per core
  EXPECT_EQ(cpu.vendor, "ARM");
  EXPECT_EQ(cpu.model, "ARM CPU part 0xd40");
  EXPECT_EQ(NormalizeSimdFeatures(cpu.flags),
            (std::vector<std::string>{"neon", "dotprod", "fp16", "bf16", "i8mm", "sve"}));
  const HostInfo host = HostInfoFromLinux(text, "MemTotal: 4 kB\n", {}, "aarch64");
  EXPECT_EQ(host.arch, "arm64");
  EXPECT_EQ(host.physical_cores, 2);
}

// ---- macOS: an M4 Max from `sysctl -a` ----------------------------------------------------------

TEST(HostProbeTest, ParsesSysctlOutput) {
  const std::map<std::string, std::string> values = ParseSysctlOutput(ReadTestFile("m4max_sysctl.txt"));
  EXPECT_EQ(values.at("machdep.cpu.brand_string"), "Apple M4 Max");
  EXPECT_EQ(values.at("hw.memsize"), "68719476736");
  EXPECT_EQ(values.at("hw.osenvironment"), "");
  EXPECT_EQ(ParseSysctlOutput("a.b = 3\nnot a key: 1\n").at("a.b"), "3");
  EXPECT_EQ(ParseSysctlOutput("a.b = 3\nnot a key: 1\n").size(), 1u);
}

TEST(HostProbeTest, BuildsM4MaxHostFromSysctl) {
  const HostInfo host = HostInfoFromSysctl(ParseSysctlOutput(ReadTestFile("m4max_sysctl.txt")));
  EXPECT_EQ(host.os, "macos");
  EXPECT_EQ(host.arch, "arm64");
  EXPECT_EQ(host.cpu_vendor, "Apple");
  EXPECT_EQ(host.cpu_model, "Apple M4 Max");
  EXPECT_EQ(host.physical_cores, 16);
  EXPECT_EQ(host.performance_cores, 12);
  EXPECT_EQ(host.efficiency_cores, 4);
  EXPECT_EQ(host.memory_bytes, int64_t{64} << 30);
  EXPECT_FALSE(host.virtualized);
  EXPECT_EQ(host.simd_features, (std::vector<std::string>{"neon", "dotprod", "fp16", "bf16", "i8mm", "sme", "sme2"}));
  const HostCache* p_l2 = Find(host.caches, "L2", "P");
  const HostCache* e_l2 = Find(host.caches, "L2", "E");
  ASSERT_TRUE(p_l2 && e_l2);
  EXPECT_EQ(p_l2->size_bytes, 16 << 20);
  EXPECT_EQ(p_l2->instances, 2);  // 12 P cores, 6 per L2
  EXPECT_EQ(p_l2->threads_sharing, 6);
  EXPECT_EQ(e_l2->size_bytes, 4 << 20);
  EXPECT_EQ(e_l2->instances, 1);
  const HostCache* p_l1d = Find(host.caches, "L1d", "P");
  ASSERT_TRUE(p_l1d);
  EXPECT_EQ(p_l1d->size_bytes, 128 * 1024);
  EXPECT_EQ(p_l1d->instances, 12);
  EXPECT_EQ(p_l1d->line_bytes, 128);
  // The P cores' data caches, innermost first: what the microbenchmarks size their sets from.
  const std::vector<HostCache> data = host.DataCaches();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].name, "L1d");
  EXPECT_EQ(data[1].name, "L2");
  EXPECT_EQ(data[1].core_type, "P");
}

const ChipDatabase& Shipped() {
  static const ChipDatabase db = ChipDatabase::Load(DataSources{});
  return db;
}

TEST(HostProbeTest, MatchesM4MaxToItsChipEntry) {
  HostInfo host = HostInfoFromSysctl(ParseSysctlOutput(ReadTestFile("m4max_sysctl.txt")));
  MatchAppleChip(Shipped(), host);
  // 12P+4E and 64 GB only fit the 40-core GPU bin.
  EXPECT_EQ(host.apple_chip_id, "m4-max-40c");
  EXPECT_EQ(host.apple_chip_candidates, std::vector<std::string>{"m4-max-40c"});
}

TEST(HostProbeTest, AmbiguousAppleChipPicksFewestGpuCoresAndSaysSo) {
  std::map<std::string, std::string> sysctl = ParseSysctlOutput(ReadTestFile("m4max_sysctl.txt"));
  sysctl["machdep.cpu.brand_string"] = "Apple M1 Max";
  sysctl["hw.perflevel0.physicalcpu"] = "8";
  sysctl["hw.perflevel1.physicalcpu"] = "2";
  sysctl["hw.memsize"] = std::to_string(int64_t{32} << 30);
  HostInfo host = HostInfoFromSysctl(sysctl);
  MatchAppleChip(Shipped(), host);
  EXPECT_EQ(host.apple_chip_id, "m1-max-24c");
  EXPECT_EQ(host.apple_chip_candidates, (std::vector<std::string>{"m1-max-24c", "m1-max-32c"}));
  ASSERT_FALSE(host.notes.empty());
  EXPECT_NE(host.notes.back().find("GPU core count"), std::string::npos) << host.notes.back();
}

TEST(HostProbeTest, NonAppleHostIsNotMatched) {
  HostInfo host;
  host.cpu_model = "AMD EPYC";
  MatchAppleChip(Shipped(), host);
  EXPECT_TRUE(host.apple_chip_id.empty());
}

// ---- the live probe: whatever this machine is, it must be self-consistent ------------------------

TEST(HostProbeTest, LiveProbeIsSane) {
  const HostInfo host = ProbeHost();
  EXPECT_GE(host.logical_threads, 1);
  EXPECT_GE(host.physical_cores, 1);
  EXPECT_LE(host.physical_cores, host.logical_threads);
  EXPECT_GE(host.usable_threads, 1);
  EXPECT_GT(host.memory_bytes, 0);
  int64_t previous = 0;
  for (const HostCache& c : host.DataCaches()) {
    EXPECT_GT(c.size_bytes, previous) << c.name;
    EXPECT_GE(c.instances, 1) << c.name;
    EXPECT_GE(c.threads_sharing, 1) << c.name;
    previous = c.size_bytes;
  }
}

}  // namespace
}  // namespace siliconsim
