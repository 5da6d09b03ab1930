// Checkpointer copies committed WAL frames back into the database file on its own thread and
// connection, so commits never stall on a checkpoint (SQLite's default runs one inside the
// commit that crosses the threshold, on the writer).
//
// Attach() installs a WAL hook on the write connection (replacing SQLite's automatic
// checkpoint). After each commit the hook looks at the WAL size:
// - every threshold_pages new frames, it wakes this thread, which runs a PASSIVE checkpoint
//   on its own connection; that never blocks the writer or the readers;
// - if the WAL reaches 4 * threshold_pages (the background checkpoint cannot finish while
//   writes keep appending), the writer checkpoints itself right after that commit, as
//   SQLite's automatic checkpoint would (first waiting for a background checkpoint in
//   progress). With no new frames arriving it completes unless a reader still holds an old
//   snapshot, and the next write restarts the WAL from its beginning, so the WAL file stays
//   bounded.
//
// Thread-safe. The write connection must be closed (or detached) before this is destroyed;
// destruction stops the thread after any checkpoint in progress.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "memd/status.h"
#include "store/sqlite_db.h"

namespace memd::store {

class Checkpointer {
 public:
  // Takes a dedicated connection to the same database.
  Checkpointer(std::unique_ptr<Db> db, int threshold_pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the write connection.
  void Attach(Db& write_db);
  // Runs a checkpoint now, on the caller's thread. Errors: those of SQLite (Unavailable
  // while another checkpoint holds the lock).
  Status CheckpointNow();
  // Checkpoints completed by the thread so far.
  std::uint64_t checkpoint_count() const;

 private:
  static int WalHook(void* self, struct sqlite3* db, const char* name, int pages);
  void Loop();

  std::unique_ptr<Db> db_;
  const int threshold_pages_;
  int pages_at_last_wake_ = 0;  // used only by the hook, on the writer thread
  mutable std::mutex mu_;
  std::mutex db_mu_;  // serialises use of db_ between the thread and CheckpointNow
  std::condition_variable cv_;
  bool wanted_ = false;            // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  std::uint64_t checkpoints_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace memd::store
