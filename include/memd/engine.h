// memd's engine: start here. One Engine owns a data directory and serves every cube in it.
// The CLI, the HTTP server and MCP are thin adapters over this API.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/credentials.h"
#include "memd/jobs.h"
#include "memd/memory.h"
#include "memd/options.h"
#include "memd/search.h"
#include "memd/sources.h"
#include "memd/status.h"

namespace memd {

// Options of one write call.
struct WriteOptions {
  // Non-empty: replaying a request with the same key and the same content returns the
  // first result and writes nothing; the same key with different content is Conflict.
  // Keys are scoped to the cube and kept for 24 hours.
  std::string idempotency_key;
};

// A cube as listed.
struct CubeInfo {
  CubeRef ref;
  std::string embedder;  // name recorded at creation
  int dimension = 0;
  Timestamp created_at = 0;
};

// Counts and sizes of one cube.
struct CubeStats {
  CubeInfo info;
  std::int64_t memories = 0;          // live, unexpired
  std::int64_t deleted = 0;           // soft-deleted, restorable
  std::int64_t preferences = 0;
  std::int64_t change_sequence = 0;   // store sequence of the last write
  bool open = false;                  // index in memory now
  std::size_t index_bytes = 0;        // estimated, when open
  std::int64_t snapshot_sequence = -1;  // sequence of the newest snapshot; -1 if none
  std::string vector_index;           // "exact" or "hnsw"
  std::size_t graph_pending = 0;      // vectors not yet in the HNSW graph (searched exactly)
};

// Figures of the whole engine for monitoring; cheap (no store access).
struct EngineStats {
  std::int64_t open_cubes = 0;
  std::int64_t memories = 0;             // live memories in open cubes' indexes
  std::size_t index_bytes = 0;           // estimated index memory of open cubes
  std::int64_t unsnapshotted_changes = 0;  // changes not yet in a snapshot, summed
  std::uint64_t row_cache_hits = 0;        // search hits whose row came from the row cache
  std::uint64_t row_cache_misses = 0;      // search hits whose row was read from the store
  std::size_t row_cache_bytes = 0;         // memory charged to the row cache now
};

// Result of Verify: whether the live index equals a fresh rebuild from the store.
struct VerifyReport {
  bool consistent = false;
  std::string detail;  // what differs, when not consistent
};

// Thread-safe: any number of threads may call any method concurrently. Writes to one cube
// are serialised; reads run in parallel and see every write acknowledged before they began.
class Engine {
 public:
  // Opens (creating if missing) the data directory. Runs schema migrations.
  // Errors: FailedPrecondition if the store was written by a newer memd (nothing is
  // changed); IOError/Corruption with the path when the directory or database is unusable.
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);

  // Closes: writes snapshots of open cubes that changed, then closes the store.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- memories -------------------------------------------------------------------
  // Adds one memory, creating the cube on first write. A memory equal to a live one of the
  // cube (normalised text + canonical metadata + kind) is not added again: its id is returned
  // with deduplicated = true. Searchable as soon as this returns.
  // Errors: InvalidArgument (empty/invalid UTF-8/too long text, metadata not an object,
  // bad tags/kind/source/id) naming the field; AlreadyExists for a taken explicit id;
  // Conflict for an idempotency key reused with other content. Nothing is written on error.
  Result<AddResult> Add(const CubeRef& cube, const NewMemory& memory, const WriteOptions& options = {});
  // Adds all or nothing in one transaction; results are in input order. The field of an
  // InvalidArgument names the item, e.g. "items[17].text".
  Result<std::vector<AddResult>> AddBatch(const CubeRef& cube, const std::vector<NewMemory>& memories,
                                          const WriteOptions& options = {});
  // Returns a live (or soft-deleted) memory. NotFound for unknown ids, ids of other cubes,
  // expired and purged memories.
  Result<Memory> Get(const CubeRef& cube, std::string_view id);
  // Pages through a cube's memories in id order.
  Result<ListPage> List(const CubeRef& cube, const ListRequest& request);
  // Applies a patch, keeping the previous version in history. Returns the new version.
  Result<Memory> Update(const CubeRef& cube, std::string_view id, const MemoryPatch& patch,
                        const WriteOptions& options = {});
  // Soft-deletes: hidden from search, get-able and restorable; previous version kept.
  Result<Memory> Delete(const CubeRef& cube, std::string_view id, const WriteOptions& options = {});
  // Undoes a soft delete. FailedPrecondition if the memory is not deleted.
  Result<Memory> Restore(const CubeRef& cube, std::string_view id, const WriteOptions& options = {});
  // Every version, oldest first; the last entry is the current state.
  Result<std::vector<HistoryEntry>> History(const CubeRef& cube, std::string_view id);
  // Hard-deletes a memory and its whole history. Irreversible.
  Status Purge(const CubeRef& cube, std::string_view id);

