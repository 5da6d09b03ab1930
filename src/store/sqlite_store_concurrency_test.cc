// Concurrency of SqliteStore: group commit, savepoint isolation inside a group, commit order,
// snapshot reads during writes, and several processes sharing one database file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace memd::store {
namespace {

using testing::kTestDimension;
using testing::MakeRow;
using testing::TempDir;
using testing::TestOptions;

void WaitUntil(const std::function<bool()>& condition) {
  while (!condition()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::unique_ptr<SqliteStore> OpenStore(const TempDir& dir, Durability durability = Durability::kNormal) {
  auto store = SqliteStore::Open(TestOptions(dir, durability));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::int64_t MakeCube(Store& store, const std::string& user = "alice") {
  auto cube = store.GetOrCreateCube(user, "proj", "hash", kTestDimension, 1);
  EXPECT_TRUE(cube.ok()) << cube.status().ToString();
  return cube.ok() ? cube->id : 0;
}

// Runs a blocker write that holds the writer until every fn below is queued, so that the
// fns are committed together as one group. Returns their results in the order given.
std::vector<Result<std::int64_t>> RunAsOneGroup(SqliteStore& store, std::int64_t cube,
                                                const std::vector<WriteFn>& fns) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> blocking{false};
  std::thread blocker([&] {
    auto seq = store.Write(cube, [&](WriteTxn& txn) {
      blocking = true;
      released.wait();
      MemoryRow row = MakeRow("blocker", "blocker");
      return txn.Insert(row);
    });
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
  });
  WaitUntil([&] { return blocking.load(); });
  std::vector<Result<std::int64_t>> results(fns.size(), Status::Internal("not run"));
  std::vector<std::thread> writers;
  for (std::size_t i = 0; i < fns.size(); ++i) {
    writers.emplace_back([&, i] { results[i] = store.Write(cube, fns[i]); });
  }
  WaitUntil([&] { return store.pending_writes() == fns.size(); });
  release.set_value();
  blocker.join();
  for (auto& writer : writers) writer.join();
  return results;
}

WriteFn InsertFn(const std::string& id) {
  return [id](WriteTxn& txn) {
    MemoryRow row = MakeRow(id, "text of " + id);
    return txn.Insert(row);
  };
}

TEST(SqliteStoreConcurrencyTest, QueuedWritesShareOneCommit) {
  TempDir dir;
  auto store = OpenStore(dir, Durability::kFull);
  std::int64_t cube = MakeCube(*store);
  std::vector<WriteFn> fns;
  for (int i = 0; i < 8; ++i) fns.push_back(InsertFn("w" + std::to_string(i)));
  std::uint64_t commits_before = store->commit_count();
  std::uint64_t writes_before = store->write_count();

  auto results = RunAsOneGroup(*store, cube, fns);

  std::set<std::int64_t> seqs;
  for (auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    seqs.insert(*result);
  }
  // The blocker took seq 1 in its own commit; the eight writes took 2..9 in one commit.
  EXPECT_EQ(seqs, (std::set<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(store->write_count() - writes_before, 9u);
  EXPECT_EQ(store->commit_count() - commits_before, 2u);
}

TEST(SqliteStoreConcurrencyTest, FailingWriteInAGroupRollsBackOnlyItsOwnChanges) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::int64_t cube = MakeCube(*store);
  WriteFn failing = [](WriteTxn& txn) -> Status {
    MemoryRow row = MakeRow("b", "b");
    MEMD_RETURN_IF_ERROR(txn.Insert(row));
    MEMD_RETURN_IF_ERROR(txn.PutPreference(Preference{"x", "y", "1", "", 1}));
    MemoryRow again = MakeRow("b", "b again");
    return txn.Insert(again);  // AlreadyExists: the whole fn must roll back
  };
  std::uint64_t commits_before = store->commit_count();
  auto results = RunAsOneGroup(*store, cube, {InsertFn("a"), failing, InsertFn("c")});

  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_EQ(results[1].status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(results[2].ok()) << results[2].status().ToString();
  EXPECT_EQ(store->commit_count() - commits_before, 2u);
  EXPECT_TRUE(store->GetMemory(cube, "a")->has_value());
  EXPECT_TRUE(store->GetMemory(cube, "c")->has_value());
  EXPECT_FALSE(store->GetMemory(cube, "b")->has_value());
  EXPECT_FALSE(store->GetPreference(cube, "x", "y")->has_value());
  // Sequences stay contiguous: blocker 1, then a and c take 2 and 3.
  EXPECT_EQ(std::set<std::int64_t>({*results[0], *results[2]}), (std::set<std::int64_t>{2, 3}));
  EXPECT_EQ((*store->FindCube("alice", "proj"))->seq, 3);
}

TEST(SqliteStoreConcurrencyTest, ConcurrentWritersGetContiguousSequencesAndOrderedCallbacks) {
  TempDir dir;
  auto store = OpenStore(dir, Durability::kFull);
  std::int64_t cubes[2] = {MakeCube(*store, "alice"), MakeCube(*store, "bob")};
  constexpr int kThreads = 6;
  constexpr int kWritesPerThread = 20;
  std::mutex mu;
  std::vector<std::int64_t> callback_seqs[2];  // per cube, in callback order
  std::vector<std::int64_t> returned_seqs[2];
  std::uint64_t writes_before = store->write_count();
  std::uint64_t commits_before = store->commit_count();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int c = t % 2;
      for (int i = 0; i < kWritesPerThread; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto seq = store->Write(cubes[c], InsertFn(id), [&, c](std::int64_t seq) {
          std::lock_guard lock(mu);
          callback_seqs[c].push_back(seq);
        });
        ASSERT_TRUE(seq.ok()) << seq.status().ToString();
        std::lock_guard lock(mu);
        returned_seqs[c].push_back(*seq);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  constexpr int kPerCube = kThreads / 2 * kWritesPerThread;
  std::vector<std::int64_t> expected(kPerCube);
  for (int i = 0; i < kPerCube; ++i) expected[i] = i + 1;
  for (int c = 0; c < 2; ++c) {
    EXPECT_EQ(callback_seqs[c], expected) << "callbacks must run in commit order";
    std::sort(returned_seqs[c].begin(), returned_seqs[c].end());
    EXPECT_EQ(returned_seqs[c], expected);
    auto count = store->CountMemories(cubes[c]);
    EXPECT_EQ(count->first, kPerCube);
  }
  EXPECT_EQ(store->write_count() - writes_before, static_cast<std::uint64_t>(kThreads * kWritesPerThread));
  EXPECT_LE(store->commit_count() - commits_before, static_cast<std::uint64_t>(kThreads * kWritesPerThread));
}

TEST(SqliteStoreConcurrencyTest, ReadersNeverSeeHalfOfATransaction) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::int64_t cube = MakeCube(*store);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      auto seq = store->Write(cube, [&](WriteTxn& txn) -> Status {
        MemoryRow first = MakeRow("p" + std::to_string(i) + "a", "a");
        MEMD_RETURN_IF_ERROR(txn.Insert(first));
        MemoryRow second = MakeRow("p" + std::to_string(i) + "b", "b");
        return txn.Insert(second);
      });
      ASSERT_TRUE(seq.ok());
    }
    done = true;
  });
  int scans = 0;
  while (!done || scans < 3) {
    std::int64_t rows = 0;
    auto seq = store->ScanAll(cube, [&](MemoryRow&&) {
      ++rows;
      return Status::OK();
    });
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(rows, 2 * *seq) << "the snapshot's rows and sequence disagree";
    ++scans;
  }
  writer.join();
}

TEST(SqliteStoreConcurrencyTest, WriteBlockedByAnotherConnectionPastTheBusyTimeoutIsUnavailable) {
  TempDir dir;
  SqliteStoreOptions options = TestOptions(dir);
  options.busy_timeout_ms = 20;
  auto opened = SqliteStore::Open(options);
  ASSERT_TRUE(opened.ok());
  auto& store = *opened;
  std::int64_t cube = MakeCube(*store);
  auto other = Db::Open(options.path, SQLITE_OPEN_READWRITE, 0);  // e.g. another memd process
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());
  auto blocked = store->Write(cube, InsertFn("a"));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  EXPECT_NE(blocked.status().message().find(options.path), std::string::npos);
  ASSERT_TRUE((*other)->Exec("ROLLBACK").ok());
  auto seq = store->Write(cube, InsertFn("a"));
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 1);
}

