// An in-memory BM25 inverted index over one cube. Statistics (N, average length, document
// frequencies) are those of this index only, so cubes never influence each other's scores.
// Thread-compatible: the caller serialises writers against readers (the cube's lock);
// concurrent const calls (Search, ...) are safe.
//
// Layout (see bm25_index.cc for the invariants, bm25_index_io.cc for the snapshot format and
// what Load checks, bm25_index_search.cc for search):
//  - a term dictionary (open addressing over term ids) and, per term id, its text, its
//    postings (slot, tf) sorted by slot, its exact document frequency and a bound on its tf;
//  - per slot: the document length (kAbsent when the slot holds no document) and the offset
//    of the document's varint-encoded (term id, tf) list in one byte arena, used by Remove,
//    DocTerms and Save.
// Remove is lazy in the postings: a removed slot's postings stay until more than a quarter
// of a term's postings are dead, then that term's list is compacted. Search skips them by
// the length check it needs anyway. Statistics are exact immediately.
//
// Search scores term-at-a-time into a per-thread dense accumulator, rarest term first, and
// stops admitting new documents once the bound on what the remaining terms can add falls
// below the current k-th best partial score (MaxScore-style pruning); from then on only the
// surviving candidates are looked up in the remaining postings by galloping search. A
// filter that allows few slots is served the same way from the start. Results are
// identical to exhaustive scoring (SearchExhaustive), bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/scored.h"
#include "memd/status.h"
#include "util/binary_io.h"
#include "util/bitset.h"

namespace memd::index {

struct Bm25Params {
  float k1 = 1.2f;  // term-frequency saturation; >= 0 (negative or NaN becomes the default)
  float b = 0.75f;  // length normalisation; clamped to [0, 1] (NaN becomes the default)
};

class Bm25Index {
 public:
  explicit Bm25Index(Bm25Params params = {});
  // Move-only: an index can be large; copy it explicitly through Save/Load if needed.
  Bm25Index(Bm25Index&&) noexcept = default;
  Bm25Index& operator=(Bm25Index&&) noexcept = default;
  Bm25Index(const Bm25Index&) = delete;
  Bm25Index& operator=(const Bm25Index&) = delete;

  const Bm25Params& params() const { return params_; }

  // Indexes a document's terms (from text::Analyzer) at a slot not currently present (a
  // present slot has its old document replaced). An empty term list is a document of length
  // 0: it counts in N but never matches. Cost: O(terms log terms) plus, for a slot below the
  // largest indexed slot, a shift of each of its terms' postings.
  void Add(Slot slot, std::span<const std::string> terms);
  // Removes a slot; its terms leave the statistics at once. No-op if absent.
  void Remove(Slot slot);
  bool Contains(Slot slot) const {
    return slot < doc_length_.size() && doc_length_[slot] != kAbsent;
  }

  // The k best slots for the query terms (repeated query terms count once), scored with
  // BM25 (IDF = ln(1 + (N - df + 0.5) / (df + 0.5))). Only slots set in `allowed` when it is
  // non-null. Slots scoring 0 are not returned. Sorted by BetterScored. Unknown terms match
  // nothing. Uses a per-thread scratch array of 4 bytes per slot (kept between calls).
  std::vector<ScoredSlot> Search(std::span<const std::string> query_terms, std::size_t k,
                                 const Bitset* allowed) const;
  // The same results as Search, computed by scoring every posting of every query term
  // (no pruning). The reference for tests and the baseline for benchmarks.
  std::vector<ScoredSlot> SearchExhaustive(std::span<const std::string> query_terms, std::size_t k,
                                           const Bitset* allowed) const;
  // The BM25 score of each of `slots` (ascending, no duplicates) for the query: out[i] is
  // what Search would give slots[i], bit for bit, or 0 if it matches no term or is absent.
  // Cost: per query term, a galloping search for the slots in its postings. Hybrid search
  // uses it to complete the lexical signal of vector candidates.
  std::vector<float> ScoreSlots(std::span<const std::string> query_terms, std::span<const Slot> slots) const;

  std::size_t doc_count() const { return doc_count_; }
  std::uint64_t total_length() const { return total_length_; }  // sum of document lengths in terms
  // Documents containing term.
  std::uint32_t DocumentFrequency(const std::string& term) const;
  // The (term, frequency) pairs of a slot sorted by term; empty if absent. For verification.
  std::vector<std::pair<std::string, std::uint32_t>> DocTerms(Slot slot) const;
  // Distinct terms with at least one document.
  std::size_t term_count() const { return table_.size(); }
  // Estimated heap bytes (O(1): maintained as the index changes).
  std::size_t MemoryBytes() const;

  // Queries with fewer postings than this (default 16384) are scored exhaustively, as
  // pruning cannot pay off; tests lower it to exercise pruning on small corpora.
  void SetMinPruneVolumeForTest(std::size_t postings) { min_prune_volume_ = postings; }