  // ---- search and context -----------------------------------------------------------
  // Searches the named projects of one user (each must exist: NotFound otherwise).
  Result<std::vector<Hit>> Search(std::string_view user, const std::vector<std::string>& projects,
                                  const SearchRequest& request);
  // Builds a prompt-ready block: the cube's preferences, then the best memories for the
  // query, each cited by id, deduplicated, never over the budget.
  Result<ContextBlock> Context(const CubeRef& cube, const ContextRequest& request);

  // ---- preferences ---------------------------------------------------------------------
  // Sets (creating the cube if needed). value is JSON text of any type.
  Result<Preference> SetPreference(const CubeRef& cube, std::string_view category, std::string_view key,
                                   std::string_view value, std::string_view description = {});
  Result<Preference> GetPreference(const CubeRef& cube, std::string_view category, std::string_view key);
  // All preferences, ordered by (category, key); only one category when it is non-empty.
  Result<std::vector<Preference>> ListPreferences(const CubeRef& cube, std::string_view category = {});
  Status DeletePreference(const CubeRef& cube, std::string_view category, std::string_view key);
  // A deterministic text block of the cube's preferences for a prompt; empty if none.
  Result<std::string> FormatPreferencesForPrompt(const CubeRef& cube);

  // ---- ingested sources (see sources.h) -------------------------------------------------
  // Makes the cube's chunks of state.uri exactly `chunks`, in one transaction (creating the
  // cube if needed): chunks equal to a live chunk of the source (same text, kind, metadata,
  // tags and line range) are kept untouched, the others added, and live chunks of the
  // source not in the new set soft-deleted; then the source's state is stored. A search
  // never sees a mix of old and new chunks. Every chunk's source.uri must equal state.uri
  // (InvalidArgument naming chunks[i] otherwise); chunks may be empty (the source is then
  // recorded with no chunks). All or nothing.
  Result<ReplaceSourceResult> ReplaceSource(const CubeRef& cube, const SourceState& state,
                                            const std::vector<NewMemory>& chunks);
  // ReplaceSource of several sources in one transaction (one fsync: an ingester batches
  // small files with it), results in order. Each source stays whole; all or nothing.
  // InvalidArgument naming sources[k] (or sources[k].chunks[i]) for bad input, a uri given
  // twice, or an empty list.
  Result<std::vector<ReplaceSourceResult>> ReplaceSources(const CubeRef& cube, const std::vector<SourceUpdate>& updates);
  // Soft-deletes every live chunk of uri and forgets its state, in one transaction;
  // returns how many chunks were deleted. NotFound if the cube or the source does not exist.
  Result<std::int64_t> RemoveSource(const CubeRef& cube, std::string_view uri);
  // Stored states whose uri starts with uri_prefix (all when empty), ordered by uri. An
  // empty list if the cube does not exist.
  Result<std::vector<SourceState>> ListSources(const CubeRef& cube, std::string_view uri_prefix = {});

  // ---- background jobs (see jobs.h) ---------------------------------------------------
  // Records a new queued job for cube (which need not exist yet). request must be a JSON
  // object (InvalidArgument naming "request" otherwise); kind 1..32 of [a-z_].
  Result<Job> CreateJob(const CubeRef& cube, std::string_view kind, std::string_view request);
  // NotFound if no job has this id.
  Result<Job> GetJob(std::string_view id);
  // Jobs of user (every user when empty), newest first, at most limit (1..1000); only the
  // queued and running ones when unfinished_only.
  Result<std::vector<Job>> ListJobs(std::string_view user, bool unfinished_only = false, int limit = 100);
  // Stores job's status, progress and error (updated_at is set now; finished_at when the
  // status is final). FailedPrecondition if the stored job is already final; NotFound if
  // it does not exist. Never clears a cancel request.
  Result<Job> UpdateJob(const Job& job);
  // Asks the runner to stop the job: a queued job becomes cancelled at once; a running one
  // is flagged. Returns the stored job. A final job is returned unchanged.
  Result<Job> RequestJobCancel(std::string_view id);

