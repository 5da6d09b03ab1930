// SqliteStore: opening, cubes and writes. The read methods are in sqlite_store_reads.cc.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "store/checkpointer.h"
#include "store/cube_table.h"
#include "store/group_writer.h"
#include "store/read_pool.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/write_txn.h"

namespace memd::store {
namespace {

// Page cache per connection, in KiB. The writer's is larger: index B-tree pages of a bulk
// insert stay cached between commits.
constexpr int kWriterCacheKib = 64 * 1024;
constexpr int kReaderCacheKib = 16 * 1024;
constexpr int kCheckpointerCacheKib = 2 * 1024;
constexpr int kMaxReadConnections = 256;

Status ValidateOptions(const SqliteStoreOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("the store path is empty", "path");
  if (options.read_connections < 1 || options.read_connections > kMaxReadConnections) {
    return Status::InvalidArgument("read_connections must be in 1.." + std::to_string(kMaxReadConnections),
                                   "read_connections");
  }
  if (options.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative", "busy_timeout_ms");
  }
  if (options.checkpoint_pages < 1) {
    return Status::InvalidArgument("checkpoint_pages must be at least 1", "checkpoint_pages");
  }
  if (options.max_group_size < 1) {
    return Status::InvalidArgument("max_group_size must be at least 1", "max_group_size");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  MEMD_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  return OpenAt(options, kSchemaVersion);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::OpenForTest(const SqliteStoreOptions& options,
                                                              int schema_version) {
  return OpenAt(options, schema_version);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::OpenAt(const SqliteStoreOptions& options,
                                                         int schema_version) {
  MEMD_RETURN_IF_ERROR(ValidateOptions(options));
  const bool full = options.durability == Durability::kFull;
  MEMD_ASSIGN_OR_RETURN(
      std::unique_ptr<Db> write_db,
      Db::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout_ms));
  MEMD_RETURN_IF_ERROR(OpenSchema(*write_db, schema_version));
  MEMD_RETURN_IF_ERROR(ConfigureConnection(*write_db, full, kWriterCacheKib));

  MEMD_ASSIGN_OR_RETURN(std::unique_ptr<Db> checkpoint_db,
                        Db::Open(options.path, SQLITE_OPEN_READWRITE, options.busy_timeout_ms));
  MEMD_RETURN_IF_ERROR(ConfigureConnection(*checkpoint_db, full, kCheckpointerCacheKib));
  auto checkpointer = std::make_unique<Checkpointer>(std::move(checkpoint_db), options.checkpoint_pages);

  std::string path = options.path;
  int busy_timeout_ms = options.busy_timeout_ms;
  auto factory = [path, busy_timeout_ms, full]() -> Result<std::unique_ptr<Db>> {
    MEMD_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, SQLITE_OPEN_READWRITE, busy_timeout_ms));
    MEMD_RETURN_IF_ERROR(ConfigureConnection(*db, full, kReaderCacheKib));
    // No memory-mapped reads (PRAGMA mmap_size): they made searches ~15% cheaper, but in WAL
    // mode a reader unmaps the whole file whenever another connection has committed, so
    // under writes every search paid for unmapping and faulting the pages back (a 90/10
    // search/add mix lost ~25% of its throughput).
    MEMD_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON"));
    return db;
  };
  auto readers = std::make_unique<ReadPool>(factory, static_cast<std::size_t>(options.read_connections));
  {
    // Open one reader now, so a problem with read connections shows at Open.
    MEMD_ASSIGN_OR_RETURN(ReadPool::Lease lease, readers->Acquire());
  }
  // Attached last: from here on, the writer (which calls the hook) dies before the checkpointer.
  checkpointer->Attach(*write_db);
  auto writer =
      std::make_unique<GroupWriter>(std::move(write_db), static_cast<std::size_t>(options.max_group_size));
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(options, std::move(checkpointer), std::move(writer), std::move(readers)));
}

SqliteStore::SqliteStore(SqliteStoreOptions options, std::unique_ptr<Checkpointer> checkpointer,
                         std::unique_ptr<GroupWriter> writer, std::unique_ptr<ReadPool> readers)
    : options_(std::move(options)),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {}

SqliteStore::~SqliteStore() = default;

std::uint64_t SqliteStore::commit_count() const { return writer_->commit_count(); }
std::uint64_t SqliteStore::write_count() const { return writer_->request_count(); }
std::size_t SqliteStore::pending_writes() const { return writer_->pending(); }
std::uint64_t SqliteStore::checkpoint_count() const { return checkpointer_->checkpoint_count(); }

Result<int> SqliteStore::WriterSynchronousForTest() {
  std::int64_t value = -1;
  MEMD_RETURN_IF_ERROR(writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(value, db.QueryInt("PRAGMA synchronous"));
    return Status::OK();
  }));
  return static_cast<int>(value);
}

Result<CubeRow> SqliteStore::GetOrCreateCube(std::string_view user, std::string_view project,
                                             std::string_view embedder, int dimension, Timestamp now) {
  MEMD_ASSIGN_OR_RETURN(std::optional<CubeRow> existing, FindCube(user, project));
  if (existing.has_value()) return *std::move(existing);
  if (dimension < 0) return Status::InvalidArgument("cube dimension must not be negative", "dimension");
  // Missing: insert-if-absent under the database write lock, so concurrent creators in any
  // thread or process all end up with the one row that won.
  CubeRow cube;
  MEMD_RETURN_IF_ERROR(writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(cube, InsertCubeIfMissing(db, user, project, embedder, dimension, now));
    return Status::OK();
  }));
  return cube;
}

Result<std::optional<CubeRow>> SqliteStore::FindCube(std::string_view user, std::string_view project) {
  return RunRead(*readers_, [&](Db& db) { return FindCubeByName(db, user, project); });
}

Result<std::vector<CubeRow>> SqliteStore::ListCubes(std::string_view user) {
  return RunRead(*readers_, [&](Db& db) { return ListCubeRows(db, user); });
}

Status SqliteStore::DeleteCube(std::int64_t cube_id) {
  return writer_->Submit([&](Db& db) { return DeleteCubeRows(db, cube_id); });
}

Result<std::int64_t> SqliteStore::Write(std::int64_t cube_id, const WriteFn& fn, const CommitFn& on_commit) {
  if (!fn) return Status::Internal("Store::Write called without a write function");
  std::int64_t seq = 0;
  bool advanced = false;
  GroupWriter::Body body = [&](Db& db) { return RunCubeWrite(db, cube_id, fn, &seq, &advanced); };
  GroupWriter::AfterCommit after_commit;
  // Only a write that advanced the sequence committed anything: an unchanged sequence may be
  // another process's commit, which this caller must not take for its own.
  if (on_commit)
    after_commit = [&] {
      if (advanced) on_commit(seq);
    };
  MEMD_RETURN_IF_ERROR(writer_->Submit(body, after_commit));
  return seq;
}

}  // namespace memd::store
