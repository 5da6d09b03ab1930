// Filter::Matches: evaluation of a filter against one Memory (the slow path, used by List).

#include <algorithm>
#include <optional>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "index/filter.h"
#include "index/filter_node.h"

namespace memd::index {
namespace {

namespace json = boost::json;
using Node = Filter::Node;

// Nesting accepted in stored metadata; deeper documents count as {}.
constexpr std::size_t kMaxMetadataDepth = 64;

bool ScalarEquals(const json::value& v, const FilterScalar& s) {
  switch (s.type) {
    case FilterScalar::Type::kNull: return v.is_null();
    case FilterScalar::Type::kBool: return v.is_bool() && v.get_bool() == s.boolean;
    case FilterScalar::Type::kNumber: return v.is_number() && JsonNumberAsDouble(v) == s.number;
    case FilterScalar::Type::kString: return v.is_string() && std::string_view(v.get_string()) == s.string;
  }
  return false;
}

// Whether v (a scalar of the same type as s) compares to s as `test` requires.
bool ScalarCompares(const json::value& v, const FilterScalar& s, FilterTest test) {
  int order = 0;  // <0, 0, >0: v before, equal to, after s
  if (s.type == FilterScalar::Type::kNumber && v.is_number()) {
    double d = JsonNumberAsDouble(v);
    order = d < s.number ? -1 : (d > s.number ? 1 : 0);
  } else if (s.type == FilterScalar::Type::kString && v.is_string()) {
    order = std::string_view(v.get_string()).compare(s.string);
  } else {
    return false;
  }
  switch (test) {
    case FilterTest::kGt: return order > 0;
    case FilterTest::kGte: return order >= 0;
    case FilterTest::kLt: return order < 0;
    case FilterTest::kLte: return order <= 0;
    default: return false;
  }
}

bool HasTag(const Memory& m, const std::string& tag) {
  return std::find(m.tags.begin(), m.tags.end(), tag) != m.tags.end();
}

// One memory being matched; parses its metadata on first use.
class Matcher {
 public:
  explicit Matcher(const Memory& m) : m_(m) {}

  bool Match(const Node& node) {
    switch (node.type) {
      case Node::Type::kAnd:
        return std::all_of(node.children.begin(), node.children.end(), [&](const Node& c) { return Match(c); });
      case Node::Type::kOr:
        return std::any_of(node.children.begin(), node.children.end(), [&](const Node& c) { return Match(c); });
      case Node::Type::kNot:
        return !Match(node.children[0]);
      case Node::Type::kCondition:
        return Test(node) != node.negate;
    }
    return false;
  }

 private:
  // The condition's test, before negation.
  bool Test(const Node& node) {
    switch (node.field) {
      case FilterField::kKind:
        return TestString(node, m_.kind);
      case FilterField::kSource:
        return m_.source.has_value() && TestString(node, m_.source->uri);
      case FilterField::kTags:
        if (node.test == FilterTest::kAll) {
          return std::all_of(node.values.begin(), node.values.end(),
                             [&](const FilterScalar& s) { return HasTag(m_, s.string); });
        }
        return std::any_of(node.values.begin(), node.values.end(),
                           [&](const FilterScalar& s) { return HasTag(m_, s.string); });
      case FilterField::kCreatedAt:
        return node.lo <= m_.created_at && m_.created_at <= node.hi;
      case FilterField::kUpdatedAt:
        return node.lo <= m_.updated_at && m_.updated_at <= node.hi;
      case FilterField::kMetadata:
        return TestMetadata(node);
    }
    return false;
  }

  static bool TestString(const Node& node, std::string_view value) {
    if (node.test == FilterTest::kContains) return value.find(node.values[0].string) != std::string_view::npos;
    return std::any_of(node.values.begin(), node.values.end(),
                       [&](const FilterScalar& s) { return s.string == value; });
  }

  bool TestMetadata(const Node& node) {
    const json::value* v = Lookup(node.keys);
    if (v == nullptr) return false;
    switch (node.test) {
      case FilterTest::kIn:
        return std::any_of(node.values.begin(), node.values.end(),
                           [&](const FilterScalar& s) { return ScalarEquals(*v, s); });
      case FilterTest::kContains: {
        const FilterScalar& needle = node.values[0];
        if (v->is_string()) {
          return needle.type == FilterScalar::Type::kString &&
                 std::string_view(v->get_string()).find(needle.string) != std::string_view::npos;
        }
        if (v->is_array()) {
          const json::array& items = v->get_array();
          return std::any_of(items.begin(), items.end(),
                             [&](const json::value& e) { return ScalarEquals(e, needle); });
        }
        return false;
      }
      case FilterTest::kGt:
      case FilterTest::kGte:
      case FilterTest::kLt:
      case FilterTest::kLte:
        return ScalarCompares(*v, node.values[0], node.test);
      default:
        return false;
    }
  }

  // The value at the path of keys through nested objects; null when absent.
  const json::value* Lookup(const std::vector<std::string>& keys) {
    if (!metadata_) metadata_ = ParseMetadataObject(m_.metadata);
    const json::object* obj = &*metadata_;
    const json::value* v = nullptr;
    for (const std::string& key : keys) {
      if (obj == nullptr) return nullptr;
      v = obj->if_contains(key);
      if (v == nullptr) return nullptr;
      obj = v->if_object();
    }
    return v;
  }

  const Memory& m_;
  std::optional<json::object> metadata_;
};

}  // namespace

boost::json::object ParseMetadataObject(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxMetadataDepth;
  boost::system::error_code ec;
  try {
    json::value v = json::parse(text, ec, {}, options);
    if (!ec && v.is_object()) return std::move(v.get_object());
  } catch (const std::exception&) {
    // Out of memory while parsing: treat as no metadata, like any unreadable document.
  }
  return json::object();
}

double JsonNumberAsDouble(const boost::json::value& v) {
  double d = 0;
  if (v.is_int64()) {
    d = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    d = static_cast<double>(v.get_uint64());
  } else if (v.is_double()) {
    d = v.get_double();
  }
  return d == 0 ? 0.0 : d;
}

bool Filter::Matches(const Memory& m) const {
  if (root_ == nullptr) return true;
  Matcher matcher(m);
  return matcher.Match(*root_);
}

}  // namespace memd::index
