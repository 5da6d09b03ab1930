// Engine under concurrency (also run under ThreadSanitizer): many threads adding and
// searching on the same and on different cubes, with read-your-writes.
#include <gtest/gtest.h>

#include <thread>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

class ConcurrencyTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    EngineOptions options = Options();
    options.hnsw_threshold = 200;  // graph building runs in the background during the test
    Reopen(options);
  }

  // Whether a lexical search of cube for marker (a word only memory `id` has) finds id first.
  bool FoundFirst(const CubeRef& cube, const std::string& marker, const std::string& id) {
    SearchRequest request = Query(marker);
    request.mode = SearchMode::kLexical;
    auto hits = engine_->Search(cube.user, {cube.project}, request);
    return hits.ok() && !hits->empty() && hits->front().memory.id == id;
  }
};

TEST_F(ConcurrencyTest, WritersAndReadersOnSameAndDifferentCubes) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CubeRef cube{"user" + std::to_string(t % 2), "project" + std::to_string(t % 3)};
      for (int i = 0; i < kPerThread; ++i) {
        std::string marker = "marker" + std::to_string(t) + "x" + std::to_string(i);
        auto added = engine_->Add(
            cube, MemoryText("thread " + std::to_string(t) + " writes " + marker + " about concurrency"));
        // Read-your-writes: the memory is searchable as soon as Add returned.
        if (!added.ok() || !FoundFirst(cube, marker, added->id)) ++failures;
        if (i % 10 == 0 && !engine_->Search(cube.user, {cube.project}, Query("concurrency")).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::int64_t total = 0;
  auto cubes = engine_->ListCubes("");
  ASSERT_TRUE(cubes.ok());
  for (const auto& info : *cubes) {
    auto stats = engine_->Stats(info.ref);
    ASSERT_TRUE(stats.ok());
    total += stats->memories;
    auto report = engine_->Verify(info.ref);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->consistent) << report->detail;
  }
  EXPECT_EQ(total, kThreads * kPerThread);
}

TEST_F(ConcurrencyTest, ManyThreadsCreateTheSameCube) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      NewMemory m;
      m.text = "first write from thread " + std::to_string(t);
      if (!engine_->Add(CubeRef{"racer", "same"}, m).ok()) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(engine_->ListCubes("racer")->size(), 1u);
  EXPECT_EQ(engine_->Stats(CubeRef{"racer", "same"})->memories, 8);
}

TEST_F(ConcurrencyTest, SearchesDuringUpdatesAndDeletesNeverFail) {
  std::vector<std::string> ids;
  std::vector<NewMemory> batch(300);
  for (int i = 0; i < 300; ++i) batch[i].text = "rotating document " + std::to_string(i) + " about storage engines";
  auto added = engine_->AddBatch(alpha_, batch);
  ASSERT_TRUE(added.ok());
  for (const auto& r : *added) ids.push_back(r.id);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    SearchRequest request;
    request.query = "storage engines";
    while (!stop) {
      auto hits = engine_->Search(alpha_.user, {alpha_.project}, request);
      if (!hits.ok()) {
        ++failures;
        continue;
      }
      for (const auto& h : *hits) {
        if (h.memory.deleted) ++failures;
      }
    }
  });
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < ids.size(); i += 7) {
      MemoryPatch patch;
      patch.text = "rotating document revised " + std::to_string(round) + " " + std::to_string(i);
      if (!engine_->Update(alpha_, ids[i], patch).ok()) ++failures;
      if (i % 3 == 0 && !engine_->Delete(alpha_, ids[i]).ok()) ++failures;
      if (i % 3 == 0 && !engine_->Restore(alpha_, ids[i]).ok()) ++failures;
    }
  }
  stop = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(engine_->Verify(alpha_)->consistent);
}

// Several writers on one cube share group commits, so a writer often finds its commit
// applied by another (engine/cube_registry.cc, ApplyPending); snapshots hold the cube's lock
// meanwhile. Every write must still be searchable as soon as its Add returned.
TEST_F(ConcurrencyTest, WritersOnOneCubeReadTheirWritesWhileSnapshotsAreWritten) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::atomic<bool> stop{false};
  std::thread snapshotter([&] {
    while (!stop) {
      Status s = engine_->Snapshot(alpha_);
      if (!s.ok() && s.code() != StatusCode::kNotFound) ++failures;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string marker = "shared" + std::to_string(t) + "x" + std::to_string(i);
        auto added = engine_->Add(alpha_, MemoryText("writer " + std::to_string(t) + " adds " + marker));
        if (!added.ok() || !FoundFirst(alpha_, marker, added->id)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  stop = true;
  snapshotter.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(engine_->Stats(alpha_)->memories, kThreads * kPerThread);
  auto report = engine_->Verify(alpha_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->consistent) << report->detail;
}

// Two engines on one data directory stand for two processes. A search skips only this
// engine's own unacknowledged commits: another engine's acknowledged write is always seen,
// also while this engine is writing to the same cube.
TEST_F(ConcurrencyTest, AnotherProcessesAcknowledgedWritesAreAlwaysSearchable) {
  auto other = Engine::Open(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE(engine_->Add(alpha_, MemoryText("opens the cube in this engine")).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread local_writer([&] {
    for (int i = 0; !stop; ++i) {
      if (!engine_->Add(alpha_, MemoryText("local write " + std::to_string(i))).ok()) ++failures;
    }
  });
  for (int i = 0; i < 60; ++i) {
    const std::string marker = "foreign" + std::to_string(i);
    auto added = (*other)->Add(alpha_, MemoryText("other process adds " + marker));
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    EXPECT_TRUE(FoundFirst(alpha_, marker, added->id))
        << "acknowledged write " << marker << " of another process";
  }
  stop = true;
  local_writer.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = engine_->Verify(alpha_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->consistent) << report->detail;
}

TEST_F(ConcurrencyTest, SearchesNeverReturnARowOlderThanTheLastAcknowledgedUpdate) {
  const std::string id = Add(alpha_, "quokka counter 0");
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 3; ++t) {
    searchers.emplace_back([&] {
      while (!stop) {
        const int floor = acknowledged.load();
        SearchRequest request = Query("quokka");
        request.mode = SearchMode::kLexical;
        auto hits = engine_->Search(alpha_.user, {alpha_.project}, request);
        if (!hits.ok() || hits->size() != 1) {
          ++failures;
          continue;
        }
        const std::string& text = hits->front().memory.text;
        if (std::stoi(text.substr(text.rfind(' ') + 1)) < floor) ++stale;
      }
    });
  }
  for (int i = 1; i <= 150; ++i) {
    MemoryPatch patch;
    patch.text = "quokka counter " + std::to_string(i);
    ASSERT_TRUE(engine_->Update(alpha_, id, patch).ok());
    acknowledged = i;
  }
  stop = true;
  for (auto& thread : searchers) thread.join();
  EXPECT_EQ(stale.load(), 0) << "a search showed a version older than an acknowledged update";
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace memd::testing
