// Crash safety: a child process adds batches (and writes snapshots) and is killed with
// SIGKILL at random points, many times on the same data directory. After each kill the
// parent reopens the data and checks that every acknowledged batch is complete, that no
// batch is partial, and that the index (snapshot + replay) equals a fresh rebuild.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "memd/engine.h"
#include "util/temp_dir.h"

namespace memd {
namespace {

constexpr int kBatchSize = 40;
const CubeRef kCube{"crash", "victim"};

EngineOptions CrashOptions(const std::string& dir) {
  EngineOptions options;
  options.data_dir = dir;
  options.durability = Durability::kFull;
  options.hnsw_threshold = 500;  // so snapshots carry a graph after a few rounds
  return options;
}

// Runs in the child: adds batches forever, writing each acknowledged batch number to fd.
[[noreturn]] void WriterProcess(const std::string& dir, int first_batch, int fd) {
  auto engine = Engine::Open(CrashOptions(dir));
  if (!engine.ok()) _exit(3);
  for (int b = first_batch;; ++b) {
    std::vector<NewMemory> batch(kBatchSize);
    for (int i = 0; i < kBatchSize; ++i) {
      batch[i].text = "crash batch b" + std::to_string(b) + " item " + std::to_string(i) + " of the run";
      batch[i].metadata = "{\"batch\":" + std::to_string(b) + "}";
    }
    if (!(*engine)->AddBatch(kCube, batch).ok()) _exit(4);
    if (::write(fd, &b, sizeof(b)) != sizeof(b)) _exit(5);
    if (b % 7 == 3 && !(*engine)->Snapshot(kCube).ok()) _exit(6);
    if (b % 11 == 5) {
      auto page = (*engine)->List(kCube, ListRequest{});
      if (page.ok() && !page->memories.empty()) (*engine)->Delete(kCube, page->memories.front().id).status().IgnoreError();
    }
  }
}

TEST(CrashTest, KilledWriterLosesNoAcknowledgedBatchAndLeavesNoPartialOne) {
  auto tmp = TempDir::Create("memd-crash-");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = tmp->path() + "/data";
  std::mt19937 rng(12345);
  std::set<int> acknowledged;
  int next_batch = 0;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      WriterProcess(dir, next_batch, fds[1]);
    }
    ::close(fds[1]);
    // Let the child run for a random time, then kill it wherever it is.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 400)(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited on its own with status " << WEXITSTATUS(status);
    int b = 0;
    while (::read(fds[0], &b, sizeof(b)) == sizeof(b)) {
      acknowledged.insert(b);
      next_batch = std::max(next_batch, b + 1);
    }
    ::close(fds[0]);
    next_batch += 1;  // a batch in flight may or may not have committed: never reuse its number

    auto engine = Engine::Open(CrashOptions(dir));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    if (acknowledged.empty()) continue;
    std::map<int, int> per_batch;  // batch -> memories present (live or deleted)
    ListRequest request;
    request.limit = 1000;
    request.include_deleted = true;
    for (;;) {
      auto page = (*engine)->List(kCube, request);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const auto& m : page->memories) {
        auto pos = m.text.find("batch b");
        ASSERT_NE(pos, std::string::npos) << m.text;
        per_batch[std::stoi(m.text.substr(pos + 7))]++;
      }
      if (page->next_cursor.empty()) break;
      request.cursor = page->next_cursor;
    }
    for (int acked : acknowledged) EXPECT_EQ(per_batch[acked], kBatchSize) << "acknowledged batch " << acked;
    for (const auto& [batch, count] : per_batch) EXPECT_EQ(count, kBatchSize) << "partial batch " << batch;
    auto report = (*engine)->Verify(kCube);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->consistent) << "round " << round << ": " << report->detail;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(acknowledged.size(), 20u);
}

}  // namespace
}  // namespace memd
