#pragma once
// The roofs of a chip: peak memory bandwidth, compute for unpacking work (FP32 ALUs) and for
// matrix multiplication (FP16, with M5's matrix units), and cache levels a small working set can
// stream from. Unknown facts are filled from the chip's own family where physics allows it, and
// every such assumption is said out loud.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hardware/chip_spec.h"

namespace siliconsim::sim {

/// A cache level a working set may fit in.
struct CacheRoof {
  std::string name;
  double capacity_bytes = 0;  ///< the largest working set credited with this bandwidth (half the level)
  double read_bandwidth_gbs = 0;
};

/// What the simulator needs from a chip.
struct ChipPeaks {
  bool cpu = false;                   ///< the roofs of a CPU (a host, or an Apple chip's CPU cores): compute is its FMA peak
  double memory_bandwidth_gbs = 0;    ///< DRAM, peak (Apple) or measured (host)
  double alu_tflops = 0;              ///< FP32 FMA peak: unpacking and scaling work
  double matmul_tflops = 0;           ///< FP16 matrix-multiply peak (prefill)
  int cpu_threads = 0;                ///< an Apple chip's CPU side: the threads the engine runs (0: not that)
  bool dual_die = false;              ///< two dies joined by UltraFusion (Ultra)
  bool matrix_units = false;          ///< per-core matrix units (M5 GPU neural accelerators)
  std::vector<CacheRoof> caches;      ///< innermost first; only levels with a known bandwidth
  std::vector<std::string> assumptions;
};

/// Which processor of a chip runs the engine.
enum class PeakSide { kGpu, kCpu };

/// The peaks of `chip`. `database` (the chips it came from) lends a sibling's measured GPU clock
/// when the chip's own is unpublished. For a CPU host, `threads` picks the measurements taken
/// with that many threads (default: all). For an Apple chip, `side` kCpu gives the roofs of its
/// CPU cores (CPU engines such as llama.cpp -ngl 0) with `threads` threads (default: one per
/// performance core, llama.cpp's default on macOS). Throws UsageError when a roof cannot be known.
ChipPeaks PeaksOf(const ChipSpec& chip, std::span<const ChipSpec> database, std::optional<int> threads = {},
                  PeakSide side = PeakSide::kGpu);

}  // namespace siliconsim::sim
