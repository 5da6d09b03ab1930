// The metadata filter language: parsing (with precise error paths), per-slot filter
// columns, and evaluation to a set of slots. Grammar: see SearchRequest in memd/search.h.
//
// Semantics, per field (a memory "lacks" a field when it has no source, or its metadata has
// nothing at the path):
//   kind, source   eq ne in nin contains   value: a string (in/nin: an array of strings);
//                                          contains is substring. A memory without a
//                                          source matches only ne and nin.
//   tags           any all contains        any/all: an array of strings (any [] matches
//                                          nothing, all [] everything); contains: one string.
//   created_at,    eq ne gt gte lt lte     value: integer milliseconds since the epoch or an
//   updated_at                             RFC 3339 string ("2026-11-21T12:00:00Z", or a
//                                          date alone meaning midnight UTC).
//   metadata.a.b   eq ne                   any scalar (string, number, true/false, null);
//                  gt gte lt lte           a number or a string; strings compare bytewise
//                                          (UTF-8 code point order); a value of the other
//                                          type does not match;
//                  in nin                  an array of scalars;
//                  contains                a scalar: substring when the memory's value is a
//                                          string; element equality when it is an array.
//   The path descends through nested objects, one key per dot; keys that are empty or
//   contain '.' cannot be addressed, nor can elements of arrays. A value that is an object
//   or an array equals no scalar (use contains for arrays). Numbers compare as doubles, so
//   3 == 3.0 (integers beyond 2^53 lose precision); null equals only null.
//   ne and nin are exact complements of eq and in: they match memories lacking the field.
//   All other operators never match a memory lacking the field.
// Limits: at most kMaxFilterNodes and/or/not/condition nodes, kMaxFilterDepth levels, and
// kMaxFilterValues elements in one value array.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "index/scored.h"
#include "memd/memory.h"
#include "memd/status.h"
#include "util/binary_io.h"
#include "util/bitset.h"

namespace memd::index {

inline constexpr int kMaxFilterNodes = 256;
inline constexpr int kMaxFilterDepth = 16;
inline constexpr std::size_t kMaxFilterValues = 1024;

// The filterable attributes of every slot of one cube: kind, tags, created_at, updated_at,
// source uri and metadata fields (by dotted path), stored column-wise with posting lists so
// that Filter::Evaluate never touches a memory. Thread-compatible: const methods (and
// Filter::Evaluate) may run concurrently; writers need exclusive access.
//
// Cost: Add is O(size of the memory's attributes); Remove is O(1) amortised (entries of
// removed slots are purged in bulk once they outnumber the live ones). Adding at a slot
// that was removed (or is present) since the last purge forces a purge, O(all entries):
// fine for rare reuse, not for update-in-place of one slot. Strings (kinds, tags, uris,
// metadata keys and string values) stay interned until the next Load.
// A moved-from object may only be destroyed or assigned to.
class FilterColumns {
 public:
  FilterColumns();
  ~FilterColumns();
  FilterColumns(FilterColumns&&) noexcept;
  FilterColumns& operator=(FilterColumns&&) noexcept;

  // Records m's attributes at a slot not currently present (if it is, its old attributes
  // are replaced). m.metadata is canonical JSON; text that is not a JSON object (or nests
  // deeper than 64 levels) counts as {}, here and in Filter::Matches alike. Slots should be
  // dense: memory grows with the largest slot.
  void Add(Slot slot, const Memory& m);
  // Forgets a slot; no-op if absent. The slot may be added again later.
  void Remove(Slot slot);
  // Slots currently present.
  std::size_t size() const;
  // Estimated heap bytes.
  std::size_t MemoryBytes() const;
  // Serialises the present slots. Load replaces this object's content; on failure
  // (Corruption for malformed or inconsistent input) the content is unchanged.
  void Save(BinaryWriter& out) const;
  Status Load(BinaryReader& in);

  struct Impl;
 private:
  friend class Filter;
  std::unique_ptr<Impl> impl_;
};

// A parsed, validated filter. Immutable; thread-safe. A default-constructed Filter matches
// everything.
class Filter {
 public:
  // Parses JSON text. Empty (or all-whitespace) text, "{}" and "null" are the
  // match-everything filter; nested filters may not be empty.
  // Errors: InvalidArgument whose field() names the path below `root`, e.g.
  // "filter.and[2].op", and whose message says what is allowed there: for malformed JSON,
  // unknown keys/fields/operators, operators that do not apply to the field, values of the
  // wrong type, empty and/or arrays, and the limits above.
  static Result<Filter> Parse(std::string_view json, std::string_view root = "filter");

  bool matches_all() const;
  // The slots of `live` that were Added to `columns` (and not removed since) and match.
  // The result has live.size() bits; NOT is relative to those slots. Cost: proportional to
  // the posting lists involved, plus O(live.size() / 64) per node, plus a scan of the
  // slots for a created_at/updated_at condition or of the path's values for a metadata
  // comparison or substring.
  Bitset Evaluate(const FilterColumns& columns, const Bitset& live) const;
  // Whether one memory matches (same semantics as Evaluate). Parses m.metadata once if the
  // filter has a metadata condition.
  bool Matches(const Memory& m) const;

  struct Node;
 private:
  std::shared_ptr<const Node> root_;  // null: matches everything
};

}  // namespace memd::index