TEST(SqliteStoreConcurrencyTest, BackgroundCheckpointsKeepTheWalBounded) {
  TempDir dir;
  SqliteStoreOptions options = TestOptions(dir);
  options.checkpoint_pages = 8;
  auto opened = SqliteStore::Open(options);
  ASSERT_TRUE(opened.ok());
  auto& store = *opened;
  std::int64_t cube = MakeCube(*store);
  std::uintmax_t largest_wal = 0;
  for (int batch = 0; batch < 30; ++batch) {
    auto seq = store->Write(cube, [&](WriteTxn& txn) -> Status {
      for (int i = 0; i < 40; ++i) {
        MemoryRow row = MakeRow("b" + std::to_string(batch) + "-" + std::to_string(i), std::string(200, 'x'));
        MEMD_RETURN_IF_ERROR(txn.Insert(row));
      }
      return Status::OK();
    });
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    largest_wal = std::max(largest_wal, std::filesystem::file_size(options.path + "-wal"));
  }
  WaitUntil([&] { return store->checkpoint_count() > 0; });
  // 30 batches of 12-17 pages would make a WAL of 400 pages (1.6 MiB) without checkpoints;
  // with them it restarts before it passes 4 * 8 pages plus one batch.
  EXPECT_LT(largest_wal, 64u * 4096u);
  EXPECT_EQ(store->CountMemories(cube)->first, 30 * 40);
}

