#include "util/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <new>
#include <vector>

#include "util/utf8.h"

namespace memd {
namespace {

namespace json = boost::json;

const char* KindName(json::kind kind) {
  switch (kind) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "an unknown value";
}

std::string ByteAt(std::size_t offset) { return "at byte " + std::to_string(offset); }

// Describes the character at offset for a syntax error: printable ASCII is quoted.
std::string DescribeChar(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return "the end of the text";
  const auto c = static_cast<unsigned char>(text[offset]);
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02X", c);
  return std::string("byte ") + buf;
}

// Turns a Boost.JSON error at byte offset into a message that says what was wrong and where.
std::string DescribeParseError(const json::error_code& ec, std::string_view text, std::size_t offset,
                               std::size_t max_depth) {
  if (ec == json::error::incomplete) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return "empty JSON text; expected a value such as {} or \"text\"";
    }
    return "JSON text ends early " + ByteAt(offset) +
           "; a string, number, literal, array or object is unterminated";
  }
  if (ec == json::error::extra_data) {
    return "unexpected " + DescribeChar(text, offset) + " after the JSON value " + ByteAt(offset) +
           "; expected the end of the text (send exactly one JSON value)";
  }
  if (ec == json::error::too_deep) {
    return "JSON nesting exceeds " + std::to_string(max_depth) + " levels " + ByteAt(offset) +
           "; flatten the structure";
  }
  if (ec == json::error::exponent_overflow) {
    return "number exponent out of range " + ByteAt(offset);
  }
  if (ec == json::error::illegal_leading_surrogate || ec == json::error::illegal_trailing_surrogate ||
      ec == json::error::expected_utf16_escape) {
    return "invalid \\u escape " + ByteAt(offset) +
           ": a UTF-16 surrogate must be a high surrogate followed by a low one";
  }
  if (ec == json::error::expected_hex_digit) {
    return "invalid \\u escape " + ByteAt(offset) + ": expected 4 hexadecimal digits";
  }
  if (ec == json::error::object_too_large || ec == json::error::array_too_large ||
      ec == json::error::key_too_large || ec == json::error::string_too_large) {
    return "JSON element too large " + ByteAt(offset);
  }
  // Boost reports a high surrogate without a following \u escape as a plain syntax error
  // just after it; name the cause.
  if (offset >= 6 && text[offset - 6] == '\\' && text[offset - 5] == 'u' &&
      (text[offset - 4] == 'd' || text[offset - 4] == 'D') &&
      std::string_view("89abAB").find(text[offset - 3]) != std::string_view::npos) {
    return "invalid \\u escape " + ByteAt(offset - 6) +
           ": a UTF-16 high surrogate must be followed by a \\u escape of a low surrogate";
  }
  if (offset < text.size()) {
    const auto c = static_cast<unsigned char>(text[offset]);
    if (c >= 0x80) {
      const std::size_t bad = FindInvalidUtf8(text.substr(offset));
      if (bad == 0) return "invalid UTF-8 " + ByteAt(offset) + "; JSON text must be UTF-8";
    } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "%04X", c);
      return "unescaped control character 0x" + std::string(hex + 2) + " " + ByteAt(offset) +
             "; inside strings write it as \\u" + hex;
    } else if (c == '\\') {
      return "invalid escape sequence " + ByteAt(offset) +
             "; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX";
    }
  }
  return "invalid JSON " + ByteAt(offset) + ": unexpected " + DescribeChar(text, offset) + " (" +
         ec.message() + ")";
}

