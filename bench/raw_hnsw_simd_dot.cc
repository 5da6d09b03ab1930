// hnswlib compiled with its manual vectorisation on (as in raw_hnsw_stock.cc: SSE prefetching
// in the search loops) but with memd's distance, 1 - index::Dot: a diagnostic that tells
// whether memd's gap to stock hnswlib comes from the distance code or from the prefetching
// that NO_MANUAL_VECTORIZATION also removes (see raw_hnsw.h).
#include <cpuid.h>
#include <x86intrin.h>

// hnswlib.h defines these non-inline global functions whenever its SIMD code is on; rename
// them so that they do not clash with raw_hnsw_stock.cc's copies.
#define cpuid raw_hnswlib_simd_dot_cpuid
#define xgetbv raw_hnswlib_simd_dot_xgetbv
#define AVXCapable raw_hnswlib_simd_dot_AVXCapable
#define AVX512Capable raw_hnswlib_simd_dot_AVX512Capable
#define hnswlib raw_hnswlib_simd_dot
#include <hnswlib/hnswlib.h>
#undef hnswlib
#undef cpuid
#undef xgetbv
#undef AVXCapable
#undef AVX512Capable

#include <memory>
#include <string>

#include "index/vector_scan.h"
#include "raw_hnsw.h"

namespace memd::bench {
namespace {

class DotSpace : public raw_hnswlib_simd_dot::SpaceInterface<float> {
 public:
  explicit DotSpace(std::size_t dimension) : dimension_(dimension) {}
  std::size_t get_data_size() override { return dimension_ * sizeof(float); }
  raw_hnswlib_simd_dot::DISTFUNC<float> get_dist_func() override { return &Distance; }
  void* get_dist_func_param() override { return &dimension_; }

 private:
  static float Distance(const void* a, const void* b, const void* param) {
    return 1.0f - index::Dot(static_cast<const float*>(a), static_cast<const float*>(b),
                             *static_cast<const std::size_t*>(param));
  }
  std::size_t dimension_;
};

class SimdDotHnsw : public RawHnsw {
 public:
  SimdDotHnsw(int dimension, const std::string& path, std::size_t capacity)
      : space_(static_cast<std::size_t>(dimension)),
        graph_(std::make_unique<raw_hnswlib_simd_dot::HierarchicalNSW<float>>(&space_, path, false, capacity)) {}

  void Add(const float* vector, std::uint32_t label) override { graph_->addPoint(vector, label); }
  void SetEf(std::size_t ef) override { graph_->setEf(ef); }
  void Search(const float* query, std::size_t k, std::vector<std::uint32_t>* out) const override {
    auto top = graph_->searchKnn(query, k);
    out->resize(top.size());
    for (std::size_t i = top.size(); i-- > 0;) {
      (*out)[i] = static_cast<std::uint32_t>(top.top().second);
      top.pop();
    }
  }

 private:
  DotSpace space_;
  std::unique_ptr<raw_hnswlib_simd_dot::HierarchicalNSW<float>> graph_;
};

}  // namespace

std::unique_ptr<RawHnsw> NewSimdDotHnswFromFile(int dimension, const std::string& path, std::size_t capacity) {
  return std::make_unique<SimdDotHnsw>(dimension, path, capacity);
}

}  // namespace memd::bench