  // ---- cubes ---------------------------------------------------------------------------
  // Cubes of one user (or of all users when user is empty), ordered by (user, project).
  Result<std::vector<CubeInfo>> ListCubes(std::string_view user = {});
  Result<CubeStats> Stats(const CubeRef& cube);
  // An opaque token that changes whenever the cube's content changes (every committed
  // write, and a deleted and re-created cube never repeats one), so a cache of search
  // results keyed on it is never stale. Cheap (opens the cube if needed). NotFound if the
  // cube does not exist.
  Result<std::string> CubeVersion(const CubeRef& cube);
  // Monitoring figures over the open cubes.
  EngineStats RuntimeStats();
  // Removes everything of one cube: memories, history, preferences, idempotency records,
  // ingested source states, jobs, index snapshots and in-memory state. NotFound if it does
  // not exist.
  Status ForgetProject(const CubeRef& cube);
  // Removes every cube of a user. Succeeds (doing nothing) if the user has none.
  Status ForgetUser(std::string_view user);

  // ---- export / import / maintenance ---------------------------------------------------------
  // Writes the cube as zstd-compressed JSONL (memories with embeddings, history,
  // preferences) to path, atomically.
  Status Export(const CubeRef& cube, const std::string& path);
  // Imports a file written by Export into a cube that must not exist yet; all or nothing.
  // Reproduces ids, versions, timestamps, history and preferences exactly.
  Status Import(const CubeRef& cube, const std::string& path);
  // Writes an index snapshot of the cube now (no-op if it is up to date).
  Status Snapshot(const CubeRef& cube);
  // Rebuilds the cube's index from the store and compares it with the live one.
  Result<VerifyReport> Verify(const CubeRef& cube);
  // Hard-deletes expired memories of every cube; returns how many.
  Result<std::int64_t> PurgeExpired();

  // ---- credentials (API keys; see credentials.h) -----------------------------------------
  // Keys are not part of any cube: they survive ForgetUser/ForgetProject of their user.
  //
  // Creates a key and returns it with its secret, which memd does not store: show it to the
  // user now, it cannot be retrieved later. The stored scopes are sorted and unique, the
  // projects sorted and unique. Errors: InvalidArgument naming the field if user is not a
  // valid user name, scopes is empty, a project is not a valid project name, there are more
  // than 256 projects, name is longer than 200 bytes or not UTF-8 text without control
  // characters, tier is not 1-64 characters of A-Z a-z 0-9 . _ -, or a given secret does not
  // have the form NewApiKey::secret describes; AlreadyExists if a key with the given secret
  // exists; Internal if the system random source fails. Nothing is written on error.
  Result<CreatedApiKey> CreateApiKey(const NewApiKey& key);
  // Keys of one user (every user when user is empty), revoked ones included, ordered by
  // (user, created_at, id). Never contains a secret or its hash. InvalidArgument if user is
  // not empty and not a valid user name.
  Result<std::vector<ApiKey>> ListApiKeys(std::string_view user = {});
  // Revokes a key: from then on it never authenticates through this Engine; an Engine in
  // another process on the same data directory notices within 1 s (its login cache's TTL).
  // Revoking a revoked key succeeds and keeps its first revoked_at. Errors: InvalidArgument if key_id does not look like a key id
  // ("k_" + 12 characters); NotFound if no key has this id.
  Status RevokeApiKey(std::string_view key_id);
  // Returns the active key whose secret this is. One indexed read of the secret's SHA-256
  // at most once a second per key (successful logins are cached for 1 s); no write. Errors: Unauthenticated, with the same message whether the secret is malformed,
  // unknown or revoked (callers cannot probe which).
  Result<ApiKey> AuthenticateApiKey(std::string_view secret);
  // How many keys are stored, revoked ones included: 0 only if no key was ever created
  // (the server's cue to create the first admin key).
  Result<std::int64_t> CountApiKeys();
  // ---- end of credentials -------------------------------------------------------------------

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace memd