// True if v holds a non-finite double anywhere (Boost parses 1e400 as infinity).
bool HasNonFinite(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      return std::any_of(v.get_array().begin(), v.get_array().end(), HasNonFinite);
    case json::kind::object:
      for (const auto& member : v.get_object()) {
        if (HasNonFinite(member.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

void AppendString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

void AppendJson(const json::value& v, bool sort_keys, std::string* out);

}  // namespace

void AppendCanonicalJson(const json::value& v, std::string* out) { AppendJson(v, /*sort_keys=*/true, out); }

std::string CompactJson(const json::value& v) {
  std::string out;
  AppendJson(v, /*sort_keys=*/false, &out);
  return out;
}

namespace {

void AppendJson(const json::value& v, bool sort_keys, std::string* out) {
  switch (v.kind()) {
    case json::kind::null:
      out->append("null");
      return;
    case json::kind::bool_:
      out->append(v.get_bool() ? "true" : "false");
      return;
    case json::kind::int64:
      AppendNumber(v.get_int64(), out);
      return;
    case json::kind::uint64:
      AppendNumber(v.get_uint64(), out);
      return;
    case json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out->append("null");
      } else if (d == 0) {
        out->push_back('0');  // also for -0.0, which would not read back as a double
      } else {
        AppendNumber(d, out);
      }
      return;
    }
    case json::kind::string:
      AppendString(v.get_string(), out);
      return;
    case json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& element : v.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(element, sort_keys, out);
      }
      out->push_back(']');
      return;
    }
    case json::kind::object: {
      const auto& object = v.get_object();
      std::vector<const json::key_value_pair*> members;
      members.reserve(object.size());
      for (const auto& member : object) members.push_back(&member);
      // string_view comparison uses char_traits<char>, which compares as unsigned char:
      // byte order, hence also code point order for UTF-8.
      if (sort_keys) {
        std::sort(members.begin(), members.end(),
                  [](const auto* a, const auto* b) { return a->key() < b->key(); });
      }
      out->push_back('{');
      bool first = true;
      for (const auto* member : members) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(member->key(), out);
        out->push_back(':');
        AppendJson(member->value(), sort_keys, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string CanonicalJson(const json::value& v) {
  std::string out;
  AppendCanonicalJson(v, &out);
  return out;
}

Result<json::value> ParseJson(std::string_view text, std::string_view field, std::size_t max_depth) {
  try {
    json::parse_options options;
    options.max_depth = max_depth;
    options.allow_comments = false;
    options.allow_trailing_commas = false;
    options.allow_invalid_utf8 = false;
    json::stream_parser parser(json::storage_ptr(), options);
    json::error_code ec;
    // On error, write() returns the number of bytes consumed before the offending byte.
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
      return Status::InvalidArgument(DescribeParseError(ec, text, std::min(consumed, text.size()), max_depth),
                                     std::string(field));
    }
    json::value value = parser.release();
    if (HasNonFinite(value)) {
      return Status::InvalidArgument("JSON number out of range: it overflows a double (e.g. 1e400)",
                                     std::string(field));
    }
    return value;
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory while parsing JSON", std::string(field));
  } catch (const std::exception& e) {
    // Boost.JSON reports errors through error_code; anything else is unexpected.
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what(), std::string(field));
  }
}

Result<std::string> CanonicalJsonObject(std::string_view text, std::string_view field,
                                        std::size_t max_bytes) {
  auto too_large = [&](std::size_t size) {
    return Status::InvalidArgument("JSON object is " + std::to_string(size) + " bytes; the limit is " +
                                       std::to_string(max_bytes) + " bytes, so shorten it",
                                   std::string(field));
  };
  if (text.size() > max_bytes) return too_large(text.size());
  if (text.empty()) {
    if (max_bytes < 2) return too_large(2);
    return std::string("{}");
  }
  MEMD_ASSIGN_OR_RETURN(json::value value, ParseJson(text, field));
  if (!value.is_object()) {
    return Status::InvalidArgument(
        std::string("expected a JSON object such as {\"key\": \"value\"}, got ") + KindName(value.kind()),
        std::string(field));
  }
  try {
    std::string canonical = CanonicalJson(value);
    if (canonical.size() > max_bytes) return too_large(canonical.size());
    return canonical;
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory while serialising JSON", std::string(field));
  }
}

}  // namespace memd
