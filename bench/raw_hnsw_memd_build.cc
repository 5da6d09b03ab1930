// hnswlib built as memd builds it, used directly (see raw_hnsw.h). hnswlib's namespace is
// renamed so this instance stays separate from memd's own.
#define NO_MANUAL_VECTORIZATION
#define hnswlib raw_hnswlib_memd_build
#include <hnswlib/hnswlib.h>
#undef hnswlib

#include "index/vector_scan.h"
#include <memory>
#include <string>

#include "raw_hnsw.h"

namespace memd::bench {
namespace {

// The same distance as memd's DotSpace in index/hnsw_graph.cc: 1 - index::Dot(a, b).
class DotSpace : public raw_hnswlib_memd_build::SpaceInterface<float> {
 public:
  explicit DotSpace(std::size_t dimension) : dimension_(dimension) {}
  std::size_t get_data_size() override { return dimension_ * sizeof(float); }
  raw_hnswlib_memd_build::DISTFUNC<float> get_dist_func() override { return &Distance; }
  void* get_dist_func_param() override { return &dimension_; }

 private:
  static float Distance(const void* a, const void* b, const void* param) {
    return 1.0f - index::Dot(static_cast<const float*>(a), static_cast<const float*>(b),
                             *static_cast<const std::size_t*>(param));
  }
  std::size_t dimension_;
};

class MemdBuildHnsw : public RawHnsw {
 public:
  MemdBuildHnsw(int dimension, std::size_t capacity, int m, int ef_construction, std::size_t seed)
      : space_(static_cast<std::size_t>(dimension)),
        graph_(std::make_unique<raw_hnswlib_memd_build::HierarchicalNSW<float>>(&space_, capacity, static_cast<std::size_t>(m),
                                                                static_cast<std::size_t>(ef_construction), seed)) {}
  MemdBuildHnsw(int dimension, const std::string& path, std::size_t capacity)
      : space_(static_cast<std::size_t>(dimension)),
        graph_(std::make_unique<raw_hnswlib_memd_build::HierarchicalNSW<float>>(&space_, path, false, capacity)) {}

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
  std::unique_ptr<raw_hnswlib_memd_build::HierarchicalNSW<float>> graph_;
};

}  // namespace

std::unique_ptr<RawHnsw> NewMemdBuildHnsw(int dimension, std::size_t capacity, int m, int ef_construction,
                                          std::size_t seed) {
  return std::make_unique<MemdBuildHnsw>(dimension, capacity, m, ef_construction, seed);
}

std::unique_ptr<RawHnsw> NewMemdBuildHnswFromFile(int dimension, const std::string& path, std::size_t capacity) {
  return std::make_unique<MemdBuildHnsw>(dimension, path, capacity);
}

}  // namespace memd::bench
