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
      slot = std::make_shared<OpenCube>(row, next_cube_instance_.fetch_add(1));
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
  std::vector<std::int64_t> changed;
  auto seq = store_->ScanChangedSince(cube.row.id, index.applied_seq(), [&](store::ChangedDoc&& change) {
    if (change.row) {
      index.Apply(*change.row);
    } else {
      index.Remove(change.doc);
    }
    changed.push_back(change.doc);
    return Status::OK();
  });
  // Also after a failed scan: the index may hold some of the changes.
  row_cache_.Invalidate(changed);
  if (!seq.ok()) return seq.status();
  index.set_applied_seq(std::max(*seq, index.applied_seq()));
  cube.changes_since_snapshot += static_cast<std::int64_t>(changed.size());
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
    // Everything after applied_seq up to store_seq is this process's own commits, queued
    // for their writers to apply: reading without them is reading before those writes,
    // which no caller has been told about yet. Waiting would mean waiting for the exclusive
    // lock, i.e. for a snapshot being written.
    if (store_seq <= cube.own_commits_through.load(std::memory_order_acquire)) return Status::OK();
  }
  std::unique_lock lock(cube.mu);
  if (cube.index->applied_seq() >= store_seq) return Status::OK();
  return Replay(cube, *cube.index);
}

Result<std::int64_t> Engine::Impl::CommitToCube(OpenCube& cube, const store::WriteFn& body,
                                                engine::IndexChanges& changes) {
  auto seq = store_->Write(cube.row.id, body,
                           [&](std::int64_t committed) { QueueCommitted(cube, committed, changes); });
  if (seq.ok()) ApplyPending(cube, *seq);
  return seq;
}

void Engine::Impl::QueueCommitted(OpenCube& cube, std::int64_t seq, engine::IndexChanges& changes) {
  {
    std::lock_guard lock(cube.pending_mu);
    cube.pending.push_back({seq, &changes});
  }
  // Own commits are marked only while they extend an unbroken run after applied_seq: a gap
  // is another process's commit, which searches must catch up on. applied_seq only grows,
  // so a stale read here can only leave a commit unmarked (searches then catch up: safe).
  const std::int64_t through = cube.own_commits_through.load(std::memory_order_relaxed);
  if (seq == std::max(through, cube.index->applied_seq()) + 1)
    cube.own_commits_through.store(seq, std::memory_order_release);
}

void Engine::Impl::ApplyPending(OpenCube& cube, std::int64_t seq) {
  // An entry at or below applied_seq is never read again (below), so once the index has
  // reached seq this writer may return even if its entry is still queued.
  {
    std::shared_lock lock(cube.mu);
    if (cube.index->applied_seq() >= seq) return;
  }
  std::unique_lock lock(cube.mu);
  CubeIndex& index = *cube.index;
  std::deque<engine::PendingCommit> queued;
  {
    std::lock_guard pending_lock(cube.pending_mu);
    queued.swap(cube.pending);
  }
  auto replay = [&] {
    Status s = Replay(cube, index);
    if (!s.ok()) {
      spdlog::error("cube {}/{}: catch-up after commit failed: {}", cube.row.user, cube.row.project,
                    s.ToString());
    }
    return s.ok();
  };
  // Apply the queue in commit order. An entry at or below applied_seq was read by a
  // catch-up already. A gap is another process's commit: a replay from the store reads
  // everything after what the index has, queued commits included.
  for (const engine::PendingCommit& commit : queued) {
    if (commit.seq <= index.applied_seq()) continue;
    if (commit.seq != index.applied_seq() + 1) {
      if (!replay()) return;
      continue;
    }
    std::vector<const store::MemoryRow*> rows;
    std::vector<const std::vector<std::string>*> terms;
    std::vector<std::int64_t> changed = commit.changes->purged;
    for (auto& prepared : commit.changes->upserts) {
      rows.push_back(&prepared.row);
      terms.push_back(&prepared.terms);
      changed.push_back(prepared.row.doc);
    }
    index.ApplyBatch(rows, terms);
    for (std::int64_t doc : commit.changes->purged) index.Remove(doc);
    row_cache_.Invalidate(changed);
    index.set_applied_seq(commit.seq);
    cube.changes_since_snapshot +=
        static_cast<std::int64_t>(commit.changes->upserts.size() + commit.changes->purged.size());
  }
  // Our commit was not queued if queueing it failed (out of memory): read it from the store.
  if (index.applied_seq() < seq) replay();
}

Status Engine::Impl::SnapshotCube(OpenCube& cube, bool force) {
  std::lock_guard serial(cube.snapshot_mu);
  if (cube.forgotten) return Status::OK();
  engine::SnapshotWriter writer(snapshots_root_, IdentityOf(cube.row));
  std::int64_t changes = 0;
  std::int64_t sequence = 0;
  const auto started = std::chrono::steady_clock::now();
  {
    // Commits wait for the exclusive lock, so it is held (shared) only while the files are
    // written to the page cache; the fsyncs and checksums that make them durable follow
    // without it.
    std::shared_lock lock(cube.mu);
    if (!cube.index) return Status::OK();
    changes = cube.changes_since_snapshot.load();
    if (!force && changes == 0) return Status::OK();
    if (engine::SnapshotSequence(snapshots_root_, cube.row.id) == cube.index->applied_seq() && changes == 0) {
      return Status::OK();
    }
    sequence = cube.index->applied_seq();
    MEMD_RETURN_IF_ERROR(writer.WriteFiles(*cube.index));
  }
  const auto written = std::chrono::steady_clock::now();
  MEMD_RETURN_IF_ERROR(writer.Publish());
  cube.changes_since_snapshot -= changes;
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  spdlog::debug(
      "cube {}/{}: snapshot at sequence {} written ({} ms holding the index, {} ms to make it durable)",
      cube.row.user, cube.row.project, sequence, ms(written - started),
      ms(std::chrono::steady_clock::now() - written));
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
  std::unique_lock<std::mutex> serial;  // a snapshot being published finishes first
  if (cube) {
    cube->forgotten = true;
    row_cache_.EraseOwner(cube->instance);
    serial = std::unique_lock(cube->snapshot_mu);
  }
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
    row_cache_.EraseOwner(cube->instance);
    total -= std::min(total, bytes);
  }
}

}  // namespace memd
