#include "hardware/microbench.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <thread>

#include <fmt/format.h>

#include "common/diagnostics.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SILICONSIM_X86 1
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif
#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#endif

namespace siliconsim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kPage = 4096;
constexpr int64_t kMiB = int64_t{1} << 20;
// Elements one read-kernel iteration consumes (8 vectors of 64 bytes); slices are whole pages,
// so always a multiple of this.
constexpr size_t kReadBlockWords = 64;

std::atomic<uint64_t> g_sink{0};  // results go here so no kernel is optimized away

// Keeps the compiler from assuming memory is unchanged between passes.
inline void ClobberMemory() { __asm__ __volatile__("" : : : "memory"); }

// ---- read kernels: sum 64-bit words with 8 independent accumulators ----------------------------

uint64_t ReadPortable(const uint64_t* p, size_t n) {
  uint64_t a[8] = {};
  for (size_t i = 0; i < n; i += kReadBlockWords) {
    for (size_t k = 0; k < kReadBlockWords; k += 8) {
      for (size_t j = 0; j < 8; ++j) a[j] += p[i + k + j];
    }
  }
  return a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
}

#if defined(SILICONSIM_X86)
__attribute__((target("avx512f"))) uint64_t ReadAvx512(const uint64_t* p, size_t n) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (size_t i = 0; i < n; i += kReadBlockWords) {
    a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
    a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + i + 8));
    a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + i + 16));
    a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + i + 24));
    a4 = _mm512_add_epi64(a4, _mm512_load_si512(p + i + 32));
    a5 = _mm512_add_epi64(a5, _mm512_load_si512(p + i + 40));
    a6 = _mm512_add_epi64(a6, _mm512_load_si512(p + i + 48));
    a7 = _mm512_add_epi64(a7, _mm512_load_si512(p + i + 56));
  }
  a0 = _mm512_add_epi64(_mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)),
                        _mm512_add_epi64(_mm512_add_epi64(a4, a5), _mm512_add_epi64(a6, a7)));
  // Not _mm512_reduce_add_epi64: GCC 12's header trips -Wuninitialized in it.
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, a0);
  uint64_t sum = 0;
  for (uint64_t v : lanes) sum += v;
  return sum;
}

__attribute__((target("avx2"))) uint64_t ReadAvx2(const uint64_t* p, size_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (size_t i = 0; i < n; i += kReadBlockWords / 2) {
    const auto* v = reinterpret_cast<const __m256i*>(p + i);
    a0 = _mm256_add_epi64(a0, _mm256_load_si256(v));
    a1 = _mm256_add_epi64(a1, _mm256_load_si256(v + 1));
    a2 = _mm256_add_epi64(a2, _mm256_load_si256(v + 2));
    a3 = _mm256_add_epi64(a3, _mm256_load_si256(v + 3));
    a4 = _mm256_add_epi64(a4, _mm256_load_si256(v + 4));
    a5 = _mm256_add_epi64(a5, _mm256_load_si256(v + 5));
    a6 = _mm256_add_epi64(a6, _mm256_load_si256(v + 6));
    a7 = _mm256_add_epi64(a7, _mm256_load_si256(v + 7));
  }
  a0 = _mm256_add_epi64(_mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)),
                        _mm256_add_epi64(_mm256_add_epi64(a4, a5), _mm256_add_epi64(a6, a7)));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), a0);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
#endif

#if defined(__aarch64__)
uint64_t ReadNeon(const uint64_t* p, size_t n) {
  uint64x2_t a0 = vdupq_n_u64(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (size_t i = 0; i < n; i += 16) {
    a0 = vaddq_u64(a0, vld1q_u64(p + i));
    a1 = vaddq_u64(a1, vld1q_u64(p + i + 2));
    a2 = vaddq_u64(a2, vld1q_u64(p + i + 4));
    a3 = vaddq_u64(a3, vld1q_u64(p + i + 6));
    a4 = vaddq_u64(a4, vld1q_u64(p + i + 8));
    a5 = vaddq_u64(a5, vld1q_u64(p + i + 10));
    a6 = vaddq_u64(a6, vld1q_u64(p + i + 12));
    a7 = vaddq_u64(a7, vld1q_u64(p + i + 14));
  }
  a0 = vaddq_u64(vaddq_u64(vaddq_u64(a0, a1), vaddq_u64(a2, a3)), vaddq_u64(vaddq_u64(a4, a5), vaddq_u64(a6, a7)));
  return vgetq_lane_u64(a0, 0) + vgetq_lane_u64(a0, 1);
}
#endif

// ---- FMA kernels: acc = acc * m + a on independent accumulators --------------------------------
// Enough accumulators to cover FMA latency x pipes (4 cycles x 2 pipes on x86, 4 x 4 on Apple
// cores), so the loop is bound by FMA throughput, not by one dependency chain.

constexpr int kPortableFmaLanes = 32;

float FmaPortable(int64_t iterations, float seed) {
  float acc[kPortableFmaLanes];
  for (int k = 0; k < kPortableFmaLanes; ++k) acc[k] = seed + static_cast<float>(k);
  const float m = 0.999999f, a = 1e-6f;
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int k = 0; k < kPortableFmaLanes; ++k) acc[k] = acc[k] * m + a;
  }
  float sum = 0;
  for (float v : acc) sum += v;
  return sum;
}

