// VectorIndex: mutation, graph building and search. Save/Load are in vector_index_io.cc;
// the state invariants and locking are described in vector_index_impl.h.
#include "index/vector_index.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "index/vector_index_impl.h"
#include "index/vector_scan.h"

namespace memd::index {
namespace {

// Longest hold of the write lock by IndexPending (plus one insertion). An insertion costs
// from tens of microseconds (clustered vectors) to ~0.5 ms (256-d vectors of unrelated
// texts), so a count bound would not bound the stall of searches and commits; time does.
constexpr auto kMaxLockHold = std::chrono::milliseconds(1);
// HNSW over-fetch: the beam is ef_search + kOverFetch * k * live / allowed (see Search).
constexpr double kOverFetch = 4.0;

// Word arrays of two bitsets clipped to a common length.
std::size_t CommonWords(const Bitset& a, const Bitset* b) {
  return b == nullptr ? a.words().size() : std::min(a.words().size(), b->words().size());
}

// Scores every slot set in `base` and in `allowed` (when non-null) into top. Slots are
// gathered in batches so the rows a few steps ahead can be prefetched: a filtered scan skips
// rows, which defeats the hardware prefetcher that a dense scan relies on.
void ScanInto(const FlatVectors& vectors, const float* query, std::size_t dim, const Bitset& base,
              const Bitset* allowed, TopK* top) {
  constexpr std::size_t kBatch = 64;
  constexpr std::size_t kAhead = 4;
  Slot batch[kBatch];
  std::size_t n = 0;
  auto flush = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) PrefetchRow(vectors.Row(batch[i + kAhead]), dim);
      const float score = Dot(query, vectors.Row(batch[i]), dim);
      if (top->MayAccept(score)) top->Push(batch[i], score);
    }
    n = 0;
  };
  const std::size_t nwords = CommonWords(base, allowed);
  ForEachSetBitAnd(base.words().data(), allowed != nullptr ? allowed->words().data() : nullptr, nullptr,
                   nwords, [&](std::size_t slot) {
                     batch[n++] = static_cast<Slot>(slot);
                     if (n == kBatch) flush();
                   });
  flush();
}

}  // namespace

void VectorIndex::State::EnsureSlot(Slot slot) {
  const std::size_t need = static_cast<std::size_t>(slot) + 1;
  vectors.Reserve(need);  // Load allocates rows only up to the largest live slot
  if (need <= live.size()) return;
  live.Resize(need);
  pending.Resize(need);
  in_graph.Resize(need);
}

void VectorIndex::State::CompactQueueIfStale() {
  if (pending_queue.size() <= 2 * pending_n + 1024) return;
  Bitset seen(live.size());
  std::deque<Slot> kept;
  for (Slot s : pending_queue) {
    if (pending.Test(s) && !seen.Test(s)) {
      seen.Set(s);
      kept.push_back(s);
    }
  }
  pending_queue = std::move(kept);
}

void VectorIndex::State::Remove(Slot slot) {
  if (!live.Test(slot)) return;
  live.Reset(slot);
  --live_n;
  if (pending.Test(slot)) {
    // Not in the graph, or its node is already deleted (re-added after a removal).
    pending.Reset(slot);
    --pending_n;
  } else if (graph != nullptr && in_graph.Test(slot)) {
    // Cannot fail while the invariants hold (the node exists and is undeleted).
    graph->MarkDeleted(slot).IgnoreError();
  }
}

VectorIndex::VectorIndex(int dimension, VectorIndexOptions options)
    : impl_(std::make_unique<Impl>(dimension, options)) {}

VectorIndex::~VectorIndex() = default;

int VectorIndex::dimension() const { return impl_->dimension; }
const VectorIndexOptions& VectorIndex::options() const { return impl_->options; }

void VectorIndex::Add(Slot slot, std::span<const float> vector) {
  AddBatch(std::span<const Slot>(&slot, 1), vector);
}

