#include "mcp/tool_args.h"

#include <algorithm>

namespace memd::mcp {
namespace json = boost::json;

namespace {
constexpr std::size_t kMaxIdempotencyKeyBytes = 200;
}  // namespace

Result<CubeRef> CubeArgument(const ToolContext& ctx, const json::object& arguments) {
  const json::value* project = arguments.if_contains("project");
  if (project == nullptr || project->is_null()) return ctx.identity.Cube();
  if (!project->is_string() || project->get_string().empty()) {
    return Status::InvalidArgument("project must be a project name (a non-empty string), or omitted for the current project",
                                   "project");
  }
  return ctx.identity.Cube(std::string_view(project->get_string()));
}

Result<std::string> RequiredString(const json::object& arguments, std::string_view key) {
  const json::value* v = arguments.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::InvalidArgument(std::string(key) + " is required", std::string(key));
  if (!v->is_string() || v->get_string().empty()) {
    return Status::InvalidArgument(std::string(key) + " must be a non-empty string", std::string(key));
  }
  return std::string(v->get_string());
}

Result<WriteOptions> WriteOptionsArgument(const json::object& arguments) {
  WriteOptions options;
  const json::value* key = arguments.if_contains("idempotency_key");
  if (key == nullptr || key->is_null()) return options;
  if (!key->is_string()) return Status::InvalidArgument("idempotency_key must be a string", "idempotency_key");
  std::string_view text = key->get_string();
  if (text.empty() || text.size() > kMaxIdempotencyKeyBytes ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e; })) {
    return Status::InvalidArgument("idempotency_key must be 1-200 visible ASCII characters (no spaces)",
                                   "idempotency_key");
  }
  options.idempotency_key = std::string(text);
  return options;
}

json::object Without(const json::object& arguments, std::initializer_list<std::string_view> keys) {
  json::object out = arguments;
  for (std::string_view key : keys) out.erase(key);
  return out;
}

Result<bool> CubeExists(const ToolContext& ctx, const CubeRef& cube) {
  MEMD_ASSIGN_OR_RETURN(std::vector<CubeInfo> cubes, ctx.engine.ListCubes(cube.user));
  return std::any_of(cubes.begin(), cubes.end(), [&](const CubeInfo& info) { return info.ref == cube; });
}

}  // namespace memd::mcp
