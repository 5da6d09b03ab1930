// Conversation import: recognises the common JSON and JSONL shapes of chat exports (see
// extract.h) with Boost.JSON through util/json (strict, never throws).
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/extract.h"
#include "util/json.h"
#include "util/time_format.h"

namespace memd::ingest {
namespace {

namespace json = boost::json;

// Nesting allowed in an export: messages with content parts sit about 6 levels deep.
constexpr std::size_t kMaxDepth = 64;

const json::value* Field(const json::object& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (const json::value* v = o.if_contains(k); v != nullptr && !v->is_null()) return v;
  }
  return nullptr;
}

// Text of a content value: a string, an array of strings or text parts, or {"parts": [...]}.
std::string ContentText(const json::value& v, int depth = 0) {
  if (depth > 8) return {};
  if (v.is_string()) return std::string(v.get_string());
  std::string out;
  auto append = [&out](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += part;
  };
  if (v.is_array()) {
    for (const json::value& part : v.get_array()) {
      if (part.is_object()) {
        const json::object& o = part.get_object();
        const json::value* type = o.if_contains("type");
        if (type != nullptr && type->is_string() && type->get_string() != "text" && type->get_string() != "input_text" &&
            type->get_string() != "output_text") {
          continue;  // images, tool calls, ...
        }
        if (const json::value* t = Field(o, {"text", "content", "value"})) append(ContentText(*t, depth + 1));
      } else {
        append(ContentText(part, depth + 1));
      }
    }
    return out;
  }
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (const json::value* parts = Field(o, {"parts", "text", "content", "value"})) return ContentText(*parts, depth + 1);
  }
  return {};
}

std::string RoleOf(const json::object& o) {
  const json::value* v = Field(o, {"role", "speaker", "author", "from", "sender", "name", "user"});
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object()) {
    const json::object& a = v->get_object();
    if (const json::value* r = Field(a, {"role", "name"}); r != nullptr && r->is_string()) {
      return std::string(r->get_string());
    }
  }
  return {};
}

std::optional<Timestamp> FromNumber(double x) {
  if (!std::isfinite(x) || x < 0) return std::nullopt;
  // Epoch milliseconds are above 1e11 (after 1973); seconds below (until year 5138).
  const double ms = x > 1e11 ? x : x * 1000.0;
  if (ms > 253402300799999.0) return std::nullopt;
  return static_cast<Timestamp>(ms);
}

std::optional<Timestamp> TimestampOf(const json::object& o) {
  const json::value* v = Field(o, {"timestamp", "created_at", "create_time", "time", "date", "ts", "datetime"});
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return FromNumber(static_cast<double>(v->get_int64()));
  if (v->is_uint64()) return FromNumber(static_cast<double>(v->get_uint64()));
  if (v->is_double()) return FromNumber(v->get_double());
  if (v->is_string()) {
    const std::string_view s = v->get_string();
    if (auto t = ParseRfc3339(s); t.ok()) return *t;
    // "2024-01-02 10:00:00" (a space for the T) and numbers in strings.
    std::string fixed(s);
    if (fixed.size() > 10 && fixed[10] == ' ') {
      fixed[10] = 'T';
      if (auto t = ParseRfc3339(fixed); t.ok()) return *t;
      if (auto t = ParseRfc3339(fixed + "Z"); t.ok()) return *t;
    }
    char* end = nullptr;
    const double x = std::strtod(fixed.c_str(), &end);
    if (end != nullptr && *end == '\0' && end != fixed.c_str()) return FromNumber(x);
  }
  return std::nullopt;
}

// Reads one message object; nullopt if it has no content field at all.
std::optional<ConversationMessage> ReadMessage(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  const json::value* content = Field(o, {"content", "text", "message", "body", "value"});
  if (content == nullptr) return std::nullopt;
  ConversationMessage m;
  m.content = ContentText(*content);
  m.role = RoleOf(o);
  m.timestamp = TimestampOf(o);
  return m;
}

// The message array of a conversation object, if it is one.
const json::array* MessagesOf(const json::value& v) {
  if (!v.is_object()) return nullptr;
  const json::value* m = Field(v.get_object(), {"messages", "chat_messages", "conversation"});
  return m != nullptr && m->is_array() ? &m->get_array() : nullptr;
}

struct Collected {
  std::vector<ConversationMessage> messages;
  std::size_t items = 0;       // message-like items seen (objects)
  std::size_t recognised = 0;  // with a content field
  std::size_t with_role = 0;
};

void AddMessages(const json::array& array, std::int64_t conversation, std::int64_t line, Collected* c) {
  std::int64_t index = 0;
  for (const json::value& item : array) {
    ++c->items;
    std::optional<ConversationMessage> m = ReadMessage(item);
    if (!m) continue;
    ++c->recognised;
    if (!m->role.empty()) ++c->with_role;
    m->conversation = conversation;
    m->index = index++;
    m->line = line;
    if (!m->content.empty()) c->messages.push_back(std::move(*m));
  }
}

std::optional<std::vector<ConversationMessage>> Verdict(Collected c) {
  if (c.recognised == 0 || c.recognised * 10 < c.items * 9 || c.with_role * 2 < c.recognised) return std::nullopt;
  return std::move(c.messages);
}

std::optional<std::vector<ConversationMessage>> ParseJsonl(std::string_view text) {
  Collected c;
  std::int64_t line_no = 0;
  std::int64_t conversation = 0;
  std::int64_t index = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    auto v = ParseJson(line, "line", kMaxDepth);
    if (!v.ok() || !v->is_object()) return std::nullopt;
    if (const json::array* messages = MessagesOf(*v)) {
      AddMessages(*messages, conversation++, line_no, &c);
      continue;
    }
    ++c.items;
    std::optional<ConversationMessage> m = ReadMessage(*v);
    if (!m) continue;
    ++c.recognised;
    if (!m->role.empty()) ++c.with_role;
    m->line = line_no;
    m->conversation = 0;
    m->index = index++;
    if (!m->content.empty()) c.messages.push_back(std::move(*m));
  }
  return Verdict(std::move(c));
}

}  // namespace

std::optional<std::vector<ConversationMessage>> ParseConversation(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size() && (text[first] == ' ' || text[first] == '\n' || text[first] == '\r' || text[first] == '\t')) {
    ++first;
  }
  if (first >= text.size()) return std::nullopt;
  if (text[first] != '{' && text[first] != '[') return std::nullopt;
  auto whole = ParseJson(text, "json", kMaxDepth);
  if (!whole.ok()) return text[first] == '{' ? ParseJsonl(text) : std::nullopt;
  Collected c;
  if (const json::array* messages = MessagesOf(*whole)) {
    AddMessages(*messages, 0, 0, &c);
  } else if (whole->is_array()) {
    const json::array& array = whole->get_array();
    if (!array.empty() && MessagesOf(array.front()) != nullptr) {
      std::int64_t conversation = 0;
      for (const json::value& conv : array) {
        if (const json::array* m = MessagesOf(conv)) AddMessages(*m, conversation++, 0, &c);
      }
    } else {
      AddMessages(array, 0, 0, &c);
    }
  } else if (whole->is_object()) {
    // A JSONL file of one line is also a JSON object.
    return ParseJsonl(text);
  }
  return Verdict(std::move(c));
}

}  // namespace memd::ingest
