// Opening, loading (snapshot + replay, or rebuild), catching up and evicting cubes.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "engine/engine_impl.h"
#include "engine/snapshot.h"
#include "engine/validation.h"

namespace memd {
using engine::CubeIndex;
using engine::OpenCube;

namespace {

engine::SnapshotIdentity IdentityOf(const store::CubeRow& row) {
  return {row.id, row.user, row.project, row.embedder, row.dimension, row.created_at};
}

}  // namespace

std::unique_ptr<CubeIndex> Engine::Impl::NewIndex() const {
  index::VectorIndexOptions vector_options;
  vector_options.hnsw_threshold = options_.hnsw_threshold;
  return std::make_unique<CubeIndex>(embedder_->dimension(), vector_options,
                                     index::Bm25Params{options_.ranking.bm25_k1, options_.ranking.bm25_b});
}

Result<std::shared_ptr<OpenCube>> Engine::Impl::GetCube(const CubeRef& ref, bool create) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  store::CubeRow row;
  if (create) {
    MEMD_ASSIGN_OR_RETURN(row, store_->GetOrCreateCube(ref.user, ref.project, embedder_->name(),
                                                       embedder_->dimension(), Now()));
  } else {
    MEMD_ASSIGN_OR_RETURN(auto found, store_->FindCube(ref.user, ref.project));
    if (!found) {
      return Status::NotFound("no cube for user '" + ref.user + "' and project '" + ref.project +
                              "'; add a memory to create it");
    }
    row = std::move(*found);
  }
  if (row.embedder != embedder_->name() || row.dimension != embedder_->dimension()) {
    return Status::FailedPrecondition("cube " + ref.user + "/" + ref.project + " was created with embedder " +
                                      row.embedder + " (dimension " + std::to_string(row.dimension) +
                                      ") but memd is configured with " + embedder_->name() + " (dimension " +
                                      std::to_string(embedder_->dimension()) +
                                      "); configure that embedder, or export and re-import the cube");
  }
  std::shared_ptr<OpenCube> cube;
  {
    std::lock_guard lock(cubes_mu_);
    auto& slot = cubes_[row.id];
    if (!slot || slot->forgotten || slot->row.created_at != row.created_at)
      slot = std::make_shared<OpenCube>(row);
    cube = slot;
  }
  cube->last_used = ++lru_clock_;
  bool loaded_now = false;
  {
    std::lock_guard lock(cube->load_mu);
    if (!cube->loaded) {
      cube->load_status = LoadCube(*cube);
      cube->loaded = true;
      loaded_now = true;
      if (!cube->load_status.ok()) {
        std::lock_guard registry_lock(cubes_mu_);
        if (cubes_[row.id] == cube) cubes_.erase(row.id);
      }
    }
    MEMD_RETURN_IF_ERROR(cube->load_status);
  }
  MEMD_RETURN_IF_ERROR(CatchUp(*cube, row.seq));
  CheckBudget(loaded_now);
  return cube;
}

Status Engine::Impl::Replay(OpenCube& cube, CubeIndex& index) {
  std::int64_t applied = 0;
  MEMD_ASSIGN_OR_RETURN(std::int64_t seq, store_->ScanChangedSince(cube.row.id, index.applied_seq(),
                                                                   [&](store::ChangedDoc&& change) {
                                                                     if (change.row) {
                                                                       index.Apply(*change.row);
                                                                     } else {
                                                                       index.Remove(change.doc);
                                                                     }
                                                                     ++applied;
                                                                     return Status::OK();
                                                                   }));
  index.set_applied_seq(std::max(seq, index.applied_seq()));
  cube.changes_since_snapshot += applied;
  return Status::OK();
}

Status Engine::Impl::LoadCube(OpenCube& cube) {
  auto index = NewIndex();
  Status snap = engine::LoadSnapshot(snapshots_root_, IdentityOf(cube.row), cube.row.seq, *index);
  if (snap.ok()) {
    MEMD_RETURN_IF_ERROR(Replay(cube, *index));
  } else {
    if (snap.code() != StatusCode::kNotFound) {
      spdlog::warn("cube {}/{}: snapshot rejected, rebuilding from the store: {}", cube.row.user,
                   cube.row.project, snap.ToString());
    }
    index = NewIndex();
    std::int64_t rows = 0;
    MEMD_ASSIGN_OR_RETURN(std::int64_t seq, store_->ScanAll(cube.row.id, [&](store::MemoryRow&& row) {
      index->Apply(row);
      ++rows;
      return Status::OK();
    }));
    index->set_applied_seq(seq);
    // A rebuilt index of any size is worth a snapshot at the next maintenance pass.
    cube.changes_since_snapshot = rows > 0 ? std::max<std::int64_t>(rows, 1) : 0;
  }
  std::unique_lock lock(cube.mu);
  cube.index = std::move(index);
  return Status::OK();
}

