// Internals of VectorIndex shared by vector_index.cc (mutation and search) and
// vector_index_io.cc (Save/Load). Not part of the index layer's interface.
//
// Invariants of State (checked by Load, kept by every mutation):
//   - live, pending and in_graph have the same size, slot_limit = one past the largest slot
//     ever added; vectors has a row for every slot < slot_limit (rows of dead slots are
//     unspecified and never read).
//   - pending is a subset of live; pending_n = |pending|, live_n = |live|.
//   - without a graph, pending == live and in_graph is empty.
//   - with a graph, in_graph is the set of slots with a node, and a node is undeleted exactly
//     when its slot is live and not pending (a removed slot's node is deleted; a slot re-added
//     after removal is pending until IndexPending overwrites its node).
//   - pending_queue holds every pending slot in insertion order, plus stale entries (slots no
//     longer pending, or repeated) that consumers skip.
//
// Locking: Impl::mu guards State. Search, ExactSearch, Vector, Save take it shared; Add,
// Remove, IndexPending (per step), Load take it exclusive. hnswlib searches read link lists
// without locks of their own, so no graph mutation may run alongside a search; the exclusive
// lock guarantees that.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "index/hnsw_graph.h"
#include "index/vector_index.h"
#include "util/bitset.h"
#include "util/mapped_file.h"

namespace memd::index {

// A reader/writer lock that does not starve writers: a writer first takes the turnstile, so
// readers arriving after it wait until it is done. (glibc's rwlock, behind std::shared_mutex,
// prefers readers, so steady search traffic could otherwise block IndexPending forever.)
class FairSharedMutex {
 public:
  void lock() {
    std::lock_guard<std::mutex> turn(turnstile_);
    mu_.lock();
  }
  void unlock() { mu_.unlock(); }
  void lock_shared() {
    { std::lock_guard<std::mutex> turn(turnstile_); }
    mu_.lock_shared();
  }
  void unlock_shared() { mu_.unlock_shared(); }

 private:
  std::mutex turnstile_;
  std::shared_mutex mu_;
};

// One row of `dimension` floats per slot, in one contiguous block grown geometrically. The
// block is not zero-filled, so rows of slots never added cost address space, not memory.
class FlatVectors {
 public:
  explicit FlatVectors(int dimension) : dimension_(static_cast<std::size_t>(dimension)) {}

  // Makes rows [0, rows) addressable, keeping existing rows.
  void Reserve(std::size_t rows) {
    if (rows <= capacity_) return;
    std::size_t grown = std::max<std::size_t>({rows, capacity_ + capacity_ / 2, 64});
    std::unique_ptr<float[]> fresh(new float[grown * dimension_]);  // default-init: no zero fill
    AdviseHugePages(fresh.get(), grown * dimension_ * sizeof(float));
    if (used_ > 0) std::memcpy(fresh.get(), data_.get(), used_ * dimension_ * sizeof(float));
    data_ = std::move(fresh);
    capacity_ = grown;
  }
  // Copies v into row `slot`. REQUIRES: slot < reserved rows.
  void Set(std::size_t slot, const float* v) {
    std::memcpy(data_.get() + slot * dimension_, v, dimension_ * sizeof(float));
    if (slot >= used_) used_ = slot + 1;
  }
  // Rows [first, first + count) for the caller to fill. REQUIRES: within reserved rows.
  float* MutableRows(std::size_t first, std::size_t count) {
    if (first + count > used_) used_ = first + count;
    return data_.get() + first * dimension_;
  }
  const float* Row(std::size_t slot) const { return data_.get() + slot * dimension_; }
  std::size_t MemoryBytes() const { return capacity_ * dimension_ * sizeof(float); }

 private:
  std::size_t dimension_;
  std::unique_ptr<float[]> data_;
  std::size_t capacity_ = 0;  // rows allocated
  std::size_t used_ = 0;      // rows [0, used_) may hold data and are kept on growth
};

struct VectorIndex::State {
  explicit State(int dimension) : vectors(dimension) {}

  // Grows the bitsets and rows so that `slot` is addressable.
  void EnsureSlot(Slot slot);
  // Removes a live slot (marking its graph node deleted); no-op if absent.
  void Remove(Slot slot);
  // Keeps pending_queue within a constant factor of pending_n (drops stale entries).
  void CompactQueueIfStale();

  FlatVectors vectors;
  Bitset live;
  Bitset pending;
  Bitset in_graph;
  std::deque<Slot> pending_queue;
  std::size_t live_n = 0;
  std::size_t pending_n = 0;
  std::unique_ptr<HnswGraph> graph;
  // Set when a graph insertion failed; the graph is then dropped and not restarted, so
  // searches stay exact (and correct) instead of failing.
  bool graph_failed = false;
};

struct VectorIndex::Impl {
  Impl(int dimension, const VectorIndexOptions& options)
      : dimension(dimension), options(options), state(std::make_unique<State>(dimension)) {}

  const int dimension;
  const VectorIndexOptions options;
  mutable FairSharedMutex mu;
  std::unique_ptr<State> state;  // guarded by mu; a pointer so Load can swap in a new one
};

}  // namespace memd::index
