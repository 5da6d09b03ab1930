// Bm25Index::Save and Load.
//
// Snapshot (little-endian):
//   u32 magic "BM25" | u32 version (2) | u64 payload size | payload | u64 XXH3-64 of payload
//
// Version 2 stores the index's own arrays, so that Load is bulk copies plus one validating
// pass over the postings: no parsing, hashing or scattering. (Version 1 stored only the
// documents, and Load rebuilt the postings and the term table from them, about 5x slower;
// Load refuses it like any other version, and the caller rebuilds the index.) Payload:
//   Header (9 x u64): T term ids, F free ids, X text bytes, P postings, C table cells,
//                     S slots, D documents, L total length, A arena bytes
//   S x u32   document length by slot; 0xffffffff where the slot holds no document
//   S x u64   arena offset of the slot's document; 0 where none
//   A bytes   arena: the documents' term lists as in doc_terms_ (varint n, then n times
//             varint term-id gap and varint tf), in slot order with nothing between them
//   T x u32   df by term id; 0 for a released id
//   T x u32   text size by term id; 0 for a released id
//   X bytes   the texts, by term id
//   F x u32   free_term_ids_, in order
//   P x (u32 slot, u32 tf)  the live postings by term id, each term's ascending by slot
//   C x u64   the term table's cells as in memory: (high 32 bits of the text's XXH3) << 32 |
//             id, all ones when empty
// Term ids, the table, the free list and the per-slot arrays are written as they are in
// memory, so a loaded index behaves exactly as the saved one and saves to the same bytes;
// only dead postings and removed documents' arena bytes are left out.
//
// Load checks all that later calls need to stay in bounds and finish, so that no payload,
// even one under a forged checksum, can cause out-of-bounds access, an allocation larger
// than the payload warrants, or an endless loop:
//  - sizes: the counts account for the payload exactly (each bounded by the bytes present
//    before anything is allocated); T < 2^32 (ids are u32; all ones means none); S <= 2^32;
//  - slots: D present, with lengths summing to L; their offsets ascend strictly from 0
//    inside the arena (A is 0 when D is); absent slots have offset 0;
//  - terms: a released id has no text and is on the free list, which holds each released
//    id once and nothing else; the dfs add up to P and the text sizes to X;
//  - postings: per live term, exactly df, slots strictly ascending, each holding a document,
//    tf >= 1; all tfs add up to L (each document's length is the sum of its tfs). max_tf is
//    recomputed from them, so it is exact;
//  - table: C is 0 without live terms, or a power of two with live terms * 10 <= C * 7 (a
//    probe always meets an empty cell); the non-empty cells name each live id once and
//    nothing else.
// Not checked, because it would take a pass that parses the whole arena or hashes every term
// (what version 2 saves) while the checksum already binds it to what Save wrote:
//  - that each document's list in the arena decodes to exactly its postings and length, and
//    that a posting's tf is at most its document's length (pruning's bounds assume it);
//  - that each cell's tag is its text's hash and lies on its probe path, and that texts are
//    distinct.
// A forged arena or table can therefore only give wrong answers, not unsafe ones: DecodeDoc
// stops at the arena's end and at ids out of range, Remove never lowers a df below 0, and
// Find and Erase stop at an empty cell.
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t as a complete type
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

#include "index/bm25_index.h"
#include "util/mapped_file.h"

namespace memd::index {

namespace {

constexpr std::uint32_t kMagic = 0x35324d42;  // "BM25"
constexpr std::uint32_t kFormatVersion = 2;

static_assert(std::endian::native == std::endian::little, "snapshot arrays are copied as they are in memory");

struct Header {
  std::uint64_t terms;
  std::uint64_t free_ids;
  std::uint64_t text_bytes;
  std::uint64_t postings;
  std::uint64_t cells;
  std::uint64_t slots;
  std::uint64_t documents;
  std::uint64_t total_length;
  std::uint64_t arena_bytes;
};
static_assert(sizeof(Header) == 9 * sizeof(std::uint64_t) && std::is_trivially_copyable_v<Header>);

std::uint64_t PayloadBytes(const Header& h) {
  return sizeof(Header) + h.slots * (sizeof(std::uint32_t) + sizeof(std::uint64_t)) + h.arena_bytes +
         h.terms * 2 * sizeof(std::uint32_t) + h.text_bytes + h.free_ids * sizeof(std::uint32_t) +
         h.postings * 2 * sizeof(std::uint32_t) + h.cells * sizeof(std::uint64_t);
}

// The i-th u32 of an array at any alignment.
std::uint32_t U32At(const char* array, std::size_t i) {
  std::uint32_t v;
  std::memcpy(&v, array + i * sizeof(v), sizeof(v));
  return v;
}

// Payload bytes on their way to a BinaryWriter, hashed as they go; small writes are
// batched so the hash is not updated a few bytes at a time.
class PayloadWriter {
 public:
  explicit PayloadWriter(BinaryWriter& out) : out_(out) {
    XXH3_64bits_reset(&state_);
    buffer_.reserve(kBufferBytes);
  }
  PayloadWriter(const PayloadWriter&) = delete;
  PayloadWriter& operator=(const PayloadWriter&) = delete;

