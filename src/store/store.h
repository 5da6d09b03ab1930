// The storage interface: the system of record for cubes, memories, history, preferences,
// idempotency keys and API keys. SqliteStore is the embedded implementation; a PostgreSQL
// one can be added behind the same interface without touching the engine.
//
// Invariants every implementation keeps:
// - Each cube has a change sequence (CubeRow::seq) that starts at 0 and grows by exactly 1
//   per committed WriteFn that changed anything in that cube. Every memory row and purge
//   tombstone written by that transaction carries the new sequence, so an index that has
//   applied everything up to sequence S can catch up with ScanChangedSince(cube, S).
// - A WriteFn runs inside one transaction: all its changes commit together or not at all.
// - Memory doc numbers (MemoryRow::doc) are unique across the store and never reused.
// - Memory ids are unique within a cube.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memd/credentials.h"
#include "memd/jobs.h"
#include "memd/memory.h"
#include "memd/options.h"
#include "memd/sources.h"
#include "memd/status.h"

namespace memd::store {

// The current schema version written by this build. Older databases are migrated forward
// on open; newer ones are refused with FailedPrecondition and left untouched.
inline constexpr int kSchemaVersion = 5;

// Idempotency keys are kept at least this long (24 h); older ones are deleted lazily when a
// newer key is stored in the same cube, so GetIdempotency may still return one for a while.
inline constexpr Timestamp kIdempotencyRetentionMs = Timestamp{24} * 60 * 60 * 1000;

struct CubeRow {
  std::int64_t id = 0;
  std::string user;
  std::string project;
  std::string embedder;
  int dimension = 0;
  Timestamp created_at = 0;
  std::int64_t seq = 0;  // sequence of the last committed change
};

// A memory with its storage-only fields.
struct MemoryRow {
  std::int64_t doc = 0;  // store-assigned, unique, never reused; 0 before insert
  std::int64_t cube_id = 0;
  Memory memory;
  std::string content_hash;      // 32-byte SHA-256 (binary) of normalised content; dedup key
  std::vector<float> embedding;  // dimension floats, unit length
  std::int64_t seq = 0;          // sequence of the transaction that last wrote this row
};

// A row of history: a previous version of a memory.
struct HistoryRow {
  std::string operation;  // what replaced this version: update, delete or restore
  Memory memory;
};

// A recorded idempotent write.
struct IdempotencyRow {
  std::string key;
  std::string request_hash;  // hex digest of the canonical request
  std::string response;      // the serialised first response
  Timestamp created_at = 0;
};

// A stored API key: the key as listed, plus the SHA-256 of its secret. The secret itself is
// never stored.
struct ApiKeyRow {
  ApiKey key;
  std::string secret_hash;  // 32 raw bytes; unique across the store
};

// A change seen by ScanChangedSince: either a memory row (live, soft-deleted or expired;
// the reader decides) or a purge tombstone (row == nullopt).
struct ChangedDoc {
  std::int64_t doc = 0;
  std::optional<MemoryRow> row;
};

// The operations available inside one write transaction on one cube. Valid only during
// the WriteFn call. Not thread-safe (it runs on the store's writer).
class WriteTxn {
 public:
  virtual ~WriteTxn() = default;
  // The cube this transaction writes.
  virtual const CubeRow& cube() const = 0;
  // The sequence this transaction's changes carry (cube().seq + 1).
  virtual std::int64_t seq() const = 0;

  virtual Result<std::optional<MemoryRow>> GetById(std::string_view id) = 0;
  // A live (not soft-deleted) memory with this content hash, if any.
  virtual Result<std::optional<MemoryRow>> FindLiveByHash(std::string_view content_hash) = 0;
  // Inserts row (doc must be 0); sets row.doc, row.cube_id and row.seq. AlreadyExists if the
  // cube has this id already (ids are unique per cube, so no cube can probe another's ids).
  // InvalidArgument if row.embedding does not have cube().dimension floats.
  virtual Status Insert(MemoryRow& row) = 0;
  // Replaces the row with the same doc (and the same id; the id of a doc never changes);
  // sets row.cube_id and row.seq. NotFound if this cube has no such doc/id. Callers archive
  // the old version first (AppendHistory).
  virtual Status Replace(MemoryRow& row) = 0;
  // Appends a previous version to the history of a memory. NotFound if the doc is not a
  // memory of this cube; AlreadyExists if its history has entry.memory.version already.
  virtual Status AppendHistory(std::int64_t doc, const HistoryRow& entry) = 0;
  // Hard-deletes the memory and its history, and records a purge tombstone.
  // NotFound if the doc is not a memory of this cube.
  virtual Status Purge(std::int64_t doc) = 0;

  // The key's record, if stored (see kIdempotencyRetentionMs: check created_at).
  virtual Result<std::optional<IdempotencyRow>> GetIdempotency(std::string_view key) = 0;
  // Stores (or overwrites) the key's record, and deletes this cube's keys older than
  // row.created_at - kIdempotencyRetentionMs.
  virtual Status PutIdempotency(const IdempotencyRow& row) = 0;

