#pragma once
// Microbenchmarks that measure the host: sustained read bandwidth with the data in each cache
// level and in DRAM, and peak f32 FMA throughput, for 1..N threads. Each thread owns its slice
// (allocated and first touched on that thread, pinned to one CPU where the OS allows). In a
// repetition all threads stream until a common deadline; the rate is everything they read (or
// computed) over the wall time (steady_clock) until the last one stopped, and the best of
// several repetitions is kept. The kernels are explicitly vectorized (AVX-512 / AVX2 chosen at run time from cpuid,
// NEON on arm64): a scalar loop would measure the core, not the memory.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hardware/host_probe.h"

namespace siliconsim {

/// How hard to measure.
struct MicrobenchOptions {
  int max_threads = 0;              ///< 0 = every CPU this process may use
  bool quick = false;               ///< tests/CI: small working sets, few repetitions (not representative)
  int repetitions = 0;              ///< timed repetitions per point; 0 = 5 (quick: 2)
  double target_rep_seconds = 0;    ///< length of one repetition; 0 = 0.05 s (quick: 0.002 s)
  int64_t max_allocation_bytes = 0; ///< cap on one working set; 0 = half the available memory
  std::function<void(const std::string&)> progress;  ///< called before each point, if set
};

/// One working set to stream: which level it targets and how big it is in total.
struct WorkingSet {
  std::string level;          ///< `L1d`, `L2`, `L3`, `DRAM`
  int64_t total_bytes = 0;    ///< all threads together
  int64_t per_thread_bytes = 0;
};

/// Working sets for `threads` threads from the data caches (innermost first): half of each
/// cache instance, split between the threads that share it (a thread gets size / 2 /
/// min(threads_sharing, threads)), and a DRAM set of at least 4x the total last-level cache
/// (4 x size x instances, at least 256 MiB), bounded by `max_bytes`. Quick mode caps every set
/// at a few MiB. Slices are whole 4 KiB pages. Adds a note when a bound made a set smaller.
std::vector<WorkingSet> PlanWorkingSets(const std::vector<HostCache>& data_caches, int threads, bool quick,
                                        int64_t max_bytes, std::vector<std::string>* notes);

/// One bandwidth point.
struct BandwidthMeasurement {
  std::string level;
  int64_t working_set_bytes = 0;  ///< all threads together
  int threads = 0;
  double read_gbs = 0;            ///< 1e9 bytes per second, all threads together
};

/// One FMA throughput point.
struct FmaMeasurement {
  int threads = 0;
  double gflops = 0;  ///< f32, an FMA counted as 2 FLOP, all threads together
};

/// Everything one run measured.
struct MicrobenchResult {
  std::string read_kernel;  ///< `avx512`, `avx2`, `neon` or `portable`
  std::string fma_kernel;
  std::vector<int> thread_counts;  ///< the counts measured, increasing; the last is the maximum
  std::vector<BandwidthMeasurement> bandwidth;  ///< by level (innermost first, DRAM last), then threads
  std::vector<FmaMeasurement> fma;              ///< by threads
  int repetitions = 0;
  bool quick = false;
  double elapsed_seconds = 0;
  std::vector<std::string> notes;

  /// The read bandwidth of `level` with `threads` threads, if measured.
  std::optional<double> ReadGbs(const std::string& level, int threads) const;
  /// The working set used for `level` with `threads` threads (0 if not measured).
  int64_t WorkingSetBytes(const std::string& level, int threads) const;
  /// The FMA GFLOP/s with `threads` threads, if measured.
  std::optional<double> FmaGflops(int threads) const;
  /// True when every count 1..max was measured (then per-thread lists are complete).
  bool AllThreadCounts() const;
};

/// The thread counts to measure up to `max_threads`: every count up to 8, beyond that powers
/// of two and the maximum.
std::vector<int> ThreadCounts(int max_threads);

/// Read bandwidth of `total_bytes` split over `threads` threads, in GB/s (best repetition).
double MeasureReadBandwidthGbs(int64_t total_bytes, int threads, int repetitions, double target_rep_seconds);

/// Peak f32 FMA GFLOP/s of `threads` threads (best repetition).
double MeasureFmaGflops(int threads, int repetitions, double target_rep_seconds);

/// The read kernel this CPU runs: `avx512`, `avx2`, `neon` or `portable`.
std::string ReadKernelName();
/// The FMA kernel this CPU runs.
std::string FmaKernelName();

/// Measures every working set of PlanWorkingSets and the FMA peak for each thread count.
/// Throws InputError if a working set cannot be allocated.
MicrobenchResult RunMicrobenchmarks(const HostInfo& host, const MicrobenchOptions& options);

}  // namespace siliconsim
