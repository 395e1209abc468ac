#pragma once
// What the machine we run on is: CPU model, cores, SIMD features, caches, memory. Every parser
// is a pure function of captured text (tests feed it files from tests/testdata/host/); only
// ProbeHost() touches the live system (/proc and /sys on Linux, cpuid on x86, sysctl on macOS).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siliconsim {

class ChipDatabase;

/// One cache as the host reports it. Sizes are per instance.
struct HostCache {
  std::string name;           ///< `L1d`, `L1i`, `L2`, `L3`
  int level = 0;              ///< 1, 2, 3, ...
  std::string type;           ///< `Data`, `Instruction` or `Unified`
  std::string core_type;      ///< `P` or `E` on hybrid Apple chips, empty elsewhere
  int64_t size_bytes = 0;     ///< one instance
  int line_bytes = 0;         ///< 0 = unknown
  int instances = 0;          ///< how many of this cache the machine has
  int threads_sharing = 0;    ///< logical CPUs sharing one instance
  std::vector<std::string> shared_cpu_lists;  ///< per instance, sysfs style (`0-1`); empty if unknown
  std::string source;         ///< where size and sharing come from

  bool is_data() const { return type != "Instruction"; }
};

/// The host as probed.
struct HostInfo {
  std::string os;                 ///< `linux`, `macos`
  std::string arch;               ///< `x86_64`, `arm64`
  std::string cpu_vendor;         ///< `GenuineIntel`, `AuthenticAMD`, `Apple`
  std::string cpu_model;          ///< `/proc/cpuinfo` model name or `machdep.cpu.brand_string`
  int physical_cores = 0;
  int logical_threads = 0;
  int usable_threads = 0;         ///< logical CPUs this process may run on (affinity mask)
  std::optional<int> performance_cores;  ///< Apple: hw.perflevel0.physicalcpu
  std::optional<int> efficiency_cores;   ///< Apple: hw.perflevel1.physicalcpu
  std::vector<std::string> simd_features;  ///< canonical names, in kSimdFeatureOrder order
  std::vector<HostCache> caches;   ///< innermost first, data before instruction, P before E
  int64_t memory_bytes = 0;
  std::optional<int64_t> memory_available_bytes;
  bool virtualized = false;        ///< a hypervisor is visible: model, clocks and caches may be virtual
  std::string apple_chip_id;       ///< the chips-database entry this Mac matches, if any
  std::vector<std::string> apple_chip_candidates;  ///< every entry that fits, when ambiguous
  std::vector<std::string> notes;  ///< how facts were determined and what is uncertain
  std::map<std::string, std::string> sources;  ///< fact name -> where it came from

  /// The data caches (no instruction caches), innermost first; on a hybrid chip, the P cores'.
  std::vector<HostCache> DataCaches() const;
};

/// The canonical SIMD feature names, in the order they are listed.
inline constexpr const char* kSimdFeatureOrder[] = {
    "sse4.2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512dq", "avx512bw", "avx512vl",
    "avx512vnni", "avx512_bf16", "avx512_fp16", "amx", "amx_tile", "amx_int8", "amx_bf16",
    "neon", "dotprod", "fp16", "bf16", "i8mm", "sve", "sve2", "sme", "sme2"};

/// Canonical SIMD names from Linux `/proc/cpuinfo` flags (x86 `flags`, arm64 `Features`):
/// `sse4_2` -> `sse4.2`, `avx512_vnni` -> `avx512vnni`, `asimd` -> `neon`, `asimddp` -> `dotprod`,
/// any of `amx_*` also gives `amx`. Unlisted flags are dropped.
std::vector<std::string> NormalizeSimdFeatures(const std::vector<std::string>& flags);

/// The facts `/proc/cpuinfo` holds.
struct CpuinfoFacts {
  std::string vendor;   ///< `vendor_id`, or `CPU implementer` on arm64
  std::string model;    ///< `model name` (x86), else `Hardware` / `Model` / implementer+part
  int logical_cpus = 0;   ///< `processor` entries
  int physical_cores = 0; ///< distinct (physical id, core id); 0 when the file does not say
  int packages = 0;       ///< distinct physical ids; 0 when the file does not say
  std::vector<std::string> flags;  ///< raw flags of the first processor
  bool hypervisor = false;         ///< the `hypervisor` flag
};

