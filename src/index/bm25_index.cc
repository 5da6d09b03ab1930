// Invariants of Bm25Index (between public calls):
//  - doc_length_[s] != kAbsent  <=>  slot s holds a document; doc_count_ counts those slots and
//    total_length_ sums their lengths; a document's length is the sum of its tfs.
//  - For every present slot s and every term t of its document, t.postings holds exactly one
//    posting for s, with s's tf. Every other posting of t (a "dead" posting) names an absent
//    slot. Hence t.df == live postings, dead postings == t.postings.size() - t.df, and a
//    posting is live iff doc_length_[slot] != kAbsent.
//  - A slot removed since the last PurgeDeadPostings is set in removed_slots_; only such
//    slots can have dead postings. Adding one of them purges first, so the invariant above
//    holds for re-added slots.
//  - Every term in table_ has df > 0. A term whose df drops to 0 is released: its id goes to
//    free_term_ids_ with empty text and postings.
//  - doc_offset_[s] < doc_terms_.size() for every present slot s; doc_terms_garbage_ counts
//    the arena bytes of removed documents.
// A loaded index holds all of these except what bm25_index_io.cc lists as trusted to the
// snapshot's checksum rather than checked (the arena's content, the table's placement);
// the code that reads those stays memory-safe whatever they hold.
// Save, Load and the snapshot format are in bm25_index_io.cc.

#include "index/bm25_index.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

