#include "hardware/host_probe.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hardware/chip_db.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define SILICONSIM_X86 1
#endif

#if defined(__linux__)
#include <sched.h>
#include <sys/utsname.h>
#endif

#if defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace siliconsim {
namespace {

constexpr int64_t kKiB = 1024;

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::optional<int64_t> ToInt(std::string_view text) {
  text = Trim(text);
  int64_t v = 0;
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

int ClampInt(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, 0, 1'000'000)); }

std::string CacheName(int level, const std::string& type) {
  if (type == "Unified") return fmt::format("L{}", level);
  return fmt::format("L{}{}", level, type == "Instruction" ? "i" : "d");
}

int TypeRank(const std::string& type) { return type == "Data" ? 0 : type == "Unified" ? 1 : 2; }

void SortCaches(std::vector<HostCache>& caches) {
  std::stable_sort(caches.begin(), caches.end(), [](const HostCache& a, const HostCache& b) {
    const int ea = a.core_type == "E" ? 1 : 0;
    const int eb = b.core_type == "E" ? 1 : 0;
    if (ea != eb) return ea < eb;
    if (a.level != b.level) return a.level < b.level;
    return TypeRank(a.type) < TypeRank(b.type);
  });
}

}  // namespace

std::vector<HostCache> HostInfo::DataCaches() const {
  std::vector<HostCache> data;
  for (const HostCache& c : caches) {
    if (c.is_data() && c.core_type != "E") data.push_back(c);
  }
  return data;
}

std::vector<std::string> NormalizeSimdFeatures(const std::vector<std::string>& flags) {
  static const std::map<std::string, std::string> kAliases = {
      {"sse4_2", "sse4.2"},       {"avx", "avx"},           {"avx2", "avx2"},
      {"fma", "fma"},             {"f16c", "f16c"},         {"avx_vnni", "avx_vnni"},
      {"avx512f", "avx512f"},     {"avx512dq", "avx512dq"}, {"avx512bw", "avx512bw"},
      {"avx512vl", "avx512vl"},   {"avx512_vnni", "avx512vnni"}, {"avx512vnni", "avx512vnni"},
      {"avx512_bf16", "avx512_bf16"}, {"avx512_fp16", "avx512_fp16"}, {"amx_tile", "amx_tile"},
      {"amx_int8", "amx_int8"},   {"amx_bf16", "amx_bf16"}, {"asimd", "neon"},
      {"neon", "neon"},           {"asimddp", "dotprod"},   {"dotprod", "dotprod"},
      {"asimdhp", "fp16"},        {"fp16", "fp16"},
      {"bf16", "bf16"},           {"i8mm", "i8mm"},         {"sve", "sve"},
      {"sve2", "sve2"},           {"sme", "sme"},           {"sme2", "sme2"}};
  std::set<std::string> found;
  for (const std::string& f : flags) {
    auto it = kAliases.find(f);
    if (it == kAliases.end()) continue;
    found.insert(it->second);
    if (it->second.starts_with("amx_")) found.insert("amx");
  }
  std::vector<std::string> ordered;
  for (const char* name : kSimdFeatureOrder) {
    if (found.count(name)) ordered.emplace_back(name);
  }
  return ordered;
}