#if defined(SILICONSIM_X86)
constexpr int kAvx512Accumulators = 16;  // of 32 zmm registers
constexpr int kAvx2Accumulators = 12;    // of 16 ymm registers (2 hold the constants)

__attribute__((target("avx512f"))) float FmaAvx512(int64_t iterations, float seed) {
  __m512 acc[kAvx512Accumulators];
#pragma GCC unroll 16
  for (int k = 0; k < kAvx512Accumulators; ++k) acc[k] = _mm512_set1_ps(seed + static_cast<float>(k));
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kAvx512Accumulators; ++k) acc[k] = _mm512_fmadd_ps(acc[k], m, a);
  }
#pragma GCC unroll 16
  for (int k = 1; k < kAvx512Accumulators; ++k) acc[0] = _mm512_add_ps(acc[0], acc[k]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  float sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}

__attribute__((target("avx2,fma"))) float FmaAvx2(int64_t iterations, float seed) {
  __m256 acc[kAvx2Accumulators];
#pragma GCC unroll 12
  for (int k = 0; k < kAvx2Accumulators; ++k) acc[k] = _mm256_set1_ps(seed + static_cast<float>(k));
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kAvx2Accumulators; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, a);
  }
#pragma GCC unroll 12
  for (int k = 1; k < kAvx2Accumulators; ++k) acc[0] = _mm256_add_ps(acc[0], acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  float sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}
#endif

#if defined(__aarch64__)
constexpr int kNeonAccumulators = 16;  // of 32 v registers

float FmaNeon(int64_t iterations, float seed) {
  float32x4_t acc[kNeonAccumulators];
#pragma GCC unroll 16
  for (int k = 0; k < kNeonAccumulators; ++k) acc[k] = vdupq_n_f32(seed + static_cast<float>(k));
  const float32x4_t m = vdupq_n_f32(0.999999f), a = vdupq_n_f32(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kNeonAccumulators; ++k) acc[k] = vfmaq_f32(a, acc[k], m);
  }
#pragma GCC unroll 16
  for (int k = 1; k < kNeonAccumulators; ++k) acc[0] = vaddq_f32(acc[0], acc[k]);
  return vaddvq_f32(acc[0]);
}
#endif

// ---- dispatch ------------------------------------------------------------------------------------

struct Kernels {
  const char* read_name;
  uint64_t (*read)(const uint64_t*, size_t);
  const char* fma_name;
  float (*fma)(int64_t, float);
  int fma_flops_per_iteration;  // accumulators x lanes x 2
};

Kernels ChooseKernels() {
  Kernels k{"portable", ReadPortable, "portable", FmaPortable, kPortableFmaLanes * 2};
#if defined(SILICONSIM_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    k.read_name = "avx2";
    k.read = ReadAvx2;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    k.fma_name = "avx2+fma";
    k.fma = FmaAvx2;
    k.fma_flops_per_iteration = kAvx2Accumulators * 8 * 2;
  }
  if (__builtin_cpu_supports("avx512f")) {  // also checks that the OS saves zmm state
    k.read_name = "avx512";
    k.read = ReadAvx512;
    k.fma_name = "avx512";
    k.fma = FmaAvx512;
    k.fma_flops_per_iteration = kAvx512Accumulators * 16 * 2;
  }
#elif defined(__aarch64__)
  k = {"neon", ReadNeon, "neon", FmaNeon, kNeonAccumulators * 4 * 2};
#endif
  return k;
}

const Kernels& ActiveKernels() {
  static const Kernels kernels = ChooseKernels();
  return kernels;
}