namespace memd::index {

namespace {

// Removed documents' bytes in the arena are reclaimed once they are half of it (and this big).
constexpr std::uint64_t kMinArenaGarbage = 64 * 1024;

std::uint64_t HashTerm(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

template <typename Out>
void PutVarint(Out& out, std::uint64_t v) {
  using Byte = typename Out::value_type;
  while (v >= 0x80) {
    out.push_back(static_cast<Byte>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<Byte>(v));
}

// Bounds-checked reader of varints.
class ByteCursor {
 public:
  ByteCursor(const std::uint8_t* begin, const std::uint8_t* end) : p_(begin), end_(end) {}

  const std::uint8_t* pos() const { return p_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

  // False on truncation or a value that does not fit 64 bits.
  bool Varint(std::uint64_t* value) {
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const std::uint8_t byte = *p_++;
      if (shift == 63 && byte > 1) return false;
      result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return false;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace

// ---- Term table ------------------------------------------------------------------------

std::uint32_t Bm25Index::TermTable::Find(std::string_view text, std::uint64_t hash,
                                         const std::vector<Term>& terms) const {
  if (cells_.empty()) return kNoTerm;
  const std::size_t mask = cells_.size() - 1;
  const std::uint64_t tag = hash >> 32;
  for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
    const std::uint64_t cell = cells_[i];
    if (cell == kEmptyCell) return kNoTerm;
    if ((cell >> 32) == tag) {
      const auto id = static_cast<std::uint32_t>(cell);
      if (terms[id].text == text) return id;
    }
  }
}

void Bm25Index::TermTable::Reserve(std::size_t n) {
  std::size_t capacity = 16;
  while (capacity * 7 < n * 10) capacity *= 2;
  if (capacity <= cells_.size()) return;
  std::vector<std::uint64_t> old = std::move(cells_);
  cells_.assign(capacity, kEmptyCell);
  const std::size_t mask = capacity - 1;
  for (std::uint64_t cell : old) {
    if (cell == kEmptyCell) continue;
    std::size_t i = (cell >> 32) & mask;
    while (cells_[i] != kEmptyCell) i = (i + 1) & mask;
    cells_[i] = cell;
  }
}

void Bm25Index::TermTable::Insert(std::uint64_t hash, std::uint32_t id) {
  if ((size_ + 1) * 10 > cells_.size() * 7) Reserve(std::max<std::size_t>(size_ + 1, 2 * size_));
  const std::size_t mask = cells_.size() - 1;
  std::size_t i = (hash >> 32) & mask;
  while (cells_[i] != kEmptyCell) i = (i + 1) & mask;
  cells_[i] = ((hash >> 32) << 32) | id;
  ++size_;
}

void Bm25Index::TermTable::Erase(std::uint64_t hash, std::uint32_t id) {
  if (cells_.empty()) return;
  const std::size_t mask = cells_.size() - 1;
  const std::uint64_t target = ((hash >> 32) << 32) | id;
  std::size_t hole = (hash >> 32) & mask;
  while (cells_[hole] != target) {
    if (cells_[hole] == kEmptyCell) return;  // absent
    hole = (hole + 1) & mask;
  }
  // Backward-shift deletion: pull later cells of the probe run into the hole when their
  // home position does not lie cyclically in (hole, j].
  for (std::size_t j = (hole + 1) & mask; cells_[j] != kEmptyCell; j = (j + 1) & mask) {
    const std::size_t home = (cells_[j] >> 32) & mask;
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      cells_[hole] = cells_[j];
      hole = j;
    }
  }
  cells_[hole] = kEmptyCell;
  --size_;
}

// ---- Writes ----------------------------------------------------------------------------

std::size_t Bm25Index::TextHeapBytes(const std::string& s) {
  static const std::size_t kInline = std::string().capacity();
  return s.capacity() > kInline ? s.capacity() + 1 : 0;
}

Bm25Index::Bm25Index(Bm25Params params) : params_(params) {
  if (!(params_.k1 >= 0.0f) || std::isinf(params_.k1)) params_.k1 = Bm25Params{}.k1;
  if (std::isnan(params_.b)) params_.b = Bm25Params{}.b;
  params_.b = std::clamp(params_.b, 0.0f, 1.0f);
}

std::uint32_t Bm25Index::FindTerm(std::string_view text) const {
  return table_.Find(text, HashTerm(text), terms_);
}

std::uint32_t Bm25Index::FindOrAddTerm(const std::string& text) {
  const std::uint64_t hash = HashTerm(text);
  std::uint32_t id = table_.Find(text, hash, terms_);
  if (id != kNoTerm) return id;
  if (!free_term_ids_.empty()) {
    id = free_term_ids_.back();
    free_term_ids_.pop_back();
    terms_[id].text = text;
  } else {
    id = static_cast<std::uint32_t>(terms_.size());
    terms_.push_back(Term{text, {}, 0, 0});
  }
  term_text_bytes_ += TextHeapBytes(terms_[id].text);
  table_.Insert(hash, id);
  return id;
}

void Bm25Index::ReleaseTerm(std::uint32_t id) {
  Term& term = terms_[id];
  table_.Erase(HashTerm(term.text), id);
  posting_bytes_ -= term.postings.capacity() * sizeof(Posting);
  std::vector<Posting>().swap(term.postings);
  term_text_bytes_ -= TextHeapBytes(term.text);
  std::string().swap(term.text);
  term.df = 0;
  term.max_tf = 0;
  free_term_ids_.push_back(id);
}

void Bm25Index::AddPosting(std::uint32_t id, Slot slot, std::uint32_t tf) {
  Term& term = terms_[id];
  std::vector<Posting>& postings = term.postings;
  const std::size_t capacity = postings.capacity();
  // Grow by 1.5x rather than the library's 2x: postings are most of the index's memory.
  if (postings.size() == capacity) postings.reserve(capacity + std::max<std::size_t>(capacity / 2, 2));
  if (postings.empty() || postings.back().slot < slot) {
    postings.push_back(Posting{slot, tf});
  } else {
    auto at = std::upper_bound(postings.begin(), postings.end(), slot,
                               [](Slot s, const Posting& p) { return s < p.slot; });
    postings.insert(at, Posting{slot, tf});
  }
  posting_bytes_ += (postings.capacity() - capacity) * sizeof(Posting);
  ++term.df;
  term.max_tf = std::max(term.max_tf, tf);
}

void Bm25Index::CompactPostings(Term& term) {
  std::vector<Posting>& postings = term.postings;
  const std::size_t capacity = postings.capacity();
  std::uint32_t max_tf = 0;
  std::size_t kept = 0;
  for (const Posting& p : postings) {
    if (doc_length_[p.slot] == kAbsent) continue;
    max_tf = std::max(max_tf, p.tf);
    postings[kept++] = p;
  }
  postings.resize(kept);
  if (postings.capacity() > 2 * kept + 4) postings.shrink_to_fit();
  posting_bytes_ = posting_bytes_ - capacity * sizeof(Posting) + postings.capacity() * sizeof(Posting);
  term.max_tf = max_tf;
}

void Bm25Index::PurgeDeadPostings() {
  for (Term& term : terms_) {
    if (term.postings.size() > term.df) CompactPostings(term);
  }
  removed_slots_ = Bitset();
}

std::size_t Bm25Index::DecodeDoc(std::uint64_t offset, std::vector<DocEntry>* entries) const {
  // Lists written by Add always decode in full. A loaded arena is bound to what Save wrote by
  // the snapshot's checksum but not parsed by Load (see bm25_index_io.cc), so a forged one
  // must only ever give wrong answers: stop at its end and at ids out of range.
  if (entries != nullptr) entries->clear();
  if (offset >= doc_terms_.size()) return 0;  // Load and Add keep offsets inside the arena
  const std::uint8_t* begin = doc_terms_.data() + offset;
  ByteCursor in(begin, doc_terms_.data() + doc_terms_.size());
  std::uint64_t n = 0;
  in.Varint(&n);
  const std::uint64_t term_count = terms_.size();
  std::uint64_t next_id = 0;  // ids ascend: the smallest allowed next
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t gap = 0;
    std::uint64_t tf = 0;
    if (!in.Varint(&gap) || !in.Varint(&tf) || next_id >= term_count || gap >= term_count - next_id) break;
    next_id += gap + 1;
    if (entries != nullptr) {
      entries->push_back(DocEntry{static_cast<std::uint32_t>(next_id - 1), static_cast<std::uint32_t>(tf)});
    }
  }
  return static_cast<std::size_t>(in.pos() - begin);
}

void Bm25Index::Add(Slot slot, std::span<const std::string> terms) {
  if (Contains(slot)) Remove(slot);
  if (removed_slots_.Test(slot)) PurgeDeadPostings();

  std::vector<std::uint32_t> ids;
  ids.reserve(terms.size());
  for (const std::string& term : terms) ids.push_back(FindOrAddTerm(term));
  std::sort(ids.begin(), ids.end());

  if (slot >= doc_length_.size()) {
    doc_length_.resize(std::size_t{slot} + 1, kAbsent);
    doc_offset_.resize(std::size_t{slot} + 1, 0);
  }
  doc_offset_[slot] = doc_terms_.size();
  std::size_t runs = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) runs += (i == 0 || ids[i] != ids[i - 1]) ? 1 : 0;
  PutVarint(doc_terms_, runs);
  // Lengths and tfs are 32-bit: a document would need 4G terms to overflow them.
  std::uint32_t length = 0;
  std::int64_t previous = -1;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    const auto tf = static_cast<std::uint32_t>(j - i);
    PutVarint(doc_terms_, static_cast<std::uint64_t>(ids[i] - previous - 1));
    PutVarint(doc_terms_, tf);
    AddPosting(ids[i], slot, tf);
    length += tf;
    previous = ids[i];
    i = j;
  }
  doc_length_[slot] = length;
  ++doc_count_;
  total_length_ += length;
}

void Bm25Index::Remove(Slot slot) {
  if (!Contains(slot)) return;
  const std::uint32_t length = doc_length_[slot];
  doc_length_[slot] = kAbsent;  // from here on the slot's postings are dead
  std::vector<DocEntry> entries;
  doc_terms_garbage_ += DecodeDoc(doc_offset_[slot], &entries);
  for (const DocEntry& e : entries) {
    Term& term = terms_[e.term_id];
    if (term.df == 0) continue;  // only a forged snapshot's arena names a released term
    --term.df;
    if (term.df == 0) {
      ReleaseTerm(e.term_id);
    } else if ((term.postings.size() - term.df) * 4 > term.postings.size()) {
      CompactPostings(term);
    }
  }
  if (removed_slots_.size() <= slot) removed_slots_.Resize(doc_length_.size());
  removed_slots_.Set(slot);
  --doc_count_;
  total_length_ -= length;
  MaybeCompactArena();
}

void Bm25Index::MaybeCompactArena() {
  if (doc_terms_garbage_ < kMinArenaGarbage || doc_terms_garbage_ * 2 < doc_terms_.size()) return;
  std::vector<std::uint8_t> arena;
  arena.reserve(doc_terms_.size() - doc_terms_garbage_);
  for (std::size_t slot = 0; slot < doc_length_.size(); ++slot) {
    if (doc_length_[slot] == kAbsent) continue;
    const std::uint64_t offset = doc_offset_[slot];
    const std::size_t size = DecodeDoc(offset, nullptr);
    doc_offset_[slot] = arena.size();
    arena.insert(arena.end(), doc_terms_.begin() + static_cast<std::ptrdiff_t>(offset),
                 doc_terms_.begin() + static_cast<std::ptrdiff_t>(offset + size));
  }
  doc_terms_.swap(arena);
  doc_terms_garbage_ = 0;
}

// ---- Reads -----------------------------------------------------------------------------

std::uint32_t Bm25Index::DocumentFrequency(const std::string& term) const {
  const std::uint32_t id = FindTerm(term);
  return id == kNoTerm ? 0 : terms_[id].df;
}

std::vector<std::pair<std::string, std::uint32_t>> Bm25Index::DocTerms(Slot slot) const {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  if (!Contains(slot)) return out;
  std::vector<DocEntry> entries;
  DecodeDoc(doc_offset_[slot], &entries);
  out.reserve(entries.size());
  for (const DocEntry& e : entries) out.emplace_back(terms_[e.term_id].text, e.tf);
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t Bm25Index::MemoryBytes() const {
  return sizeof(*this) + terms_.capacity() * sizeof(Term) + term_text_bytes_ + posting_bytes_ +
         table_.MemoryBytes() + free_term_ids_.capacity() * sizeof(std::uint32_t) +
         doc_length_.capacity() * sizeof(std::uint32_t) + doc_offset_.capacity() * sizeof(std::uint64_t) +
         doc_terms_.capacity() + removed_slots_.words().capacity() * sizeof(std::uint64_t);
}

}  // namespace memd::index
