// Stock hnswlib for vector_bench (see raw_hnsw.h). hnswlib's namespace is renamed so this
// instance stays separate from memd's.
#define hnswlib raw_hnswlib_stock
#include <hnswlib/hnswlib.h>
#undef hnswlib

#include <memory>
#include <mutex>

#include "raw_hnsw.h"

namespace memd::bench {

namespace hnsw = raw_hnswlib_stock;

struct StockHnsw::Impl {
  Impl(int dimension, std::size_t capacity, int m, int ef_construction, std::size_t seed)
      : space(static_cast<std::size_t>(dimension)),
        graph(&space, capacity, static_cast<std::size_t>(m), static_cast<std::size_t>(ef_construction), seed) {}
  hnsw::InnerProductSpace space;  // must outlive graph, which keeps a pointer to it
  hnsw::HierarchicalNSW<float> graph;
};

StockHnsw::StockHnsw(int dimension, std::size_t capacity, int m, int ef_construction, std::size_t seed)
    : impl_(std::make_unique<Impl>(dimension, capacity, m, ef_construction, seed)) {}
StockHnsw::~StockHnsw() = default;

void StockHnsw::Add(const float* vector, std::uint32_t label) { impl_->graph.addPoint(vector, label); }

void StockHnsw::SetEf(std::size_t ef) { impl_->graph.setEf(ef); }

void StockHnsw::Search(const float* query, std::size_t k, std::vector<std::uint32_t>* out) const {
  auto top = impl_->graph.searchKnn(query, k);
  out->resize(top.size());
  for (std::size_t i = top.size(); i-- > 0;) {  // the queue pops worst first
    (*out)[i] = static_cast<std::uint32_t>(top.top().second);
    top.pop();
  }
}

std::size_t StockHnsw::MemoryBytes() const {
  const auto& g = impl_->graph;
  std::size_t bytes = g.max_elements_ * (g.size_data_per_element_ + sizeof(std::mutex) + sizeof(int) +
                                         sizeof(char*) + sizeof(hnsw::vl_type));
  bytes += hnsw::HierarchicalNSW<float>::max_update_element_locks * sizeof(std::mutex);
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    bytes += static_cast<std::size_t>(g.element_levels_[i]) * g.size_links_per_element_;
  }
  bytes += g.label_lookup_.size() * (4 * sizeof(void*) + sizeof(void*));
  return bytes;
}

}  // namespace memd::bench
