// One open cube: its store row, its derived index and the lock that orders index readers
// (searches: shared) against index writers (commit application, catch-up, snapshot
// loading: exclusive).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "engine/cube_index.h"
#include "store/store.h"

namespace memd::engine {

// A memory row written by a transaction, with its BM25 terms computed outside the lock.
struct PreparedRow {
  store::MemoryRow row;
  std::vector<std::string> terms;
};

// What one write changes in a cube's index, prepared by the writer before it commits.
struct IndexChanges {
  std::vector<PreparedRow> upserts;  // live or soft-deleted rows, in write order
  std::vector<std::int64_t> purged;  // docs hard-deleted
};

// A commit of this process waiting to be applied to the index. `changes` lives in the frame
// of the writer that made the commit, and that writer returns only once the index's
// applied_seq has reached seq (Engine::Impl::ApplyPending). Entries at or below applied_seq
// are skipped without being read, so `changes` is only read while it is still alive.
struct PendingCommit {
  std::int64_t seq = 0;
  IndexChanges* changes = nullptr;
};

struct OpenCube {
  OpenCube(store::CubeRow r, std::uint64_t instance_number) : row(std::move(r)), instance(instance_number) {}

  const store::CubeRow row;  // identity; row.seq is only the sequence seen at open
  // Unique per OpenCube of the engine (a reopened cube gets a new one): the owner of the
  // cube's entries in the row cache.
  const std::uint64_t instance;

  std::mutex load_mu;        // held while the index is being loaded
  bool loaded = false;       // guarded by load_mu
  Status load_status;        // guarded by load_mu

  mutable std::shared_mutex mu;      // guards *index
  std::unique_ptr<CubeIndex> index;  // set once loaded

  // Serialises snapshot writes of this cube with each other and with its removal. Held
  // through the file I/O; the index lock (mu) is held shared only while files are written.
  std::mutex snapshot_mu;
  std::atomic<std::int64_t> changes_since_snapshot{0};
  // This process's commits to the cube, in commit order, not yet applied to the index.
  std::mutex pending_mu;
  std::deque<PendingCommit> pending;  // guarded by pending_mu
  // Every sequence in (index->applied_seq(), own_commits_through] is a commit of this process
  // whose writer has not been acknowledged yet: a search may read the index without them.
  // Written only by the store's writer thread, after the commit.
  std::atomic<std::int64_t> own_commits_through{0};

  std::atomic<std::int64_t> last_used{0};  // LRU clock tick
  std::atomic<bool> forgotten{false};      // removed by ForgetProject/ForgetUser
};

}  // namespace memd::engine