  // Inserts or overwrites the preference (category, key).
  virtual Status PutPreference(const Preference& preference) = 0;
  // NotFound if absent.
  virtual Status DeletePreference(std::string_view category, std::string_view key) = 0;

  // The live (not soft-deleted) memories whose source uri is uri, in doc order.
  virtual Result<std::vector<MemoryRow>> LiveBySource(std::string_view uri) = 0;
  // Inserts or overwrites the state of state.uri (all fields as given).
  virtual Status PutSource(const SourceState& state) = 0;
  // Forgets the state of uri; false if there was none.
  virtual Result<bool> DeleteSource(std::string_view uri) = 0;
};

// The body of a write. Returning a non-OK status rolls back everything it did (and only
// that: other writes committed in the same group are unaffected). It runs on the store's
// writer thread, so it must use only its WriteTxn: Store writes from inside it fail with
// Internal, and Store reads would not see its uncommitted changes.
using WriteFn = std::function<Status(WriteTxn&)>;
// Runs after the transaction committed durably, on the writer, in commit order, before
// Write returns. Used to apply the change to in-memory indexes. Must not throw, block long
// or call Store writes. It also runs when fn changed nothing (seq is then the unchanged one).
using CommitFn = std::function<void(std::int64_t seq)>;

// Thread-safe. Concurrent Write calls are group-committed: the writer runs several WriteFns
// (each in its own savepoint) inside one transaction and one fsync.
class Store {
 public:
  virtual ~Store() = default;

  // Returns the cube, creating it with the given embedder if missing. Safe under races from
  // many threads and processes: all callers get the same row. Existing cubes keep their
  // recorded embedder (the caller checks it).
  virtual Result<CubeRow> GetOrCreateCube(std::string_view user, std::string_view project,
                                          std::string_view embedder, int dimension, Timestamp now) = 0;
  // nullopt if absent.
  virtual Result<std::optional<CubeRow>> FindCube(std::string_view user, std::string_view project) = 0;
  // Ordered by (user, project); all users when user is empty.
  virtual Result<std::vector<CubeRow>> ListCubes(std::string_view user) = 0;
  // Removes the cube and everything in it (memories, history, preferences, tombstones,
  // idempotency keys) in one transaction. NotFound if it does not exist. Cube ids are never
  // reused, so anything keyed by the old id (index snapshots) cannot match a later cube.
  virtual Status DeleteCube(std::int64_t cube_id) = 0;

  // Runs fn in a transaction on the cube. If fn changed nothing (no successful Insert/
  // Replace/Purge/AppendHistory/Put/Delete call), the sequence does not advance. on_commit
  // (optional) runs after a durable commit, only if the sequence advanced (an unchanged one
  // may be another process's commit). Returns the transaction's sequence (the cube's
  // current one if nothing changed). Errors: fn's error (its changes are rolled back, other
  // concurrent writes are unaffected); NotFound if the cube does not exist; Unavailable if
  // another process held the database lock past the busy timeout or the store is closing;
  // IOError if the commit failed (nothing was applied).
  virtual Result<std::int64_t> Write(std::int64_t cube_id, const WriteFn& fn,
                                     const CommitFn& on_commit = {}) = 0;

  // ---- reads: snapshot-consistent, run in parallel with writes ----
  virtual Result<std::optional<MemoryRow>> GetMemory(std::int64_t cube_id, std::string_view id) = 0;
  // Reads several memories by doc in one read transaction, without embeddings; the result
  // has one entry per doc, in order (nullopt where the cube has no such doc: another cube's
  // doc reads as absent).
  virtual Result<std::vector<std::optional<MemoryRow>>> GetMemoriesByDoc(std::int64_t cube_id,
                                                                         std::span<const std::int64_t> docs) = 0;
  // Memories with id > after_id in id order; soft-deleted ones only when include_deleted.
  // Embeddings are not loaded (MemoryRow::embedding is empty).
  virtual Result<std::vector<MemoryRow>> ListMemories(std::int64_t cube_id, std::string_view after_id,
                                                      std::size_t limit, bool include_deleted) = 0;
  // Previous versions, oldest first (the current row is not included).
  virtual Result<std::vector<HistoryRow>> GetHistory(std::int64_t cube_id, std::int64_t doc) = 0;
  // Calls fn for every memory row of the cube (with embedding), in doc order, inside one
  // read transaction, and returns the cube's sequence at that snapshot. fn returning
  // non-OK stops the scan and is returned.
  virtual Result<std::int64_t> ScanAll(std::int64_t cube_id,
                                       const std::function<Status(MemoryRow&&)>& fn) = 0;
  // Calls fn for every doc changed (written or purged) with seq > after_seq, in doc order,
  // with its current row; returns the cube's sequence at that snapshot.
  virtual Result<std::int64_t> ScanChangedSince(std::int64_t cube_id, std::int64_t after_seq,
                                                const std::function<Status(ChangedDoc&&)>& fn) = 0;
  // Docs of memories (live or deleted) whose expires_at <= now.
  virtual Result<std::vector<std::int64_t>> ExpiredDocs(std::int64_t cube_id, Timestamp now) = 0;
  // Counts of live and soft-deleted memories (expired ones included until purged).
  virtual Result<std::pair<std::int64_t, std::int64_t>> CountMemories(std::int64_t cube_id) = 0;

