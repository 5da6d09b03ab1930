// Engine: opening and closing, background maintenance, cube-level operations, and the
// public facade that forwards to Engine::Impl.
#include "memd/engine.h"

#include <spdlog/spdlog.h>

#include "engine/engine_impl.h"
#include "engine/snapshot.h"
#include "engine/validation.h"
#include "util/file_util.h"
#include "util/time_format.h"

namespace memd {
namespace {

// On close, a cube is snapshotted only if replaying its unsnapshotted changes would cost
// more than writing a snapshot now; small deltas are cheap to replay at the next open.
constexpr std::int64_t kCloseSnapshotMinChanges = 1000;
constexpr auto kMaintenanceInterval = std::chrono::milliseconds(200);
constexpr Timestamp kExpiryPurgeIntervalMs = 60 * 1000;
// Graph building time per hold of a cube's shared lock by the maintenance thread. Applying
// a commit needs that lock exclusively, so a long hold stalls every write of the cube.
constexpr auto kGraphStep = std::chrono::milliseconds(2);

}  // namespace

Engine::Impl::Impl(EngineOptions options, std::unique_ptr<store::Store> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      snapshots_root_(options_.data_dir + "/snapshots"),
      row_cache_(options_.row_cache_bytes) {
  embedder_ = options_.embedder ? options_.embedder : std::shared_ptr<const Embedder>(NewHashEmbedder());
  int threads = options_.compute_threads;
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency()) - 1;
  compute_ = std::make_unique<ThreadPool>(threads);
}

Engine::Impl::~Impl() { Shutdown(); }

Timestamp Engine::Impl::Now() const { return options_.clock ? options_.clock() : NowMillis(); }

Status Engine::Impl::Start() {
  MEMD_RETURN_IF_ERROR(CreateDirectories(snapshots_root_));
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
  return Status::OK();
}

void Engine::Impl::Shutdown() {
  {
    std::lock_guard lock(maintenance_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  maintenance_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  for (auto& cube : OpenCubes()) {
    if (cube->changes_since_snapshot.load() < kCloseSnapshotMinChanges) continue;
    Status s = SnapshotCube(*cube, false);
    if (!s.ok()) spdlog::warn("cube {}/{}: snapshot at close failed: {}", cube->row.user, cube->row.project, s.ToString());
  }
}

void Engine::Impl::MaintenanceLoop() {
  // Runs at normal priority on purpose. It takes locks that requests wait for (the vector
  // index's write lock for graph steps, a cube's lock for snapshots); at a lower priority it
  // was preempted while holding them for hundreds of milliseconds under load, stalling every
  // search behind it (search p99 397 ms; 64 ms at normal priority, docs/PERFORMANCE.md).
  Timestamp last_expiry_purge = 0;
  std::unique_lock lock(maintenance_mu_);
  while (!stopping_) {
    bool more_work = false;
    lock.unlock();
    for (auto& cube : OpenCubes()) {
      {
        std::shared_lock cube_lock(cube->mu);
        if (cube->index && cube->index->vectors().pending_count() > 0) {
          // Graph progress counts as change: otherwise a snapshot taken while the graph was
          // incomplete would stay the newest one, and every open would rebuild the graph.
          cube->changes_since_snapshot +=
              static_cast<std::int64_t>(cube->index->mutable_vectors().IndexPending(SIZE_MAX, kGraphStep));
          more_work |= cube->index->vectors().pending_count() > 0;
        }
      }
      if (options_.snapshot_every_changes > 0 &&
          cube->changes_since_snapshot.load() >= static_cast<std::int64_t>(options_.snapshot_every_changes)) {
        Status s = SnapshotCube(*cube, false);
        if (!s.ok()) spdlog::warn("cube {}/{}: snapshot failed: {}", cube->row.user, cube->row.project, s.ToString());
      }
    }
    Timestamp now = Now();
    if (now - last_expiry_purge >= kExpiryPurgeIntervalMs) {
      last_expiry_purge = now;
      auto purged = PurgeExpired();
      if (!purged.ok()) spdlog::warn("expiry purge failed: {}", purged.status().ToString());
    }
    lock.lock();
    if (!more_work) maintenance_cv_.wait_for(lock, kMaintenanceInterval, [this] { return stopping_; });
  }
}

Result<std::vector<CubeInfo>> Engine::Impl::ListCubes(std::string_view user) {
  MEMD_ASSIGN_OR_RETURN(auto rows, store_->ListCubes(user));
  std::vector<CubeInfo> out;
  for (auto& row : rows) {
    out.push_back(CubeInfo{CubeRef{row.user, row.project}, row.embedder, row.dimension, row.created_at});
  }
  return out;
}

Result<CubeStats> Engine::Impl::Stats(const CubeRef& ref) {
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  CubeStats stats;
  stats.info = CubeInfo{ref, cube->row.embedder, cube->row.dimension, cube->row.created_at};
  MEMD_ASSIGN_OR_RETURN(auto counts, store_->CountMemories(cube->row.id));
  stats.memories = counts.first;
  stats.deleted = counts.second;
  MEMD_ASSIGN_OR_RETURN(auto prefs, store_->ListPreferences(cube->row.id, ""));
  stats.preferences = static_cast<std::int64_t>(prefs.size());
  {
    std::shared_lock lock(cube->mu);
    stats.change_sequence = cube->index->applied_seq();
    stats.open = true;
    stats.index_bytes = cube->index->MemoryBytes();
    stats.vector_index = cube->index->vectors().uses_hnsw() ? "hnsw" : "exact";
    stats.graph_pending = cube->index->vectors().pending_count();
  }
  stats.snapshot_sequence = engine::SnapshotSequence(snapshots_root_, cube->row.id);
  return stats;
}

Result<std::string> Engine::Impl::CubeVersion(const CubeRef& ref) {
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  std::shared_lock lock(cube->mu);
  // Cube ids are never reused (AUTOINCREMENT), so a re-created cube never repeats a token.
  return std::to_string(cube->row.id) + "." + std::to_string(cube->index->applied_seq());
}

EngineStats Engine::Impl::RuntimeStats() {
  EngineStats stats;
  for (auto& cube : OpenCubes()) {
    std::shared_lock lock(cube->mu);
    if (!cube->index) continue;
    ++stats.open_cubes;
    stats.memories += static_cast<std::int64_t>(cube->index->live_count());
    stats.index_bytes += cube->index->MemoryBytes();
    stats.unsnapshotted_changes += cube->changes_since_snapshot.load();
  }
  stats.row_cache_hits = row_cache_.hits();
  stats.row_cache_misses = row_cache_.misses();
  stats.row_cache_bytes = row_cache_.bytes();
  return stats;
}

Status Engine::Impl::ForgetProject(const CubeRef& ref) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return Status::NotFound("no cube for user '" + ref.user + "' and project '" + ref.project + "'");
  MEMD_RETURN_IF_ERROR(store_->DeleteCube(cube->id));
  DropCube(cube->id);
  return store_->DeleteJobs(ref.user, ref.project);
}

Status Engine::Impl::ForgetUser(std::string_view user) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{std::string(user), "x"}));
  MEMD_ASSIGN_OR_RETURN(auto cubes, store_->ListCubes(user));
  for (const auto& cube : cubes) {
    MEMD_RETURN_IF_ERROR(store_->DeleteCube(cube.id));
    DropCube(cube.id);
  }
  return store_->DeleteJobs(user, "");
}

