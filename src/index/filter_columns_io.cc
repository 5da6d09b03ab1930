// FilterColumns::Save / Load.
//
// Format (little-endian; vectors are a u64 count then the elements):
//   u32 magic "MFC1", u32 version (1), u64 capacity
//   vector<u64> present bitset words
//   vector<i64> created_at, vector<i64> updated_at          (capacity entries each)
//   kind:   pool, vector<u32> id_of                           (capacity entries)
//   source: pool, vector<u32> id_of
//   tags:   pool, then per tag id: vector<u32> slots
//   metadata: path pool, string pool, then per path id:
//           vector<u32> slots, vector<u8> types, vector<u64> payloads
//   element index: u64 n, then n x (u32 path, u8 type, u64 payload, vector<u32> slots)
//   u32 magic "MFC1"
// where a pool is a u64 count then that many strings, in id order. Only present slots are
// written. Posting lists of kind/source and the eq index are rebuilt by Load.

#include <algorithm>
#include <span>
#include <tuple>
#include <string>
#include <vector>

#include "index/filter.h"
#include "index/filter_columns_impl.h"

namespace memd::index {
namespace {

constexpr std::uint32_t kMagic = 0x3143464D;  // "MFC1"
constexpr std::uint32_t kVersion = 1;

Status Corrupt(const std::string& what) {
  return Status::Corruption("filter columns snapshot is corrupt: " + what + "; rebuild the index");
}

void PutPool(BinaryWriter& out, const StringPool& pool) {
  out.Put<std::uint64_t>(pool.size());
  for (std::uint32_t id = 0; id < pool.size(); ++id) out.PutString(pool.Get(id));
}

Status GetPool(BinaryReader& in, StringPool* pool, const char* name) {
  std::uint64_t n = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&n));
  if (n >= kNoId) return Corrupt(std::string(name) + " pool too large");
  std::string s;
  for (std::uint64_t i = 0; i < n; ++i) {
    MEMD_RETURN_IF_ERROR(in.GetString(&s));
    if (pool->Intern(s) != i) return Corrupt(std::string("duplicate string in ") + name + " pool");
  }
  return Status::OK();
}

std::vector<Slot> PresentOnly(const std::vector<Slot>& list, const Bitset& present) {
  std::vector<Slot> out;
  for (Slot s : list) {
    if (present.Test(s)) out.push_back(s);
  }
  return out;
}

Status CheckSlots(const std::vector<Slot>& slots, const Bitset& present, const char* what) {
  for (Slot s : slots) {
    if (!present.Test(s)) return Corrupt(std::string(what) + " names slot " + std::to_string(s) + ", not present");
  }
  return Status::OK();
}

Status CheckCell(std::uint8_t type, std::uint64_t payload, const StringPool& strings) {
  if (type > kMaxCellType) return Corrupt("unknown metadata value type " + std::to_string(type));
  switch (static_cast<CellType>(type)) {
    case CellType::kNull:
      if (payload != 0) return Corrupt("null value with a payload");
      break;
    case CellType::kBool:
      if (payload > 1) return Corrupt("boolean value out of range");
      break;
    case CellType::kString:
      if (payload >= strings.size()) return Corrupt("metadata string id out of range");
      break;
    case CellType::kNumber:
      break;
  }
  return Status::OK();
}

// Reads a kind/source column and rebuilds its postings from id_of.
Status GetStringColumn(BinaryReader& in, const Bitset& present, bool required, StringColumn* column,
                       const char* name) {
  MEMD_RETURN_IF_ERROR(GetPool(in, &column->pool, name));
  MEMD_RETURN_IF_ERROR(in.GetVector(&column->id_of));
  if (column->id_of.size() != present.size()) return Corrupt(std::string(name) + " column has the wrong length");
  column->postings.resize(column->pool.size());
  for (Slot slot = 0; slot < column->id_of.size(); ++slot) {
    std::uint32_t id = column->id_of[slot];
    if (!present.Test(slot)) {
      if (id != kNoId) return Corrupt(std::string(name) + " set for an absent slot");
      continue;
    }
    if (id == kNoId && !required) continue;
    if (id >= column->pool.size()) return Corrupt(std::string(name) + " id out of range");
    column->postings[id].push_back(slot);
  }
  return Status::OK();
}