CpuinfoFacts ParseProcCpuinfo(std::string_view text) {
  CpuinfoFacts facts;
  std::set<std::pair<std::string, std::string>> cores;  // (physical id, core id)
  std::set<std::string> packages;
  std::string physical_id, implementer, part, hardware, board_model;
  bool have_core_ids = true;
  int cpu_cores_field = 0;
  for (std::string_view line : SplitLines(text)) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "processor") {
      // x86 and arm64 both start each CPU with `processor : N`; old ARM kernels also write
      // `Processor : ARMv7 ...` (capitalised) once, which is not a CPU.
      ++facts.logical_cpus;
      physical_id.clear();
    } else if (key == "vendor_id" && facts.vendor.empty()) {
      facts.vendor = value;
    } else if (key == "model name" && facts.model.empty()) {
      facts.model = value;
    } else if (key == "physical id") {
      physical_id = value;
      packages.insert(physical_id);
    } else if (key == "core id") {
      if (physical_id.empty()) have_core_ids = false;
      cores.emplace(physical_id, std::string(value));
    } else if (key == "cpu cores") {
      cpu_cores_field = ClampInt(ToInt(value).value_or(0));
    } else if ((key == "flags" || key == "Features") && facts.flags.empty()) {
      facts.flags = SplitWords(value);
    } else if (key == "CPU implementer" && implementer.empty()) {
      implementer = value;
    } else if (key == "CPU part" && part.empty()) {
      part = value;
    } else if (key == "Hardware") {
      hardware = value;
    } else if (key == "Model") {
      board_model = value;
    }
  }
  facts.hypervisor = std::find(facts.flags.begin(), facts.flags.end(), "hypervisor") != facts.flags.end();
  facts.packages = static_cast<int>(packages.size());
  if (have_core_ids && !cores.empty()) {
    facts.physical_cores = static_cast<int>(cores.size());
  } else if (cpu_cores_field > 0) {
    facts.physical_cores = cpu_cores_field * std::max(1, facts.packages);
  }
  if (facts.vendor.empty() && !implementer.empty()) {
    static const std::map<std::string, std::string> kImplementers = {
        {"0x41", "ARM"}, {"0x61", "Apple"}, {"0x51", "Qualcomm"}, {"0x48", "HiSilicon"}, {"0x46", "Fujitsu"},
        {"0xc0", "Ampere"}, {"0x4e", "NVIDIA"}};
    auto it = kImplementers.find(implementer);
    facts.vendor = it != kImplementers.end() ? it->second : "implementer " + implementer;
  }
  if (facts.model.empty()) {
    if (!board_model.empty()) facts.model = board_model;
    else if (!hardware.empty()) facts.model = hardware;
    else if (!implementer.empty()) facts.model = fmt::format("{} CPU part {}", facts.vendor, part.empty() ? "?" : part);
  }
  return facts;
}

MeminfoFacts ParseProcMeminfo(std::string_view text) {
  MeminfoFacts facts;
  for (std::string_view line : SplitLines(text)) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = Trim(line.substr(0, colon));
    const std::vector<std::string> words = SplitWords(line.substr(colon + 1));
    if (words.empty()) continue;
    const std::optional<int64_t> n = ToInt(words[0]);
    if (!n) continue;
    const int64_t scale = words.size() > 1 && words[1] == "kB" ? kKiB : 1;
    if (key == "MemTotal") facts.total_bytes = *n * scale;
    if (key == "MemAvailable") facts.available_bytes = *n * scale;
  }
  return facts;
}

std::optional<int64_t> ParseSysfsSize(std::string_view text) {
  text = Trim(text);
  int64_t scale = 1;
  if (!text.empty()) {
    const char suffix = text.back();
    if (suffix == 'K' || suffix == 'k') scale = kKiB;
    if (suffix == 'M') scale = kKiB * kKiB;
    if (suffix == 'G') scale = kKiB * kKiB * kKiB;
    if (scale != 1) text.remove_suffix(1);
  }
  const std::optional<int64_t> n = ToInt(text);
  if (!n || *n <= 0) return std::nullopt;
  return *n * scale;
}

