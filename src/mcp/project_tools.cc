// list_projects: the projects (cubes) the caller can reach.
#include "engine/memory_codec.h"
#include "mcp/tool.h"
#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

Tool ListProjects() {
  Tool t;
  t.name = "list_projects";
  t.title = "List projects";
  t.description =
      "List the projects that hold memories you can use, and name the current project (the one every other tool uses "
      "when you pass no project). Each project's memory is separate; pass project (or projects, to search several) "
      "to reach another one.";
  t.input_schema = ObjectSchema(json::object{}, {});
  t.output_schema = JsonObject(R"({
    "type": "object",
    "properties": {
      "user": {"type": "string"},
      "current_project": {"type": "string", "description": "Used when a tool is given no project."},
      "projects": {"type": "array", "description": "Projects with stored data, by name."}
    },
    "required": ["user", "current_project", "projects"]
  })");
  t.output_schema["properties"].as_object()["projects"].as_object()["items"] = CubeInfoSchema();
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object&) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(std::vector<CubeInfo> cubes, ctx.engine.ListCubes(ctx.identity.user));
    json::array projects;
    for (const CubeInfo& cube : cubes) {
      if (ctx.identity.MayUse(cube.ref.project)) projects.push_back(engine::EncodeCubeInfo(cube));
    }
    return json::object{{"user", ctx.identity.user},
                        {"current_project", ctx.identity.default_project},
                        {"projects", std::move(projects)}};
  };
  return t;
}

}  // namespace

std::vector<Tool> ProjectTools() { return {ListProjects()}; }

}  // namespace memd::mcp
