#include "store/checkpointer.h"

#include <sqlite3.h>

namespace memd::store {

Checkpointer::Checkpointer(std::unique_ptr<Db> db, int threshold_pages)
    : db_(std::move(db)), threshold_pages_(threshold_pages < 1 ? 1 : threshold_pages) {
  thread_ = std::thread([this] { Loop(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::Attach(Db& write_db) { sqlite3_wal_hook(write_db.handle(), &Checkpointer::WalHook, this); }

int Checkpointer::WalHook(void* self, sqlite3* db, const char* name, int pages) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (pages >= 4 * checkpointer->threshold_pages_) {
    // Too far behind: wait for the background checkpoint in progress (it holds SQLite's
    // checkpoint lock), then finish on the writer while nothing appends. This is the write
    // path's back-pressure. An error resurfaces on the next commit or checkpoint.
    std::lock_guard db_lock(checkpointer->db_mu_);
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    checkpointer->pages_at_last_wake_ = 0;
    return SQLITE_OK;
  }
  if (pages < checkpointer->pages_at_last_wake_) checkpointer->pages_at_last_wake_ = 0;  // WAL restarted
  if (pages - checkpointer->pages_at_last_wake_ >= checkpointer->threshold_pages_) {
    checkpointer->pages_at_last_wake_ = pages;
    {
      std::lock_guard lock(checkpointer->mu_);
      checkpointer->wanted_ = true;
    }
    checkpointer->cv_.notify_one();
  }
  return SQLITE_OK;
}

Status Checkpointer::CheckpointNow() {
  std::lock_guard db_lock(db_mu_);
  int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) return db_->Error(rc, "checkpointing the WAL");
  return Status::OK();
}

std::uint64_t Checkpointer::checkpoint_count() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void Checkpointer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || wanted_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // A failure (another process checkpointing, an I/O error) is retried at the next
    // threshold crossing; the WAL only grows meanwhile, and commits are unaffected.
    bool ok = CheckpointNow().ok();
    lock.lock();
    if (ok) ++checkpoints_;
  }
}

}  // namespace memd::store
