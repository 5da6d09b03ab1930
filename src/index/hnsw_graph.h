// HnswGraph: the only place that touches hnswlib (0.6.2). It owns one
// hnswlib::HierarchicalNSW<float> whose nodes hold int8 codes of unit vectors
// (index/int8_code.h; a quarter of the float size, so a search touches a quarter of the
// memory) under the distance 1 - code dot product, whose labels are slots; it turns every
// hnswlib exception into a Status, and validates graph files before and after hnswlib reads
// them, so a corrupt file is a Corruption status, never undefined behaviour. Callers pass and
// get float vectors; results are ordered by the codes, so callers that need exact scores
// re-score (VectorIndex does).
//
// Thread-compatible, with one extra guarantee: const methods (Search, Save, ForEachNode) may
// run concurrently with each other, but never with a non-const method. VectorIndex provides
// that with its reader/writer lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "index/scored.h"
#include "memd/status.h"

namespace memd::index {

class HnswGraph {
 public:
  // An empty graph for vectors of `dimension` floats with m links per node (2*m on the base
  // layer). Deterministic: the same insertions in the same order give the same graph.
  static Result<std::unique_ptr<HnswGraph>> Create(int dimension, int m, int ef_construction,
                                                   std::size_t capacity);
  // Reads a graph written by Save. The file must describe exactly `expected_nodes` nodes of
  // int8 codes of `dimension` components; its layout, link lists and entry point are checked
  // (a graph of float vectors, as memd wrote before snapshot format 2, is Corruption).
  // Errors: IOError if the file cannot be read; Corruption on any inconsistency.
  static Result<std::unique_ptr<HnswGraph>> Load(const std::string& path, int dimension,
                                                 std::size_t expected_nodes);
  ~HnswGraph();
  HnswGraph(const HnswGraph&) = delete;
  HnswGraph& operator=(const HnswGraph&) = delete;

  // Inserts `vector` (dimension() floats) as `slot`. If the slot already has a node (marked
  // deleted by MarkDeleted), that node takes the new vector and is undeleted. Grows capacity
  // geometrically. On error the graph must be discarded (hnswlib gives no rollback).
  Status Insert(Slot slot, const float* vector);
  // Hides a slot's node from Search results. The node keeps routing searches.
  // Errors: NotFound if the slot has no node, or it is already deleted.
  Status MarkDeleted(Slot slot);
  // Appends to out the slots of up to n non-deleted nodes nearest to query by code
  // distance, found with a beam of width n (hnswlib's ef). Order unspecified.
  Status Search(const float* query, std::size_t n, std::vector<Slot>* out) const;

  // Writes the graph in hnswlib's format and checks the written size. Does not fsync.
  Status Save(const std::string& path) const;

  // Calls fn(slot, deleted, code) for every node, in node order, code being the node's
  // Int8CodeBytes(dimension()) bytes; stops early if fn returns false. For validating a
  // loaded graph against the flat vector store.
  void ForEachNode(const std::function<bool(Slot, bool, const std::uint8_t*)>& fn) const;

  int dimension() const { return dimension_; }
  int m() const;
  int ef_construction() const;
  // Nodes, including deleted ones.
  std::size_t node_count() const;
  std::size_t deleted_count() const;
  // Approximate heap bytes held; O(1).
  std::size_t MemoryBytes() const;

 private:
  struct Impl;
  explicit HnswGraph(std::unique_ptr<Impl> impl, int dimension);
  std::unique_ptr<Impl> impl_;
  int dimension_;
};

}  // namespace memd::index