std::vector<int> ParseCpuList(std::string_view text) {
  std::vector<int> cpus;
  text = Trim(text);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view range = text.substr(start, end - start);
    const size_t dash = range.find('-');
    const std::optional<int64_t> lo = ToInt(range.substr(0, dash));
    const std::optional<int64_t> hi = dash == std::string_view::npos ? lo : ToInt(range.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi > 1'000'000) return {};
    for (int64_t c = *lo; c <= *hi; ++c) cpus.push_back(static_cast<int>(c));
    start = end + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::vector<HostCache> ParseCacheSysfs(const std::map<std::string, std::string>& files) {
  // Gather each `cpuN/cache/indexM/` directory's files.
  std::map<std::string, std::map<std::string, std::string>> dirs;
  for (const auto& [path, text] : files) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) continue;
    dirs[path.substr(0, slash)][path.substr(slash + 1)] = std::string(Trim(text));
  }
  struct Group {
    HostCache cache;
    std::set<std::string> lists;
  };
  std::map<std::pair<int, std::string>, Group> groups;
  for (const auto& [dir, f] : dirs) {
    auto level = f.find("level");
    auto type = f.find("type");
    auto size = f.find("size");
    if (level == f.end() || type == f.end() || size == f.end()) continue;
    const std::optional<int64_t> lvl = ToInt(level->second);
    const std::optional<int64_t> bytes = ParseSysfsSize(size->second);
    if (!lvl || *lvl <= 0 || !bytes) continue;
    Group& g = groups[{static_cast<int>(*lvl), type->second}];
    g.cache.level = static_cast<int>(*lvl);
    g.cache.type = type->second;
    g.cache.name = CacheName(g.cache.level, g.cache.type);
    g.cache.size_bytes = std::max(g.cache.size_bytes, *bytes);
    if (auto line = f.find("coherency_line_size"); line != f.end()) {
      g.cache.line_bytes = ClampInt(ToInt(line->second).value_or(0));
    }
    std::string list = dir.substr(0, dir.find('/'));  // `cpuN` alone when the sharing is not given
    if (auto shared = f.find("shared_cpu_list"); shared != f.end() && !ParseCpuList(shared->second).empty()) {
      list = shared->second;
    }
    g.lists.insert(list);
  }
  std::vector<HostCache> caches;
  for (auto& [key, g] : groups) {
    int sharing = 1;
    for (const std::string& list : g.lists) {
      sharing = std::max(sharing, static_cast<int>(ParseCpuList(list).size()));
    }
    g.cache.instances = static_cast<int>(g.lists.size());
    g.cache.threads_sharing = sharing;
    g.cache.shared_cpu_lists.assign(g.lists.begin(), g.lists.end());
    std::sort(g.cache.shared_cpu_lists.begin(), g.cache.shared_cpu_lists.end(),
              [](const std::string& a, const std::string& b) { return ParseCpuList(a) < ParseCpuList(b); });
    g.cache.source = "/sys/devices/system/cpu/cpu*/cache/index*";
    caches.push_back(std::move(g.cache));
  }
  SortCaches(caches);
  return caches;
}

std::string CpuidBrandString(const CpuidFunction& cpuid) {
  if (cpuid(0x80000000u, 0).eax < 0x80000004u) return "";
  std::string brand;
  for (uint32_t leaf = 0x80000002u; leaf <= 0x80000004u; ++leaf) {
    const CpuidRegisters r = cpuid(leaf, 0);
    for (uint32_t reg : {r.eax, r.ebx, r.ecx, r.edx}) {
      for (int byte = 0; byte < 4; ++byte) brand += static_cast<char>((reg >> (8 * byte)) & 0xffu);
    }
  }
  return std::string(Trim(brand));
}

