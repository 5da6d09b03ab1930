#include "engine/cube_index.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <iterator>

#include "util/binary_io.h"

namespace memd::engine {
namespace {
constexpr std::uint32_t kMetaMagic = 0x4d444d49;  // "IMDM"
constexpr std::uint32_t kMetaVersion = 1;
}  // namespace

CubeIndex::CubeIndex(int dimension, const index::VectorIndexOptions& vector_options,
                     index::Bm25Params bm25_params)
    : dimension_(dimension),
      bm25_(bm25_params),
      vectors_(std::make_unique<index::VectorIndex>(dimension, vector_options)) {}

index::Slot CubeIndex::NewSlot(const store::MemoryRow& row) {
  auto slot = static_cast<index::Slot>(slot_doc_.size());
  slot_doc_.push_back(row.doc);
  std::array<char, 26> id{};
  std::memcpy(id.data(), row.memory.id.data(), std::min<std::size_t>(26, row.memory.id.size()));
  slot_id_.push_back(id);
  live_.Resize(slot_doc_.size());
  live_.Set(slot);
  return slot;
}

void CubeIndex::Apply(const store::MemoryRow& row, const std::vector<std::string>* terms) {
  const store::MemoryRow* rows[] = {&row};
  const std::vector<std::string>* row_terms[] = {terms};
  ApplyBatch(rows, row_terms);
}

void CubeIndex::ApplyBatch(std::span<const store::MemoryRow* const> rows,
                           std::span<const std::vector<std::string>* const> terms) {
  std::vector<index::Slot> slots;
  std::vector<float> vectors;
  std::vector<std::string> analyzed;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const store::MemoryRow& row = *rows[i];
    Remove(row.doc);
    if (row.memory.deleted) continue;
    index::Slot slot = NewSlot(row);
    doc_slot_[row.doc] = slot;
    const std::vector<std::string>* row_terms = i < terms.size() ? terms[i] : nullptr;
    if (row_terms == nullptr) {
      analyzed.clear();
      analyzer_.Analyze(row.memory.text, &analyzed);
      row_terms = &analyzed;
    }
    bm25_.Add(slot, *row_terms);
    slots.push_back(slot);
    vectors.insert(vectors.end(), row.embedding.begin(), row.embedding.end());
    filters_.Add(slot, row.memory);
    if (row.memory.expires_at) expiring_[slot] = *row.memory.expires_at;
  }
  if (!slots.empty()) vectors_->AddBatch(slots, vectors);
}

void CubeIndex::Remove(std::int64_t doc) {
  auto it = doc_slot_.find(doc);
  if (it == doc_slot_.end()) return;
  index::Slot slot = it->second;
  doc_slot_.erase(it);
  live_.Reset(slot);
  bm25_.Remove(slot);
  vectors_->Remove(slot);
  filters_.Remove(slot);
  expiring_.erase(slot);
}

void CubeIndex::Allowed(const index::Filter* filter, Timestamp now, std::unique_ptr<Bitset>* out) const {
  out->reset();
  bool any_expired = false;
  for (const auto& [slot, expires_at] : expiring_) {
    if (expires_at <= now) {
      any_expired = true;
      break;
    }
  }
  if ((filter == nullptr || filter->matches_all()) && !any_expired) return;
  auto allowed =
      std::make_unique<Bitset>(filter && !filter->matches_all() ? filter->Evaluate(filters_, live_) : live_);
  if (any_expired) {
    for (const auto& [slot, expires_at] : expiring_) {
      if (expires_at <= now) allowed->Reset(slot);
    }
  }
  *out = std::move(allowed);
}

