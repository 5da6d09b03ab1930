#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

// The fields of engine::EncodeMemory except "deleted", shared by memories, history entries
// and hits.
constexpr std::string_view kMemoryProperties = R"({
  "id": {"type": "string", "description": "Memory id (a ULID)."},
  "text": {"type": "string"},
  "kind": {"type": "string"},
  "metadata": {"type": "object"},
  "tags": {"type": "array", "items": {"type": "string"}},
  "source": {
    "type": ["object", "null"],
    "properties": {
      "uri": {"type": "string"},
      "line_start": {"type": "integer"},
      "line_end": {"type": "integer"}
    },
    "required": ["uri"]
  },
  "created_at": {"type": "string", "format": "date-time"},
  "updated_at": {"type": "string", "format": "date-time"},
  "expires_at": {"type": ["string", "null"], "description": "RFC 3339 time, or null: never expires."},
  "version": {"type": "integer", "minimum": 1, "description": "1 at creation, +1 on every change."}
})";

json::object MemoryBase(std::initializer_list<std::pair<std::string_view, json::value>> extra,
                        std::initializer_list<std::string_view> extra_required) {
  json::object properties = JsonObject(kMemoryProperties);
  json::array required;
  for (const auto& [key, value] : properties) required.emplace_back(key);
  for (const auto& [key, value] : extra) properties[key] = value;
  for (std::string_view key : extra_required) required.emplace_back(key);
  return json::object{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

}  // namespace

json::object JsonObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return json::object{{"invalid_schema_literal", true}};
  return std::move(v.get_object());
}

json::object ObjectSchema(json::object properties, std::initializer_list<std::string_view> required) {
  json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0) {
    json::array names;
    for (std::string_view r : required) names.emplace_back(r);
    schema["required"] = std::move(names);
  }
  schema["additionalProperties"] = false;
  return schema;
}

json::object MemorySchema() {
  return MemoryBase({{"deleted", json::object{{"type", "boolean"},
                                              {"description", "Soft-deleted: hidden from search, restorable."}}}},
                    {"deleted"});
}

json::object HistoryEntrySchema() {
  return MemoryBase(
      {{"deleted", json::object{{"type", "boolean"}}},
       {"operation", JsonObject(R"({"type": "string",
                                   "description": "What produced this version: create, update, delete or restore."})")}},
      {"deleted", "operation"});
}

json::object HitSchema() {
  return MemoryBase({{"project", json::object{{"type", "string"}}},
                     {"score", JsonObject(R"({"type": "number", "description": "Higher is better; comparable within one search."})")},
                     {"explain", JsonObject(R"({"type": "object", "properties": {
                        "vector_score": {"type": ["number", "null"]}, "vector_rank": {"type": ["integer", "null"]},
                        "lexical_score": {"type": ["number", "null"]}, "lexical_rank": {"type": ["integer", "null"]},
                        "fusion": {"type": "string"}}})")}},
                    {"project", "score"});
}

json::object PreferenceSchema() {
  return JsonObject(R"({
    "type": "object",
    "properties": {
      "category": {"type": "string"},
      "key": {"type": "string"},
      "value": {"description": "Any JSON value."},
      "description": {"type": "string"},
      "updated_at": {"type": "string", "format": "date-time"}
    },
    "required": ["category", "key", "value", "description", "updated_at"]
  })");
}

json::object CubeInfoSchema() {
  return JsonObject(R"({
    "type": "object",
    "properties": {
      "user": {"type": "string"},
      "project": {"type": "string"},
      "embedder": {"type": "string"},
      "dimension": {"type": "integer"},
      "created_at": {"type": "string", "format": "date-time"}
    },
    "required": ["user", "project", "embedder", "dimension", "created_at"]
  })");
}

json::object ContextBlockSchema() {
  return JsonObject(R"({
    "type": "object",
    "properties": {
      "text": {"type": "string", "description": "The block to put in a prompt: preferences, then memories cited by [id]."},
      "tokens": {"type": "integer", "description": "Estimated tokens of text (never over the budget)."},
      "memory_ids": {"type": "array", "items": {"type": "string"}, "description": "Cited memories, in order."},
      "preferences": {"type": "integer", "description": "How many preferences the block includes."}
    },
    "required": ["text", "tokens", "memory_ids", "preferences"]
  })");
}

json::object ProjectProperty() {
  return JsonObject(R"({"type": "string",
    "description": "Project whose memory to use (1-128 characters of A-Z a-z 0-9 . _ @ -). Omit it to use the current project (see list_projects)."})");
}

json::object IdProperty() {
  return JsonObject(R"({"type": "string", "description": "Memory id, as returned by add_memory, search_memories or list_memories."})");
}

json::object FilterProperty() {
  return JsonObject(R"({"type": "object",
    "description": "Optional filter. A condition is {\"field\": F, \"op\": OP, \"value\": V} with F one of kind, tags, created_at, updated_at, source, metadata.<key>; OP one of eq ne gt gte lt lte in nin contains (and for tags: any all). Combine with {\"and\": [...]}, {\"or\": [...]}, {\"not\": filter}. Times are RFC 3339 strings or epoch milliseconds. Example: {\"and\": [{\"field\": \"kind\", \"op\": \"eq\", \"value\": \"fact\"}, {\"field\": \"tags\", \"op\": \"any\", \"value\": [\"build\"]}]}"})");
}

json::object IdempotencyKeyProperty() {
  return JsonObject(R"({"type": "string",
    "description": "Optional key (up to 200 visible ASCII characters) that makes a retry safe: repeating the call with the same key and arguments returns the first result without writing again."})");
}

}  // namespace memd::mcp
