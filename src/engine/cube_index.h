// The in-memory, derived index of one cube: lexical (BM25), vector and filter columns over
// slots, plus the slot <-> store doc mapping, liveness and expiry.
//
// Invariants:
// - Every live, non-deleted memory row of the cube that the index has applied has exactly one
//   live slot; a new version of a memory gets a fresh slot and its old slot dies.
// - applied_seq() is the store change sequence the index reflects: every change with a
//   sequence <= applied_seq() is applied and none after it.
// Thread-compatible: the owning OpenCube serialises writers against readers with its lock
// (VectorIndex additionally locks internally so background graph building can overlap reads).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/fusion.h"
#include "index/bm25_index.h"
#include "index/filter.h"
#include "index/vector_index.h"
#include "memd/status.h"
#include "store/store.h"
#include "text/text.h"
#include "util/bitset.h"

namespace memd::engine {

class CubeIndex {
 public:
  CubeIndex(int dimension, const index::VectorIndexOptions& vector_options, index::Bm25Params bm25_params);

  // Reflects a row's current state: indexes it if live (replacing any previous version of the
  // same doc), removes it if soft-deleted. The row must carry its embedding when live.
  // terms: the text's BM25 terms when the caller computed them already (outside the lock).
  void Apply(const store::MemoryRow& row, const std::vector<std::string>* terms = nullptr);
  // Apply for several rows; terms (if non-empty) parallels rows. Vectors go to the vector
  // index in one batch, so a large write does not interleave with background graph building.
  void ApplyBatch(std::span<const store::MemoryRow* const> rows,
                  std::span<const std::vector<std::string>* const> terms);
  // Removes a doc (purged, expired). No-op if absent.
  void Remove(std::int64_t doc);

  // Atomic so that the store's writer thread may read it without the cube's lock (to tell
  // which commits a search may skip); changed only under the cube's exclusive lock.
  std::int64_t applied_seq() const { return applied_seq_.load(std::memory_order_acquire); }
  void set_applied_seq(std::int64_t seq) { applied_seq_.store(seq, std::memory_order_release); }

  // The slots a search may return: live, unexpired at `now`, and matching `filter` (null:
  // no filter). Returns nullptr in *out when every live slot qualifies (fast path).
  void Allowed(const index::Filter* filter, Timestamp now, std::unique_ptr<Bitset>* out) const;

  const index::Bm25Index& bm25() const { return bm25_; }
  const index::VectorIndex& vectors() const { return *vectors_; }
  index::VectorIndex& mutable_vectors() { return *vectors_; }

  std::int64_t SlotDoc(index::Slot slot) const { return slot_doc_[slot]; }
  std::string SlotId(index::Slot slot) const {
    return std::string(slot_id_[slot].data(), slot_id_[slot].size());
  }
  std::size_t live_count() const { return doc_slot_.size(); }
  // Completes a weighted hybrid fusion's evidence: appends to in->vector_extra the exact
  // cosine of every lexical candidate the vector ranking missed, and to in->lexical_extra
  // the BM25 score of every vector candidate the lexical ranking missed, so each candidate
  // is fused on both signals. terms: the query's BM25 terms; query_vector: its embedding.
  void CompleteSignals(std::span<const std::string> terms, std::span<const float> query_vector,
                       FusionInput* in) const;
  std::size_t MemoryBytes() const;

  // Snapshot files inside an existing directory: meta.bin, bm25.bin, filter.bin,
  // vectors.bin and (when the graph exists) hnsw.bin. Save does not fsync them: the
  // snapshot writer does, without holding the cube's lock.
  Status Save(const std::string& dir) const;
  Status Load(const std::string& dir);

  // Compares the indexed content (per doc: id, terms, vector; global BM25 statistics) with
  // another index of the same cube. Returns an empty string when equal, else what differs.
  std::string Diff(const CubeIndex& other) const;

 private:
  index::Slot NewSlot(const store::MemoryRow& row);
  // Load's part without the vectors: meta.bin, bm25.bin, filter.bin.
  Status LoadMetaBm25AndFilters(const std::string& dir);

  int dimension_;
  index::Bm25Index bm25_;
  std::unique_ptr<index::VectorIndex> vectors_;
  index::FilterColumns filters_;
  text::Analyzer analyzer_;

  std::vector<std::int64_t> slot_doc_;                      // slot -> store doc
  std::vector<std::array<char, 26>> slot_id_;               // slot -> memory id (ULID)
  Bitset live_;                                             // live slots
  std::unordered_map<std::int64_t, index::Slot> doc_slot_;  // live doc -> slot
  std::map<index::Slot, Timestamp> expiring_;               // live slots with an expiry
  std::atomic<std::int64_t> applied_seq_{0};
};

}  // namespace memd::engine
