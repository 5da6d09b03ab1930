// FilterColumns: Add/Remove and compaction. Persistence is in filter_columns_io.cc.

#include <algorithm>
#include <bit>
#include <iterator>
#include <string>
#include <utility>

#include <boost/json/value.hpp>

#include "index/filter.h"
#include "index/filter_columns_impl.h"
#include "index/filter_node.h"

namespace memd::index {
namespace {

namespace json = boost::json;

// Compaction runs once removed slots outnumber max(this, present slots).
constexpr std::size_t kMinStaleBeforeCompact = 1024;

template <typename T>
std::size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

std::size_t PostingsBytes(const std::vector<std::vector<Slot>>& lists) {
  std::size_t n = VectorBytes(lists);
  for (const auto& l : lists) n += VectorBytes(l);
  return n;
}

std::size_t IndexBytes(const ValueIndex& index) {
  // A node holds the key, the vector and a cached hash and link; one bucket pointer each.
  std::size_t n = index.bucket_count() * sizeof(void*);
  for (const auto& [key, slots] : index) n += sizeof(key) + sizeof(slots) + 2 * sizeof(void*) + VectorBytes(slots);
  return n;
}

// Releases the spare capacity of a vector that shrank to less than half of it.
template <typename T>
void ShrinkIfSparse(std::vector<T>& v) {
  if (v.size() < v.capacity() / 2) v.shrink_to_fit();
}

void ErasePostings(std::vector<Slot>& list, const Bitset& present) {
  std::erase_if(list, [&](Slot s) { return !present.Test(s); });
  ShrinkIfSparse(list);
}

void AddString(StringColumn& column, Slot slot, std::string_view value) {
  std::uint32_t id = column.pool.Intern(value);
  if (id == column.postings.size()) column.postings.emplace_back();
  AppendPosting(column.postings[id], slot);
  column.id_of[slot] = id;
}

// Appends a metadata scalar at (path, slot) to the path column and the eq index.
class Flattener {
 public:
  Flattener(FilterColumns::Impl& c, Slot slot) : c_(c), slot_(slot) {}

  void Object(const json::object& obj) {
    for (const auto& entry : obj) {
      std::string_view key = entry.key();
      // Filter paths cannot name these keys, so storing them could only cause false matches.
      if (key.empty() || key.find('.') != std::string_view::npos) continue;
      std::size_t old_size = path_.size();
      if (old_size > 0) path_ += '.';
      path_ += key;
      Value(entry.value());
      path_.resize(old_size);
    }
  }

 private:
  void Value(const json::value& v) {
    if (v.is_object()) {
      Object(v.get_object());
      return;
    }
    std::uint32_t path = PathId();
    if (v.is_array()) {
      for (const json::value& element : v.get_array()) {
        Cell cell;
        if (ToCell(element, &cell)) AppendPosting(c_.element_index[ValueKey{path, cell}], slot_);
      }
      return;
    }
    Cell cell;
    if (!ToCell(v, &cell)) return;
    PathColumn& column = c_.columns[path];
    column.slots.push_back(slot_);
    column.types.push_back(cell.type);
    column.payloads.push_back(cell.payload);
    AppendPosting(c_.eq_index[ValueKey{path, cell}], slot_);
  }

  std::uint32_t PathId() {
    std::uint32_t id = c_.paths.Intern(path_);
    if (id == c_.columns.size()) c_.columns.emplace_back();
    return id;
  }

  // False for arrays and objects, which have no cell.
  bool ToCell(const json::value& v, Cell* cell) {
    if (v.is_null()) {
      *cell = Cell{CellType::kNull, 0};
    } else if (v.is_bool()) {
      *cell = Cell{CellType::kBool, v.get_bool() ? 1u : 0u};
    } else if (v.is_number()) {
      *cell = Cell{CellType::kNumber, std::bit_cast<std::uint64_t>(JsonNumberAsDouble(v))};
    } else if (v.is_string()) {
      *cell = Cell{CellType::kString, c_.strings.Intern(v.get_string())};
    } else {
      return false;
    }
    return true;
  }

  FilterColumns::Impl& c_;
  Slot slot_;
  std::string path_;
};

}  // namespace

std::uint32_t StringPool::Intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  auto [inserted, unused] = ids_.emplace(std::string(s), size());
  strings_.push_back(&inserted->first);
  return inserted->second;
}

std::uint32_t StringPool::Find(std::string_view s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? kNoId : it->second;
}

