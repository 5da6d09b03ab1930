#include "util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace memd {
namespace {

TEST(ThreadPoolTest, ParallelForCallsEveryIndexExactlyOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> calls(1000);
  pool.ParallelFor(calls.size(), [&](std::size_t i) { calls[i].fetch_add(1); });
  for (std::size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << "index " << i;
}

TEST(ThreadPoolTest, ParallelForOfZeroAndOneItems) {
  ThreadPool pool(2);
  int calls = 0;
  pool.ParallelFor(0, [&](std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  pool.ParallelFor(1, [&](std::size_t i) { calls += static_cast<int>(i) + 1; });
  EXPECT_EQ(calls, 1);
}

TEST(ThreadPoolTest, ParallelForFromInsideAPoolTaskCompletes) {
  // Every worker is busy running an outer task that itself calls ParallelFor: the callers
  // must do the work themselves instead of waiting for a free worker.
  ThreadPool pool(2);
  std::atomic<int> inner{0};
  pool.ParallelFor(2, [&](std::size_t) { pool.ParallelFor(50, [&](std::size_t) { inner.fetch_add(1); }); });
  EXPECT_EQ(inner.load(), 100);
}

TEST(ThreadPoolTest, DestructorRunsEverySubmittedTask) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 100; ++i) pool.Submit([&] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPoolTest, NonPositiveThreadCountStillRunsWork) {
  ThreadPool pool(0);
  EXPECT_EQ(pool.size(), 1);
  std::atomic<int> sum{0};
  pool.ParallelFor(10, [&](std::size_t i) { sum.fetch_add(static_cast<int>(i)); });
  EXPECT_EQ(sum.load(), 45);
}

}  // namespace
}  // namespace memd
