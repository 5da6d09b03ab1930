// Internal: the parsed form of a filter, shared by the parser (filter_parse.cc), the
// per-memory evaluator (filter_match.cc) and the column evaluator (filter_eval.cc).
//
// The parser normalises operators so that evaluators handle few cases:
//   ne -> negated eq; nin -> negated in; eq -> in with one value (kind, source, metadata);
//   tags contains -> any with one value; created_at/updated_at -> an inclusive range,
//   negated for ne.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "index/filter.h"
#include "memd/memory.h"

namespace memd::index {

enum class FilterField : std::uint8_t { kKind, kTags, kCreatedAt, kUpdatedAt, kSource, kMetadata };

// What a condition tests, after normalisation.
enum class FilterTest : std::uint8_t {
  kIn,        // value equals one of values (kind, source, metadata)
  kContains,  // substring of a string / element of an array, values[0] (kind, source, metadata)
  kAny,       // has at least one of values (tags)
  kAll,       // has every one of values (tags)
  kRange,     // lo <= time <= hi (created_at, updated_at)
  kGt,        // value > values[0] (metadata; same type only)
  kGte,
  kLt,
  kLte,
};

// A JSON scalar: a filter value, or (in Matches) a metadata value. Numbers are doubles.
struct FilterScalar {
  enum class Type : std::uint8_t { kNull, kBool, kNumber, kString };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
};

struct Filter::Node {
  enum class Type : std::uint8_t { kAnd, kOr, kNot, kCondition };
  Type type = Type::kCondition;
  std::vector<Node> children;  // kAnd/kOr: one or more; kNot: exactly one

  // kCondition only.
  FilterField field = FilterField::kKind;
  FilterTest test = FilterTest::kIn;
  bool negate = false;                // the condition matches where the test fails
  std::string path;                   // kMetadata: the keys joined by '.'
  std::vector<std::string> keys;      // kMetadata: non-empty, dot-free keys
  std::vector<FilterScalar> values;   // kIn/kContains/kAny/kAll/kGt..kLte
  Timestamp lo = 0;                   // kRange
  Timestamp hi = 0;
};

// Parses a memory's metadata text into a JSON object, the one way both evaluators and
// FilterColumns::Add read metadata. Text that is not a JSON object (or is nested deeper
// than the parser allows) yields an empty object. Never throws.
boost::json::object ParseMetadataObject(std::string_view text);

// The JSON number as a double, with -0 folded into +0 so equal numbers have equal bits.
double JsonNumberAsDouble(const boost::json::value& v);

}  // namespace memd::index
