// Test helpers for the filter tests: a small corpus indexed in FilterColumns, evaluated both
// ways (Evaluate over the columns, Matches per memory), which must agree.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/filter.h"

namespace memd::index::testing {

inline Memory MakeMemory(std::string kind, std::vector<std::string> tags, Timestamp created_at,
                         std::string metadata, std::optional<std::string> source_uri = std::nullopt,
                         std::optional<Timestamp> updated_at = std::nullopt) {
  Memory m;
  m.id = "01J00000000000000000000000";
  m.text = "text";
  m.kind = std::move(kind);
  m.tags = std::move(tags);
  m.created_at = created_at;
  m.updated_at = updated_at.value_or(created_at);
  m.metadata = std::move(metadata);
  if (source_uri) m.source = SourceRef{*source_uri, std::nullopt, std::nullopt};
  return m;
}

// Memories at slots 0..n-1 (absent ones are nullopt), indexed in columns.
class Corpus {
 public:
  void Add(Slot slot, Memory m) {
    if (memories_.size() <= slot) memories_.resize(slot + 1);
    columns_.Add(slot, m);  // replaces a present slot's attributes
    memories_[slot] = std::move(m);
  }
  void Remove(Slot slot) {
    columns_.Remove(slot);
    if (slot < memories_.size()) memories_[slot].reset();
  }
  // Every present slot.
  Bitset Live() const {
    Bitset live(memories_.size());
    for (Slot s = 0; s < memories_.size(); ++s) {
      if (memories_[s]) live.Set(s);
    }
    return live;
  }
  FilterColumns& columns() { return columns_; }
  const std::optional<Memory>& memory(Slot slot) const { return memories_[slot]; }
  std::size_t slots() const { return memories_.size(); }

  // The matching slots of `live` by Evaluate; adds a failure if Matches disagrees.
  std::vector<Slot> Select(const Filter& filter, const Bitset& live, std::string_view label = "") const {
    Bitset result = filter.Evaluate(columns_, live);
    EXPECT_EQ(result.size(), live.size()) << label;
    std::vector<Slot> out;
    result.ForEach([&](std::size_t s) { out.push_back(static_cast<Slot>(s)); });
    for (Slot s = 0; s < live.size(); ++s) {
      bool expected = live.Test(s) && s < memories_.size() && memories_[s] && filter.Matches(*memories_[s]);
      EXPECT_EQ(result.Test(s), expected) << label << ": slot " << s << " Evaluate disagrees with Matches";
    }
    return out;
  }
  std::vector<Slot> Select(std::string_view filter_json) const {
    Result<Filter> filter = Filter::Parse(filter_json);
    EXPECT_TRUE(filter.ok()) << filter_json << ": " << filter.status().ToString();
    if (!filter.ok()) return {};
    return Select(*filter, Live(), filter_json);
  }

 private:
  FilterColumns columns_;
  std::vector<std::optional<Memory>> memories_;
};

}  // namespace memd::index::testing