void CubeIndex::CompleteSignals(std::span<const std::string> terms, std::span<const float> query_vector,
                                FusionInput* in) const {
  // A few dozen candidates per list: sorted vectors beat hash sets here.
  auto sorted_slots = [](const std::vector<index::ScoredSlot>& list) {
    std::vector<index::Slot> slots;
    slots.reserve(list.size());
    for (const auto& s : list) slots.push_back(s.slot);
    std::sort(slots.begin(), slots.end());
    return slots;
  };
  const std::vector<index::Slot> lexical = sorted_slots(in->lexical);
  const std::vector<index::Slot> vector = sorted_slots(in->vector);
  std::vector<index::Slot> lexical_only, vector_only;  // ascending
  std::set_difference(lexical.begin(), lexical.end(), vector.begin(), vector.end(), std::back_inserter(lexical_only));
  std::set_difference(vector.begin(), vector.end(), lexical.begin(), lexical.end(), std::back_inserter(vector_only));
  const std::vector<float> cosines = vectors_->ScoreSlots(query_vector, lexical_only);
  for (std::size_t i = 0; i < lexical_only.size(); ++i)
    in->vector_extra.push_back({lexical_only[i], cosines[i]});
  if (terms.empty()) return;
  const std::vector<float> bm25 = bm25_.ScoreSlots(terms, vector_only);
  for (std::size_t i = 0; i < vector_only.size(); ++i) in->lexical_extra.push_back({vector_only[i], bm25[i]});
}

std::size_t CubeIndex::MemoryBytes() const {
  return bm25_.MemoryBytes() + vectors_->MemoryBytes() + filters_.MemoryBytes() +
         slot_doc_.capacity() * (sizeof(std::int64_t) + sizeof(std::array<char, 26>)) +
         doc_slot_.size() * 32 + expiring_.size() * 48;
}

Status CubeIndex::Save(const std::string& dir) const {
  {
    BinaryWriter out(dir + "/meta.bin");
    out.Put(kMetaMagic);
    out.Put(kMetaVersion);
    out.Put<std::int32_t>(dimension_);
    out.Put<std::int64_t>(applied_seq());
    out.PutVector<std::int64_t>(slot_doc_);
    out.PutVector<std::array<char, 26>>(slot_id_);
    out.PutVector<std::uint64_t>(live_.words());
    out.Put<std::uint64_t>(live_.size());
    std::vector<index::Slot> expiring_slots;
    std::vector<Timestamp> expiring_times;
    for (const auto& [slot, t] : expiring_) {
      expiring_slots.push_back(slot);
      expiring_times.push_back(t);
    }
    out.PutVector<index::Slot>(expiring_slots);
    out.PutVector<Timestamp>(expiring_times);
    MEMD_RETURN_IF_ERROR(out.Finish());
  }
  {
    BinaryWriter out(dir + "/bm25.bin");
    bm25_.Save(out);
    MEMD_RETURN_IF_ERROR(out.Finish());
  }
  {
    BinaryWriter out(dir + "/filter.bin");
    filters_.Save(out);
    MEMD_RETURN_IF_ERROR(out.Finish());
  }
  BinaryWriter out(dir + "/vectors.bin");
  MEMD_RETURN_IF_ERROR(vectors_->Save(out, dir + "/hnsw.bin"));
  return out.Finish();
}

Status CubeIndex::Load(const std::string& dir) {
  // The vectors and graph (the largest part) load on a helper thread while this thread
  // loads the rest, so the two overlap on a multi-core machine. The future is joined before
  // any return.
  auto vectors_loaded = std::async(std::launch::async, [this, &dir] {
    BinaryReader in(dir + "/vectors.bin");
    MEMD_RETURN_IF_ERROR(in.status());
    return vectors_->Load(in, dir + "/hnsw.bin");
  });
  Status rest = LoadMetaBm25AndFilters(dir);
  Status vectors = vectors_loaded.get();
  MEMD_RETURN_IF_ERROR(rest);
  MEMD_RETURN_IF_ERROR(vectors);
  if (vectors_->live_count() != doc_slot_.size() || bm25_.doc_count() != doc_slot_.size()) {
    return Status::Corruption("snapshot " + dir + " components disagree on the number of live documents");
  }
  return Status::OK();
}