// ---- the thread team -----------------------------------------------------------------------------

// The CPUs this process may run on, in order; thread t is pinned to the t-th (modulo).
std::vector<int> AllowedCpus() {
  std::vector<int> cpus;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
#endif
  return cpus;
}

void PinThisThread([[maybe_unused]] const std::vector<int>& cpus, [[maybe_unused]] int index) {
#if defined(__linux__)
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus[static_cast<size_t>(index) % cpus.size()], &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);  // best effort: unpinned still measures
#endif
}

// Runs `chunk(thread)` (one slice of work; returns how many units it did) on `threads` threads
// at once, after `prepare(thread)` ran on each thread. In each repetition every thread repeats
// its chunk until a common deadline `target_seconds` after the start; the rate is all units
// done over the wall time from the start until the last thread stopped. A thread the scheduler
// stalls simply contributes less, so a stall costs a little rate, not a meaningless repetition.
// Returns the best rate (units per second) of `repetitions` timed repetitions, after one
// untimed warm-up.
double BestRate(int threads, int repetitions, double target_seconds, const std::function<void(int)>& prepare,
                const std::function<double(int)>& chunk) {
  const std::vector<int> cpus = AllowedCpus();
  std::barrier sync(threads + 1);
  std::atomic<Clock::rep> deadline{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::string error;
  std::vector<double> units(static_cast<size_t>(threads));
  std::vector<Clock::time_point> ends(static_cast<size_t>(threads));
  std::vector<std::thread> team;
  team.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    team.emplace_back([&, t] {
      PinThisThread(cpus, t);
      try {
        prepare(t);
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        error = e.what();
        stop = true;
      }
      sync.arrive_and_wait();  // prepared
      for (;;) {
        sync.arrive_and_wait();  // start
        if (stop.load()) break;
        const Clock::time_point until{Clock::duration(deadline.load())};
        double done = 0;
        Clock::time_point now;
        do {
          done += chunk(t);
          now = Clock::now();
        } while (now < until);
        units[static_cast<size_t>(t)] = done;
        ends[static_cast<size_t>(t)] = now;
        sync.arrive_and_wait();  // done (the barrier publishes units and ends)
      }
    });
  }
  const auto run = [&](double seconds) {
    const Clock::time_point start = Clock::now();
    deadline.store((start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)))
                       .time_since_epoch()
                       .count());
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    double total = 0;
    Clock::time_point last = start;
    for (int t = 0; t < threads; ++t) {
      total += units[static_cast<size_t>(t)];
      last = std::max(last, ends[static_cast<size_t>(t)]);
    }
    return total / std::chrono::duration<double>(last - start).count();
  };
  sync.arrive_and_wait();
  double best = 0;
  if (!stop.load()) {
    run(target_seconds / 4);  // warm caches and TLBs
    for (int r = 0; r < repetitions; ++r) best = std::max(best, run(target_seconds));
  }
  stop = true;
  sync.arrive_and_wait();
  for (std::thread& t : team) t.join();
  if (!error.empty()) throw UsageError(error);
  return best;
}

struct FreeDeleter {
  void operator()(uint64_t* p) const { std::free(p); }
};

// A page-aligned buffer, first touched by the calling thread.
std::unique_ptr<uint64_t, FreeDeleter> AllocateTouched(int64_t bytes) {
  const int64_t alignment = bytes >= 2 * kMiB ? 2 * kMiB : kPage;
  const int64_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* raw = std::aligned_alloc(static_cast<size_t>(alignment), static_cast<size_t>(rounded));
  if (!raw) {
    throw std::runtime_error(fmt::format("could not allocate {:.0f} MiB for a working set; try --threads or --quick",
                                         static_cast<double>(bytes) / static_cast<double>(kMiB)));
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Fewer TLB misses, so DRAM streaming is limited by DRAM, not by page walks (best effort).
  if (alignment == 2 * kMiB) madvise(raw, static_cast<size_t>(rounded), MADV_HUGEPAGE);
#endif
  auto* words = static_cast<uint64_t*>(raw);
  const size_t n = static_cast<size_t>(bytes) / sizeof(uint64_t);
  for (size_t i = 0; i < n; ++i) words[i] = i;
  return std::unique_ptr<uint64_t, FreeDeleter>(words);
}

int64_t RoundToPages(int64_t bytes) { return std::max(kPage, bytes / kPage * kPage); }

}  // namespace

