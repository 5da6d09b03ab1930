// Filter::Parse: JSON text -> validated, normalised Filter::Node tree.

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse_options.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include "index/filter.h"
#include "index/filter_node.h"
#include "util/time_format.h"

namespace memd::index {
namespace {

namespace json = boost::json;
using Node = Filter::Node;

// JSON nesting allowed by the parser: deep enough that kMaxFilterDepth levels of and/or
// (two JSON levels each) plus a condition fit, so that the depth check below reports
// nesting with the clearer message.
constexpr std::size_t kMaxJsonDepth = 2 * kMaxFilterDepth + 8;

enum class Op { kEq, kNe, kGt, kGte, kLt, kLte, kIn, kNin, kContains, kAny, kAll };

struct OpName {
  std::string_view name;
  Op op;
};
constexpr std::array<OpName, 11> kOps = {{{"eq", Op::kEq},
                                          {"ne", Op::kNe},
                                          {"gt", Op::kGt},
                                          {"gte", Op::kGte},
                                          {"lt", Op::kLt},
                                          {"lte", Op::kLte},
                                          {"in", Op::kIn},
                                          {"nin", Op::kNin},
                                          {"contains", Op::kContains},
                                          {"any", Op::kAny},
                                          {"all", Op::kAll}}};

// The operators each field accepts, in the order error messages list them.
std::vector<std::string_view> AllowedOps(FilterField field) {
  switch (field) {
    case FilterField::kKind:
    case FilterField::kSource:
      return {"eq", "ne", "in", "nin", "contains"};
    case FilterField::kTags:
      return {"any", "all", "contains"};
    case FilterField::kCreatedAt:
    case FilterField::kUpdatedAt:
      return {"eq", "ne", "gt", "gte", "lt", "lte"};
    case FilterField::kMetadata:
      return {"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains"};
  }
  return {};
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

// Levenshtein distance, for "did you mean" hints on short names.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate, ignoring case, within one edit per
// three characters (at least one, at most two), else "".
std::string Suggestion(std::string_view got, const std::vector<std::string_view>& candidates) {
  if (got.size() > 64) return "";
  std::string lower(got);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view best;
  std::size_t best_distance = std::clamp<std::size_t>(got.size() / 3, 1, 2) + 1;
  for (std::string_view c : candidates) {
    std::size_t d = EditDistance(lower, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? "" : " (did you mean '" + std::string(best) + "'?)";
}

// A short, safe rendering of user text inside a message.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out = "'" + std::string(text.substr(0, kMax)) + "'";
  if (text.size() > kMax) out.insert(out.size() - 1, "...");
  return out;
}

std::string_view KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

std::string Key(const std::string& path, std::string_view key) {
  return path + "." + std::string(key);
}
std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

constexpr std::string_view kShapeHint =
    "a filter is {\"field\": ..., \"op\": ..., \"value\": ...} or {\"and\": [...]}, "
    "{\"or\": [...]}, {\"not\": {...}}";

class Parser {
 public:
  Status ParseNode(const json::value& v, const std::string& path, int depth, Node* out) {
    if (++nodes_ > kMaxFilterNodes) {
      return Status::InvalidArgument("filter has more than " + std::to_string(kMaxFilterNodes) +
                                         " nodes (and/or/not/conditions); simplify it",
                                     path);
    }
    if (depth > kMaxFilterDepth) {
      return Status::InvalidArgument(
          "filter is nested more than " + std::to_string(kMaxFilterDepth) + " levels deep; flatten it",
          path);
    }
    if (!v.is_object()) {
      return Status::InvalidArgument("expected an object, got " + std::string(KindName(v)) + "; " +
                                         std::string(kShapeHint),
                                     path);
    }
    const json::object& obj = v.get_object();
    if (obj.empty()) {
      return Status::InvalidArgument("empty filter object; " + std::string(kShapeHint), path);
    }
    for (std::string_view logical : {"and", "or", "not"}) {
      if (!obj.contains(logical)) continue;
      for (const auto& entry : obj) {
        if (entry.key() == logical) continue;
        return Status::InvalidArgument("unexpected key " + Quote(entry.key()) + " next to '" +
                                           std::string(logical) +
                                           "'; an and/or/not object has exactly one key, so nest them",
                                       Key(path, entry.key()));
      }
      return ParseLogical(logical, obj.at(logical), Key(path, logical), depth, out);
    }
    return ParseCondition(obj, path, out);
  }

 private:
  Status ParseLogical(std::string_view name, const json::value& v, const std::string& path, int depth,
                      Node* out) {
    if (name == "not") {
      if (!v.is_object()) {
        return Status::InvalidArgument("'not' needs one filter object, got " + std::string(KindName(v)),
                                       path);
      }
      out->type = Node::Type::kNot;
      out->children.resize(1);
      return ParseNode(v, path, depth + 1, &out->children[0]);
    }
    if (!v.is_array() || v.get_array().empty()) {
      return Status::InvalidArgument("'" + std::string(name) + "' needs a non-empty array of filters, got " +
                                         (v.is_array() ? std::string("an empty array")
                                                       : std::string(KindName(v))),
                                     path);
    }
    out->type = name == "and" ? Node::Type::kAnd : Node::Type::kOr;
    const json::array& items = v.get_array();
    out->children.resize(std::min<std::size_t>(items.size(), kMaxFilterNodes + 1));
    for (std::size_t i = 0; i < out->children.size(); ++i) {
      MEMD_RETURN_IF_ERROR(ParseNode(items[i], Index(path, i), depth + 1, &out->children[i]));
    }
    if (out->type == Node::Type::kAnd) MergeTimeRanges(out);
    return Status::OK();
  }

  // Intersects the time ranges of an and's children on the same field, so that
  // "created_at gte A" and "created_at lt B" cost one scan of the column.
  static void MergeTimeRanges(Node* and_node) {
    std::vector<Node>& children = and_node->children;
    for (FilterField field : {FilterField::kCreatedAt, FilterField::kUpdatedAt}) {
      Node* first = nullptr;
      for (auto it = children.begin(); it != children.end();) {
        bool mergeable = it->type == Node::Type::kCondition && it->field == field && !it->negate;
        if (!mergeable) {
          ++it;
        } else if (first == nullptr) {
          first = &*it;
          ++it;
        } else {
          first->lo = std::max(first->lo, it->lo);
          first->hi = std::min(first->hi, it->hi);
          it = children.erase(it);  // only later elements move; `first` stays valid
        }
      }
      if (first != nullptr && first->lo > first->hi) {  // empty: NOT(everything)
        first->lo = std::numeric_limits<Timestamp>::min();
        first->hi = std::numeric_limits<Timestamp>::max();
        first->negate = true;
      }
    }
  }

  Status ParseCondition(const json::object& obj, const std::string& path, Node* out) {
    static const std::vector<std::string_view> kKeys = {"field", "op", "value"};
    for (const auto& entry : obj) {
      if (std::find(kKeys.begin(), kKeys.end(), entry.key()) != kKeys.end()) continue;
      std::vector<std::string_view> hint = kKeys;
      hint.insert(hint.end(), {"and", "or", "not"});
      return Status::InvalidArgument("unknown key " + Quote(entry.key()) +
                                         " in a condition; use field, op and value" +
                                         Suggestion(entry.key(), hint),
                                     Key(path, entry.key()));
    }
    for (std::string_view key : kKeys) {
      if (!obj.contains(key)) {
        return Status::InvalidArgument("missing '" + std::string(key) +
                                           "'; a condition is {\"field\": ..., \"op\": ..., \"value\": ...}",
                                       Key(path, key));
      }
    }
    out->type = Node::Type::kCondition;
    MEMD_RETURN_IF_ERROR(ParseField(obj.at("field"), Key(path, "field"), out));

    const json::value& op_value = obj.at("op");
    const std::string op_path = Key(path, "op");
    std::vector<std::string_view> allowed = AllowedOps(out->field);
    if (!op_value.is_string()) {
      return Status::InvalidArgument("'op' must be a string, got " + std::string(KindName(op_value)) +
                                         "; use one of " + JoinNames(allowed),
                                     op_path);
    }
    std::string_view op_name = op_value.get_string();
    auto known = std::find_if(kOps.begin(), kOps.end(), [&](const OpName& o) { return o.name == op_name; });
    if (known == kOps.end()) {
      return Status::InvalidArgument("unknown operator " + Quote(op_name) + " for field '" + field_name_ +
                                         "'; use one of " + JoinNames(allowed) + Suggestion(op_name, allowed),
                                     op_path);
    }
    if (std::find(allowed.begin(), allowed.end(), op_name) == allowed.end()) {
      std::string why = out->field == FilterField::kTags && (known->op == Op::kEq || known->op == Op::kNe)
                            ? " (tags are a set: test membership, and wrap in not to negate)"
                            : "";
      return Status::InvalidArgument("operator '" + std::string(op_name) + "' does not apply to field '" +
                                         field_name_ + "'; use one of " + JoinNames(allowed) + why,
                                     op_path);
    }
    op_name_ = std::string(op_name);
    return ParseValue(known->op, obj.at("value"), Key(path, "value"), out);
  }

  Status ParseField(const json::value& v, const std::string& path, Node* out) {
    static const std::vector<std::string_view> kFields = {"kind",       "tags",   "created_at",
                                                          "updated_at", "source", "metadata"};
    constexpr std::string_view kFieldHint =
        "use kind, tags, created_at, updated_at, source or metadata.<key>[.<key>...]";
    if (!v.is_string()) {
      return Status::InvalidArgument("'field' must be a string, got " + std::string(KindName(v)) + "; " +
                                         std::string(kFieldHint),
                                     path);
    }
    std::string_view name = v.get_string();
    field_name_ = std::string(name.substr(0, 256));
    if (name == "kind") {
      out->field = FilterField::kKind;
    } else if (name == "tags") {
      out->field = FilterField::kTags;
    } else if (name == "created_at") {
      out->field = FilterField::kCreatedAt;
    } else if (name == "updated_at") {
      out->field = FilterField::kUpdatedAt;
    } else if (name == "source") {
      out->field = FilterField::kSource;
    } else if (name.starts_with("metadata.") || name == "metadata") {
      out->field = FilterField::kMetadata;
      std::string_view rest = name.substr(std::min<std::size_t>(name.size(), 9));
      while (true) {
        std::size_t dot = rest.find('.');
        std::string_view key = rest.substr(0, dot);
        if (key.empty()) {
          return Status::InvalidArgument(
              "metadata path " + Quote(name) + " has an empty key; use metadata.<key>[.<key>...]", path);
        }
        out->keys.emplace_back(key);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      out->path = std::string(name.substr(9));
    } else {
      return Status::InvalidArgument(
          "unknown field " + Quote(name) + "; " + std::string(kFieldHint) + Suggestion(name, kFields), path);
    }
    return Status::OK();
  }

  Status ParseValue(Op op, const json::value& v, const std::string& path, Node* out) {
    switch (out->field) {
      case FilterField::kKind:
      case FilterField::kSource:
        return ParseStringValue(op, v, path, out);
      case FilterField::kTags:
        out->test = op == Op::kAll ? FilterTest::kAll : FilterTest::kAny;
        return op == Op::kContains ? AppendString(v, path, "a string", out)
                                   : AppendArray(v, path, "an array of strings", &Parser::AppendString, out);
      case FilterField::kCreatedAt:
      case FilterField::kUpdatedAt:
        return ParseTimeValue(op, v, path, out);
      case FilterField::kMetadata:
        return ParseMetadataValue(op, v, path, out);
    }
    return Status::OK();
  }

  Status ParseStringValue(Op op, const json::value& v, const std::string& path, Node* out) {
    out->negate = op == Op::kNe || op == Op::kNin;
    if (op == Op::kIn || op == Op::kNin) {
      out->test = FilterTest::kIn;
      return AppendArray(v, path, "an array of strings", &Parser::AppendString, out);
    }
    out->test = op == Op::kContains ? FilterTest::kContains : FilterTest::kIn;
    return AppendString(v, path, "a string", out);
  }

  Status ParseTimeValue(Op op, const json::value& v, const std::string& path, Node* out) {
    constexpr Timestamp kMin = std::numeric_limits<Timestamp>::min();
    constexpr Timestamp kMax = std::numeric_limits<Timestamp>::max();
    Timestamp t = 0;
    bool ok = false;
    if (v.is_int64()) {
      t = v.get_int64();
      ok = true;
    } else if (v.is_uint64()) {
      ok = false;  // above INT64_MAX
    } else if (v.is_double()) {
      double d = v.get_double();
      ok = std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18;
      if (ok) t = static_cast<Timestamp>(d);
    } else if (v.is_string()) {
      Result<Timestamp> parsed = ParseRfc3339(v.get_string());
      ok = parsed.ok();
      if (ok) t = *parsed;
    }
    if (!ok) {
      std::string got = v.is_string() ? Quote(v.get_string()) : std::string(KindName(v));
      if (v.is_number()) got = "a number that is not an integer in range";
      return Status::InvalidArgument(
          Describe() + " needs integer milliseconds since the epoch or an RFC 3339 string such as "
                       "\"2026-11-21T12:00:00Z\" or \"2026-11-21\"; got " + got,
          path);
    }
    out->test = FilterTest::kRange;
    out->lo = kMin;
    out->hi = kMax;
    switch (op) {
      case Op::kNe: out->negate = true; [[fallthrough]];
      case Op::kEq: out->lo = out->hi = t; break;
      case Op::kGt:
        if (t == kMax) out->negate = true;  // matches nothing: NOT(everything)
        else out->lo = t + 1;
        break;
      case Op::kGte: out->lo = t; break;
      case Op::kLt:
        if (t == kMin) out->negate = true;
        else out->hi = t - 1;
        break;
      case Op::kLte: out->hi = t; break;
      default: break;
    }
    return Status::OK();
  }

  Status ParseMetadataValue(Op op, const json::value& v, const std::string& path, Node* out) {
    switch (op) {
      case Op::kEq:
      case Op::kNe:
        out->test = FilterTest::kIn;
        out->negate = op == Op::kNe;
        return AppendScalar(v, path, "a scalar (string, number, true/false or null; for arrays use contains)",
                            out);
      case Op::kIn:
      case Op::kNin:
        out->test = FilterTest::kIn;
        out->negate = op == Op::kNin;
        return AppendArray(v, path, "an array of scalars", &Parser::AppendScalar, out);
      case Op::kContains:
        out->test = FilterTest::kContains;
        return AppendScalar(v, path, "a scalar (a string to find in strings, or an array element)", out);
      default:
        break;
    }
    out->test = op == Op::kGt    ? FilterTest::kGt
                : op == Op::kGte ? FilterTest::kGte
                : op == Op::kLt  ? FilterTest::kLt
                                 : FilterTest::kLte;
    if (!v.is_string() && !v.is_number()) {
      return Status::InvalidArgument(Describe() + " needs a number or a string, got " + std::string(KindName(v)),
                                     path);
    }
    return AppendScalar(v, path, "a number or a string", out);
  }

  using Appender = Status (Parser::*)(const json::value&, const std::string&, std::string_view, Node*);

  Status AppendArray(const json::value& v, const std::string& path, std::string_view what, Appender element,
                     Node* out) {
    if (!v.is_array()) {
      return Status::InvalidArgument(Describe() + " needs " + std::string(what) + ", got " +
                                         std::string(KindName(v)),
                                     path);
    }
    const json::array& items = v.get_array();
    if (items.size() > kMaxFilterValues) {
      return Status::InvalidArgument(Describe() + " accepts at most " + std::to_string(kMaxFilterValues) +
                                         " values, got " + std::to_string(items.size()) + "; split the filter",
                                     path);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      MEMD_RETURN_IF_ERROR((this->*element)(items[i], Index(path, i), what, out));
    }
    return Status::OK();
  }

  Status AppendString(const json::value& v, const std::string& path, std::string_view what, Node* out) {
    if (!v.is_string()) {
      return Status::InvalidArgument(Describe() + " needs " + std::string(what) + ", got " +
                                         std::string(KindName(v)),
                                     path);
    }
    FilterScalar s;
    s.type = FilterScalar::Type::kString;
    s.string = std::string(v.get_string());
    out->values.push_back(std::move(s));
    return Status::OK();
  }

  Status AppendScalar(const json::value& v, const std::string& path, std::string_view what, Node* out) {
    FilterScalar s;
    if (v.is_null()) {
      s.type = FilterScalar::Type::kNull;
    } else if (v.is_bool()) {
      s.type = FilterScalar::Type::kBool;
      s.boolean = v.get_bool();
    } else if (v.is_number()) {
      s.type = FilterScalar::Type::kNumber;
      s.number = JsonNumberAsDouble(v);
      if (!std::isfinite(s.number)) {
        return Status::InvalidArgument(Describe() + ": number out of range", path);
      }
    } else if (v.is_string()) {
      s.type = FilterScalar::Type::kString;
      s.string = std::string(v.get_string());
    } else {
      return Status::InvalidArgument(Describe() + " needs " + std::string(what) + ", got " +
                                         std::string(KindName(v)),
                                     path);
    }
    out->values.push_back(std::move(s));
    return Status::OK();
  }

  // "'gt' on 'created_at'", for value errors.
  std::string Describe() const { return "'" + op_name_ + "' on '" + field_name_ + "'"; }

  int nodes_ = 0;
  std::string field_name_;  // of the condition being parsed
  std::string op_name_;
};

}  // namespace

Result<Filter> Filter::Parse(std::string_view text, std::string_view root) {
  const std::string root_path(root);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return Filter();

  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  json::value value;
  std::size_t consumed = 0;
  try {
    consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (!ec) value = parser.release();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("filter could not be parsed: ") + e.what(), root_path);
  }
  if (ec) {
    std::string reason = ec == json::error::too_deep ? "nested more than " + std::to_string(kMaxJsonDepth) +
                                                           " levels deep; flatten it"
                                                     : ec.message();
    return Status::InvalidArgument(
        "filter is not valid JSON (" + reason + ", near byte " + std::to_string(consumed) + ")", root_path);
  }
  if (value.is_null() || (value.is_object() && value.get_object().empty())) return Filter();

  auto node = std::make_shared<Node>();
  Parser p;
  MEMD_RETURN_IF_ERROR(p.ParseNode(value, root_path, 1, node.get()));
  Filter filter;
  filter.root_ = std::move(node);
  return filter;
}

bool Filter::matches_all() const { return root_ == nullptr; }

}  // namespace memd::index
