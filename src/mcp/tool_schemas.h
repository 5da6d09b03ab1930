// JSON Schemas of memd's tools: the shapes of engine::Encode* (memory_codec.h) as output
// schemas, and the argument properties several tools share. Schemas use only keywords with
// the same meaning in JSON Schema 2020-12 (MCP's default dialect) and draft-07 (what the
// TypeScript SDK's validator compiles), and carry no "$schema".
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <string_view>

namespace memd::mcp {

// Parses a JSON object literal written in this layer. A literal that does not parse is a
// bug the unit tests catch; it yields {"invalid_schema_literal": true} rather than throwing.
boost::json::object JsonObject(std::string_view text);

// {"type":"object","properties":properties,"required":[...],"additionalProperties":false}
// (no "required" when empty).
boost::json::object ObjectSchema(boost::json::object properties, std::initializer_list<std::string_view> required);

// Output shapes.
boost::json::object MemorySchema();          // engine::EncodeMemory
boost::json::object HistoryEntrySchema();    // engine::EncodeHistoryEntry
boost::json::object HitSchema();             // engine::EncodeHit
boost::json::object PreferenceSchema();      // engine::EncodePreference
boost::json::object CubeInfoSchema();        // engine::EncodeCubeInfo
boost::json::object ContextBlockSchema();    // engine::EncodeContextBlock

// Argument properties.
boost::json::object ProjectProperty();       // "project": optional project name
boost::json::object IdProperty();            // "id": a memory id
boost::json::object FilterProperty();        // "filter": the filter grammar of search.h
boost::json::object IdempotencyKeyProperty();

}  // namespace memd::mcp
