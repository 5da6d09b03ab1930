// The vector index of one cube: every live vector is kept in a flat array (exact scan,
// filtered scan, verification), and once the cube has hnsw_threshold live vectors an hnswlib
// HNSW graph (inner product on unit vectors = cosine) serves unfiltered and broad filtered
// queries. Vectors not yet inserted into the graph ("pending") are scanned exactly, so a
// vector is searchable as soon as Add returns, while graph insertion can run in the
// background through IndexPending.
//
// Thread-safe: Search may run concurrently with Add, Remove and IndexPending (internal
// reader/writer locking; graph insertion takes the write lock in small steps). The graph is
// hnswlib 0.6.2 behind index/hnsw_graph.h, the only file that includes hnswlib.
#pragma once

#include <chrono>
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
  // Default HNSW search beam width (a Search may pass its own); a search uses
  // max(k, beam) + 4 * k * live / allowed, so larger k and narrower filters widen it.
  // Measured recall@10 at 256 (bench/vector_bench, docs/PERFORMANCE.md): 1.0 on siftsmall,
  // >= 0.95 on uniformly random 64-d unit vectors, ~0.9 on hash-v1 vectors of synthetic
  // Zipfian text at 50K-100K (short queries lie far from every document, which is hard for
  // any graph). Hybrid search passes its own, narrower beam.
  int ef_search = 256;
  // A filtered search whose allowed set is at most this fraction of live vectors (or at
  // most exact_scan_max vectors) is answered by exact scan over the allowed set.
  double exact_selectivity = 0.02;
  std::size_t exact_scan_max = 20000;
  // Cost model: a graph search with beam width B costs about as much as a dense exact scan
  // of B * graph_beam_cost vectors (measured ~100 at 256..384-d, ~300 at 64-d; a filtered
  // scan counts up to 3x per vector). When scanning the allowed set is cheaper, the scan is
  // used (it is also exact). 0 always prefers the graph.
  double graph_beam_cost = 100;
};

class VectorIndex {
 public:
  // REQUIRES: dimension > 0.
  VectorIndex(int dimension, VectorIndexOptions options = {});
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  int dimension() const;
  const VectorIndexOptions& options() const;
  // Adds a unit-length vector at a slot not currently present; it is searchable when Add
  // returns. Adding a present slot replaces its vector. A vector of the wrong size is a
  // caller bug and is ignored.
  // REQUIRES: vector.size() == dimension().
  void Add(Slot slot, std::span<const float> vector);
  // Adds slots[i] with the i-th dimension() floats of vectors, as Add does for each, under
  // one acquisition of the lock (so a batch does not interleave with graph building).
  // REQUIRES: vectors.size() == slots.size() * dimension().
  void AddBatch(std::span<const Slot> slots, std::span<const float> vectors);
  // Removes a slot from all results at once. No-op if absent.
  void Remove(Slot slot);
  // The k live slots with the highest inner product with query, restricted to `allowed`
  // when non-null (bits beyond allowed->size() count as not allowed). Exact below the
  // threshold or for selective filters; otherwise HNSW with a beam of `beam` (0: the
  // options' ef_search) and adaptive over-fetch (recall@10 >= 0.95 of exact at every
  // selectivity at the default beam), merged with an exact scan of pending vectors. Every
  // node the graph returns is re-scored with its float vector, so scores are exact inner
  // products whichever path found the slot. Sorted by BetterScored. Returns nothing if
  // query.size() != dimension().
  std::vector<ScoredSlot> Search(std::span<const float> query, std::size_t k, const Bitset* allowed,
                                 std::size_t beam = 0) const;
  // Exact top-k (the baseline and the fallback). Cost: one dot product per allowed live slot.
  std::vector<ScoredSlot> ExactSearch(std::span<const float> query, std::size_t k, const Bitset* allowed) const;
  // The exact inner product of query with each of `slots` (any order): the score Search
  // gives them; 0 for a slot that is not live or a query of the wrong size. Hybrid search
  // uses it to complete the vector signal of lexical candidates.
  std::vector<float> ScoreSlots(std::span<const float> query, std::span<const Slot> slots) const;

  // Inserts up to max_items pending vectors into the HNSW graph in the order they were
  // added, starting the graph if the live count reached the threshold, and returns once
  // `budget` has elapsed (after the insertion in progress). Holds the write lock for about
  // 1 ms at a time, so searches and adds interleave. Returns how many were inserted (0
  // while below the threshold).
  std::size_t IndexPending(std::size_t max_items,
                           std::chrono::steady_clock::duration budget = std::chrono::steady_clock::duration::max());
  // Vectors that IndexPending would insert: 0 until the graph is started (live_count()
  // below hnsw_threshold), then the live vectors not yet in the graph.
  std::size_t pending_count() const;
  std::size_t live_count() const;
  bool uses_hnsw() const;
  // A copy of a slot's vector; empty if absent. For verification and export.
  std::vector<float> Vector(Slot slot) const;
  // Approximate heap bytes held (flat vectors, bitsets, graph).
  std::size_t MemoryBytes() const;

  // Writes vectors and bookkeeping to out and, when the graph exists, the graph to
  // graph_path (fsynced). Searches may run meanwhile; mutations wait.
  // Errors: IOError if graph_path cannot be written (out reports its own errors).
  Status Save(BinaryWriter& out, const std::string& graph_path) const;
  // Replaces the whole content with what Save wrote. The options stay those given to the
  // constructor (a loaded graph keeps its own m and ef_construction).
  // Errors: Corruption on any inconsistency (dimension, counts, slot ranges, non-finite
  // values, a graph whose nodes do not match the vectors); IOError if the graph file cannot
  // be read. On error the index is unchanged.
  Status Load(BinaryReader& in, const std::string& graph_path);

 private:
  struct Impl;
  struct State;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memd::index