std::vector<HostCache> DecodeCpuidCaches(const CpuidFunction& cpuid, int logical_cpus, int physical_cores,
                                         std::vector<std::string>* notes) {
  const auto note = [&](std::string text) {
    if (notes) notes->push_back(std::move(text));
  };
  logical_cpus = std::max(1, logical_cpus);
  physical_cores = std::clamp(physical_cores, 1, logical_cpus);
  const CpuidRegisters r0 = cpuid(0, 0);
  std::string vendor;
  for (uint32_t reg : {r0.ebx, r0.edx, r0.ecx}) {
    for (int byte = 0; byte < 4; ++byte) vendor += static_cast<char>((reg >> (8 * byte)) & 0xffu);
  }
  const uint32_t max_ext = cpuid(0x80000000u, 0).eax;

  // Deterministic cache parameters: Intel leaf 4, AMD leaf 0x8000001D (same layout).
  uint32_t leaf = 0;
  if (vendor == "GenuineIntel" && r0.eax >= 4) leaf = 4;
  if (vendor == "AuthenticAMD" && max_ext >= 0x8000001Du) leaf = 0x8000001Du;
  std::vector<HostCache> caches;
  for (uint32_t sub = 0; leaf != 0 && sub < 16; ++sub) {
    const CpuidRegisters r = cpuid(leaf, sub);
    const uint32_t type = r.eax & 0x1fu;
    if (type == 0) break;
    HostCache c;
    c.level = static_cast<int>((r.eax >> 5) & 0x7u);
    c.type = type == 1 ? "Data" : type == 2 ? "Instruction" : "Unified";
    c.name = CacheName(c.level, c.type);
    const int64_t ways = ((r.ebx >> 22) & 0x3ffu) + 1;
    const int64_t partitions = ((r.ebx >> 12) & 0x3ffu) + 1;
    const int64_t line = (r.ebx & 0xfffu) + 1;
    const int64_t sets = static_cast<int64_t>(r.ecx) + 1;
    c.size_bytes = ways * partitions * line * sets;
    c.line_bytes = static_cast<int>(line);
    // The field is the number of addressable ids (rounded up to a power of two), so clamp.
    c.threads_sharing = std::min(logical_cpus, static_cast<int>(((r.eax >> 14) & 0xfffu) + 1));
    c.instances = (logical_cpus + c.threads_sharing - 1) / c.threads_sharing;
    c.source = fmt::format("cpuid leaf {:#x}", leaf);
    caches.push_back(std::move(c));
  }
  if (!caches.empty()) {
    SortCaches(caches);
    return caches;
  }

  // Legacy AMD leaves: sizes only, no sharing.
  if (max_ext < 0x80000006u) return caches;
  const int threads_per_core = std::max(1, logical_cpus / physical_cores);
  const auto add = [&](int level, const char* type, int64_t bytes, uint32_t line, bool shared_by_all,
                       const char* from) {
    if (bytes <= 0) return;
    HostCache c;
    c.level = level;
    c.type = type;
    c.name = CacheName(level, type);
    c.size_bytes = bytes;
    c.line_bytes = static_cast<int>(line);
    c.threads_sharing = shared_by_all ? logical_cpus : threads_per_core;
    c.instances = shared_by_all ? 1 : physical_cores;
    c.source = fmt::format("cpuid leaf {}; sharing assumed", from);
    caches.push_back(std::move(c));
  };
  if (max_ext >= 0x80000005u && vendor == "AuthenticAMD") {
    const CpuidRegisters r5 = cpuid(0x80000005u, 0);
    add(1, "Data", static_cast<int64_t>(r5.ecx >> 24) * kKiB, r5.ecx & 0xffu, false, "0x80000005");
    add(1, "Instruction", static_cast<int64_t>(r5.edx >> 24) * kKiB, r5.edx & 0xffu, false, "0x80000005");
  }
  const CpuidRegisters r6 = cpuid(0x80000006u, 0);
  add(2, "Unified", static_cast<int64_t>(r6.ecx >> 16) * kKiB, r6.ecx & 0xffu, false, "0x80000006");
  add(3, "Unified", static_cast<int64_t>(r6.edx >> 18) * 512 * kKiB, r6.edx & 0xffu, true, "0x80000006");
  if (!caches.empty()) {
    note("cache sharing is not reported (no sysfs cache topology, cpuid topology leaves empty): L1 and L2 "
         "are assumed per core and the last level shared by all CPUs");
  }
  SortCaches(caches);
  return caches;
}

std::map<std::string, std::string> ParseSysctlOutput(std::string_view text) {
  std::map<std::string, std::string> values;
  for (std::string_view line : SplitLines(text)) {
    size_t sep = line.find(": ");
    size_t width = 2;
    if (sep == std::string_view::npos) {
      sep = line.find(" = ");
      width = 3;
    }
    if (sep == std::string_view::npos) {
      if (line.ends_with(":")) {  // `key:` with an empty value
        sep = line.size() - 1;
        width = 1;
      } else {
        continue;
      }
    }
    const std::string_view key = Trim(line.substr(0, sep));
    // Keys are dotted names; anything else is a continuation of a multi-line value.
    if (key.empty() || key.find_first_of(" \t{}") != std::string_view::npos || key.find('.') == std::string_view::npos) {
      continue;
    }
    values[std::string(key)] = std::string(Trim(line.substr(sep + width)));
  }
  return values;
}

