#include "mcp/tool_schemas.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mcp/tool.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;

// Fails if any object in v is the marker of a schema literal that did not parse.
void ExpectNoBrokenLiteral(const json::value& v, const std::string& where) {
  if (v.is_object()) {
    EXPECT_FALSE(v.as_object().contains("invalid_schema_literal")) << where;
    for (const auto& m : v.as_object()) ExpectNoBrokenLiteral(m.value(), where + "." + std::string(m.key()));
  } else if (v.is_array()) {
    for (const json::value& e : v.as_array()) ExpectNoBrokenLiteral(e, where + "[]");
  }
}

TEST(ToolSchemasTest, EverySchemaLiteralParses) {
  EXPECT_TRUE(JsonObject("{not json").contains("invalid_schema_literal"));
  for (auto group : {MemoryTools(), SearchTools(), PreferenceTools(), ProjectTools()}) {
    for (const Tool& tool : group) {
      ExpectNoBrokenLiteral(tool.input_schema, tool.name + ".inputSchema");
      ExpectNoBrokenLiteral(tool.output_schema, tool.name + ".outputSchema");
      EXPECT_EQ(tool.input_schema.at("type").as_string(), "object") << tool.name;
      EXPECT_FALSE(tool.input_schema.contains("$schema")) << tool.name;
      ASSERT_TRUE(tool.run != nullptr) << tool.name;
      // Every required input is a declared property.
      if (const json::value* required = tool.input_schema.if_contains("required")) {
        for (const json::value& r : required->as_array()) {
          EXPECT_TRUE(tool.input_schema.at("properties").as_object().contains(r.as_string())) << tool.name << " " << r;
        }
      }
    }
  }
}

TEST(ToolSchemasTest, MemorySchemaRequiresEveryFieldTheEncoderWrites) {
  json::object schema = MemorySchema();
  std::vector<std::string> required;
  for (const json::value& r : schema.at("required").as_array()) required.emplace_back(r.as_string());
  for (const char* field : {"id", "text", "kind", "metadata", "tags", "source", "created_at", "updated_at", "expires_at",
                            "version", "deleted"}) {
    EXPECT_NE(std::find(required.begin(), required.end(), field), required.end()) << field;
  }
  json::object hit = HitSchema();
  EXPECT_TRUE(hit.at("properties").as_object().contains("score"));
  EXPECT_FALSE(hit.at("properties").as_object().contains("deleted"));
}

}  // namespace
}  // namespace memd::mcp