/// Parses `/proc/cpuinfo` text.
CpuinfoFacts ParseProcCpuinfo(std::string_view text);

/// MemTotal and MemAvailable from `/proc/meminfo`, in bytes.
struct MeminfoFacts {
  int64_t total_bytes = 0;
  std::optional<int64_t> available_bytes;
};

/// Parses `/proc/meminfo` text.
MeminfoFacts ParseProcMeminfo(std::string_view text);

/// `48K`, `1024K`, `32M`, `1G` or plain bytes, as sysfs cache `size` files write them; empty if not a size.
std::optional<int64_t> ParseSysfsSize(std::string_view text);

/// `0-3,8-11` -> {0,1,2,3,8,9,10,11}; empty if malformed.
std::vector<int> ParseCpuList(std::string_view text);

/// Caches from sysfs files: keys are paths below /sys/devices/system/cpu such as
/// `cpu0/cache/index0/size` (also `level`, `type`, `shared_cpu_list`, `coherency_line_size`),
/// values the files' text. One entry per (level, type), counting the distinct shared_cpu_lists
/// as instances.
std::vector<HostCache> ParseCacheSysfs(const std::map<std::string, std::string>& files);

/// The four registers one `cpuid` leaf returns.
struct CpuidRegisters {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

/// `cpuid(leaf, subleaf)`; injected so that tests replay captured register values.
using CpuidFunction = std::function<CpuidRegisters(uint32_t leaf, uint32_t subleaf)>;

/// The CPU's brand string (leaves 0x80000002..4), trimmed; empty if unsupported.
std::string CpuidBrandString(const CpuidFunction& cpuid);

/// Caches from cpuid when sysfs has none (some VMs): leaf 4 (Intel) or 0x8000001D (AMD), else
/// AMD's legacy leaves 0x80000005/6. When the CPU does not say which CPUs share a cache, L1 and
/// L2 are taken as per core and the last level as shared by all, and `notes` says so.
std::vector<HostCache> DecodeCpuidCaches(const CpuidFunction& cpuid, int logical_cpus, int physical_cores,
                                         std::vector<std::string>* notes);

/// `sysctl -a` style `key: value` lines (also `key = value`) as a map.
std::map<std::string, std::string> ParseSysctlOutput(std::string_view text);

/// A host from macOS sysctl values: brand string, memory, perf levels and their caches,
/// features (`hw.optional.*`). Sets os = macos.
HostInfo HostInfoFromSysctl(const std::map<std::string, std::string>& sysctl);

/// A host from Linux texts: /proc/cpuinfo, /proc/meminfo and the sysfs cache files (may be
/// empty; then `cpuid`, if given, supplies the caches). `uname_machine` is `x86_64`, `aarch64`...
HostInfo HostInfoFromLinux(std::string_view cpuinfo, std::string_view meminfo,
                           const std::map<std::string, std::string>& cache_files, std::string_view uname_machine,
                           const CpuidFunction* cpuid = nullptr);

/// Matches an Apple chip's brand string ("Apple M4 Max") to a chips-database entry: narrowed by
/// P/E core counts and by memory size (sysctl has no GPU core count). When several variants
/// remain, picks the one with the fewest GPU cores and says so in `host.notes`. Fills
/// `apple_chip_id` and `apple_chip_candidates`; leaves a non-Apple host alone.
void MatchAppleChip(const ChipDatabase& db, HostInfo& host);

/// Probes the machine we run on. Never throws for a missing file: what cannot be read is
/// left unknown (0 / empty) and noted.
HostInfo ProbeHost();

/// `cpuid` of this CPU, or null on a non-x86 build.
const CpuidFunction* NativeCpuid();

}  // namespace siliconsim
