#pragma once
// ChipSpec: one Apple Silicon variant (a GPU-core / bandwidth bin), or a measured CPU host, as
// plain data. Every fact carries its source; unknown facts are empty, never guessed. Only the
// loader sees YAML.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.h"

namespace siliconsim {

/// A published (or derived) value with where it came from.
template <typename T>
struct Fact {
  std::optional<T> value;  ///< empty = unknown
  std::string source;      ///< citation for a known value
  std::string note;        ///< why unknown, or a caveat
  bool derived = false;    ///< computed from other facts rather than published
  std::string formula;     ///< how, when derived
  SourceLocation where;    ///< the line in the data file, for traceability

  bool known() const { return value.has_value(); }

  bool operator==(const Fact&) const = default;
};

/// Product tier of a chip within its generation.
enum class ChipTier { kBase, kPro, kMax, kUltra };

/// How far the facts of an entry can be trusted.
enum class Confidence { kHigh, kLow };

/// What an entry describes: an Apple Silicon SoC (GPU facts required) or a CPU host measured
/// by `siliconsim host --measure` (GPU facts may be absent).
enum class ChipKind { kAppleSilicon, kCpu };

/// One level of the CPU cache hierarchy, as probed and (optionally) measured.
struct CacheLevel {
  std::string name;          ///< `L1d`, `L2`, `L3`
  int64_t size_bytes = 0;    ///< per instance
  int instances = 1;         ///< how many of this cache the machine has
  int threads_sharing = 1;   ///< logical CPUs that share one instance
  std::optional<double> read_bandwidth_gbs;  ///< measured aggregate read GB/s of all threads, data in this level
  std::string source;        ///< where size and bandwidth come from
  SourceLocation where;      ///< the line in the data file

  bool operator==(const CacheLevel& o) const {
    return name == o.name && size_bytes == o.size_bytes && instances == o.instances &&
           threads_sharing == o.threads_sharing && read_bandwidth_gbs == o.read_bandwidth_gbs && source == o.source;
  }
};

/// One chip variant, e.g. `m4-max-40c`.
struct ChipSpec {
  std::string id;      ///< `m4-max-40c`
  std::string name;    ///< `Apple M4 Max`
  std::string family;  ///< `M4`
  ChipKind kind = ChipKind::kAppleSilicon;
  ChipTier tier = ChipTier::kBase;
  Confidence confidence = Confidence::kHigh;

  Fact<int> year;
  Fact<int> cpu_performance_cores;
  Fact<int> cpu_efficiency_cores;
  Fact<double> cpu_p_core_clock_ghz;             ///< performance cores' maximum clock, GHz
  Fact<int> cpu_p_core_fp32_flops_per_cycle;     ///< FP32 FLOP one performance core's SIMD pipes issue per cycle
  Fact<int> gpu_cores;
  Fact<int> gpu_alus_per_core;           ///< FP32 lanes per GPU core (128 on M1-M4)
  Fact<double> gpu_clock_mhz;
  Fact<double> fp32_tflops;               ///< peak, GPU
  Fact<double> fp16_tflops;               ///< peak, GPU
  Fact<double> memory_bandwidth_gbs;      ///< GB/s, 1e9 bytes per second
  Fact<int> memory_bus_width_bits;
  Fact<std::string> memory_type;          ///< e.g. `LPDDR5X-8533`
  Fact<std::vector<int>> memory_options_gb;  ///< unified memory sizes sold, GB as Apple counts them
  Fact<double> slc_mb;                    ///< system level cache, MB
  Fact<bool> gpu_neural_accelerators;     ///< per-core matrix units (M5 GPUs)
  Fact<std::vector<std::string>> products;

  // CPU hosts (kind: cpu); optional for Apple Silicon entries.
  std::vector<CacheLevel> caches;                  ///< innermost first
  Fact<int> cpu_threads;                           ///< threads the measurements used
  Fact<double> cpu_fma_gflops;                     ///< measured peak f32 FMA GFLOP/s, all threads
  Fact<std::vector<std::string>> cpu_features;     ///< SIMD features: avx2, avx512f, neon, ...
  Fact<std::vector<double>> memory_bandwidth_by_threads_gbs;  ///< DRAM read GB/s with 1..N threads
  Fact<std::vector<double>> cpu_fma_gflops_by_threads;        ///< f32 FMA GFLOP/s with 1..N threads

  SourceLocation where;  ///< the entry's `id:` line

  bool operator==(const ChipSpec&) const = default;
};

/// The fact names in the order the YAML, JSON and CSV use.
inline constexpr const char* kChipFactNames[] = {
    "year", "cpu_performance_cores", "cpu_efficiency_cores", "cpu_p_core_clock_ghz",
    "cpu_p_core_fp32_flops_per_cycle", "gpu_cores", "gpu_alus_per_core",
    "gpu_clock_mhz", "fp32_tflops", "fp16_tflops", "memory_bandwidth_gbs", "memory_bus_width_bits",
    "memory_type", "memory_options_gb", "slc_mb", "gpu_neural_accelerators", "products"};

/// The CPU-host fact names (kind: cpu), in file order, after kChipFactNames and `caches`.
inline constexpr const char* kCpuFactNames[] = {"cpu_threads", "cpu_fma_gflops", "cpu_features",
                                                "memory_bandwidth_by_threads_gbs", "cpu_fma_gflops_by_threads"};

const char* ToString(ChipTier tier);
/// `apple-silicon` or `cpu`, as the YAML spells it.
const char* ToString(ChipKind kind);
const char* ToString(Confidence confidence);

/// Peak FP32 TFLOPS from the GPU's shape: cores x ALUs x 2 (FMA) x clock. Empty if any is unknown.
std::optional<double> ComputeFp32Tflops(const ChipSpec& chip);

/// Transfer rate in MT/s from a memory type such as `LPDDR5X-8533`; empty if it names none.
std::optional<double> TransferRateMts(const std::string& memory_type);

/// Bandwidth from bus width and transfer rate, in GB/s. Empty if either is unknown.
std::optional<double> ComputeBandwidthGbs(const ChipSpec& chip);

}  // namespace siliconsim