  virtual Result<std::optional<Preference>> GetPreference(std::int64_t cube_id, std::string_view category,
                                                          std::string_view key) = 0;
  // Ordered by (category, key); every category when category is empty.
  // Source states whose uri starts with uri_prefix (every one when empty), ordered by uri.
  virtual Result<std::vector<SourceState>> ListSources(std::int64_t cube_id, std::string_view uri_prefix) = 0;
  virtual Result<std::vector<Preference>> ListPreferences(std::int64_t cube_id,
                                                          std::string_view category) = 0;

  // Calls fn for every history row of the cube, ordered by (doc, version).
  virtual Status ScanHistory(std::int64_t cube_id,
                             const std::function<Status(std::int64_t doc, HistoryRow&&)>& fn) = 0;

  // ---- API keys: not part of any cube, so these neither need a cube nor advance a sequence ----
  // Inserts a new key. AlreadyExists if its id or its secret hash is already stored.
  // Scopes and projects are stored as given (the engine normalises them).
  virtual Status PutApiKey(const ApiKeyRow& row) = 0;
  // The key whose secret hashes to secret_hash (revoked or not); nullopt if none.
  virtual Result<std::optional<ApiKeyRow>> FindApiKeyBySecretHash(std::string_view secret_hash) = 0;
  // Keys of one user (all users when user is empty), revoked ones included, ordered by
  // (user, created_at, id). The rows carry no secret hash (ApiKeyRow::secret_hash is empty).
  virtual Result<std::vector<ApiKeyRow>> ListApiKeys(std::string_view user) = 0;
  // Marks the key revoked at now. NotFound if no key has this id. Revoking a revoked key
  // succeeds and keeps its first revoked_at.
  virtual Status RevokeApiKey(std::string_view id, Timestamp now) = 0;
  // How many keys are stored, revoked ones included (so 0 means none was ever created).
  virtual Result<std::int64_t> CountApiKeys() = 0;

  // ---- jobs (not part of any cube; see memd/jobs.h) ----
  // Inserts a new job. AlreadyExists if the id is taken.
  virtual Status InsertJob(const Job& job) = 0;
  virtual Result<std::optional<Job>> GetJob(std::string_view id) = 0;
  // Newest first (by id); user "" = every user; only queued/running ones when unfinished_only.
  virtual Result<std::vector<Job>> ListJobs(std::string_view user, bool unfinished_only, std::size_t limit) = 0;
  // Writes status, progress, error, updated_at and finished_at of job.id unless the stored
  // job is final. Returns the stored job after the call. NotFound if absent.
  virtual Result<Job> UpdateJob(const Job& job) = 0;
  // Sets cancel_requested, and makes a queued job cancelled (finished at now). Returns the
  // stored job after the call. NotFound if absent.
  virtual Result<Job> RequestJobCancel(std::string_view id, Timestamp now) = 0;
  // Deletes the jobs of (user, project), or of every project of user when project is empty.
  virtual Status DeleteJobs(std::string_view user, std::string_view project) = 0;
};

struct SqliteStoreOptions {
  std::string path;  // the database file; its directory must exist
  // kFull: PRAGMA synchronous=FULL (fsync per group commit); kNormal: synchronous=NORMAL.
  Durability durability = Durability::kFull;
  // Read connections kept open between reads. More concurrent readers than this still run
  // (extra connections are opened and closed on demand).
  int read_connections = 4;
  // How long a write or read waits for a lock held by another process before Unavailable.
  int busy_timeout_ms = 10000;
  // Most Write calls committed together in one transaction. Larger groups mean fewer
  // fsyncs under concurrency; each caller still waits for its whole group.
  int max_group_size = 128;
  // Each time the WAL grows by this many pages (4 KiB), a background checkpoint copies it
  // back into the database file; at 4x this the writer checkpoints itself (back-pressure).
  // Larger: fewer rewrites of hot pages, a bigger WAL file and longer crash recovery.
  int checkpoint_pages = 4096;
};

// Opens (creating and migrating) a SQLite store in WAL mode; see sqlite_store.h.
// Errors: FailedPrecondition for a database from a newer memd (the file is not modified) or a
// SQLite file memd did not create; Corruption if the file is not a valid database;
// IOError if it cannot be opened or created; all naming the path.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace memd::store