  void Write(const void* data, std::size_t n) {
    if (buffer_.size() + n > kBufferBytes) Flush();
    if (n >= kBufferBytes) {
      Emit(data, n);
    } else {
      buffer_.append(static_cast<const char*>(data), n);
    }
  }
  template <typename T>
  void Put(const T& value) {
    Write(&value, sizeof(value));
  }
  template <typename T>
  void PutArray(std::span<const T> values) {
    Write(values.data(), values.size_bytes());
  }
  // Flushes; returns the hash of everything written.
  std::uint64_t Finish() {
    Flush();
    return XXH3_64bits_digest(&state_);
  }

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 16;
  void Flush() {
    Emit(buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  void Emit(const void* data, std::size_t n) {
    XXH3_64bits_update(&state_, data, n);
    out_.WriteBytes(data, n);
  }

  BinaryWriter& out_;
  XXH3_state_t state_;
  std::string buffer_;
};

// Makes *v an empty vector with room for n elements, backed by huge pages where the kernel
// allows: Load fills hundreds of MiB of fresh memory, and faulting it in 4 KiB at a time
// costs a good part of the load time.
template <typename T>
void ReserveFresh(std::vector<T>* v, std::size_t n) {
  std::vector<T>().swap(*v);
  v->reserve(n);
  if (n > 0) AdviseHugePages(v->data(), n * sizeof(T));
}

// Sequential view of the payload's sections; sizes are checked against the header first.
class SectionReader {
 public:
  explicit SectionReader(std::string_view payload) : p_(payload.data()), end_(p_ + payload.size()) {}
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  // REQUIRES: n <= remaining().
  const char* Take(std::size_t n) {
    const char* at = p_;
    p_ += n;
    return at;
  }
  template <typename T>
  void CopyTo(std::vector<T>* out, std::size_t count) {
    ReserveFresh(out, count);
    out->resize(count);
    if (count > 0) std::memcpy(out->data(), Take(count * sizeof(T)), count * sizeof(T));
  }

 private:
  const char* p_;
  const char* end_;
};

Status Inconsistent(const std::string& what) {
  return Status::Corruption("BM25 index snapshot is inconsistent: " + what +
                            "; delete the snapshot to rebuild the index from the store");
}

}  // namespace

void Bm25Index::Save(BinaryWriter& out) const {
  static_assert(sizeof(Posting) == 2 * sizeof(std::uint32_t) && std::is_trivially_copyable_v<Posting>);
  // The arena is repacked in slot order: first the new offsets.
  const std::size_t slots = doc_length_.size();
  std::vector<std::uint64_t> offsets(slots, 0);
  std::uint64_t arena_bytes = 0;
  for (std::size_t slot = 0; slot < slots; ++slot) {
    if (doc_length_[slot] == kAbsent) continue;
    offsets[slot] = arena_bytes;
    arena_bytes += DecodeDoc(doc_offset_[slot], nullptr);
  }
  Header h{};
  h.terms = terms_.size();
  h.free_ids = free_term_ids_.size();
  for (const Term& term : terms_) {
    h.text_bytes += term.text.size();
    h.postings += term.df;
  }
  h.cells = table_.cells().size();
  h.slots = slots;
  h.documents = doc_count_;
  h.total_length = total_length_;
  h.arena_bytes = arena_bytes;

  out.Put<std::uint32_t>(kMagic);
  out.Put<std::uint32_t>(kFormatVersion);
  out.Put<std::uint64_t>(PayloadBytes(h));
  PayloadWriter w(out);
  w.Put(h);
  w.PutArray(std::span(doc_length_));
  w.PutArray(std::span<const std::uint64_t>(offsets));
  // Each document's bytes run to the next document's new offset (or the arena's end).
  std::size_t previous = slots;  // the last present slot seen, if any
  auto write_doc = [&](std::size_t slot, std::uint64_t end) {
    w.Write(doc_terms_.data() + doc_offset_[slot], end - offsets[slot]);
  };
  for (std::size_t slot = 0; slot < slots; ++slot) {
    if (doc_length_[slot] == kAbsent) continue;
    if (previous != slots) write_doc(previous, offsets[slot]);
    previous = slot;
  }
  if (previous != slots) write_doc(previous, arena_bytes);
  for (const Term& term : terms_) w.Put<std::uint32_t>(term.df);
  for (const Term& term : terms_) w.Put(static_cast<std::uint32_t>(term.text.size()));
  for (const Term& term : terms_) w.Write(term.text.data(), term.text.size());
  w.PutArray(std::span(free_term_ids_));
  std::vector<Posting> live;
  for (const Term& term : terms_) {
    if (term.postings.size() == term.df) {
      w.PutArray(std::span(term.postings));
      continue;
    }
    live.clear();
    for (const Posting& p : term.postings) {
      if (doc_length_[p.slot] != kAbsent) live.push_back(p);
    }
    w.PutArray(std::span<const Posting>(live));
  }
  w.PutArray(table_.cells());
  out.Put<std::uint64_t>(w.Finish());
}

Status Bm25Index::Load(BinaryReader& in) {
  MEMD_RETURN_IF_ERROR(in.status());  // e.g. IOError: the file could not be read
  std::uint32_t magic = 0;
  std::uint32_t version = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&magic));
  if (magic != kMagic) {
    return Status::Corruption("not a BM25 index snapshot (bad magic); delete it to rebuild the index");
  }
  MEMD_RETURN_IF_ERROR(in.Get(&version));
  if (version != kFormatVersion) {
    return Status::Corruption("BM25 index snapshot has format version " + std::to_string(version) +
                              " but this build reads only version " + std::to_string(kFormatVersion) +
                              "; it is ignored, so the index is rebuilt from the store and saved anew");
  }
  std::string_view payload;  // points into the reader's bytes; LoadPayload copies what it keeps
  MEMD_RETURN_IF_ERROR(in.GetStringView(&payload));
  std::uint64_t checksum = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&checksum));
  if (XXH3_64bits(payload.data(), payload.size()) != checksum) {
    return Status::Corruption("BM25 index snapshot checksum mismatch; delete it to rebuild the index");
  }
  Bm25Index loaded(params_);
  loaded.min_prune_volume_ = min_prune_volume_;
  MEMD_RETURN_IF_ERROR(loaded.LoadPayload(payload));
  *this = std::move(loaded);
  return Status::OK();
}

