#include "mcp/tool.h"

namespace memd::mcp {
namespace json = boost::json;

json::object Tool::Describe() const {
  json::object annotations{{"title", title},
                           {"readOnlyHint", read_only},
                           {"destructiveHint", destructive},
                           {"idempotentHint", idempotent},
                           {"openWorldHint", open_world}};
  return json::object{{"name", name},
                      {"title", title},
                      {"description", description},
                      {"inputSchema", input_schema},
                      {"outputSchema", output_schema},
                      {"annotations", std::move(annotations)}};
}

}  // namespace memd::mcp
