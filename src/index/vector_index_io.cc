// VectorIndex::Save and Load. The stream written to `out` (little-endian, BinaryWriter):
//
//   u32 magic "MVIX"   u32 version (2)   u32 dimension
//   options, for inspection only: u64 hnsw_threshold, i32 m, i32 ef_construction,
//     i32 ef_search, f64 exact_selectivity, u64 exact_scan_max
//   u64 slot_limit (one past the largest slot ever added)   u64 live count
//   vector<u64> liveness bitset words (ceil(slot_limit / 64), unused tail bits zero)
//   vector<f32> the live vectors in slot order (live count * dimension)
//   vector<u32> pending slots in insertion order
//   u8 has_graph   u64 graph nodes (including deleted)
//
// When has_graph is 1 the graph is in graph_path, in hnswlib's own format (hnsw_graph.h).
// Version 2 graphs hold int8 codes; version 1 graphs held float vectors: a version 1
// snapshot loads its vectors and ignores its graph, every vector becoming pending, so the
// graph is rebuilt in the background (IndexPending) instead of the cube from the store.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#include "index/vector_index.h"
#include "index/vector_index_impl.h"

namespace memd::index {
namespace {

constexpr std::uint32_t kMagic = 0x5849564D;  // "MVIX" in file byte order
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kVersionFloatGraph = 1;

Status Corrupt(const std::string& what) {
  return Status::Corruption("vector index snapshot is corrupt: " + what +
                            "; delete the cube's index snapshot to rebuild it from the store");
}

// True if no component is NaN or infinite (exponent bits all ones), without a branch per
// component so the loop vectorises.
bool AllFinite(const float* v, std::size_t n) {
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, v + i, sizeof(bits));
    bad |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

}  // namespace

Status VectorIndex::Save(BinaryWriter& out, const std::string& graph_path) const {
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  const VectorIndexOptions& opt = impl_->options;
  const std::size_t dim = static_cast<std::size_t>(impl_->dimension);

  out.Put(kMagic);
  out.Put(kVersion);
  out.Put(static_cast<std::uint32_t>(impl_->dimension));
  out.Put(static_cast<std::uint64_t>(opt.hnsw_threshold));
  out.Put(static_cast<std::int32_t>(opt.m));
  out.Put(static_cast<std::int32_t>(opt.ef_construction));
  out.Put(static_cast<std::int32_t>(opt.ef_search));
  out.Put(opt.exact_selectivity);
  out.Put(static_cast<std::uint64_t>(opt.exact_scan_max));
  out.Put(static_cast<std::uint64_t>(st.live.size()));
  out.Put(static_cast<std::uint64_t>(st.live_n));
  out.PutVector(std::span<const std::uint64_t>(st.live.words()));

  out.Put(static_cast<std::uint64_t>(st.live_n * dim));
  st.live.ForEach([&](std::size_t slot) { out.WriteBytes(st.vectors.Row(slot), dim * sizeof(float)); });

  std::vector<Slot> pending;
  pending.reserve(st.pending_n);
  Bitset seen(st.live.size());
  for (Slot s : st.pending_queue) {
    if (st.pending.Test(s) && !seen.Test(s)) {
      seen.Set(s);
      pending.push_back(s);
    }
  }
  out.PutVector(std::span<const Slot>(pending));

  out.Put(static_cast<std::uint8_t>(st.graph != nullptr ? 1 : 0));
  out.Put(static_cast<std::uint64_t>(st.graph != nullptr ? st.graph->node_count() : 0));
  if (st.graph != nullptr) MEMD_RETURN_IF_ERROR(st.graph->Save(graph_path));
  return out.status();
}

Status VectorIndex::Load(BinaryReader& in, const std::string& graph_path) {
  const int dimension = impl_->dimension;
  const std::size_t dim = static_cast<std::size_t>(dimension);
  std::uint32_t magic = 0, version = 0, file_dim = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&magic));
  MEMD_RETURN_IF_ERROR(in.Get(&version));
  if (magic != kMagic) return Corrupt("bad magic number");
  if (version != kVersion && version != kVersionFloatGraph) {
    return Status::Corruption("vector index snapshot has version " + std::to_string(version) +
                              ", this memd reads " + std::to_string(kVersion) +
                              "; delete the index snapshot to rebuild it");
  }
  MEMD_RETURN_IF_ERROR(in.Get(&file_dim));
  if (file_dim != static_cast<std::uint32_t>(dimension)) {
    return Corrupt("dimension " + std::to_string(file_dim) + ", expected " + std::to_string(dimension));
  }
  std::uint64_t threshold = 0, exact_scan_max = 0;
  std::int32_t m = 0, ef_construction = 0, ef_search = 0;
  double exact_selectivity = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&threshold));
  MEMD_RETURN_IF_ERROR(in.Get(&m));
  MEMD_RETURN_IF_ERROR(in.Get(&ef_construction));
  MEMD_RETURN_IF_ERROR(in.Get(&ef_search));
  MEMD_RETURN_IF_ERROR(in.Get(&exact_selectivity));
  MEMD_RETURN_IF_ERROR(in.Get(&exact_scan_max));
  if (!std::isfinite(exact_selectivity)) return Corrupt("bad options");

  std::uint64_t slot_limit = 0, live_n = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&slot_limit));
  MEMD_RETURN_IF_ERROR(in.Get(&live_n));
  if (slot_limit > std::uint64_t{1} << 32) return Corrupt("slot limit out of range");
  auto st = std::make_unique<State>(dimension);
  std::vector<std::uint64_t> words;
  MEMD_RETURN_IF_ERROR(in.GetVector(&words));
  if (words.size() != (slot_limit + 63) / 64)
    return Corrupt("liveness bitset size does not match the slot limit");
  if ((slot_limit & 63) != 0 && (words.back() >> (slot_limit & 63)) != 0)
    return Corrupt("liveness bits past the limit");
  st->live.Resize(slot_limit);
  st->live.mutable_words() = std::move(words);
  if (st->live.Count() != live_n) return Corrupt("live count does not match the liveness bitset");
  st->live_n = live_n;

  std::uint64_t floats = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&floats));
  if (floats != live_n * dim) return Corrupt("vector count does not match the live count");
  // Rows are allocated only up to the largest live slot: dead slots cost nothing. Runs of
  // consecutive live slots (all of them in a cube that never deleted) are copied at once.
  std::size_t rows = 0;
  st->live.ForEach([&](std::size_t slot) { rows = slot + 1; });
  st->vectors.Reserve(rows);
  Status status;
  std::size_t run_begin = 0, run_end = 0;  // [run_begin, run_end) live slots not yet read
  auto flush = [&] {
    if (run_end > run_begin && status.ok()) {
      status = in.ReadBytes(st->vectors.MutableRows(run_begin, run_end - run_begin),
                            (run_end - run_begin) * dim * sizeof(float));
    }
  };
  st->live.ForEach([&](std::size_t slot) {
    if (slot != run_end) {
      flush();
      run_begin = slot;
    }
    run_end = slot + 1;
  });
  flush();
  MEMD_RETURN_IF_ERROR(status);
  bool finite = true;
  st->live.ForEach([&](std::size_t slot) { finite = finite && AllFinite(st->vectors.Row(slot), dim); });
  if (!finite) return Corrupt("non-finite vector component");

  std::vector<Slot> pending;
  MEMD_RETURN_IF_ERROR(in.GetVector(&pending));
  st->pending.Resize(slot_limit);
  st->in_graph.Resize(slot_limit);
  for (Slot s : pending) {
    if (!st->live.Test(s)) return Corrupt("pending slot " + std::to_string(s) + " is not live");
    if (st->pending.Test(s)) return Corrupt("pending slot " + std::to_string(s) + " listed twice");
    st->pending.Set(s);
    st->pending_queue.push_back(s);
  }
  st->pending_n = pending.size();

  std::uint8_t has_graph = 0;
  std::uint64_t nodes = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&has_graph));
  MEMD_RETURN_IF_ERROR(in.Get(&nodes));
  if (has_graph > 1) return Corrupt("bad graph flag");
  if (version == kVersionFloatGraph) {
    if (nodes > slot_limit) return Corrupt("more graph nodes than slots");
    st->pending = st->live;
    st->pending_n = st->live_n;
    st->pending_queue.clear();
    st->live.ForEach([&](std::size_t s) { st->pending_queue.push_back(static_cast<Slot>(s)); });
  } else if (!has_graph) {
    if (nodes != 0 || st->pending_n != st->live_n)
      return Corrupt("vectors missing from both graph and pending list");
  } else {
    if (nodes > slot_limit) return Corrupt("more graph nodes than slots");
    MEMD_ASSIGN_OR_RETURN(st->graph, HnswGraph::Load(graph_path, dimension, nodes));
    // Every node must be a distinct slot, and a node is undeleted exactly when its slot is
    // live and not pending. That a node's code encodes its slot's vector is not re-checked
    // (re-encoding every vector was a tenth of the open time): both files were written
    // together from one state, and the snapshot's MANIFEST checksums bind them.
    std::size_t undeleted = 0;
    Status node_status;
    st->graph->ForEachNode([&](Slot slot, bool deleted, const std::uint8_t*) {
      if (slot >= slot_limit || st->in_graph.Test(slot)) {
        node_status = Corrupt("graph node for bad or repeated slot " + std::to_string(slot));
        return false;
      }
      st->in_graph.Set(slot);
      const bool should_be_live = st->live.Test(slot) && !st->pending.Test(slot);
      if (deleted == should_be_live) {
        node_status =
            Corrupt("graph deletion mark of slot " + std::to_string(slot) + " disagrees with liveness");
        return false;
      }
      if (!deleted) ++undeleted;
      return true;
    });
    MEMD_RETURN_IF_ERROR(node_status);
    if (undeleted != st->live_n - st->pending_n)
      return Corrupt("live vectors missing from both graph and pending list");
  }

  std::unique_lock lock(impl_->mu);
  impl_->state = std::move(st);
  return Status::OK();
}

}  // namespace memd::index