HostInfo HostInfoFromSysctl(const std::map<std::string, std::string>& sysctl) {
  HostInfo host;
  host.os = "macos";
  const auto text = [&](const std::string& key) -> std::string {
    auto it = sysctl.find(key);
    return it == sysctl.end() ? "" : it->second;
  };
  const auto number = [&](const std::string& key) -> std::optional<int64_t> { return ToInt(text(key)); };
  const auto flag = [&](const std::string& key) { return number(key).value_or(0) != 0; };

  host.arch = flag("hw.optional.arm64") ? "arm64" : "x86_64";
  host.cpu_model = text("machdep.cpu.brand_string");
  host.cpu_vendor = host.arch == "arm64" ? "Apple" : text("machdep.cpu.vendor");
  host.sources["cpu_model"] = "sysctl machdep.cpu.brand_string";
  host.physical_cores = ClampInt(number("hw.physicalcpu").value_or(number("hw.physicalcpu_max").value_or(0)));
  host.logical_threads = ClampInt(number("hw.logicalcpu").value_or(number("hw.ncpu").value_or(0)));
  host.usable_threads = host.logical_threads;
  host.sources["cores"] = "sysctl hw.physicalcpu, hw.logicalcpu";
  host.memory_bytes = number("hw.memsize").value_or(0);
  host.sources["memory"] = "sysctl hw.memsize";
  host.virtualized = flag("kern.hv_vmm_present");
  const int line = ClampInt(number("hw.cachelinesize").value_or(0));

  static const std::pair<const char*, const char*> kFeatures[] = {
      {"hw.optional.neon", "neon"},           {"hw.optional.AdvSIMD", "neon"},
      {"hw.optional.arm.FEAT_DotProd", "dotprod"}, {"hw.optional.arm.FEAT_FP16", "fp16"},
      {"hw.optional.neon_fp16", "fp16"},      {"hw.optional.arm.FEAT_BF16", "bf16"},
      {"hw.optional.arm.FEAT_I8MM", "i8mm"},  {"hw.optional.arm.FEAT_SME", "sme"},
      {"hw.optional.arm.FEAT_SME2", "sme2"},  {"hw.optional.sse4_2", "sse4_2"},
      {"hw.optional.avx1_0", "avx"},          {"hw.optional.avx2_0", "avx2"},
      {"hw.optional.fma", "fma"},             {"hw.optional.f16c", "f16c"},
      {"hw.optional.avx512f", "avx512f"},     {"hw.optional.avx512dq", "avx512dq"},
      {"hw.optional.avx512bw", "avx512bw"},   {"hw.optional.avx512vl", "avx512vl"},
      {"hw.optional.avx512vnni", "avx512vnni"}};
  std::vector<std::string> flags;
  for (const auto& [key, name] : kFeatures) {
    if (flag(key)) flags.emplace_back(name);
  }
  host.simd_features = NormalizeSimdFeatures(flags);
  host.sources["simd_features"] = "sysctl hw.optional.*";

  const auto add_cache = [&](int level, const char* type, const std::string& core_type, int64_t bytes, int instances,
                             int sharing, std::string source) {
    if (bytes <= 0) return;
    HostCache c;
    c.level = level;
    c.type = type;
    c.name = CacheName(level, type);
    c.core_type = core_type;
    c.size_bytes = bytes;
    c.line_bytes = line;
    c.instances = std::max(1, instances);
    c.threads_sharing = std::max(1, sharing);
    c.source = std::move(source);
    host.caches.push_back(std::move(c));
  };

  const int levels = ClampInt(number("hw.nperflevels").value_or(0));
  for (int p = 0; p < levels; ++p) {
    const std::string prefix = fmt::format("hw.perflevel{}.", p);
    const std::string name = text(prefix + "name");
    const std::string core_type = name == "Efficiency" ? "E" : name == "Performance" || p == 0 ? "P" : "E";
    const int cores = ClampInt(number(prefix + "physicalcpu").value_or(0));
    const int logical = ClampInt(number(prefix + "logicalcpu").value_or(cores));
    if (core_type == "P") host.performance_cores = cores;
    else host.efficiency_cores = cores;
    const int threads_per_core = cores > 0 ? std::max(1, logical / cores) : 1;
    const std::string from = "sysctl " + prefix + "*";
    add_cache(1, "Data", core_type, number(prefix + "l1dcachesize").value_or(0), cores, threads_per_core, from);
    add_cache(1, "Instruction", core_type, number(prefix + "l1icachesize").value_or(0), cores, threads_per_core,
              from);
    const int per_l2 = ClampInt(number(prefix + "cpusperl2").value_or(logical));
    add_cache(2, "Unified", core_type, number(prefix + "l2cachesize").value_or(0),
              per_l2 > 0 ? (logical + per_l2 - 1) / per_l2 : 1, per_l2, from);
    const int per_l3 = ClampInt(number(prefix + "cpusperl3").value_or(logical));
    add_cache(3, "Unified", core_type, number(prefix + "l3cachesize").value_or(0),
              per_l3 > 0 ? (logical + per_l3 - 1) / per_l3 : 1, per_l3, from);
  }
  if (levels > 0) {
    host.sources["cores"] = "sysctl hw.physicalcpu, hw.logicalcpu, hw.perflevel*.physicalcpu";
  } else {
    const int cores = std::max(1, host.physical_cores);
    const int per_core = std::max(1, host.logical_threads / cores);
    add_cache(1, "Data", "", number("hw.l1dcachesize").value_or(0), cores, per_core, "sysctl hw.l1dcachesize");
    add_cache(1, "Instruction", "", number("hw.l1icachesize").value_or(0), cores, per_core, "sysctl hw.l1icachesize");
    add_cache(2, "Unified", "", number("hw.l2cachesize").value_or(0), cores, per_core, "sysctl hw.l2cachesize");
    add_cache(3, "Unified", "", number("hw.l3cachesize").value_or(0), 1, std::max(1, host.logical_threads),
              "sysctl hw.l3cachesize");
    if (!host.caches.empty()) {
      host.notes.push_back("sysctl gives no cache sharing without hw.perflevel*: L1 and L2 are assumed per core, "
                           "L3 shared by all");
    }
  }
  SortCaches(host.caches);
  if (host.arch == "arm64" && host.cpu_model.starts_with("Apple")) {
    host.notes.push_back("Apple's system level cache (SLC) is not reported by sysctl");
  }
  return host;
}