// Runs body in `count` forked children released at the same moment; each child writes one
// int64 to the returned pipe contents or exits non-zero. Returns the values in arrival order.
std::vector<std::int64_t> RunInChildren(int count, const std::function<std::int64_t()>& body) {
  int barrier[2];
  int results[2];
  EXPECT_EQ(pipe(barrier), 0);
  EXPECT_EQ(pipe(results), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      close(barrier[1]);
      close(results[0]);
      char c;
      while (read(barrier[0], &c, 1) > 0) {
      }  // EOF: the parent released everyone
      std::int64_t value = body();
      bool ok = value >= 0 && write(results[1], &value, sizeof(value)) == sizeof(value);
      _exit(ok ? 0 : 1);
    }
    EXPECT_GT(pid, 0);
    children.push_back(pid);
  }
  close(barrier[0]);
  close(results[1]);
  close(barrier[1]);  // go
  for (pid_t pid : children) {
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid << " failed";
  }
  std::vector<std::int64_t> values;
  std::int64_t value;
  while (read(results[0], &value, sizeof(value)) == sizeof(value)) values.push_back(value);
  close(results[0]);
  return values;
}

TEST(SqliteStoreConcurrencyTest, ProcessesCreatingTheSameCubeAtOnceAllGetTheOneRow) {
  TempDir dir;
  SqliteStoreOptions options = TestOptions(dir);
  // The children also race to create the database file and its schema.
  auto ids = RunInChildren(6, [&]() -> std::int64_t {
    auto store = SqliteStore::Open(options);
    if (!store.ok()) {
      std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
      return -1;
    }
    auto cube = (*store)->GetOrCreateCube("alice", "shared", "hash", kTestDimension, getpid());
    if (!cube.ok()) {
      std::fprintf(stderr, "cube: %s\n", cube.status().ToString().c_str());
      return -1;
    }
    return cube->id;
  });
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 1u);
  auto store = OpenStore(dir);
  auto cubes = store->ListCubes("");
  ASSERT_TRUE(cubes.ok());
  ASSERT_EQ(cubes->size(), 1u);
  EXPECT_EQ((*cubes)[0].id, ids[0]);
}

TEST(SqliteStoreConcurrencyTest, ProcessesWritingOneCubeKeepItsSequenceContiguous) {
  TempDir dir;
  SqliteStoreOptions options = TestOptions(dir);
  std::int64_t cube = 0;
  {
    auto store = OpenStore(dir);
    cube = MakeCube(*store);
  }
  constexpr int kChildren = 4;
  constexpr int kWrites = 15;
  auto done = RunInChildren(kChildren, [&]() -> std::int64_t {
    auto store = SqliteStore::Open(options);
    if (!store.ok()) return -1;
    for (int i = 0; i < kWrites; ++i) {
      std::string id = "p" + std::to_string(getpid()) + "-" + std::to_string(i);
      auto seq = (*store)->Write(cube, InsertFn(id));
      if (!seq.ok()) {
        std::fprintf(stderr, "write: %s\n", seq.status().ToString().c_str());
        return -1;
      }
    }
    return 0;
  });
  ASSERT_EQ(done.size(), static_cast<std::size_t>(kChildren));
  auto store = OpenStore(dir);
  std::set<std::int64_t> seqs;
  auto seq = store->ScanAll(cube, [&](MemoryRow&& row) {
    seqs.insert(row.seq);
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, kChildren * kWrites);
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kChildren * kWrites));
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), kChildren * kWrites);
}

}  // namespace
}  // namespace memd::store
