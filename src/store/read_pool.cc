#include "store/read_pool.h"

namespace memd::store {

Result<ReadPool::Lease> ReadPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  MEMD_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, factory_());
  return Lease(this, std::move(db));
}

void ReadPool::Release(std::unique_ptr<Db> db) {
  if (db->in_transaction()) db->Exec("ROLLBACK").IgnoreError();
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(std::move(db));
      return;
    }
  }
  // A surplus connection is closed here, outside the lock.
}

}  // namespace memd::store
