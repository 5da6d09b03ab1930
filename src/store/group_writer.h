// GroupWriter owns the store's only write connection and runs every write on one dedicated
// thread, group-committing concurrent requests:
//
//   callers:  Submit(body) -> enqueue, wait until done
//   writer:   take up to max_group_size queued requests
//             BEGIN IMMEDIATE                      (waits for other processes' writers)
//             for each request: SAVEPOINT; body(db); RELEASE, or ROLLBACK TO on error
//             COMMIT                               (one fsync for the whole group)
//             run each successful request's after_commit, in queue order
//             wake the callers
//
// Invariants:
// - A failing body rolls back only its own savepoint; its caller gets its error and the other
//   requests of the group are unaffected.
// - If BEGIN or COMMIT fails, or SQLite aborts the transaction on its own (I/O error, disk
//   full), no request of the group is applied and every caller gets an error.
// - after_commit runs only after a successful COMMIT, on the writer thread, before the caller
//   is woken; so callbacks observe commits in commit order.
// - Bodies and callbacks run on the writer thread; calling Submit from them is refused
//   (it would wait for itself).
//
// Thread-safe. Destruction finishes every queued request, then joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "memd/status.h"
#include "store/sqlite_db.h"

namespace memd::store {

class GroupWriter {
 public:
  // Runs inside its own savepoint of the group transaction, on the writer connection.
  using Body = std::function<Status(Db& db)>;
  // Runs after the group committed durably. Must not block long.
  using AfterCommit = std::function<void()>;

  // Takes the write connection (already configured) and starts the writer thread.
  GroupWriter(std::unique_ptr<Db> db, std::size_t max_group_size);
  ~GroupWriter();
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  // Runs body in the next group transaction and blocks until the group committed (and
  // after_commit, if any, ran). Returns body's error, or the group's BEGIN/COMMIT error.
  // Errors: Unavailable once shutdown began or when another process holds the write lock
  // for longer than the busy timeout; Internal when called from a body or callback.
  Status Submit(const Body& body, const AfterCommit& after_commit = {});

  // Transactions committed so far (each covers one group).
  std::uint64_t commit_count() const { return commits_.load(std::memory_order_relaxed); }
  // Requests run so far (committed or not).
  std::uint64_t request_count() const { return requests_.load(std::memory_order_relaxed); }
  // Requests queued and not yet taken by the writer.
  std::size_t pending() const;

 private:
  struct Request {
    const Body* body;
    const AfterCommit* after_commit;
    Status status;
    bool done = false;
  };

  void Loop();
  void RunGroup(const std::vector<Request*>& group);
  Status RunInSavepoint(Request& request);
  Status Begin();
  Status RunCached(const char* sql);

  std::unique_ptr<Db> db_;  // used only by the writer thread
  const std::size_t max_group_size_;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> requests_{0};

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;  // signalled when a request is queued or on shutdown
  std::condition_variable done_cv_;   // signalled when a group finished
  std::deque<Request*> queue_;        // guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  std::thread thread_;                // last: starts after everything above is initialised
};

}  // namespace memd::store
