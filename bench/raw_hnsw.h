// Stock hnswlib 0.6.2 as the baseline of vector_bench: hnswlib::HierarchicalNSW<float> over
// hnswlib::InnerProductSpace (float vectors, hnswlib's own SSE distance with this build's
// -march=x86-64-v2, and its prefetching search loop), used directly. What a user of hnswlib
// gets. Compiled in its own file (raw_hnsw_stock.cc) with hnswlib's namespace renamed by a
// macro, so its template instances cannot merge (ODR) with memd's own hnswlib instance in
// index/hnsw_graph.cc, which stores int8 codes under another distance.
// Thread-compatible (one thread at a time); not part of memd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace memd::bench {

class StockHnsw {
 public:
  // An empty graph for `capacity` vectors of `dimension` floats: HierarchicalNSW(space,
  // capacity, m, ef_construction, seed).
  StockHnsw(int dimension, std::size_t capacity, int m, int ef_construction, std::size_t seed);
  ~StockHnsw();
  StockHnsw(const StockHnsw&) = delete;
  StockHnsw& operator=(const StockHnsw&) = delete;

  // addPoint(vector, label). REQUIRES: fewer than `capacity` points added so far.
  void Add(const float* vector, std::uint32_t label);
  // setEf(ef): the search beam width (hnswlib searches with max(ef, k)).
  void SetEf(std::size_t ef);
  // searchKnn(query, k); labels written to out, best first.
  void Search(const float* query, std::size_t k, std::vector<std::uint32_t>* out) const;
  // Heap bytes of the graph by the formula of memd's HnswGraph::MemoryBytes, applied to
  // hnswlib's own fields: max_elements * (size_data_per_element [level-0 links, float
  // vector, label] + per-node lock, level, upper-link pointer and visited-list entry) +
  // the update locks + the upper-level link lists + the label map.
  std::size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memd::bench
