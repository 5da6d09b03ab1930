#include "util/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace memd {

ThreadPool::ThreadPool(int threads) {
  const int n = std::max(threads, 1);
  workers_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadPool::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and every submitted task has run
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void ThreadPool::ParallelFor(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  if (n == 1) {
    fn(0);
    return;
  }
  // Shared with the helper tasks, which may start only after this call has returned (when
  // the caller did all the work): they then find no index left and touch nothing else.
  struct State {
    std::atomic<std::size_t> next{0};
    std::size_t n = 0;
    const std::function<void(std::size_t)>* fn = nullptr;  // valid while finished < n
    std::mutex mu;
    std::condition_variable cv;
    std::size_t finished = 0;  // guarded by mu
  };
  auto state = std::make_shared<State>();
  state->n = n;
  state->fn = &fn;
  auto work = [](State& s) {
    std::size_t done = 0;
    for (std::size_t i = s.next.fetch_add(1); i < s.n; i = s.next.fetch_add(1)) {
      (*s.fn)(i);
      ++done;
    }
    if (done == 0) return;
    std::lock_guard lock(s.mu);
    s.finished += done;
    if (s.finished == s.n) s.cv.notify_all();
  };
  const std::size_t helpers = std::min(n - 1, workers_.size());
  for (std::size_t h = 0; h < helpers; ++h) Submit([state, work] { work(*state); });
  work(*state);
  std::unique_lock lock(state->mu);
  state->cv.wait(lock, [&] { return state->finished == state->n; });
}

}  // namespace memd