void VectorIndex::AddBatch(std::span<const Slot> slots, std::span<const float> vectors) {
  const std::size_t dim = static_cast<std::size_t>(impl_->dimension);
  if (vectors.size() != slots.size() * dim) return;
  std::unique_lock lock(impl_->mu);
  State& st = *impl_->state;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const Slot slot = slots[i];
    if (st.live.Test(slot)) st.Remove(slot);
    st.EnsureSlot(slot);
    st.vectors.Set(slot, vectors.data() + i * dim);
    st.live.Set(slot);
    ++st.live_n;
    st.pending.Set(slot);
    ++st.pending_n;
    st.pending_queue.push_back(slot);
    st.CompactQueueIfStale();
  }
}

void VectorIndex::Remove(Slot slot) {
  std::unique_lock lock(impl_->mu);
  impl_->state->Remove(slot);
}

std::size_t VectorIndex::IndexPending(std::size_t max_items, std::chrono::steady_clock::duration budget) {
  const VectorIndexOptions& opt = impl_->options;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      budget >= Clock::time_point::max() - start ? Clock::time_point::max() : start + budget;
  std::size_t done = 0;
  while (done < max_items && Clock::now() < deadline) {
    std::unique_lock lock(impl_->mu);
    const Clock::time_point release = std::min(deadline, Clock::now() + kMaxLockHold);
    State& st = *impl_->state;
    if (st.graph == nullptr) {
      if (st.graph_failed || st.live_n < opt.hnsw_threshold || st.live_n == 0) break;
      auto graph = HnswGraph::Create(impl_->dimension, opt.m, opt.ef_construction, st.live_n + st.live_n / 4);
      if (!graph.ok()) {
        st.graph_failed = true;
        break;
      }
      st.graph = std::move(graph).value();
    }
    while (done < max_items && !st.pending_queue.empty()) {
      const Slot slot = st.pending_queue.front();
      st.pending_queue.pop_front();
      if (!st.pending.Test(slot)) continue;  // stale entry
      if (!st.graph->Insert(slot, st.vectors.Row(slot)).ok()) {
        // hnswlib cannot roll back a failed insertion: drop the graph and stay exact. Every
        // live vector becomes pending again, in slot order.
        st.graph.reset();
        st.graph_failed = true;
        st.in_graph = Bitset(st.live.size());
        st.pending = st.live;
        st.pending_n = st.live_n;
        st.pending_queue.clear();
        st.live.ForEach([&](std::size_t s) { st.pending_queue.push_back(static_cast<Slot>(s)); });
        return done;
      }
      st.pending.Reset(slot);
      --st.pending_n;
      st.in_graph.Set(slot);
      ++done;
      if (Clock::now() >= release) break;
    }
    if (st.pending_queue.empty()) break;
  }
  return done;
}

std::size_t VectorIndex::pending_count() const {
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  if (st.graph != nullptr) return st.pending_n;
  if (st.graph_failed || st.live_n < impl_->options.hnsw_threshold) return 0;
  return st.pending_n;
}

std::size_t VectorIndex::live_count() const {
  std::shared_lock lock(impl_->mu);
  return impl_->state->live_n;
}

bool VectorIndex::uses_hnsw() const {
  std::shared_lock lock(impl_->mu);
  return impl_->state->graph != nullptr;
}

std::vector<float> VectorIndex::Vector(Slot slot) const {
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  if (!st.live.Test(slot)) return {};
  const float* row = st.vectors.Row(slot);
  return std::vector<float>(row, row + impl_->dimension);
}

std::size_t VectorIndex::MemoryBytes() const {
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  std::size_t bytes = st.vectors.MemoryBytes();
  bytes += 3 * st.live.words().capacity() * sizeof(std::uint64_t);
  bytes += st.pending_queue.size() * sizeof(Slot);
  if (st.graph != nullptr) bytes += st.graph->MemoryBytes();
  return bytes;
}

std::vector<ScoredSlot> VectorIndex::ExactSearch(std::span<const float> query, std::size_t k,
                                                 const Bitset* allowed) const {
  if (k == 0 || query.size() != static_cast<std::size_t>(impl_->dimension)) return {};
  std::shared_lock lock(impl_->mu);
  TopK top(k);
  ScanInto(impl_->state->vectors, query.data(), query.size(), impl_->state->live, allowed, &top);
  return top.Take();
}

