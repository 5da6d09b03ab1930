// The metadata filter language: parsing (with precise error paths), per-slot filter
// columns, and evaluation to a set of slots. Grammar: see SearchRequest in memd/search.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "index/scored.h"
#include "memd/memory.h"
#include "memd/status.h"
#include "util/binary_io.h"
#include "util/bitset.h"

namespace memd::index {

// The filterable attributes of every slot of one cube: kind, tags, created_at, updated_at,
// source uri and metadata fields (by dotted path). Thread-compatible.
class FilterColumns {
 public:
  FilterColumns();
  ~FilterColumns();
  FilterColumns(FilterColumns&&) noexcept;
  FilterColumns& operator=(FilterColumns&&) noexcept;

  // Records m's attributes at a slot not currently present. m.metadata is canonical JSON.
  void Add(Slot slot, const Memory& m);
  void Remove(Slot slot);
  std::size_t MemoryBytes() const;
  void Save(BinaryWriter& out) const;
  Status Load(BinaryReader& in);

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// A parsed, validated filter. Immutable; thread-safe.
class Filter {
 public:
  // Parses JSON text. Empty text (or "{}"/"null") is the match-everything filter.
  // Errors: InvalidArgument naming the path below `root`, e.g. "filter.and[2].op", for
  // malformed JSON, unknown keys/fields/operators, and values of the wrong type.
  static Result<Filter> Parse(std::string_view json, std::string_view root = "filter");

  bool matches_all() const;
  // Slots of `live` that match.
  Bitset Evaluate(const FilterColumns& columns, const Bitset& live) const;
  // Whether one memory matches (same semantics as Evaluate).
  bool Matches(const Memory& m) const;

  struct Node;
 private:
  std::shared_ptr<const Node> root_;  // null: matches everything
};

}  // namespace memd::index