Status Bm25Index::LoadPayload(std::string_view payload) {
  SectionReader in(payload);
  Header h;
  if (in.remaining() < sizeof(h)) return Inconsistent("truncated header");
  std::memcpy(&h, in.Take(sizeof(h)), sizeof(h));
  // Each count is bounded by the bytes left before it is multiplied, so nothing overflows.
  std::uint64_t left = in.remaining();
  const auto take = [&left](std::uint64_t count, std::uint64_t width) {
    if (count > left / width) return false;
    left -= count * width;
    return true;
  };
  if (!take(h.slots, sizeof(std::uint32_t) + sizeof(std::uint64_t)) || !take(h.arena_bytes, 1) ||
      !take(h.terms, 2 * sizeof(std::uint32_t)) || !take(h.text_bytes, 1) ||
      !take(h.free_ids, sizeof(std::uint32_t)) || !take(h.postings, sizeof(Posting)) ||
      !take(h.cells, sizeof(std::uint64_t)) || left != 0) {
    return Inconsistent("its counts do not match its size");
  }
  if (h.terms > kNoTerm || h.slots > std::uint64_t{kAbsent} + 1) {
    return Inconsistent("too many terms or slots");
  }

  // Slots.
  const std::size_t slots = h.slots;
  in.CopyTo(&doc_length_, slots);
  in.CopyTo(&doc_offset_, slots);
  const auto* arena = reinterpret_cast<const std::uint8_t*>(in.Take(h.arena_bytes));
  ReserveFresh(&doc_terms_, h.arena_bytes);
  doc_terms_.assign(arena, arena + h.arena_bytes);
  std::uint64_t present = 0;
  std::uint64_t length_sum = 0;
  std::uint64_t min_offset = 0;  // offsets ascend strictly from 0
  Bitset has_doc(slots);         // compact (L2-resident) for the postings' random lookups
  for (std::size_t slot = 0; slot < slots; ++slot) {
    const std::uint64_t offset = doc_offset_[slot];
    if (doc_length_[slot] == kAbsent) {
      if (offset != 0) return Inconsistent("absent slot " + std::to_string(slot) + " has an offset");
      continue;
    }
    if (offset < min_offset || offset >= h.arena_bytes || (present == 0 && offset != 0)) {
      return Inconsistent("slot " + std::to_string(slot) + " has a bad arena offset");
    }
    min_offset = offset + 1;
    has_doc.Set(slot);
    ++present;
    length_sum += doc_length_[slot];
  }
  if (present != h.documents || length_sum != h.total_length || (present == 0 && h.arena_bytes != 0)) {
    return Inconsistent("the documents do not match the counts");
  }

  // Terms and their postings.
  const std::size_t term_count = h.terms;
  const char* dfs = in.Take(term_count * sizeof(std::uint32_t));
  const char* text_sizes = in.Take(term_count * sizeof(std::uint32_t));
  const char* texts = in.Take(h.text_bytes);
  in.CopyTo(&free_term_ids_, h.free_ids);
  const char* postings = in.Take(h.postings * sizeof(Posting));
  std::vector<std::uint64_t> cells;
  in.CopyTo(&cells, h.cells);
  const std::uint64_t* has_doc_words = has_doc.words().data();  // tested inline in the hot loop below
  ReserveFresh(&terms_, term_count);
  terms_.resize(term_count);
  std::uint64_t text_at = 0;
  std::uint64_t posting_at = 0;
  std::uint64_t tf_sum = 0;
  std::size_t live_terms = 0;
  for (std::size_t id = 0; id < term_count; ++id) {
    const std::uint32_t df = U32At(dfs, id);
    const std::uint32_t text_size = U32At(text_sizes, id);
    if (text_size > h.text_bytes - text_at || df > h.postings - posting_at || (df == 0 && text_size != 0)) {
      return Inconsistent("term " + std::to_string(id) + " has a bad size or document frequency");
    }
    if (df == 0) continue;  // released: must be on the free list, checked below
    ++live_terms;
    Term& term = terms_[id];
    term.text.assign(texts + text_at, text_size);
    text_at += text_size;
    term_text_bytes_ += TextHeapBytes(term.text);
    term.postings.resize(df);
    std::memcpy(term.postings.data(), postings + posting_at * sizeof(Posting), df * sizeof(Posting));
    posting_at += df;
    posting_bytes_ += term.postings.capacity() * sizeof(Posting);
    term.df = df;
    std::uint64_t min_slot = 0;  // slots ascend strictly
    std::uint32_t max_tf = 0;
    for (const Posting& p : term.postings) {
      if (p.slot < min_slot || p.slot >= slots || ((has_doc_words[p.slot >> 6] >> (p.slot & 63)) & 1) == 0 ||
          p.tf == 0) {
        return Inconsistent("term " + std::to_string(id) + " has a bad posting (slot " +
                            std::to_string(p.slot) + ")");
      }
      min_slot = std::uint64_t{p.slot} + 1;
      max_tf = std::max(max_tf, p.tf);
      tf_sum += p.tf;
    }
    term.max_tf = max_tf;
  }
  if (text_at != h.text_bytes || posting_at != h.postings || tf_sum != h.total_length) {
    return Inconsistent("the terms do not match the counts");
  }

  // Free ids and the table: together they name every id exactly once.
  Bitset seen(term_count);
  if (free_term_ids_.size() != term_count - live_terms) {
    return Inconsistent("the free term ids are miscounted");
  }
  for (std::uint32_t id : free_term_ids_) {
    if (id >= term_count || U32At(dfs, id) != 0 || seen.Test(id)) {
      return Inconsistent("free term id " + std::to_string(id) + " is bad");
    }
    seen.Set(id);
  }
  const std::uint64_t cell_count = cells.size();
  const bool table_fits = cell_count == 0
                              ? live_terms == 0
                              : std::has_single_bit(cell_count) && live_terms * 10 <= cell_count * 7;
  if (!table_fits) return Inconsistent("the term table has a bad size");
  std::size_t named = 0;
  for (const std::uint64_t cell : cells) {
    if (cell == TermTable::kEmptyCell) continue;
    const auto id = static_cast<std::uint32_t>(cell);
    if (id >= term_count || U32At(dfs, id) == 0 || seen.Test(id)) {
      return Inconsistent("the term table names term id " + std::to_string(id) + " wrongly");
    }
    seen.Set(id);
    ++named;
  }
  if (named != live_terms) return Inconsistent("the term table lacks terms");
  table_.Adopt(std::move(cells), live_terms);
  doc_count_ = h.documents;
  total_length_ = h.total_length;
  return Status::OK();
}

}  // namespace memd::index
