// An in-memory BM25 inverted index over one cube. Statistics (N, average length, document
// frequencies) are those of this index only, so cubes never influence each other's scores.
// Thread-compatible: the caller serialises writers against readers (the cube's lock).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "index/scored.h"
#include "memd/status.h"
#include "util/binary_io.h"
#include "util/bitset.h"

namespace memd::index {

struct Bm25Params {
  float k1 = 1.2f;
  float b = 0.75f;
};

class Bm25Index {
 public:
  explicit Bm25Index(Bm25Params params = {});

  // Indexes a document's terms (from text::Analyzer) at a slot not currently present.
  void Add(Slot slot, std::span<const std::string> terms);
  // Removes a slot; its terms leave the statistics at once. No-op if absent.
  void Remove(Slot slot);
  // The k best slots for the query terms (repeated query terms count once), scored with
  // BM25 (IDF = ln(1 + (N - df + 0.5) / (df + 0.5))). Only slots set in `allowed` when it is
  // non-null. Slots scoring 0 are not returned. Sorted by BetterScored.
  std::vector<ScoredSlot> Search(std::span<const std::string> query_terms, std::size_t k,
                                 const Bitset* allowed) const;

  std::size_t doc_count() const;
  std::uint64_t total_length() const;  // sum of document lengths in terms
  // Documents containing term.
  std::uint32_t DocumentFrequency(const std::string& term) const;
  // The (term, frequency) pairs of a slot sorted by term; empty if absent. For verification.
  std::vector<std::pair<std::string, std::uint32_t>> DocTerms(Slot slot) const;
  // Estimated heap bytes.
  std::size_t MemoryBytes() const;

  // Serialises the whole index; Load replaces this index's content (Corruption on bad input).
  void Save(BinaryWriter& out) const;
  Status Load(BinaryReader& in);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace memd::index
