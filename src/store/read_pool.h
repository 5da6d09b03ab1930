// A pool of read-only connections. Acquire hands out an idle connection, or opens a new one
// when none is idle, so a reader never waits for another reader (and a scan callback that
// reads again cannot deadlock). At most max_idle connections are kept open between uses.
// Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "memd/status.h"
#include "store/sqlite_db.h"

namespace memd::store {

class ReadPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Db>>()>;

  // An exclusive loan of one connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_ != nullptr) pool_->Release(std::move(db_));
    }
    Db& db() { return *db_; }

   private:
    ReadPool* pool_;
    std::unique_ptr<Db> db_;
  };

  ReadPool(Factory factory, std::size_t max_idle) : factory_(std::move(factory)), max_idle_(max_idle) {}

  // Errors: those of the factory when a new connection is needed.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Db> db);

  const Factory factory_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Db>> idle_;  // guarded by mu_
};

// Runs fn(db) on a pooled connection inside one read transaction (one snapshot) and returns
// its result. fn's statements must not outlive the call.
template <typename Fn>
auto RunRead(ReadPool& pool, Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  MEMD_ASSIGN_OR_RETURN(ReadPool::Lease lease, pool.Acquire());
  ReadTransaction txn(lease.db());
  MEMD_RETURN_IF_ERROR(txn.Begin());
  return fn(lease.db());
}

}  // namespace memd::store
