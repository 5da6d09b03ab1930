// Tools that find memories: search_memories (ranked hits) and get_context (a prompt-ready
// block within a token budget).
#include <algorithm>

#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "mcp/tool.h"
#include "mcp/tool_args.h"
#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

// The projects a search covers: "projects" (a list), else "project", else the default.
Result<std::vector<std::string>> SearchProjects(const ToolContext& ctx, const json::object& args) {
  const json::value* list = args.if_contains("projects");
  if (list == nullptr || list->is_null()) {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    return std::vector<std::string>{cube.project};
  }
  if (const json::value* one = args.if_contains("project"); one != nullptr && !one->is_null()) {
    return Status::InvalidArgument("pass either project or projects, not both", "projects");
  }
  if (!list->is_array() || list->get_array().empty()) {
    return Status::InvalidArgument("projects must be a non-empty array of project names", "projects");
  }
  std::vector<std::string> projects;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& p = list->get_array()[i];
    const std::string field = "projects[" + std::to_string(i) + "]";
    if (!p.is_string()) return Status::InvalidArgument(field + " must be a string", field);
    auto cube = ctx.identity.Cube(std::string_view(p.get_string()));
    if (!cube.ok()) return cube.status().WithField(field);
    if (std::find(projects.begin(), projects.end(), cube->project) == projects.end())
      projects.push_back(cube->project);
  }
  return projects;
}

Tool SearchMemories() {
  Tool t;
  t.name = "search_memories";
  t.title = "Search memory";
  t.description =
      "Find the stored memories most relevant to a query, best first. Search before you start a task and "
      "whenever "
      "you need project knowledge (conventions, past decisions, how things are built or fixed). Phrase the "
      "query as "
      "the information you need, e.g. \"how are integration tests run\". mode hybrid (default) combines "
      "keyword and "
      "semantic matching; lexical is keyword-only (exact names, error messages); vector is semantic-only.";
  json::object properties = JsonObject(R"({
    "query": {"type": "string", "description": "What you are looking for, in words."},
    "top_k": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "How many results at most (default 10)."},
    "mode": {"type": "string", "enum": ["hybrid", "lexical", "vector"], "description": "Ranking: hybrid (default), lexical or vector."},
    "min_score": {"type": "number", "description": "Drop results scoring below this."},
    "explain": {"type": "boolean", "description": "Add per-signal scores to each result (default false)."},
    "projects": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Search these projects together instead of one (see list_projects)."}
  })");
  properties["filter"] = FilterProperty();
  properties["project"] = ProjectProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"query"});
  t.output_schema = ObjectSchema(
      json::object{{"results", json::object{{"type", "array"}, {"items", HitSchema()}}}}, {"results"});
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(std::vector<std::string> projects, SearchProjects(ctx, args));
    MEMD_ASSIGN_OR_RETURN(SearchRequest request,
                          engine::DecodeSearchRequest(Without(args, {"project", "projects"}), ""));
    auto hits = ctx.engine.Search(ctx.identity.user, projects, request);
    if (!hits.ok() && hits.status().code() == StatusCode::kNotFound) {
      // Some projects have no memory yet: search the others (nothing, if none exists).
      MEMD_ASSIGN_OR_RETURN(std::vector<CubeInfo> cubes, ctx.engine.ListCubes(ctx.identity.user));
      std::vector<std::string> existing;
      for (const std::string& p : projects) {
        if (std::any_of(cubes.begin(), cubes.end(), [&](const CubeInfo& c) { return c.ref.project == p; })) {
          existing.push_back(p);
        }
      }
      if (existing.size() < projects.size()) {
        hits =
            existing.empty() ? std::vector<Hit>() : ctx.engine.Search(ctx.identity.user, existing, request);
      }
    }
    if (!hits.ok()) return hits.status();
    json::array results;
    for (const Hit& hit : *hits) results.push_back(engine::EncodeHit(hit));
    return json::object{{"results", std::move(results)}};
  };
  return t;
}

Tool GetContext() {
  Tool t;
  t.name = "get_context";
  t.title = "Build context for a task";
  t.description =
      "Build a compact text block to read before working on a task: the project's preferences, then the "
      "memories "
      "most relevant to the query, each cited by [id], deduplicated and cut to fit token_budget. Prefer it "
      "over "
      "search_memories when you want background to read rather than results to inspect.";
  json::object properties = JsonObject(R"({
    "query": {"type": "string", "description": "The task or question the context is for."},
    "token_budget": {"type": "integer", "minimum": 64, "maximum": 200000, "description": "Upper bound on the block's size in tokens (default 2000)."},
    "include_preferences": {"type": "boolean", "description": "Start with the project's preferences (default true)."}
  })");
  properties["filter"] = FilterProperty();
  properties["project"] = ProjectProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"query"});
  t.output_schema = ContextBlockSchema();
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    const json::value rest = Without(args, {"project"});  // JsonFields keeps a pointer into it
    MEMD_ASSIGN_OR_RETURN(auto fields, engine::JsonFields::Of(rest, ""));
    ContextRequest request;
    MEMD_ASSIGN_OR_RETURN(auto query, fields.GetString("query"));
    if (!query || query->empty()) return Status::InvalidArgument("query must be a non-empty string", "query");
    request.query = std::move(*query);
    MEMD_ASSIGN_OR_RETURN(auto budget, fields.GetInt("token_budget"));
    if (budget) {
      if (*budget < 64 || *budget > 200000) {
        return Status::InvalidArgument("token_budget must be between 64 and 200000", "token_budget");
      }
      request.token_budget = static_cast<int>(*budget);
    }
    MEMD_ASSIGN_OR_RETURN(auto preferences, fields.GetBool("include_preferences"));
    request.include_preferences = preferences.value_or(true);
    if (const json::value* filter = fields.GetValue("filter"); filter != nullptr && !filter->is_null()) {
      request.filter = engine::ToJsonText(*filter);
    }
    MEMD_RETURN_IF_ERROR(fields.Finish());
    MEMD_ASSIGN_OR_RETURN(ContextBlock block, EmptyIfNoCube(ctx, cube, ctx.engine.Context(cube, request)));
    return engine::EncodeContextBlock(block);
  };
  return t;
}

}  // namespace

std::vector<Tool> SearchTools() { return {SearchMemories(), GetContext()}; }

}  // namespace memd::mcp