std::vector<WorkingSet> PlanWorkingSets(const std::vector<HostCache>& data_caches, int threads, bool quick,
                                        int64_t max_bytes, std::vector<std::string>* notes) {
  threads = std::max(1, threads);
  const auto note = [&](std::string text) {
    if (notes) notes->push_back(std::move(text));
  };
  const int64_t quick_cap = 8 * kMiB;
  std::vector<WorkingSet> sets;
  int64_t last_level_total = 0;
  for (const HostCache& c : data_caches) {
    if (c.size_bytes <= 0) continue;
    const int sharing = std::clamp(c.threads_sharing, 1, threads);
    WorkingSet s;
    s.level = c.name;
    s.per_thread_bytes = RoundToPages(c.size_bytes / 2 / sharing);
    if (quick) s.per_thread_bytes = std::min(s.per_thread_bytes, RoundToPages(quick_cap / threads));
    s.total_bytes = s.per_thread_bytes * threads;
    sets.push_back(s);
    last_level_total = c.size_bytes * std::max(1, c.instances);
  }
  WorkingSet dram;
  dram.level = "DRAM";
  int64_t want = std::max<int64_t>(4 * last_level_total, 256 * kMiB);
  if (quick) want = 4 * quick_cap;
  if (max_bytes > 0 && want > max_bytes) {
    note(fmt::format("the DRAM working set is limited to {} MiB by available memory ({}x the last-level cache "
                     "instead of 4x)",
                     max_bytes / kMiB,
                     last_level_total > 0 ? fmt::format("{:.1f}", static_cast<double>(max_bytes) /
                                                                     static_cast<double>(last_level_total))
                                          : std::string("?")));
    want = max_bytes;
  }
  dram.per_thread_bytes = RoundToPages(want / threads);
  dram.total_bytes = dram.per_thread_bytes * threads;
  sets.push_back(dram);
  return sets;
}

std::optional<double> MicrobenchResult::ReadGbs(const std::string& level, int threads) const {
  for (const BandwidthMeasurement& m : bandwidth) {
    if (m.level == level && m.threads == threads) return m.read_gbs;
  }
  return std::nullopt;
}

int64_t MicrobenchResult::WorkingSetBytes(const std::string& level, int threads) const {
  for (const BandwidthMeasurement& m : bandwidth) {
    if (m.level == level && m.threads == threads) return m.working_set_bytes;
  }
  return 0;
}

std::optional<double> MicrobenchResult::FmaGflops(int threads) const {
  for (const FmaMeasurement& m : fma) {
    if (m.threads == threads) return m.gflops;
  }
  return std::nullopt;
}

bool MicrobenchResult::AllThreadCounts() const {
  for (size_t i = 0; i < thread_counts.size(); ++i) {
    if (thread_counts[i] != static_cast<int>(i) + 1) return false;
  }
  return !thread_counts.empty();
}

std::vector<int> ThreadCounts(int max_threads) {
  max_threads = std::max(1, max_threads);
  std::vector<int> counts;
  for (int t = 1; t <= max_threads; ++t) {
    if (t <= 8 || (t & (t - 1)) == 0 || t == max_threads) counts.push_back(t);
  }
  return counts;
}

std::string ReadKernelName() { return ActiveKernels().read_name; }
std::string FmaKernelName() { return ActiveKernels().fma_name; }

double MeasureReadBandwidthGbs(int64_t total_bytes, int threads, int repetitions, double target_rep_seconds) {
  threads = std::max(1, threads);
  const int64_t slice_bytes = RoundToPages(total_bytes / threads);
  const size_t words = static_cast<size_t>(slice_bytes) / sizeof(uint64_t);
  // Passes per chunk: about 1 MiB between clock reads, so reading the clock costs nothing.
  const int64_t passes = std::max<int64_t>(1, kMiB / slice_bytes);
  const Kernels& k = ActiveKernels();
  std::vector<std::unique_ptr<uint64_t, FreeDeleter>> slices(static_cast<size_t>(threads));
  const double bytes_per_second = BestRate(
      threads, std::max(1, repetitions), target_rep_seconds,
      [&](int t) { slices[static_cast<size_t>(t)] = AllocateTouched(slice_bytes); },
      [&](int t) {
        const uint64_t* p = slices[static_cast<size_t>(t)].get();
        uint64_t sum = 0;
        for (int64_t i = 0; i < passes; ++i) {
          sum += k.read(p, words);
          ClobberMemory();
        }
        g_sink.fetch_xor(sum, std::memory_order_relaxed);
        return static_cast<double>(slice_bytes * passes);
      });
  return bytes_per_second / 1e9;
}