HostInfo HostInfoFromLinux(std::string_view cpuinfo, std::string_view meminfo,
                           const std::map<std::string, std::string>& cache_files, std::string_view uname_machine,
                           const CpuidFunction* cpuid) {
  HostInfo host;
  host.os = "linux";
  host.arch = uname_machine == "aarch64" ? "arm64" : std::string(uname_machine);
  const CpuinfoFacts cpu = ParseProcCpuinfo(cpuinfo);
  host.cpu_vendor = cpu.vendor;
  host.cpu_model = cpu.model;
  host.sources["cpu_model"] = "/proc/cpuinfo model name";
  host.logical_threads = cpu.logical_cpus;
  host.usable_threads = cpu.logical_cpus;
  host.physical_cores = cpu.physical_cores;
  host.sources["cores"] = "/proc/cpuinfo (distinct physical id / core id)";
  if (host.physical_cores == 0 && host.logical_threads > 0) {
    host.physical_cores = host.logical_threads;
    host.sources["cores"] = "/proc/cpuinfo processor entries";
    host.notes.push_back("/proc/cpuinfo has no core ids: one thread per core assumed");
  }
  host.simd_features = NormalizeSimdFeatures(cpu.flags);
  host.sources["simd_features"] = "/proc/cpuinfo flags";
  host.virtualized = cpu.hypervisor;
  const MeminfoFacts mem = ParseProcMeminfo(meminfo);
  host.memory_bytes = mem.total_bytes;
  host.memory_available_bytes = mem.available_bytes;
  host.sources["memory"] = "/proc/meminfo MemTotal";

  host.caches = ParseCacheSysfs(cache_files);
  if (host.caches.empty() && cpuid) {
    std::vector<std::string> notes;
    host.caches = DecodeCpuidCaches(*cpuid, host.logical_threads, host.physical_cores, &notes);
    if (!host.caches.empty()) host.notes.push_back("no cache information in sysfs; read from cpuid");
    host.notes.insert(host.notes.end(), notes.begin(), notes.end());
  }
  if (host.caches.empty()) host.notes.push_back("no cache information found (sysfs or cpuid)");
  if (cpuid) {
    const std::string brand = CpuidBrandString(*cpuid);
    if (!brand.empty() && brand != host.cpu_model) {
      host.notes.push_back(fmt::format("cpuid brand string is '{}' while /proc/cpuinfo says '{}'", brand,
                                       host.cpu_model));
    }
  }
  if (host.virtualized) {
    host.notes.push_back("running under a hypervisor: the CPU model, clock and cache sizes are what it reports; "
                         "measure (host --measure), don't look up");
  }
  return host;
}