Status CubeIndex::LoadMetaBm25AndFilters(const std::string& dir) {
  {
    BinaryReader in(dir + "/meta.bin");
    MEMD_RETURN_IF_ERROR(in.status());
    std::uint32_t magic = 0, version = 0;
    std::int32_t dimension = 0;
    MEMD_RETURN_IF_ERROR(in.Get(&magic));
    MEMD_RETURN_IF_ERROR(in.Get(&version));
    if (magic != kMetaMagic || version != kMetaVersion) {
      return Status::Corruption(dir + "/meta.bin has an unknown format");
    }
    MEMD_RETURN_IF_ERROR(in.Get(&dimension));
    if (dimension != dimension_) return Status::Corruption(dir + "/meta.bin has the wrong dimension");
    std::int64_t applied = 0;
    MEMD_RETURN_IF_ERROR(in.Get(&applied));
    set_applied_seq(applied);
    MEMD_RETURN_IF_ERROR(in.GetVector(&slot_doc_));
    MEMD_RETURN_IF_ERROR(in.GetVector(&slot_id_));
    std::vector<std::uint64_t> words;
    std::uint64_t live_size = 0;
    MEMD_RETURN_IF_ERROR(in.GetVector(&words));
    MEMD_RETURN_IF_ERROR(in.Get(&live_size));
    std::vector<index::Slot> expiring_slots;
    std::vector<Timestamp> expiring_times;
    MEMD_RETURN_IF_ERROR(in.GetVector(&expiring_slots));
    MEMD_RETURN_IF_ERROR(in.GetVector(&expiring_times));
    if (slot_id_.size() != slot_doc_.size() || live_size != slot_doc_.size() ||
        words.size() != (live_size + 63) / 64 || expiring_slots.size() != expiring_times.size() ||
        !in.AtEnd()) {
      return Status::Corruption(dir + "/meta.bin is inconsistent");
    }
    live_.Resize(live_size);
    live_.mutable_words() = std::move(words);
    doc_slot_.clear();
    bool consistent = true;
    live_.ForEach([&](std::size_t slot) {
      consistent &= doc_slot_.emplace(slot_doc_[slot], static_cast<index::Slot>(slot)).second;
    });
    expiring_.clear();
    for (std::size_t i = 0; i < expiring_slots.size(); ++i) {
      index::Slot slot = expiring_slots[i];
      consistent &= slot < live_size && live_.Test(slot);
      expiring_[slot] = expiring_times[i];
    }
    if (!consistent)
      return Status::Corruption(dir + "/meta.bin maps a document twice or expires a dead slot");
  }
  {
    BinaryReader in(dir + "/bm25.bin");
    MEMD_RETURN_IF_ERROR(in.status());
    MEMD_RETURN_IF_ERROR(bm25_.Load(in));
  }
  {
    BinaryReader in(dir + "/filter.bin");
    MEMD_RETURN_IF_ERROR(in.status());
    MEMD_RETURN_IF_ERROR(filters_.Load(in));
  }
  return Status::OK();
}

std::string CubeIndex::Diff(const CubeIndex& other) const {
  if (live_count() != other.live_count()) {
    return "live documents: " + std::to_string(live_count()) + " vs " + std::to_string(other.live_count());
  }
  if (bm25_.doc_count() != other.bm25_.doc_count() || bm25_.total_length() != other.bm25_.total_length()) {
    return "BM25 statistics differ (documents or total length)";
  }
  if (vectors_->live_count() != other.vectors_->live_count()) return "vector counts differ";
  if (expiring_.size() != other.expiring_.size()) return "expiring memory counts differ";
  for (const auto& [doc, slot] : doc_slot_) {
    auto it = other.doc_slot_.find(doc);
    if (it == other.doc_slot_.end()) return "doc " + std::to_string(doc) + " is missing from the other index";
    index::Slot other_slot = it->second;
    if (slot_id_[slot] != other.slot_id_[other_slot]) return "doc " + std::to_string(doc) + " has another id";
    if (bm25_.DocTerms(slot) != other.bm25_.DocTerms(other_slot)) {
      return "doc " + std::to_string(doc) + " has other BM25 terms";
    }
    if (vectors_->Vector(slot) != other.vectors_->Vector(other_slot)) {
      return "doc " + std::to_string(doc) + " has another vector";
    }
  }
  return {};
}

}  // namespace memd::engine