Status Engine::Impl::Snapshot(const CubeRef& ref) {
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  return SnapshotCube(*cube, /*force=*/true);
}

Result<VerifyReport> Engine::Impl::Verify(const CubeRef& ref) {
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  auto rebuilt = NewIndex();
  std::shared_lock lock(cube->mu);
  MEMD_ASSIGN_OR_RETURN(std::int64_t seq, store_->ScanAll(cube->row.id, [&](store::MemoryRow&& row) {
                          rebuilt->Apply(row);
                          return Status::OK();
                        }));
  VerifyReport report;
  if (seq != cube->index->applied_seq()) {
    report.detail = "index is at sequence " + std::to_string(cube->index->applied_seq()) + ", store at " +
                    std::to_string(seq) + " (a write raced the check; retry)";
    return report;
  }
  report.detail = cube->index->Diff(*rebuilt);
  report.consistent = report.detail.empty();
  return report;
}

Result<std::int64_t> Engine::Impl::PurgeExpired() {
  MEMD_ASSIGN_OR_RETURN(auto cubes, store_->ListCubes(""));
  std::int64_t total = 0;
  const Timestamp now = Now();
  for (const auto& row : cubes) {
    MEMD_ASSIGN_OR_RETURN(auto docs, store_->ExpiredDocs(row.id, now));
    if (docs.empty()) continue;
    auto cube = GetCube(CubeRef{row.user, row.project}, /*create=*/false);
    if (!cube.ok()) continue;  // e.g. another embedder: leave it for a memd that can open it
    MEMD_ASSIGN_OR_RETURN(std::int64_t n, PurgeExpiredIn(**cube, now));
    total += n;
  }
  return total;
}

