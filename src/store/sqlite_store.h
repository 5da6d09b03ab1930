// SqliteStore: the embedded Store on one SQLite file in WAL mode.
//
// Connections:
// - One write connection, owned by a GroupWriter thread. Every write (Write, GetOrCreateCube
//   when the cube is new, DeleteCube) is queued to it and group-committed: concurrent writes
//   share one BEGIN IMMEDIATE ... COMMIT and one fsync, each in its own savepoint.
// - A checkpointer thread with its own connection copies the WAL back into the database
//   file in the background once it grows by options.checkpoint_pages, so commits do not
//   stall on it.
// - A pool of read connections (PRAGMA query_only). Every read method runs in one read
//   transaction, so it sees one committed snapshot, and runs concurrently with the writer.
// Several processes may open the same file: SQLite's locks serialise their writers, and a
// writer waits up to busy_timeout_ms for another process's transaction.
//
// Thread-safe. Destruction must not race with calls; it finishes queued writes first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/store.h"

namespace memd::store {

class Checkpointer;
class GroupWriter;
class ReadPool;

class SqliteStore final : public Store {
 public:
  // Opens (creating and migrating to kSchemaVersion) the database at options.path.
  // Errors: see OpenSqliteStore in store.h; InvalidArgument for bad options.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  // Test only: opens the database as a memd whose newest schema is schema_version would
  // (1..kSchemaVersion), to create databases at older versions for migration tests.
  static Result<std::unique_ptr<SqliteStore>> OpenForTest(const SqliteStoreOptions& options,
                                                          int schema_version);
  ~SqliteStore() override;

  Result<CubeRow> GetOrCreateCube(std::string_view user, std::string_view project, std::string_view embedder,
                                  int dimension, Timestamp now) override;
  Result<std::optional<CubeRow>> FindCube(std::string_view user, std::string_view project) override;
  Result<std::vector<CubeRow>> ListCubes(std::string_view user) override;
  Status DeleteCube(std::int64_t cube_id) override;

  Result<std::int64_t> Write(std::int64_t cube_id, const WriteFn& fn,
                             const CommitFn& on_commit = {}) override;

  Result<std::optional<MemoryRow>> GetMemory(std::int64_t cube_id, std::string_view id) override;
  Result<std::vector<std::optional<MemoryRow>>> GetMemoriesByDoc(std::int64_t cube_id,
                                                                 std::span<const std::int64_t> docs) override;
  Result<std::vector<MemoryRow>> ListMemories(std::int64_t cube_id, std::string_view after_id,
                                              std::size_t limit, bool include_deleted) override;
  Result<std::vector<HistoryRow>> GetHistory(std::int64_t cube_id, std::int64_t doc) override;
  Result<std::int64_t> ScanAll(std::int64_t cube_id, const std::function<Status(MemoryRow&&)>& fn) override;
  Result<std::int64_t> ScanChangedSince(std::int64_t cube_id, std::int64_t after_seq,
                                        const std::function<Status(ChangedDoc&&)>& fn) override;
  Result<std::vector<std::int64_t>> ExpiredDocs(std::int64_t cube_id, Timestamp now) override;
  Result<std::pair<std::int64_t, std::int64_t>> CountMemories(std::int64_t cube_id) override;
  Result<std::optional<Preference>> GetPreference(std::int64_t cube_id, std::string_view category,
                                                  std::string_view key) override;
  Result<std::vector<SourceState>> ListSources(std::int64_t cube_id, std::string_view uri_prefix) override;
  Result<std::vector<Preference>> ListPreferences(std::int64_t cube_id, std::string_view category) override;
  Status ScanHistory(std::int64_t cube_id,
                     const std::function<Status(std::int64_t doc, HistoryRow&&)>& fn) override;

  // API keys: sqlite_store_api_keys.cc. Writes go through the group writer like cube writes.
  Status PutApiKey(const ApiKeyRow& row) override;
  Result<std::optional<ApiKeyRow>> FindApiKeyBySecretHash(std::string_view secret_hash) override;
  Result<std::vector<ApiKeyRow>> ListApiKeys(std::string_view user) override;
  Status RevokeApiKey(std::string_view id, Timestamp now) override;
  Result<std::int64_t> CountApiKeys() override;
  Status InsertJob(const Job& job) override;
  Result<std::optional<Job>> GetJob(std::string_view id) override;
  Result<std::vector<Job>> ListJobs(std::string_view user, bool unfinished_only, std::size_t limit) override;
  Result<Job> UpdateJob(const Job& job) override;
  Result<Job> RequestJobCancel(std::string_view id, Timestamp now) override;
  Status DeleteJobs(std::string_view user, std::string_view project) override;

  const std::string& path() const { return options_.path; }
  // Write transactions committed so far; with concurrent writers this is below the number
  // of writes (group commit). Includes cube creations and deletions.
  std::uint64_t commit_count() const;
  // Write requests run so far (Write, cube creation and deletion), committed or not.
  std::uint64_t write_count() const;
  // Writes queued and not yet started by the writer.
  std::size_t pending_writes() const;
  // Background WAL checkpoints completed so far.
  std::uint64_t checkpoint_count() const;
  // Test only: PRAGMA synchronous of the write connection (2 = FULL, 1 = NORMAL).
  Result<int> WriterSynchronousForTest();

 private:
  SqliteStore(SqliteStoreOptions options, std::unique_ptr<Checkpointer> checkpointer,
              std::unique_ptr<GroupWriter> writer, std::unique_ptr<ReadPool> readers);
  static Result<std::unique_ptr<SqliteStore>> OpenAt(const SqliteStoreOptions& options, int schema_version);

  const SqliteStoreOptions options_;
  // Destroyed in reverse order: the readers close first, then the writer drains its queue
  // and stops; the checkpointer (whose WAL hook the writer calls) goes last, and closing
  // its connection, the last one, checkpoints and removes the WAL.
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<GroupWriter> writer_;
  std::unique_ptr<ReadPool> readers_;
};

}  // namespace memd::store
