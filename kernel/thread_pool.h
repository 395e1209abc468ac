#pragma once
// A small persistent thread pool for the reference kernel: the caller's thread plus
// `threads - 1` workers that spin briefly between jobs (a forward pass issues hundreds of
// short parallel loops per token) and sleep on a condition variable when idle.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace siliconsim::kernel {

class ThreadPool {
 public:
  /// The body of a parallel loop: items [begin, end), run by thread `thread` (0 = caller).
  using Body = std::function<void(int64_t begin, int64_t end, int thread)>;

  /// `threads` >= 1 threads in all, including the caller's.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  /// Runs `body` over [0, items) in chunks of `grain` items handed out dynamically to every
  /// thread; returns when all are done. Not reentrant: one loop at a time.
  void ParallelFor(int64_t items, int64_t grain, const Body& body);

 private:
  void WorkerLoop(int thread);
  void RunChunks(int thread);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // One word so that joining a job and closing it cannot race: bits 0-15 count the workers
  // inside the current job, bit 16 closes it to late joiners, bits 17+ are its generation. The
  // caller waits only for workers that joined, never for one the OS has not scheduled yet (on a
  // shared machine that wait would cost a time slice per parallel loop).
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<bool> stop_{false};
  const Body* body_ = nullptr;
  int64_t items_ = 0;
  int64_t grain_ = 1;
};

}  // namespace siliconsim::kernel