  // Serialises the whole index (its arrays: terms, postings, term table, lengths and document
  // lists; dead postings and removed documents' bytes are left out) under a checksum.
  // Parameters are not stored: they are the loading index's. The format is in
  // bm25_index_io.cc. Streams to `out` (memory: O(slots) beyond the index).
  void Save(BinaryWriter& out) const;
  // Replaces this index's content with a snapshot written by Save; the loaded index then
  // behaves exactly as the saved one. Cost: bulk copies and one validating pass over the
  // postings. Errors leave the index unchanged: the reader's own status (e.g. IOError) if it
  // failed to read; Corruption (saying what is wrong) on bad magic, another format version
  // (including older ones: the caller rebuilds the index), checksum mismatch, truncation or
  // any inconsistency that could make later calls unsafe.
  Status Load(BinaryReader& in);

 private:
  static constexpr std::uint32_t kAbsent = 0xffffffffu;  // doc_length_ of an empty slot
  static constexpr std::uint32_t kNoTerm = 0xffffffffu;

  struct Posting {
    Slot slot;
    std::uint32_t tf;
  };
  struct Term {
    std::string text;               // empty and unused while the id is on free_term_ids_
    std::vector<Posting> postings;  // sorted by slot; may hold dead slots (lazy removal)
    std::uint32_t df = 0;           // live postings (exact)
    std::uint32_t max_tf = 0;       // >= every live posting's tf (exact after compaction)
  };
  class TermScorer;
  struct QueryTerm;
  struct DocEntry {
    std::uint32_t term_id;
    std::uint32_t tf;
  };

  // Term text -> term id, linear probing over (hash tag, id) cells; the text lives in
  // terms_[id].text.
  class TermTable {
   public:
    static constexpr std::uint64_t kEmptyCell = ~std::uint64_t{0};

    std::size_t size() const { return size_; }
    std::size_t MemoryBytes() const { return cells_.capacity() * sizeof(std::uint64_t); }
    // kNoTerm if absent.
    std::uint32_t Find(std::string_view text, std::uint64_t hash, const std::vector<Term>& terms) const;
    // REQUIRES: text absent.
    void Insert(std::uint64_t hash, std::uint32_t id);
    // No-op if absent (only a forged snapshot's table can lack a live term).
    void Erase(std::uint64_t hash, std::uint32_t id);
    void Reserve(std::size_t n);
    std::span<const std::uint64_t> cells() const { return cells_; }
    // Takes the cells of a snapshot, `size` of them in use. REQUIRES: no cells, or a power
    // of two of them with at least one empty; every id < the term count.
    void Adopt(std::vector<std::uint64_t> cells, std::size_t size) {
      cells_ = std::move(cells);
      size_ = size;
    }

   private:
    std::vector<std::uint64_t> cells_;  // (high 32 bits of hash) << 32 | id; ~0 = empty
    std::size_t size_ = 0;
  };

  // Heap bytes of a term text beyond the string's inline buffer (term_text_bytes_).
  static std::size_t TextHeapBytes(const std::string& s);
  std::uint32_t FindTerm(std::string_view text) const;
  std::uint32_t FindOrAddTerm(const std::string& text);
  void ReleaseTerm(std::uint32_t id);
  void AddPosting(std::uint32_t id, Slot slot, std::uint32_t tf);
  void CompactPostings(Term& term);
  void PurgeDeadPostings();
  void MaybeCompactArena();
  // Decodes the document encoded at arena offset into entries (if non-null); returns its
  // encoded size. Stops early, without reading past the arena, at a malformed list (only a
  // forged snapshot has one) or an id >= terms_.size().
  std::size_t DecodeDoc(std::uint64_t offset, std::vector<DocEntry>* entries) const;
  // Fills this (empty) index from a snapshot payload, validating it (bm25_index_io.cc).
  Status LoadPayload(std::string_view payload);

  std::vector<QueryTerm> PrepareQuery(std::span<const std::string> query_terms) const;
  template <bool kFiltered>
  void Accumulate(const QueryTerm& q, const Bitset* allowed, float* acc, std::vector<Slot>* touched) const;
  void AccumulateCandidates(const QueryTerm& q, std::span<const Slot> candidates, float* acc) const;
  std::vector<ScoredSlot> ScoreAll(std::span<const QueryTerm> query, std::size_t k, const Bitset* allowed) const;

  Bm25Params params_;
  TermTable table_;
  std::vector<Term> terms_;                  // by term id
  std::vector<std::uint32_t> free_term_ids_;  // ids of released terms, reused first
  std::vector<std::uint32_t> doc_length_;     // by slot; kAbsent when no document
  std::vector<std::uint64_t> doc_offset_;     // by slot; into doc_terms_ when present
  // Per document: varint n, then n times (varint term-id gap, varint tf), term ids ascending
  // (gap = id - previous id - 1, the first previous id being -1).
  std::vector<std::uint8_t> doc_terms_;
  std::uint64_t doc_terms_garbage_ = 0;  // bytes of removed documents in doc_terms_
  // Slots removed since the last full purge: their postings may linger, so re-adding one
  // (not expected: slots are not reused) first purges every dead posting.
  Bitset removed_slots_;
  std::size_t doc_count_ = 0;
  std::uint64_t total_length_ = 0;
  std::size_t min_prune_volume_ = 16384;
  std::size_t posting_bytes_ = 0;    // sum of postings capacities in bytes
  std::size_t term_text_bytes_ = 0;  // heap bytes of term texts beyond the inline buffer
};

}  // namespace memd::index
