// Engine::Impl: the engine's state and the operations shared by its files
// (engine.cc: open/close and the public facade; cube_registry.cc: opening, loading,
// catching up and evicting cubes; write_path.cc: memory writes; preferences.cc;
// sources.cc; jobs.cc; search.cc; context.cc; export_import.cc; maintenance.cc).
//
// Locking order: cubes_mu_ -> OpenCube::load_mu -> OpenCube::mu. The store's writer thread
// runs commit callbacks that take OpenCube::mu exclusively, so no code may hold an
// OpenCube::mu while waiting for a Store::Write.
#pragma once

#include <boost/json.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/credentials_cache.h"
#include "engine/cube_index.h"
#include "engine/open_cube.h"
#include "engine/row_cache.h"
#include "memd/engine.h"
#include "store/store.h"
#include "text/text.h"
#include "util/thread_pool.h"
#include "util/ulid.h"

namespace memd {

class Engine::Impl {
 public:
  Impl(EngineOptions options, std::unique_ptr<store::Store> store);
  ~Impl();

  Status Start();
  void Shutdown();

  // ---- cube registry (cube_registry.cc) ----
  // Returns the loaded, caught-up cube. create: get-or-create (writes); otherwise NotFound
  // for a cube that does not exist.
  Result<std::shared_ptr<engine::OpenCube>> GetCube(const CubeRef& ref, bool create);
  // Runs body (which fills `changes`) as a write transaction on the cube, then applies the
  // changes to the index before returning: a write is searchable once acknowledged. The
  // store's writer thread only queues the changes, so a cube whose lock is held (a snapshot
  // being written) never stalls writes to other cubes. Returns the store's Write result.
  Result<std::int64_t> CommitToCube(engine::OpenCube& cube, const store::WriteFn& body,
                                    engine::IndexChanges& changes);
  // Brings the cube's index up to the store's sequence `store_seq`, except for commits of
  // this process whose writers are still applying them (unacknowledged writes).
  Status CatchUp(engine::OpenCube& cube, std::int64_t store_seq);
  // Writes a snapshot if the cube changed since the last one (or force).
  Status SnapshotCube(engine::OpenCube& cube, bool force);
  // CommitToCube's two halves: on the store's writer thread right after the commit, queue
  // the changes and record the commit as this process's own; then, on the writing request's
  // thread, apply every queued commit through seq under the cube's exclusive lock.
  void QueueCommitted(engine::OpenCube& cube, std::int64_t seq, engine::IndexChanges& changes);
  void ApplyPending(engine::OpenCube& cube, std::int64_t seq);
  // Forgets a cube's in-memory state and snapshots.
  void DropCube(std::int64_t cube_id);
  // Closes least-recently-used cubes while the open cubes exceed the memory budget.
  void EvictIfOverBudget();
  // EvictIfOverBudget when a cube was just loaded, otherwise at most once a second: a check
  // is a pass over every open cube, too much for every request, and between checks the
  // cubes can only grow by what a second of writes adds.
  void CheckBudget(bool cube_loaded);
  std::vector<std::shared_ptr<engine::OpenCube>> OpenCubes();

  // ---- write path (write_path.cc) ----
  Result<std::vector<AddResult>> AddMany(const CubeRef& ref, std::vector<NewMemory> items, bool batch,
                                         const WriteOptions& options);
  // The kinds of single-memory mutation sharing one code path.
  enum class Mutation { kUpdate, kDelete, kRestore };
  Result<Memory> Mutate(const CubeRef& ref, std::string_view id, Mutation mutation, const MemoryPatch* patch,
                        const WriteOptions& options);
  Status Purge(const CubeRef& ref, std::string_view id);
  Result<std::int64_t> PurgeExpiredIn(engine::OpenCube& cube, Timestamp now);
  Result<Memory> Get(const CubeRef& ref, std::string_view id);
  Result<ListPage> List(const CubeRef& ref, const ListRequest& request);
  Result<std::vector<HistoryEntry>> History(const CubeRef& ref, std::string_view id);

  // ---- ingested sources (sources.cc) ----
  // batch: errors name sources[k] (ReplaceSources) rather than the lone source.
  Result<std::vector<ReplaceSourceResult>> ReplaceSources(const CubeRef& ref, const std::vector<SourceUpdate>& updates,
                                                          bool batch);
  Result<std::int64_t> RemoveSource(const CubeRef& ref, std::string_view uri);
  Result<std::vector<SourceState>> ListSources(const CubeRef& ref, std::string_view uri_prefix);

