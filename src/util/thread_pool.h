// ThreadPool: a fixed set of worker threads for CPU-bound work, and ParallelFor over it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace memd {

// Runs submitted tasks on `threads` worker threads, first in, first out.
// Thread-safe. The destructor runs every task already submitted, then joins the workers.
class ThreadPool {
 public:
  // threads < 1 is taken as 1.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues task; it must not throw.
  void Submit(std::function<void()> task);

  // Calls fn(i) for every i in [0, n) and returns when all calls have returned. The calling
  // thread works too, so this never waits on a busy pool (and may be called from a pool
  // task): at worst the caller does all the work itself. fn must not throw and must be
  // safe to call from several threads at once for distinct i.
  void ParallelFor(std::size_t n, const std::function<void(std::size_t)>& fn);

  int size() const { return static_cast<int>(workers_.size()); }

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace memd