Status LoadImpl(BinaryReader& in, FilterColumns::Impl* c) {
  std::uint32_t magic = 0, version = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&magic));
  MEMD_RETURN_IF_ERROR(in.Get(&version));
  if (magic != kMagic) return Corrupt("bad magic number");
  if (version != kVersion) {
    return Corrupt("unsupported version " + std::to_string(version) + " (expected " + std::to_string(kVersion) + ")");
  }
  std::uint64_t capacity = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&capacity));
  if (capacity > std::uint64_t{kNoId}) return Corrupt("capacity out of range");
  std::vector<std::uint64_t> words;
  MEMD_RETURN_IF_ERROR(in.GetVector(&words));
  if (words.size() != (capacity + 63) / 64) return Corrupt("presence bitset has the wrong length");
  if (capacity % 64 != 0 && (words.back() >> (capacity % 64)) != 0) return Corrupt("presence bits beyond capacity");
  c->present = Bitset(capacity);
  c->present.mutable_words() = std::move(words);
  c->stale = Bitset(capacity);
  c->present_count = c->present.Count();

  MEMD_RETURN_IF_ERROR(in.GetVector(&c->created_at));
  MEMD_RETURN_IF_ERROR(in.GetVector(&c->updated_at));
  if (c->created_at.size() != capacity || c->updated_at.size() != capacity) {
    return Corrupt("time columns have the wrong length");
  }
  MEMD_RETURN_IF_ERROR(GetStringColumn(in, c->present, /*required=*/true, &c->kind, "kind"));
  MEMD_RETURN_IF_ERROR(GetStringColumn(in, c->present, /*required=*/false, &c->source, "source"));

  MEMD_RETURN_IF_ERROR(GetPool(in, &c->tags, "tag"));
  c->tag_postings.resize(c->tags.size());
  for (auto& list : c->tag_postings) {
    MEMD_RETURN_IF_ERROR(in.GetVector(&list));
    MEMD_RETURN_IF_ERROR(CheckSlots(list, c->present, "a tag posting"));
  }

  MEMD_RETURN_IF_ERROR(GetPool(in, &c->paths, "metadata path"));
  MEMD_RETURN_IF_ERROR(GetPool(in, &c->strings, "metadata string"));
  c->columns.resize(c->paths.size());
  std::vector<std::uint8_t> types;
  for (std::uint32_t path = 0; path < c->columns.size(); ++path) {
    PathColumn& column = c->columns[path];
    MEMD_RETURN_IF_ERROR(in.GetVector(&column.slots));
    MEMD_RETURN_IF_ERROR(in.GetVector(&types));
    MEMD_RETURN_IF_ERROR(in.GetVector(&column.payloads));
    if (types.size() != column.slots.size() || column.payloads.size() != column.slots.size()) {
      return Corrupt("metadata column arrays differ in length");
    }
    MEMD_RETURN_IF_ERROR(CheckSlots(column.slots, c->present, "a metadata column"));
    column.types.resize(types.size());
    for (std::size_t i = 0; i < types.size(); ++i) {
      MEMD_RETURN_IF_ERROR(CheckCell(types[i], column.payloads[i], c->strings));
      column.types[i] = static_cast<CellType>(types[i]);
      AppendPosting(c->eq_index[ValueKey{path, Cell{column.types[i], column.payloads[i]}}], column.slots[i]);
    }
  }

  std::uint64_t entries = 0;
  MEMD_RETURN_IF_ERROR(in.Get(&entries));
  for (std::uint64_t i = 0; i < entries; ++i) {
    std::uint32_t path = 0;
    std::uint8_t type = 0;
    std::uint64_t payload = 0;
    std::vector<Slot> slots;
    MEMD_RETURN_IF_ERROR(in.Get(&path));
    MEMD_RETURN_IF_ERROR(in.Get(&type));
    MEMD_RETURN_IF_ERROR(in.Get(&payload));
    MEMD_RETURN_IF_ERROR(in.GetVector(&slots));
    if (path >= c->paths.size()) return Corrupt("element index path id out of range");
    MEMD_RETURN_IF_ERROR(CheckCell(type, payload, c->strings));
    MEMD_RETURN_IF_ERROR(CheckSlots(slots, c->present, "the element index"));
    ValueKey key{path, Cell{static_cast<CellType>(type), payload}};
    if (!c->element_index.emplace(key, std::move(slots)).second) return Corrupt("duplicate element index entry");
  }
  MEMD_RETURN_IF_ERROR(in.Get(&magic));
  if (magic != kMagic) return Corrupt("bad end marker");
  return Status::OK();
}

}  // namespace

