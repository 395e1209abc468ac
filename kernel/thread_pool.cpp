#include "kernel/thread_pool.h"

#include <algorithm>
#include <stdexcept>

namespace siliconsim::kernel {
namespace {

// About 100 microseconds of polling: long enough to span the gap between two matmuls of one
// forward pass, short enough not to steal a shared core for long once the model is idle.
constexpr int kSpinIterations = 4000;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(threads) {
  if (threads < 1) throw std::invalid_argument("kernel: thread count must be at least 1");
  workers_.reserve(static_cast<size_t>(threads - 1));
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
}

constexpr uint64_t kActiveMask = 0xffff;
constexpr uint64_t kClosed = uint64_t{1} << 16;
constexpr int kGenerationShift = 17;

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_relaxed);
    state_.store(((state_.load() >> kGenerationShift) + 1) << kGenerationShift | kClosed, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::RunChunks(int thread) {
  for (;;) {
    const int64_t begin = next_.fetch_add(grain_, std::memory_order_relaxed);
    if (begin >= items_) return;
    (*body_)(begin, std::min(items_, begin + grain_), thread);
  }
}

void ThreadPool::WorkerLoop(int thread) {
  uint64_t seen = 0;  // generation of the last job this worker looked at
  auto generation = [this] { return state_.load(std::memory_order_acquire) >> kGenerationShift; };
  for (;;) {
    for (int i = 0; i < kSpinIterations && generation() == seen; ++i) CpuRelax();
    if (generation() == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation() != seen; });
    }
    if (stop_.load(std::memory_order_relaxed)) return;
    // Join the newest job unless the caller already closed it (then there is nothing left to do).
    uint64_t s = state_.load(std::memory_order_acquire);
    seen = s >> kGenerationShift;
    bool joined = false;
    while ((s & kClosed) == 0 && (s >> kGenerationShift) == seen) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;
    RunChunks(thread);  // the job fields were published before the generation this CAS acquired
    state_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::ParallelFor(int64_t items, int64_t grain, const Body& body) {
  if (items <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  if (threads_ == 1 || items <= grain) {
    body(0, items, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    items_ = items;
    grain_ = grain;
    next_.store(0, std::memory_order_relaxed);
    state_.store(((state_.load(std::memory_order_relaxed) >> kGenerationShift) + 1) << kGenerationShift,
                 std::memory_order_release);
  }
  wake_.notify_all();
  RunChunks(0);
  // Every chunk is taken; close the job and wait for the workers still finishing theirs.
  state_.fetch_or(kClosed, std::memory_order_acq_rel);
  for (int spins = 0; (state_.load(std::memory_order_acquire) & kActiveMask) != 0; ++spins) {
    if (spins < kSpinIterations) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace siliconsim::kernel
