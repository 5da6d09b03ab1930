#include "store/group_writer.h"

#include <exception>
#include <string>
#include <utility>

namespace memd::store {
namespace {

// Attempts at BEGIN IMMEDIATE; each waits up to the connection's busy timeout.
constexpr int kBeginAttempts = 3;

template <typename Fn>
Status CallCatching(const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + " threw an exception: " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + " threw an unknown exception");
  }
}

}  // namespace

GroupWriter::GroupWriter(std::unique_ptr<Db> db, std::size_t max_group_size)
    : db_(std::move(db)), max_group_size_(max_group_size == 0 ? 1 : max_group_size) {
  thread_ = std::thread([this] { Loop(); });
}

GroupWriter::~GroupWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  thread_.join();
}

std::size_t GroupWriter::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Status GroupWriter::Submit(const Body& body, const AfterCommit& after_commit) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    return Status::Internal(
        "a store write was started from inside another write or its commit callback; "
        "this would wait for itself");
  }
  Request request{&body, after_commit ? &after_commit : nullptr, Status::OK()};
  std::unique_lock lock(mu_);
  if (stopping_) return Status::Unavailable("the store is shutting down; the write was not applied");
  queue_.push_back(&request);
  queue_cv_.notify_one();
  done_cv_.wait(lock, [&] { return request.done; });
  return request.status;
}

void GroupWriter::Loop() {
  std::vector<Request*> group;
  std::unique_lock lock(mu_);
  while (true) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and every queued request is done
    group.clear();
    while (!queue_.empty() && group.size() < max_group_size_) {
      group.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    RunGroup(group);
    requests_.fetch_add(group.size(), std::memory_order_relaxed);
    lock.lock();
    for (Request* request : group) request->done = true;
    done_cv_.notify_all();
  }
}

Status GroupWriter::RunCached(const char* sql) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_->Prepare(sql));
  return stmt.Run();
}

Status GroupWriter::Begin() {
  Status status;
  for (int attempt = 0; attempt < kBeginAttempts; ++attempt) {
    status = RunCached("BEGIN IMMEDIATE");
    if (status.code() != StatusCode::kUnavailable) break;
  }
  return status;
}

Status GroupWriter::RunInSavepoint(Request& request) {
  MEMD_RETURN_IF_ERROR(RunCached("SAVEPOINT write_request"));
  Status status = CallCatching("a write", [&] { return (*request.body)(*db_); });
  if (status.ok()) {
    status = RunCached("RELEASE write_request");
    if (status.ok()) return status;
  }
  if (db_->in_transaction()) {
    // Undo this request only; the savepoint must then be released to leave it.
    RunCached("ROLLBACK TO write_request").IgnoreError();
    RunCached("RELEASE write_request").IgnoreError();
  }
  return status;
}

void GroupWriter::RunGroup(const std::vector<Request*>& group) {
  Status begin = Begin();
  if (!begin.ok()) {
    for (Request* request : group) request->status = begin;
    return;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    Request& request = *group[i];
    request.status = RunInSavepoint(request);
    if (db_->in_transaction()) continue;
    // SQLite rolled back the whole transaction (I/O error, disk full, out of memory): the
    // earlier requests of the group are lost too, and the later ones must not run outside it.
    Status cause =
        request.status.ok() ? Status::Internal("the write transaction ended unexpectedly") : request.status;
    Status aborted(cause.code(),
                   "the group transaction was rolled back by SQLite because a write in it failed; nothing "
                   "was applied: " +
                       cause.message());
    for (Request* other : group) {
      if (other->status.ok()) other->status = aborted;  // failed ones keep their own error
    }
    return;
  }
  Status commit = RunCached("COMMIT");
  if (!commit.ok()) {
    if (db_->in_transaction()) RunCached("ROLLBACK").IgnoreError();
    for (Request* request : group) {
      if (request->status.ok()) request->status = commit.WithContext("commit failed, nothing was applied");
    }
    return;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  for (Request* request : group) {
    if (!request->status.ok() || request->after_commit == nullptr) continue;
    Status callback = CallCatching("a commit callback", [&] {
      (*request->after_commit)();
      return Status::OK();
    });
    if (!callback.ok()) {
      request->status = callback.WithContext(
          "the write was committed, but applying it in memory failed; restart memd to rebuild its indexes");
    }
  }
}

}  // namespace memd::store
