// Tools over a project's preferences (parametric memory): set, list, delete.
#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "mcp/tool.h"
#include "mcp/tool_args.h"
#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

json::object CategoryProperty() {
  return JsonObject(
      R"({"type": "string", "description": "Group of the setting, 1-64 characters, e.g. \"style\", \"testing\", \"review\"."})");
}
json::object KeyProperty() {
  return JsonObject(
      R"({"type": "string", "description": "Name of the setting within its category, 1-128 characters, e.g. \"docstrings\"."})");
}

Tool SetPreference() {
  Tool t;
  t.name = "set_preference";
  t.title = "Set a preference";
  t.description =
      "Record a standing instruction or setting for the project (for example category \"style\", key "
      "\"docstrings\", value \"Google style\"), replacing any earlier value of the same category and key. "
      "Preferences are included at the top of every get_context block, so use them for rules that always "
      "apply; use "
      "add_memory for facts.";
  json::object properties{{"category", CategoryProperty()}, {"key", KeyProperty()}};
  properties["value"] = JsonObject(
      R"({"description": "The setting: any JSON value (a string, number, boolean, array or object)."})");
  properties["description"] =
      JsonObject(R"({"type": "string", "description": "Optional note on why or when it applies."})");
  properties["project"] = ProjectProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"category", "key", "value"});
  t.output_schema = PreferenceSchema();
  t.destructive = true;  // replaces an earlier value
  t.idempotent = true;
  t.scope = Scope::kWrite;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(std::string category, RequiredString(args, "category"));
    MEMD_ASSIGN_OR_RETURN(std::string key, RequiredString(args, "key"));
    const json::value* value = args.if_contains("value");
    if (value == nullptr) return Status::InvalidArgument("value is required (any JSON value)", "value");
    std::string description;
    if (const json::value* d = args.if_contains("description"); d != nullptr && !d->is_null()) {
      if (!d->is_string()) return Status::InvalidArgument("description must be a string", "description");
      description = std::string(d->get_string());
    }
    MEMD_ASSIGN_OR_RETURN(
        Preference p, ctx.engine.SetPreference(cube, category, key, engine::ToJsonText(*value), description));
    return engine::EncodePreference(p);
  };
  return t;
}

Tool ListPreferences() {
  Tool t;
  t.name = "list_preferences";
  t.title = "List preferences";
  t.description =
      "List the project's preferences (standing instructions and settings), ordered by category and key, "
      "optionally "
      "of one category only.";
  json::object properties{{"category", CategoryProperty()}, {"project", ProjectProperty()}};
  properties["category"].as_object()["description"] = "Only this category; omit for all.";
  t.input_schema = ObjectSchema(std::move(properties), {});
  t.output_schema = ObjectSchema(
      json::object{{"preferences", json::object{{"type", "array"}, {"items", PreferenceSchema()}}}},
      {"preferences"});
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    std::string category;
    if (const json::value* c = args.if_contains("category"); c != nullptr && !c->is_null()) {
      if (!c->is_string()) return Status::InvalidArgument("category must be a string", "category");
      category = std::string(c->get_string());
    }
    MEMD_ASSIGN_OR_RETURN(std::vector<Preference> list,
                          EmptyIfNoCube(ctx, cube, ctx.engine.ListPreferences(cube, category)));
    json::array preferences;
    for (const Preference& p : list) preferences.push_back(engine::EncodePreference(p));
    return json::object{{"preferences", std::move(preferences)}};
  };
  return t;
}

Tool DeletePreference() {
  Tool t;
  t.name = "delete_preference";
  t.title = "Delete a preference";
  t.description =
      "Remove one preference of the project (it no longer appears in get_context). Not reversible.";
  t.input_schema = ObjectSchema(
      json::object{{"category", CategoryProperty()}, {"key", KeyProperty()}, {"project", ProjectProperty()}},
      {"category", "key"});
  t.output_schema = JsonObject(R"({
    "type": "object",
    "properties": {"category": {"type": "string"}, "key": {"type": "string"}, "deleted": {"type": "boolean", "const": true}},
    "required": ["category", "key", "deleted"]
  })");
  t.destructive = true;
  t.idempotent = true;
  t.scope = Scope::kWrite;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(std::string category, RequiredString(args, "category"));
    MEMD_ASSIGN_OR_RETURN(std::string key, RequiredString(args, "key"));
    MEMD_RETURN_IF_ERROR(ctx.engine.DeletePreference(cube, category, key));
    return json::object{{"category", category}, {"key", key}, {"deleted", true}};
  };
  return t;
}

}  // namespace

std::vector<Tool> PreferenceTools() { return {SetPreference(), ListPreferences(), DeletePreference()}; }

}  // namespace memd::mcp