  // ---- background job records (jobs.cc) ----
  Result<Job> CreateJob(const CubeRef& ref, std::string_view kind, std::string_view request);
  Result<Job> GetJob(std::string_view id);
  Result<std::vector<Job>> ListJobs(std::string_view user, bool unfinished_only, int limit);
  Result<Job> UpdateJob(const Job& job);
  Result<Job> RequestJobCancel(std::string_view id);

  // ---- search (search.cc) and context (context.cc) ----
  Result<std::vector<Hit>> Search(std::string_view user, const std::vector<std::string>& projects,
                                  const SearchRequest& request);
  Result<ContextBlock> Context(const CubeRef& ref, const ContextRequest& request);

  // ---- preferences (preferences.cc) ----
  Result<Preference> SetPreference(const CubeRef& ref, std::string_view category, std::string_view key,
                                   std::string_view value, std::string_view description);
  Result<Preference> GetPreference(const CubeRef& ref, std::string_view category, std::string_view key);
  Result<std::vector<Preference>> ListPreferences(const CubeRef& ref, std::string_view category);
  Status DeletePreference(const CubeRef& ref, std::string_view category, std::string_view key);
  Result<std::string> FormatPreferencesForPrompt(const CubeRef& ref);

  // ---- cubes, export/import, maintenance ----
  Result<std::vector<CubeInfo>> ListCubes(std::string_view user);
  Result<CubeStats> Stats(const CubeRef& ref);
  Result<std::string> CubeVersion(const CubeRef& ref);
  EngineStats RuntimeStats();
  Status ForgetProject(const CubeRef& ref);
  Status ForgetUser(std::string_view user);
  Status Export(const CubeRef& ref, const std::string& path);
  Status Import(const CubeRef& ref, const std::string& path);
  Status Snapshot(const CubeRef& ref);
  Result<VerifyReport> Verify(const CubeRef& ref);
  Result<std::int64_t> PurgeExpired();

  Timestamp Now() const;
  const EngineOptions& options() const { return options_; }
  store::Store& store() { return *store_; }
  const Embedder& embedder() const { return *embedder_; }
  // Recent successful API key authentications (credentials.cc).
  engine::CredentialsCache& credentials_cache() { return credentials_cache_; }

 private:
  Status LoadCube(engine::OpenCube& cube);
  Status Replay(engine::OpenCube& cube, engine::CubeIndex& index);
  std::unique_ptr<engine::CubeIndex> NewIndex() const;
  void MaintenanceLoop();
  // Embeds and analyses the texts of rows[first..] into their embedding and terms, in
  // chunks spread over compute_ and the calling thread.
  Status EmbedRows(std::vector<engine::PreparedRow>& rows, std::size_t first);
  // EmbedRows for rows[first, last) on the calling thread.
  Status EmbedRange(std::vector<engine::PreparedRow>& rows, std::size_t first, std::size_t last) const;
  // Makes the live chunks of state.uri equal to rows inside txn (sources.cc).
  Status ApplySource(store::WriteTxn& txn, const SourceState& state, std::span<const engine::PreparedRow> rows,
                     Timestamp now, engine::IndexChanges& changes, ReplaceSourceResult* result);

  EngineOptions options_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const Embedder> embedder_;
  std::string snapshots_root_;
  UlidGenerator ulids_;
  text::Analyzer analyzer_;
  // Helpers for CPU-bound work of one request (embedding a batch); see compute_threads.
  std::unique_ptr<ThreadPool> compute_;
  engine::CredentialsCache credentials_cache_;

  std::mutex cubes_mu_;
  std::map<std::int64_t, std::shared_ptr<engine::OpenCube>> cubes_;  // guarded by cubes_mu_
  std::atomic<std::int64_t> lru_clock_{0};
  std::atomic<std::uint64_t> next_cube_instance_{1};
  engine::RowCache row_cache_;
  std::atomic<std::int64_t> last_budget_check_ns_{0};  // steady clock

  std::mutex maintenance_mu_;
  std::condition_variable maintenance_cv_;
  bool stopping_ = false;  // guarded by maintenance_mu_
  std::thread maintenance_;

  friend class Engine;
};

}  // namespace memd
