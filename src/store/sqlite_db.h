// Thin RAII wrappers over the SQLite C API: a connection (Db) with a per-connection cache of
// prepared statements, and a statement lease (Stmt) that resets itself when it goes out of
// scope. Every SQLite error becomes a Status that carries SQLite's message, the database path
// and what memd was doing, mapped once (SqliteStatus) to memd's codes:
//   BUSY/LOCKED -> Unavailable, CORRUPT/NOTADB -> Corruption, IOERR/CANTOPEN/FULL/READONLY/
//   PERM -> IOError, CONSTRAINT_UNIQUE/PRIMARYKEY -> AlreadyExists, NOMEM/TOOBIG ->
//   ResourceExhausted, anything else -> Internal.
//
// Threading: a Db and its statements are used by one thread at a time (connections are
// opened with SQLITE_OPEN_NOMUTEX); the store hands each connection to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "memd/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace memd::store {

// Maps a SQLite result code to a Status: "<what>: <sqlite message> (database <path>)".
// REQUIRES: rc is an error code (not SQLITE_OK/ROW/DONE).
Status SqliteStatus(int rc, std::string_view sqlite_message, std::string_view path, std::string_view what);

class Db;

// A lease on a prepared statement of one Db. Binds are 1-based. Text and blob binds that take
// a view use SQLITE_STATIC: the bytes must stay valid and unchanged until the statement is
// reset (the Stmt is destroyed or Reset) or the parameter is rebound. Binding an rvalue
// std::string is therefore rejected at compile time; use BindTextCopy for temporaries.
// A bind error is remembered and returned by the next Step/Run. Move-only. On destruction the
// statement is reset (releasing its read lock) and its bindings cleared.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  void BindInt(int index, std::int64_t value);
  void BindNull(int index);
  void BindText(int index, std::string_view value);
  void BindText(int index, std::string&&) = delete;
  void BindTextCopy(int index, std::string_view value);
  void BindBlob(int index, const void* data, std::size_t size);
  void BindBlob(int index, std::string_view value) { BindBlob(index, value.data(), value.size()); }
  void BindBlob(int index, std::string&&) = delete;
  void BindOptionalInt(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row: true if a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, ignoring any rows (for INSERT/UPDATE/DELETE/PRAGMA).
  Status Run();
  // Resets so the statement can run again with new bindings (bindings are kept).
  void Reset();

  // Column accessors for the current row (0-based). Views are valid until the next Step,
  // Reset or destruction.
  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;

 private:
  friend class Db;
  struct Slot;
  Stmt(Db* db, Slot* cached, sqlite3_stmt* owned);
  void NoteBind(int rc, int index);
  sqlite3_stmt* stmt() const;

  Db* db_;
  Slot* cached_;         // non-null: a cached statement leased from db_
  sqlite3_stmt* owned_;  // non-null: a one-off statement finalized on destruction
  Status bind_status_;
};

// One SQLite connection. Not thread-safe; see the file comment.
class Db {
 public:
  // Opens path with the given sqlite3_open_v2 flags (SQLITE_OPEN_NOMUTEX is added), enables
  // extended result codes and sets the busy timeout. Errors: IOError naming the path.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int flags, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Runs one or more SQL statements without caching them (schema changes, pragmas, BEGIN).
  Status Exec(std::string_view sql);
  // Returns a lease on the cached prepared statement for sql (preparing it on first use). If
  // that statement is already leased (nested use), a one-off statement is prepared instead.
  Result<Stmt> Prepare(std::string_view sql);
  // Runs a query expected to return one integer (e.g. "PRAGMA user_version").
  Result<std::int64_t> QueryInt(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  // True while a transaction is open on this connection.
  bool in_transaction() const;
  // The Status for an error code rc returned by this connection while doing `what`.
  Status Error(int rc, std::string_view what) const;

 private:
  friend class Stmt;
  Db(sqlite3* db, std::string path);

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt::Slot>, StringHash, std::equal_to<>> cache_;
};

// A deferred read transaction: the snapshot is taken at the first read and held until the
// guard is destroyed. Statements must be destroyed before the guard (declare them after it).
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) {}
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  Status Begin();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace memd::store