void MatchAppleChip(const ChipDatabase& db, HostInfo& host) {
  if (!host.cpu_model.starts_with("Apple M")) return;
  std::vector<const ChipSpec*> found = db.Match(host.cpu_model);
  if (found.empty()) {
    host.notes.push_back(fmt::format("'{}' is not in the chips database", host.cpu_model));
    return;
  }
  std::vector<std::string> used;
  const auto narrow = [&](const std::function<bool(const ChipSpec&)>& keep, std::string what) {
    std::vector<const ChipSpec*> kept;
    for (const ChipSpec* c : found) {
      if (keep(*c)) kept.push_back(c);
    }
    if (!kept.empty() && kept.size() < found.size()) {
      found = std::move(kept);
      used.push_back(std::move(what));
    }
  };
  if (host.performance_cores && host.efficiency_cores) {
    narrow(
        [&](const ChipSpec& c) {
          return (!c.cpu_performance_cores.known() || c.cpu_performance_cores.value == host.performance_cores) &&
                 (!c.cpu_efficiency_cores.known() || c.cpu_efficiency_cores.value == host.efficiency_cores);
        },
        fmt::format("{}P+{}E CPU cores", *host.performance_cores, *host.efficiency_cores));
  }
  // Macs report whole GiB (hw.memsize 36 GiB for "36 GB"); Apple's GB are these GiB.
  const int64_t memory_gb = (host.memory_bytes + (int64_t{1} << 29)) >> 30;
  narrow(
      [&](const ChipSpec& c) {
        if (!c.memory_options_gb.known()) return true;
        const std::vector<int>& options = *c.memory_options_gb.value;
        return std::find(options.begin(), options.end(), memory_gb) != options.end();
      },
      fmt::format("{} GB memory", memory_gb));
  std::stable_sort(found.begin(), found.end(), [](const ChipSpec* a, const ChipSpec* b) {
    return a->gpu_cores.value.value_or(0) < b->gpu_cores.value.value_or(0);
  });
  host.apple_chip_id = found.front()->id;
  host.apple_chip_candidates.clear();
  for (const ChipSpec* c : found) host.apple_chip_candidates.push_back(c->id);
  const std::string by = used.empty() ? "brand string" : "brand string, " + fmt::format("{}", fmt::join(used, ", "));
  if (found.size() == 1) {
    host.notes.push_back(fmt::format("'{}' matches chip {} (by {})", host.cpu_model, host.apple_chip_id, by));
  } else {
    host.notes.push_back(fmt::format(
        "'{}' matches {} variants ({}) by {}; sysctl does not report the GPU core count, so {} (the fewest GPU "
        "cores, the conservative choice) is assumed: pass --chip ID to pick another",
        host.cpu_model, found.size(), fmt::join(host.apple_chip_candidates, ", "), by, host.apple_chip_id));
  }
}

const CpuidFunction* NativeCpuid() {
#if defined(SILICONSIM_X86)
  static const CpuidFunction native = [](uint32_t leaf, uint32_t subleaf) {
    CpuidRegisters r;
    // Returns 0 (leaving the registers zero) for a leaf above the CPU's maximum.
    __get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx);
    return r;
  };
  return &native;
#else
  return nullptr;
#endif
}