std::vector<float> VectorIndex::ScoreSlots(std::span<const float> query, std::span<const Slot> slots) const {
  std::vector<float> scores(slots.size(), 0.0f);
  const std::size_t dim = static_cast<std::size_t>(impl_->dimension);
  if (query.size() != dim) return scores;
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  constexpr std::size_t kAhead = 4;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (i + kAhead < slots.size() && st.live.Test(slots[i + kAhead]))
      PrefetchRow(st.vectors.Row(slots[i + kAhead]), dim);
    if (st.live.Test(slots[i])) scores[i] = Dot(query.data(), st.vectors.Row(slots[i]), dim);
  }
  return scores;
}

std::vector<ScoredSlot> VectorIndex::Search(std::span<const float> query, std::size_t k,
                                            const Bitset* allowed, std::size_t beam) const {
  const std::size_t dim = static_cast<std::size_t>(impl_->dimension);
  if (k == 0 || query.size() != dim) return {};
  const VectorIndexOptions& opt = impl_->options;
  std::shared_lock lock(impl_->mu);
  const State& st = *impl_->state;
  const float* q = query.data();
  auto exact = [&] {
    TopK top(k);
    ScanInto(st.vectors, q, dim, st.live, allowed, &top);
    return top.Take();
  };
  if (st.graph == nullptr || st.live_n == 0) return exact();

  std::size_t allowed_n = st.live_n;
  if (allowed != nullptr) {
    allowed_n = CountAnd(st.live.words().data(), allowed->words().data(), CommonWords(st.live, allowed));
    if (allowed_n == 0) return {};
    if (allowed_n <= opt.exact_scan_max ||
        static_cast<double>(allowed_n) <= opt.exact_selectivity * static_cast<double>(st.live_n)) {
      return exact();
    }
  }
  // The graph returns the best `width` nodes of a beam that wide, ordered by their int8
  // codes; all of them are re-scored exactly and the k best kept. Post-filtering over-fetch:
  // the k best allowed vectors sit around rank k / p of the unfiltered order (p = allowed
  // fraction), so a filtered search widens the beam past that rank. Doubles while fewer
  // than k survive.
  const std::size_t base_beam = beam > 0 ? beam : static_cast<std::size_t>(std::max(opt.ef_search, 1));
  const std::size_t graph_live = st.live_n - st.pending_n;
  const double p = static_cast<double>(allowed_n) / static_cast<double>(st.live_n);
  std::size_t width = std::max(k, base_beam);
  if (allowed != nullptr)
    width += static_cast<std::size_t>(std::ceil(static_cast<double>(k) / p * kOverFetch));
  // A sparse scan costs more per vector than a dense one (rows are skipped, so the hardware
  // prefetcher helps less): measured ~2.5x at a quarter of the rows.
  const double scan_cost = static_cast<double>(allowed_n) * (1.0 + 2.0 * (1.0 - p));
  TopK top(k);
  std::vector<Slot> found;
  for (;;) {
    // A beam of width B costs about B * graph_beam_cost dense vector scans; past the cost of
    // scanning the allowed set, or once the beam would cover the graph, scan instead.
    if (static_cast<double>(width) * opt.graph_beam_cost >= scan_cost || width >= graph_live) return exact();
    found.clear();
    if (!st.graph->Search(q, width, &found).ok()) return exact();
    top = TopK(k);
    std::size_t passed = 0;
    for (std::size_t i = 0; i < found.size(); ++i) {
      const Slot slot = found[i];
      if (allowed != nullptr && !allowed->Test(slot)) continue;
      if (!st.live.Test(slot) || st.pending.Test(slot))
        continue;  // defensive; deleted nodes are not returned
      if (i + 4 < found.size()) PrefetchRow(st.vectors.Row(found[i + 4]), dim);
      top.Push(slot, Dot(q, st.vectors.Row(slot), dim));
      ++passed;
    }
    if (passed >= k || found.size() < width) break;
    width *= 2;
  }
  // Pending vectors are not in the graph (or their node holds an old, deleted vector).
  if (st.pending_n > 0) ScanInto(st.vectors, q, dim, st.pending, allowed, &top);
  return top.Take();
}

}  // namespace memd::index
