// One open cube: its store row, its derived index and the lock that orders index readers
// (searches: shared) against index writers (commit application, catch-up, snapshot
// loading: exclusive).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "engine/cube_index.h"
#include "store/store.h"

namespace memd::engine {

struct OpenCube {
  explicit OpenCube(store::CubeRow r) : row(std::move(r)) {}

  const store::CubeRow row;  // identity; row.seq is only the sequence seen at open

  std::mutex load_mu;        // held while the index is being loaded
  bool loaded = false;       // guarded by load_mu
  Status load_status;        // guarded by load_mu

  mutable std::shared_mutex mu;      // guards *index
  std::unique_ptr<CubeIndex> index;  // set once loaded

  std::atomic<std::int64_t> changes_since_snapshot{0};
  std::atomic<std::int64_t> last_used{0};  // LRU clock tick
  std::atomic<bool> forgotten{false};      // removed by ForgetProject/ForgetUser
};

}  // namespace memd::engine