std::size_t StringPool::MemoryBytes() const {
  std::size_t n = ids_.bucket_count() * sizeof(void*) + VectorBytes(strings_);
  for (const auto& [s, id] : ids_) {
    n += sizeof(s) + sizeof(id) + 2 * sizeof(void*);
    if (s.capacity() > 15) n += s.capacity() + 1;  // beyond the small-string buffer
  }
  return n;
}

void FilterColumns::Impl::Reserve(Slot slot) {
  if (slot < capacity()) return;
  std::size_t n = std::size_t{slot} + 1;
  created_at.resize(n, 0);
  updated_at.resize(n, 0);
  kind.id_of.resize(n, kNoId);
  source.id_of.resize(n, kNoId);
  present.Resize(n);
  stale.Resize(n);
}

void FilterColumns::Impl::Compact() {
  if (stale_count == 0) return;
  for (auto& list : kind.postings) ErasePostings(list, present);
  for (auto& list : source.postings) ErasePostings(list, present);
  for (auto& list : tag_postings) ErasePostings(list, present);
  for (PathColumn& column : columns) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < column.slots.size(); ++i) {
      if (!present.Test(column.slots[i])) continue;
      column.slots[out] = column.slots[i];
      column.types[out] = column.types[i];
      column.payloads[out] = column.payloads[i];
      ++out;
    }
    column.slots.resize(out);
    column.types.resize(out);
    column.payloads.resize(out);
    ShrinkIfSparse(column.slots);
    ShrinkIfSparse(column.types);
    ShrinkIfSparse(column.payloads);
  }
  for (ValueIndex* index : {&eq_index, &element_index}) {
    for (auto it = index->begin(); it != index->end();) {
      ErasePostings(it->second, present);
      it = it->second.empty() ? index->erase(it) : std::next(it);
    }
  }
  stale = Bitset(capacity());
  stale_count = 0;
}

std::size_t FilterColumns::Impl::MemoryBytes() const {
  std::size_t n = sizeof(*this) + present.words().capacity() * 8 + stale.words().capacity() * 8 +
                  VectorBytes(created_at) + VectorBytes(updated_at);
  for (const StringColumn* c : {&kind, &source}) {
    n += VectorBytes(c->id_of) + c->pool.MemoryBytes() + PostingsBytes(c->postings);
  }
  n += tags.MemoryBytes() + PostingsBytes(tag_postings);
  n += paths.MemoryBytes() + strings.MemoryBytes() + VectorBytes(columns);
  for (const PathColumn& c : columns) n += VectorBytes(c.slots) + VectorBytes(c.types) + VectorBytes(c.payloads);
  n += IndexBytes(eq_index) + IndexBytes(element_index);
  return n;
}

FilterColumns::FilterColumns() : impl_(std::make_unique<Impl>()) {}
FilterColumns::~FilterColumns() = default;
FilterColumns::FilterColumns(FilterColumns&&) noexcept = default;
FilterColumns& FilterColumns::operator=(FilterColumns&&) noexcept = default;

void FilterColumns::Add(Slot slot, const Memory& m) {
  Impl& c = *impl_;
  if (slot < c.capacity() && c.present.Test(slot)) Remove(slot);
  c.Reserve(slot);
  if (c.stale.Test(slot)) c.Compact();  // invariant 1: no present slot is stale
  c.present.Set(slot);
  ++c.present_count;
  c.created_at[slot] = m.created_at;
  c.updated_at[slot] = m.updated_at;
  AddString(c.kind, slot, m.kind);
  if (m.source.has_value()) AddString(c.source, slot, m.source->uri);
  for (const std::string& tag : m.tags) {
    std::uint32_t id = c.tags.Intern(tag);
    if (id == c.tag_postings.size()) c.tag_postings.emplace_back();
    AppendPosting(c.tag_postings[id], slot);
  }
  json::object metadata = ParseMetadataObject(m.metadata);
  Flattener(c, slot).Object(metadata);
}

void FilterColumns::Remove(Slot slot) {
  Impl& c = *impl_;
  if (slot >= c.capacity() || !c.present.Test(slot)) return;
  c.present.Reset(slot);
  c.stale.Set(slot);
  --c.present_count;
  ++c.stale_count;
  c.created_at[slot] = 0;
  c.updated_at[slot] = 0;
  c.kind.id_of[slot] = kNoId;
  c.source.id_of[slot] = kNoId;
  if (c.stale_count > std::max(kMinStaleBeforeCompact, c.present_count)) c.Compact();
}

std::size_t FilterColumns::size() const { return impl_->present_count; }

std::size_t FilterColumns::MemoryBytes() const { return impl_->MemoryBytes(); }

}  // namespace memd::index