namespace {

[[maybe_unused]] std::string ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

#if defined(__linux__)
HostInfo ProbeLinux() {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> cache_files;
  const fs::path cpu_root = "/sys/devices/system/cpu";
  std::error_code ec;
  for (fs::directory_iterator it(cpu_root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string cpu = it->path().filename().string();
    if (cpu.size() < 4 || !cpu.starts_with("cpu") || !std::all_of(cpu.begin() + 3, cpu.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      continue;
    }
    std::error_code ec2;
    for (fs::directory_iterator idx(it->path() / "cache", ec2), idx_end; !ec2 && idx != idx_end; idx.increment(ec2)) {
      const std::string index = idx->path().filename().string();
      if (!index.starts_with("index")) continue;
      for (const char* file : {"level", "type", "size", "shared_cpu_list", "coherency_line_size"}) {
        const std::string text = ReadSmallFile(idx->path() / file);
        if (!text.empty()) cache_files[cpu + "/cache/" + index + "/" + file] = text;
      }
    }
  }
  struct utsname names {};
  std::string machine;
  if (uname(&names) == 0) machine = names.machine;
  HostInfo host = HostInfoFromLinux(ReadSmallFile("/proc/cpuinfo"), ReadSmallFile("/proc/meminfo"), cache_files,
                                    machine, NativeCpuid());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) host.usable_threads = CPU_COUNT(&set);
  return host;
}
#endif

#if defined(__APPLE__)
HostInfo ProbeMac() {
  static const char* kStringKeys[] = {"machdep.cpu.brand_string", "machdep.cpu.vendor", "hw.perflevel0.name",
                                      "hw.perflevel1.name", "hw.perflevel2.name"};
  static const char* kNumberKeys[] = {
      "hw.memsize", "hw.physicalcpu", "hw.logicalcpu", "hw.ncpu", "hw.cachelinesize", "hw.nperflevels",
      "hw.l1dcachesize", "hw.l1icachesize", "hw.l2cachesize", "hw.l3cachesize", "hw.optional.arm64",
      "hw.optional.neon", "hw.optional.AdvSIMD", "hw.optional.arm.FEAT_DotProd", "hw.optional.arm.FEAT_FP16",
      "hw.optional.neon_fp16", "hw.optional.arm.FEAT_BF16", "hw.optional.arm.FEAT_I8MM", "hw.optional.arm.FEAT_SME",
      "hw.optional.arm.FEAT_SME2", "hw.optional.sse4_2", "hw.optional.avx1_0", "hw.optional.avx2_0",
      "hw.optional.fma", "hw.optional.f16c", "hw.optional.avx512f", "hw.optional.avx512dq", "hw.optional.avx512bw",
      "hw.optional.avx512vl", "hw.optional.avx512vnni", "kern.hv_vmm_present"};
  std::map<std::string, std::string> values;
  for (const char* key : kStringKeys) {
    char buffer[256] = {};
    size_t size = sizeof(buffer) - 1;
    if (sysctlbyname(key, buffer, &size, nullptr, 0) == 0) values[key] = buffer;
  }
  const auto number = [&](const std::string& key) {
    int64_t v64 = 0;
    size_t size = sizeof(v64);
    if (sysctlbyname(key.c_str(), &v64, &size, nullptr, 0) != 0) return;
    if (size == sizeof(int32_t)) {
      int32_t v32 = 0;
      std::memcpy(&v32, &v64, sizeof(v32));
      values[key] = std::to_string(v32);
    } else {
      values[key] = std::to_string(v64);
    }
  };
  for (const char* key : kNumberKeys) number(key);
  for (int p = 0; p < 3; ++p) {
    for (const char* leaf : {"physicalcpu", "logicalcpu", "l1dcachesize", "l1icachesize", "l2cachesize",
                             "cpusperl2", "l3cachesize", "cpusperl3"}) {
      number(fmt::format("hw.perflevel{}.{}", p, leaf));
    }
  }
  HostInfo host = HostInfoFromSysctl(values);
  if (host.usable_threads == 0) host.usable_threads = static_cast<int>(std::thread::hardware_concurrency());
  return host;
}
#endif

}  // namespace

HostInfo ProbeHost() {
#if defined(__linux__)
  HostInfo host = ProbeLinux();
#elif defined(__APPLE__)
  HostInfo host = ProbeMac();
#else
  HostInfo host;
  host.os = "unknown";
  host.logical_threads = static_cast<int>(std::thread::hardware_concurrency());
  host.physical_cores = host.logical_threads;
  host.usable_threads = host.logical_threads;
  host.notes.push_back("no probe for this operating system: only the thread count is known");
#endif
  if (host.usable_threads <= 0) host.usable_threads = std::max(1, host.logical_threads);
  for (const HostCache& c : host.caches) {
    if (c.size_bytes <= 0) host.notes.push_back(fmt::format("{} has no size", c.name));
  }
  return host;
}

}  // namespace siliconsim