// ---- public facade ----------------------------------------------------------------------

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("data directory is empty", "data_dir");
  if (options.embedder) {
    if (options.embedder->dimension() <= 0) return Status::InvalidArgument("embedder dimension must be positive");
  }
  MEMD_RETURN_IF_ERROR(CreateDirectories(options.data_dir));
  store::SqliteStoreOptions store_options;
  store_options.path = options.data_dir + "/memd.db";
  store_options.durability = options.durability;
  MEMD_ASSIGN_OR_RETURN(auto store, store::OpenSqliteStore(store_options));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(store));
  MEMD_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<AddResult> Engine::Add(const CubeRef& cube, const NewMemory& memory, const WriteOptions& options) {
  MEMD_ASSIGN_OR_RETURN(auto results, impl_->AddMany(cube, {memory}, /*batch=*/false, options));
  return std::move(results.front());
}
Result<std::vector<AddResult>> Engine::AddBatch(const CubeRef& cube, const std::vector<NewMemory>& memories,
                                                const WriteOptions& options) {
  return impl_->AddMany(cube, memories, /*batch=*/true, options);
}
Result<Memory> Engine::Get(const CubeRef& cube, std::string_view id) { return impl_->Get(cube, id); }
Result<ListPage> Engine::List(const CubeRef& cube, const ListRequest& request) { return impl_->List(cube, request); }
Result<Memory> Engine::Update(const CubeRef& cube, std::string_view id, const MemoryPatch& patch,
                              const WriteOptions& options) {
  return impl_->Mutate(cube, id, Impl::Mutation::kUpdate, &patch, options);
}
Result<Memory> Engine::Delete(const CubeRef& cube, std::string_view id, const WriteOptions& options) {
  return impl_->Mutate(cube, id, Impl::Mutation::kDelete, nullptr, options);
}
Result<Memory> Engine::Restore(const CubeRef& cube, std::string_view id, const WriteOptions& options) {
  return impl_->Mutate(cube, id, Impl::Mutation::kRestore, nullptr, options);
}
Result<std::vector<HistoryEntry>> Engine::History(const CubeRef& cube, std::string_view id) {
  return impl_->History(cube, id);
}
Status Engine::Purge(const CubeRef& cube, std::string_view id) { return impl_->Purge(cube, id); }
Result<std::vector<Hit>> Engine::Search(std::string_view user, const std::vector<std::string>& projects,
                                        const SearchRequest& request) {
  return impl_->Search(user, projects, request);
}
Result<ContextBlock> Engine::Context(const CubeRef& cube, const ContextRequest& request) {
  return impl_->Context(cube, request);
}
Result<Preference> Engine::SetPreference(const CubeRef& cube, std::string_view category, std::string_view key,
                                         std::string_view value, std::string_view description) {
  return impl_->SetPreference(cube, category, key, value, description);
}
Result<Preference> Engine::GetPreference(const CubeRef& cube, std::string_view category, std::string_view key) {
  return impl_->GetPreference(cube, category, key);
}
Result<ReplaceSourceResult> Engine::ReplaceSource(const CubeRef& cube, const SourceState& state,
                                                  const std::vector<NewMemory>& chunks) {
  MEMD_ASSIGN_OR_RETURN(auto results, impl_->ReplaceSources(cube, {SourceUpdate{state, chunks}}, /*batch=*/false));
  return results.front();
}
Result<std::vector<ReplaceSourceResult>> Engine::ReplaceSources(const CubeRef& cube,
                                                                const std::vector<SourceUpdate>& updates) {
  if (updates.empty()) return Status::InvalidArgument("give at least one source", "sources");
  return impl_->ReplaceSources(cube, updates, /*batch=*/true);
}
Result<std::int64_t> Engine::RemoveSource(const CubeRef& cube, std::string_view uri) {
  return impl_->RemoveSource(cube, uri);
}
Result<std::vector<SourceState>> Engine::ListSources(const CubeRef& cube, std::string_view uri_prefix) {
  return impl_->ListSources(cube, uri_prefix);
}
Result<Job> Engine::CreateJob(const CubeRef& cube, std::string_view kind, std::string_view request) {
  return impl_->CreateJob(cube, kind, request);
}
Result<Job> Engine::GetJob(std::string_view id) { return impl_->GetJob(id); }
Result<std::vector<Job>> Engine::ListJobs(std::string_view user, bool unfinished_only, int limit) {
  return impl_->ListJobs(user, unfinished_only, limit);
}
Result<Job> Engine::UpdateJob(const Job& job) { return impl_->UpdateJob(job); }
Result<Job> Engine::RequestJobCancel(std::string_view id) { return impl_->RequestJobCancel(id); }
Result<std::vector<Preference>> Engine::ListPreferences(const CubeRef& cube, std::string_view category) {
  return impl_->ListPreferences(cube, category);
}
Status Engine::DeletePreference(const CubeRef& cube, std::string_view category, std::string_view key) {
  return impl_->DeletePreference(cube, category, key);
}
Result<std::string> Engine::FormatPreferencesForPrompt(const CubeRef& cube) {
  return impl_->FormatPreferencesForPrompt(cube);
}
Result<std::vector<CubeInfo>> Engine::ListCubes(std::string_view user) { return impl_->ListCubes(user); }
Result<CubeStats> Engine::Stats(const CubeRef& cube) { return impl_->Stats(cube); }
Result<std::string> Engine::CubeVersion(const CubeRef& cube) { return impl_->CubeVersion(cube); }
EngineStats Engine::RuntimeStats() { return impl_->RuntimeStats(); }
Status Engine::ForgetProject(const CubeRef& cube) { return impl_->ForgetProject(cube); }
Status Engine::ForgetUser(std::string_view user) { return impl_->ForgetUser(user); }
Status Engine::Export(const CubeRef& cube, const std::string& path) { return impl_->Export(cube, path); }
Status Engine::Import(const CubeRef& cube, const std::string& path) { return impl_->Import(cube, path); }
Status Engine::Snapshot(const CubeRef& cube) { return impl_->Snapshot(cube); }
Result<VerifyReport> Engine::Verify(const CubeRef& cube) { return impl_->Verify(cube); }
Result<std::int64_t> Engine::PurgeExpired() { return impl_->PurgeExpired(); }

}  // namespace memd