Status Engine::Impl::CatchUp(OpenCube& cube, std::int64_t store_seq) {
  {
    std::shared_lock lock(cube.mu);
    if (cube.index->applied_seq() >= store_seq) return Status::OK();
  }
  std::unique_lock lock(cube.mu);
  if (cube.index->applied_seq() >= store_seq) return Status::OK();
  return Replay(cube, *cube.index);
}

void Engine::Impl::ApplyCommitted(OpenCube& cube, std::int64_t seq, engine::IndexChanges& changes) {
  std::unique_lock lock(cube.mu);
  CubeIndex& index = *cube.index;
  if (index.applied_seq() >= seq) return;  // a catch-up already read this commit
  if (index.applied_seq() == seq - 1) {
    std::vector<const store::MemoryRow*> rows;
    std::vector<const std::vector<std::string>*> terms;
    for (auto& prepared : changes.upserts) {
      rows.push_back(&prepared.row);
      terms.push_back(&prepared.terms);
    }
    index.ApplyBatch(rows, terms);
    for (std::int64_t doc : changes.purged) index.Remove(doc);
    index.set_applied_seq(seq);
    cube.changes_since_snapshot += static_cast<std::int64_t>(changes.upserts.size() + changes.purged.size());
    return;
  }
  // Another process committed in between: read everything after what we have.
  Status s = Replay(cube, index);
  if (!s.ok())
    spdlog::error("cube {}/{}: catch-up after commit failed: {}", cube.row.user, cube.row.project,
                  s.ToString());
}

Status Engine::Impl::SnapshotCube(OpenCube& cube, bool force) {
  if (cube.forgotten) return Status::OK();
  std::shared_lock lock(cube.mu);
  if (!cube.index) return Status::OK();
  std::int64_t changes = cube.changes_since_snapshot.load();
  if (!force && changes == 0) return Status::OK();
  if (engine::SnapshotSequence(snapshots_root_, cube.row.id) == cube.index->applied_seq() && changes == 0) {
    return Status::OK();
  }
  MEMD_RETURN_IF_ERROR(engine::WriteSnapshot(snapshots_root_, IdentityOf(cube.row), *cube.index));
  cube.changes_since_snapshot -= changes;
  return Status::OK();
}

void Engine::Impl::DropCube(std::int64_t cube_id) {
  std::shared_ptr<OpenCube> cube;
  {
    std::lock_guard lock(cubes_mu_);
    auto it = cubes_.find(cube_id);
    if (it != cubes_.end()) {
      cube = it->second;
      cubes_.erase(it);
    }
  }
  if (cube) cube->forgotten = true;
  engine::RemoveSnapshots(snapshots_root_, cube_id).IgnoreError();
}

std::vector<std::shared_ptr<OpenCube>> Engine::Impl::OpenCubes() {
  std::lock_guard lock(cubes_mu_);
  std::vector<std::shared_ptr<OpenCube>> out;
  for (auto& [id, cube] : cubes_) out.push_back(cube);
  return out;
}

void Engine::Impl::CheckBudget(bool cube_loaded) {
  constexpr std::int64_t kInterval = std::chrono::nanoseconds(std::chrono::seconds(1)).count();
  const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::int64_t last = last_budget_check_ns_.load(std::memory_order_relaxed);
  if (!cube_loaded && (now - last < kInterval || !last_budget_check_ns_.compare_exchange_strong(last, now)))
    return;
  if (cube_loaded) last_budget_check_ns_.store(now, std::memory_order_relaxed);
  EvictIfOverBudget();
}

void Engine::Impl::EvictIfOverBudget() {
  if (options_.cube_memory_budget_bytes == 0) return;
  std::vector<std::pair<std::int64_t, std::shared_ptr<OpenCube>>> by_age;
  std::size_t total = 0;
  {
    std::lock_guard lock(cubes_mu_);
    for (auto& [id, cube] : cubes_) {
      std::shared_lock cube_lock(cube->mu, std::try_to_lock);
      if (!cube_lock.owns_lock() || !cube->index) continue;
      total += cube->index->MemoryBytes();
      by_age.emplace_back(cube->last_used.load(), cube);
    }
  }
  if (total <= options_.cube_memory_budget_bytes || by_age.size() <= 1) return;
  std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Never evict the most recently used cube: it is the one being served.
  for (std::size_t i = 0; i + 1 < by_age.size() && total > options_.cube_memory_budget_bytes; ++i) {
    auto& cube = by_age[i].second;
    Status s = SnapshotCube(*cube, false);
    if (!s.ok()) {
      spdlog::warn("cube {}/{}: snapshot before close failed: {}", cube->row.user, cube->row.project,
                   s.ToString());
    }
    std::size_t bytes = 0;
    {
      std::shared_lock cube_lock(cube->mu);
      bytes = cube->index->MemoryBytes();
    }
    std::lock_guard lock(cubes_mu_);
    auto it = cubes_.find(cube->row.id);
    if (it != cubes_.end() && it->second == cube) cubes_.erase(it);
    total -= std::min(total, bytes);
  }
}

}  // namespace memd
