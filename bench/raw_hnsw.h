// Plain hnswlib 0.6.2 baselines for vector_bench. Each variant is compiled in its own file
// with hnswlib's namespace renamed by a macro, so its template instances cannot merge (ODR)
// with memd's own hnswlib instance in index/hnsw_graph.cc, which is built with
// NO_MANUAL_VECTORIZATION.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace memd::bench {

// One hnswlib::HierarchicalNSW<float> over an inner-product space, used directly.
class RawHnsw {
 public:
  virtual ~RawHnsw() = default;
  // addPoint(vector, label).
  virtual void Add(const float* vector, std::uint32_t label) = 0;
  // setEf(ef): the search beam width (hnswlib uses max(ef, k)).
  virtual void SetEf(std::size_t ef) = 0;
  // searchKnn(query, k); labels written to out best first.
  virtual void Search(const float* query, std::size_t k, std::vector<std::uint32_t>* out) const = 0;
};

// Stock hnswlib: hnswlib::InnerProductSpace with hnswlib's own SIMD distance (SSE with this
// build's -march=x86-64-v2) and its prefetching search loop. What a user of hnswlib gets.
std::unique_ptr<RawHnsw> NewStockHnsw(int dimension, std::size_t capacity, int m, int ef_construction,
                                      std::size_t seed);
// The same, loading a graph saved by hnswlib (e.g. memd's hnsw.bin) with room for capacity nodes.
std::unique_ptr<RawHnsw> NewStockHnswFromFile(int dimension, const std::string& path, std::size_t capacity);

// hnswlib built exactly as memd builds it (NO_MANUAL_VECTORIZATION, distance 1 - index::Dot),
// used directly: the difference to memd's VectorIndex is memd's wrapper alone.
std::unique_ptr<RawHnsw> NewMemdBuildHnsw(int dimension, std::size_t capacity, int m, int ef_construction,
                                          std::size_t seed);
std::unique_ptr<RawHnsw> NewMemdBuildHnswFromFile(int dimension, const std::string& path, std::size_t capacity);

// Diagnostic: hnswlib with its SIMD/prefetching search loops (as stock) but memd's distance
// 1 - index::Dot. Between the two above, it shows which part of the difference is which.
std::unique_ptr<RawHnsw> NewSimdDotHnswFromFile(int dimension, const std::string& path, std::size_t capacity);

}  // namespace memd::bench
