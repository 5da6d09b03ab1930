#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace memd::store {

Status SqliteStatus(int rc, std::string_view sqlite_message, std::string_view path, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += sqlite_message.empty() ? std::string_view(sqlite3_errstr(rc)) : sqlite_message;
  message += " (database ";
  message += path;
  message += ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      message += "; another connection or process holds the lock, retry later";
      return Status::Unavailable(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      message += "; the file is damaged or is not a memd database: restore it from a backup";
      return Status::Corruption(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      message += "; check that the path exists, is writable and the disk is not full";
      return Status::IOError(std::move(message));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(message));
      }
      return Status::Internal(std::move(message));
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return Status::ResourceExhausted(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

// ---- Stmt ----

struct Stmt::Slot {
  sqlite3_stmt* stmt = nullptr;
  bool leased = false;
  ~Slot() { sqlite3_finalize(stmt); }
};

Stmt::Stmt(Db* db, Slot* cached, sqlite3_stmt* owned) : db_(db), cached_(cached), owned_(owned) {}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      cached_(std::exchange(other.cached_, nullptr)),
      owned_(std::exchange(other.owned_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

Stmt::~Stmt() {
  if (cached_ != nullptr) {
    sqlite3_reset(cached_->stmt);
    sqlite3_clear_bindings(cached_->stmt);
    cached_->leased = false;
  }
  if (owned_ != nullptr) sqlite3_finalize(owned_);
}

sqlite3_stmt* Stmt::stmt() const { return cached_ != nullptr ? cached_->stmt : owned_; }

void Stmt::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = db_->Error(
        rc, "binding parameter " + std::to_string(index) + " of " + std::string(sqlite3_sql(stmt())));
  }
}

void Stmt::BindInt(int index, std::int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt(), index, value), index);
}

void Stmt::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt(), index), index); }

void Stmt::BindText(int index, std::string_view value) {
  // A non-null pointer even for empty text, so the value binds as '' and not NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(sqlite3_bind_text64(stmt(), index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8), index);
}

void Stmt::BindTextCopy(int index, std::string_view value) {
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(sqlite3_bind_text64(stmt(), index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

void Stmt::BindBlob(int index, const void* data, std::size_t size) {
  static const char kEmpty = 0;
  const void* p = data != nullptr ? data : &kEmpty;
  NoteBind(sqlite3_bind_blob64(stmt(), index, p, size, SQLITE_STATIC), index);
}

void Stmt::BindOptionalInt(int index, const std::optional<std::int64_t>& value) {
  if (value.has_value()) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Stmt::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "running " + std::string(sqlite3_sql(stmt())));
}

Status Stmt::Run() {
  while (true) {
    MEMD_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::OK();
  }
}

void Stmt::Reset() { sqlite3_reset(stmt()); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt(), column) == SQLITE_NULL; }

std::int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt(), column); }

std::optional<std::int64_t> Stmt::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::string_view Stmt::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt(), column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt(), column))};
}

std::string_view Stmt::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt(), column);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt(), column))};
}

// ---- Db ----

Db::Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Db::~Db() {
  cache_.clear();  // finalize every statement before closing
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    return SqliteStatus(rc, message, path, "opening the database");
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  return std::unique_ptr<Db>(new Db(handle, path));
}

Status Db::Error(int rc, std::string_view what) const {
  // sqlite3_errmsg describes the most recent failure on this connection, which is rc's.
  return SqliteStatus(rc, sqlite3_errmsg(db_), path_, what);
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::OK();
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  std::string what = "running " + text.substr(0, 80);
  return SqliteStatus(sqlite3_extended_errcode(db_) != SQLITE_OK ? sqlite3_extended_errcode(db_) : rc,
                      message, path_, what);
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second->leased) {
    it->second->leased = true;
    return Stmt(this, it->second.get(), nullptr);
  }
  sqlite3_stmt* stmt = nullptr;
  int flags = it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "preparing " + std::string(sql.substr(0, 120)));
  }
  if (stmt == nullptr) return Status::Internal("empty SQL statement: " + std::string(sql));
  if (it != cache_.end()) return Stmt(this, nullptr, stmt);  // nested use: one-off statement
  auto slot = std::make_unique<Stmt::Slot>();
  slot->stmt = stmt;
  slot->leased = true;
  Stmt::Slot* raw = slot.get();
  cache_.emplace(std::string(sql), std::move(slot));
  return Stmt(this, raw, nullptr);
}

Result<std::int64_t> Db::QueryInt(std::string_view sql) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  MEMD_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("query returned no row: " + std::string(sql));
  return stmt.Int(0);
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- ReadTransaction ----

Status ReadTransaction::Begin() {
  MEMD_ASSIGN_OR_RETURN(Stmt begin, db_.Prepare("BEGIN"));
  MEMD_RETURN_IF_ERROR(begin.Run());
  open_ = true;
  return Status::OK();
}

ReadTransaction::~ReadTransaction() {
  if (!open_ || !db_.in_transaction()) return;
  // A read transaction has nothing to lose: end it whichever way works.
  Result<Stmt> commit = db_.Prepare("COMMIT");
  if (commit.ok() && commit->Run().ok()) return;
  db_.Exec("ROLLBACK").IgnoreError();
}

}  // namespace memd::store