void FilterColumns::Save(BinaryWriter& out) const {
  const Impl& c = *impl_;
  out.Put(kMagic);
  out.Put(kVersion);
  out.Put<std::uint64_t>(c.capacity());
  out.PutVector(std::span<const std::uint64_t>(c.present.words()));
  out.PutVector(std::span<const Timestamp>(c.created_at));
  out.PutVector(std::span<const Timestamp>(c.updated_at));
  for (const StringColumn* column : {&c.kind, &c.source}) {
    PutPool(out, column->pool);
    out.PutVector(std::span<const std::uint32_t>(column->id_of));
  }
  PutPool(out, c.tags);
  for (const auto& list : c.tag_postings) out.PutVector(std::span<const Slot>(PresentOnly(list, c.present)));
  PutPool(out, c.paths);
  PutPool(out, c.strings);
  for (const PathColumn& column : c.columns) {
    std::vector<Slot> slots;
    std::vector<std::uint8_t> types;
    std::vector<std::uint64_t> payloads;
    for (std::size_t i = 0; i < column.slots.size(); ++i) {
      if (!c.present.Test(column.slots[i])) continue;
      slots.push_back(column.slots[i]);
      types.push_back(static_cast<std::uint8_t>(column.types[i]));
      payloads.push_back(column.payloads[i]);
    }
    out.PutVector(std::span<const Slot>(slots));
    out.PutVector(std::span<const std::uint8_t>(types));
    out.PutVector(std::span<const std::uint64_t>(payloads));
  }
  std::vector<std::pair<const ValueKey*, std::vector<Slot>>> elements;
  for (const auto& [key, list] : c.element_index) {
    std::vector<Slot> slots = PresentOnly(list, c.present);
    if (!slots.empty()) elements.emplace_back(&key, std::move(slots));
  }
  // Sorted, so that equal content saves to equal bytes whatever the hash order.
  std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
    const ValueKey& x = *a.first;
    const ValueKey& y = *b.first;
    return std::tie(x.path, x.cell.type, x.cell.payload) < std::tie(y.path, y.cell.type, y.cell.payload);
  });
  out.Put<std::uint64_t>(elements.size());
  for (const auto& [key, slots] : elements) {
    out.Put(key->path);
    out.Put(static_cast<std::uint8_t>(key->cell.type));
    out.Put(key->cell.payload);
    out.PutVector(std::span<const Slot>(slots));
  }
  out.Put(kMagic);
}

Status FilterColumns::Load(BinaryReader& in) {
  auto loaded = std::make_unique<Impl>();
  MEMD_RETURN_IF_ERROR(LoadImpl(in, loaded.get()));
  impl_ = std::move(loaded);
  return Status::OK();
}

}  // namespace memd::index