double MeasureFmaGflops(int threads, int repetitions, double target_rep_seconds) {
  threads = std::max(1, threads);
  const Kernels& k = ActiveKernels();
  constexpr int64_t kIterationsPerChunk = 1 << 14;
  const float seed = static_cast<float>(g_sink.load() & 1u);  // unknown to the compiler
  const double flops_per_second = BestRate(
      threads, std::max(1, repetitions), target_rep_seconds, [](int) {},
      [&](int) {
        const float r = k.fma(kIterationsPerChunk, seed);
        uint32_t bits = 0;
        std::memcpy(&bits, &r, sizeof(bits));
        g_sink.fetch_xor(bits, std::memory_order_relaxed);
        return static_cast<double>(kIterationsPerChunk) * k.fma_flops_per_iteration;
      });
  return flops_per_second / 1e9;
}

MicrobenchResult RunMicrobenchmarks(const HostInfo& host, const MicrobenchOptions& options) {
  const Clock::time_point start = Clock::now();
  MicrobenchResult result;
  result.quick = options.quick;
  result.read_kernel = ReadKernelName();
  result.fma_kernel = FmaKernelName();
  result.repetitions = options.repetitions > 0 ? options.repetitions : options.quick ? 2 : 5;
  const double target = options.target_rep_seconds > 0 ? options.target_rep_seconds : options.quick ? 0.002 : 0.05;
  const int usable = std::max(1, host.usable_threads > 0 ? host.usable_threads : host.logical_threads);
  const int max_threads = options.max_threads > 0 ? options.max_threads : usable;
  if (max_threads > usable) {
    result.notes.push_back(fmt::format("{} threads on {} usable CPUs: threads share cores", max_threads, usable));
  }
  result.thread_counts = ThreadCounts(max_threads);
  int64_t max_bytes = options.max_allocation_bytes;
  if (max_bytes <= 0) {
    const int64_t available = host.memory_available_bytes.value_or(host.memory_bytes);
    max_bytes = available > 0 ? available / 2 : int64_t{1} << 30;
  }
  if (result.read_kernel == "portable") {
    result.notes.push_back("no SIMD read kernel for this CPU: bandwidth may be limited by the core, not memory");
  }
  const std::vector<HostCache> caches = host.DataCaches();
  if (caches.empty()) result.notes.push_back("no cache sizes known: only DRAM is measured");

  for (int threads : result.thread_counts) {
    std::vector<std::string> plan_notes;
    for (const WorkingSet& set : PlanWorkingSets(caches, threads, options.quick, max_bytes, &plan_notes)) {
      if (options.progress) {
        options.progress(fmt::format("read {} ({:.3g} MiB, {} thread{})", set.level,
                                     static_cast<double>(set.total_bytes) / static_cast<double>(kMiB), threads,
                                     threads == 1 ? "" : "s"));
      }
      BandwidthMeasurement m;
      m.level = set.level;
      m.threads = threads;
      m.working_set_bytes = set.total_bytes;
      m.read_gbs = MeasureReadBandwidthGbs(set.total_bytes, threads, result.repetitions, target);
      result.bandwidth.push_back(m);
    }
    for (std::string& n : plan_notes) {
      if (std::find(result.notes.begin(), result.notes.end(), n) == result.notes.end()) {
        result.notes.push_back(std::move(n));
      }
    }
    if (options.progress) options.progress(fmt::format("f32 FMA ({} thread{})", threads, threads == 1 ? "" : "s"));
    result.fma.push_back({threads, MeasureFmaGflops(threads, result.repetitions, target)});
  }
  // Group by level (in plan order), then threads.
  std::vector<std::string> order;
  for (const BandwidthMeasurement& m : result.bandwidth) {
    if (std::find(order.begin(), order.end(), m.level) == order.end()) order.push_back(m.level);
  }
  std::stable_sort(result.bandwidth.begin(), result.bandwidth.end(),
                   [&](const BandwidthMeasurement& a, const BandwidthMeasurement& b) {
                     const auto ia = std::find(order.begin(), order.end(), a.level) - order.begin();
                     const auto ib = std::find(order.begin(), order.end(), b.level) - order.begin();
                     return ia < ib;
                   });
  if (options.quick) {
    result.notes.push_back("--quick: small working sets and few repetitions; the figures are not representative");
  }
  result.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace siliconsim
