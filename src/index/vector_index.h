// The vector index of one cube: every live vector is kept in a flat array (exact scan,
// filtered scan, verification), and once the cube has hnsw_threshold live vectors an hnswlib
// HNSW graph (inner product on unit vectors = cosine) serves unfiltered and broad filtered
// queries. Vectors not yet inserted into the graph ("pending") are scanned exactly, so a
// vector is searchable as soon as Add returns, while graph insertion can run in the
// background through IndexPending.
//
// Thread-safe: Search may run concurrently with Add, Remove and IndexPending (internal
// reader/writer locking; graph insertion takes the write lock in small steps).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "index/scored.h"
#include "memd/status.h"
#include "util/binary_io.h"
#include "util/bitset.h"

namespace memd::index {

struct VectorIndexOptions {
  // Live vectors at which the HNSW graph is started; below it every search is exact.
  std::size_t hnsw_threshold = 20000;
  int m = 16;                 // HNSW links per node
  int ef_construction = 100;  // HNSW build beam width
  int ef_search = 64;         // minimum HNSW search beam width
  // A filtered search whose allowed set is at most this fraction of live vectors (or at
  // most exact_scan_max vectors) is answered by exact scan over the allowed set.
  double exact_selectivity = 0.02;
  std::size_t exact_scan_max = 20000;
};

class VectorIndex {
 public:
  VectorIndex(int dimension, VectorIndexOptions options = {});
  ~VectorIndex();

  int dimension() const;
  // Adds a unit-length vector at a slot not currently present.
  // REQUIRES: vector.size() == dimension().
  void Add(Slot slot, std::span<const float> vector);
  // Removes a slot from all results at once. No-op if absent.
  void Remove(Slot slot);
  // The k live slots with the highest inner product with query, restricted to `allowed`
  // when non-null. Exact below the threshold or for selective filters; otherwise HNSW with
  // adaptive over-fetch (recall@10 >= 0.95 of exact at every selectivity), merged with an
  // exact scan of pending vectors. Sorted by BetterScored.
  std::vector<ScoredSlot> Search(std::span<const float> query, std::size_t k, const Bitset* allowed) const;
  // Exact top-k (the baseline and the fallback).
  std::vector<ScoredSlot> ExactSearch(std::span<const float> query, std::size_t k, const Bitset* allowed) const;

  // Inserts up to max_items pending vectors into the HNSW graph (starting it if the live
  // count reached the threshold). Returns how many were inserted.
  std::size_t IndexPending(std::size_t max_items);
  std::size_t pending_count() const;
  std::size_t live_count() const;
  bool uses_hnsw() const;
  // A copy of a slot's vector; empty if absent. For verification and export.
  std::vector<float> Vector(Slot slot) const;
  std::size_t MemoryBytes() const;

  // Writes vectors and bookkeeping to out and, when the graph exists, the graph to
  // graph_path. Load restores both (Corruption on any inconsistency).
  Status Save(BinaryWriter& out, const std::string& graph_path) const;
  Status Load(BinaryReader& in, const std::string& graph_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memd::index
