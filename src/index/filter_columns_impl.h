// Internal: the layout of FilterColumns, shared by filter_columns.cc (writes, persistence)
// and filter_eval.cc (reads).
//
// Layout. Per slot, dense arrays hold created_at, updated_at and the interned ids of kind
// and source uri. Posting lists (unsorted slot vectors) map each kind, source uri and tag
// to its slots. Metadata is flattened at Add into one column per dotted path holding the
// path's scalar values (slot, type, payload); arrays are not stored as values, only their
// scalar elements, in the element index. The eq index maps (path, scalar) to the slots
// whose value at path is that scalar; the element index maps (path, scalar) to the slots
// whose array at path contains it.
//
// Invariants.
//   1. Every entry of every posting list, path column and index belongs to a slot that is
//      present, or to a stale slot (removed since the last Compact). No present slot is
//      stale, so ANDing with `present` drops every stale entry; Add of a stale slot first
//      compacts (rare: slots are normally never reused).
//   2. Dense arrays have capacity() entries; present.size() == stale.size() == capacity().
//      Entries of absent slots hold kNoId / 0.
//   3. Every id stored anywhere is < the size of its pool; payloads of kString cells are
//      ids in `strings`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/filter.h"

namespace memd::index {

inline constexpr std::uint32_t kNoId = UINT32_MAX;

// Interns strings as dense ids. Ids are never reused while the pool lives.
class StringPool {
 public:
  std::uint32_t Intern(std::string_view s);
  // kNoId when absent.
  std::uint32_t Find(std::string_view s) const;
  const std::string& Get(std::uint32_t id) const { return *strings_[id]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(strings_.size()); }
  std::size_t MemoryBytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<const std::string*> strings_;  // keys of ids_ (node-based: stable addresses)
};

// The type of a metadata cell.
enum class CellType : std::uint8_t { kNull = 0, kBool = 1, kNumber = 2, kString = 3 };
inline constexpr std::uint8_t kMaxCellType = 3;

// A typed metadata scalar. payload: bool 0/1; number: the bits of the double (-0 folded
// into +0); string: an id in FilterColumns::Impl::strings; null: 0.
struct Cell {
  CellType type = CellType::kNull;
  std::uint64_t payload = 0;
  friend bool operator==(const Cell&, const Cell&) = default;
};

// The scalar values of one metadata path.
struct PathColumn {
  std::vector<Slot> slots;
  std::vector<CellType> types;
  std::vector<std::uint64_t> payloads;
};

// A key of the eq and element indexes.
struct ValueKey {
  std::uint32_t path = 0;
  Cell cell;
  friend bool operator==(const ValueKey&, const ValueKey&) = default;
};
struct ValueKeyHash {
  std::size_t operator()(const ValueKey& k) const {
    std::uint64_t h = (std::uint64_t{k.path} << 8 | static_cast<std::uint64_t>(k.cell.type)) *
                      0x9E3779B97F4A7C15ULL;
    h ^= k.cell.payload + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h * 0xBF58476D1CE4E5B9ULL >> 13);
  }
};
using ValueIndex = std::unordered_map<ValueKey, std::vector<Slot>, ValueKeyHash>;

// A string attribute with one value per slot (or none): kind, source uri.
struct StringColumn {
  std::vector<std::uint32_t> id_of;          // by slot; kNoId: none
  StringPool pool;
  std::vector<std::vector<Slot>> postings;   // by id
};

struct FilterColumns::Impl {
  Bitset present;
  Bitset stale;
  std::size_t present_count = 0;
  std::size_t stale_count = 0;

  std::vector<Timestamp> created_at;  // by slot
  std::vector<Timestamp> updated_at;  // by slot
  StringColumn kind;
  StringColumn source;
  StringPool tags;
  std::vector<std::vector<Slot>> tag_postings;  // by tag id

  StringPool paths;                  // dotted metadata paths
  std::vector<PathColumn> columns;   // by path id
  StringPool strings;                // metadata string values
  ValueIndex eq_index;
  ValueIndex element_index;

  std::size_t capacity() const { return created_at.size(); }
  // Grows every per-slot structure to hold `slot`.
  void Reserve(Slot slot);
  // Purges the entries of stale slots (invariant 1) and clears `stale`.
  void Compact();
  std::size_t MemoryBytes() const;
};

// Appends slot to a posting list unless it is already the last entry.
inline void AppendPosting(std::vector<Slot>& list, Slot slot) {
  if (list.empty() || list.back() != slot) list.push_back(slot);
}

}  // namespace memd::index
