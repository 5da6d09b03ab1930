// Stock hnswlib for vector_bench (see raw_hnsw.h). hnswlib's namespace is renamed so this
// instance stays separate from memd's.
#define hnswlib raw_hnswlib_stock
#include <hnswlib/hnswlib.h>
#undef hnswlib

#include <memory>
#include <string>

#include "raw_hnsw.h"

namespace memd::bench {
namespace {

class StockHnsw : public RawHnsw {
 public:
  StockHnsw(int dimension, std::size_t capacity, int m, int ef_construction, std::size_t seed)
      : space_(static_cast<std::size_t>(dimension)),
        graph_(std::make_unique<raw_hnswlib_stock::HierarchicalNSW<float>>(&space_, capacity, static_cast<std::size_t>(m),
                                                                static_cast<std::size_t>(ef_construction), seed)) {}
  StockHnsw(int dimension, const std::string& path, std::size_t capacity)
      : space_(static_cast<std::size_t>(dimension)),
        graph_(std::make_unique<raw_hnswlib_stock::HierarchicalNSW<float>>(&space_, path, false, capacity)) {}

  void Add(const float* vector, std::uint32_t label) override { graph_->addPoint(vector, label); }
  void SetEf(std::size_t ef) override { graph_->setEf(ef); }
  void Search(const float* query, std::size_t k, std::vector<std::uint32_t>* out) const override {
    auto top = graph_->searchKnn(query, k);
    out->resize(top.size());
    for (std::size_t i = top.size(); i-- > 0;) {  // the queue pops worst first
      (*out)[i] = static_cast<std::uint32_t>(top.top().second);
      top.pop();
    }
  }

 private:
  raw_hnswlib_stock::InnerProductSpace space_;
  std::unique_ptr<raw_hnswlib_stock::HierarchicalNSW<float>> graph_;
};

}  // namespace

std::unique_ptr<RawHnsw> NewStockHnsw(int dimension, std::size_t capacity, int m, int ef_construction,
                                      std::size_t seed) {
  return std::make_unique<StockHnsw>(dimension, capacity, m, ef_construction, seed);
}

std::unique_ptr<RawHnsw> NewStockHnswFromFile(int dimension, const std::string& path, std::size_t capacity) {
  return std::make_unique<StockHnsw>(dimension, path, capacity);
}

}  // namespace memd::bench
