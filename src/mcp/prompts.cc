#include "mcp/prompts.h"

#include <string>

namespace memd::mcp {
namespace json = boost::json;

namespace {

constexpr int kRecallBudget = 2000;

json::object UserMessage(std::string text) {
  return json::object{{"role", "user"}, {"content", json::object{{"type", "text"}, {"text", std::move(text)}}}};
}

// arguments[key] as a string; absent or empty gives "" (InvalidArgument when required).
Result<std::string> StringArgument(const json::object& arguments, std::string_view key, bool required) {
  const json::value* v = arguments.if_contains(key);
  if (v != nullptr && !v->is_null() && !v->is_string()) {
    return Status::InvalidArgument("prompt argument '" + std::string(key) + "' must be a string", std::string(key));
  }
  std::string value = v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  if (required && value.empty()) {
    return Status::InvalidArgument("prompt argument '" + std::string(key) + "' is required", std::string(key));
  }
  return value;
}

Result<json::object> Recall(Engine& engine, const Identity& identity, const json::object& arguments) {
  MEMD_ASSIGN_OR_RETURN(std::string task, StringArgument(arguments, "task", true));
  MEMD_ASSIGN_OR_RETURN(std::string project, StringArgument(arguments, "project", false));
  MEMD_ASSIGN_OR_RETURN(CubeRef cube, identity.Cube(project));
  ContextRequest request;
  request.query = task;
  request.token_budget = kRecallBudget;
  auto block = engine.Context(cube, request);
  std::string text;
  if (block.ok() && !block->text.empty()) {
    text = "Before you start on this task, here is what memd remembers of project " + cube.project +
           " that may be relevant:\n\n" + block->text +
           "\nUse these memories where they apply and cite the ids in [brackets] you rely on. If one of them turns "
           "out to be wrong or outdated, correct it with update_memory or remove it with delete_memory.\n\nTask: " +
           task;
  } else if (block.ok() || block.status().code() == StatusCode::kNotFound) {
    text = "memd has no memories of project " + cube.project + " relevant to this task yet. As you work, store what "
           "later sessions should know with add_memory.\n\nTask: " + task;
  } else {
    return block.status();
  }
  return json::object{{"description", "What memd remembers of project " + cube.project + " for a task"},
                      {"messages", json::array{UserMessage(std::move(text))}}};
}

Result<json::object> Remember(const json::object& arguments) {
  MEMD_ASSIGN_OR_RETURN(std::string focus, StringArgument(arguments, "focus", false));
  std::string text =
      "Review this conversation and store in memd what a later session on this project should know: decisions and "
      "their reasons, conventions, how to build, test and run things, pitfalls and fixes that worked, and the user's "
      "stated preferences. For each item, first call search_memories to see whether it is already stored; if it is, "
      "update_memory it only when it changed. Otherwise call add_memory with one self-contained fact per memory, a "
      "fitting kind (fact, note, code) and a few tags. Record standing rules that should always apply with "
      "set_preference. Do not store secrets, credentials or transient details.";
  if (!focus.empty()) text += "\n\nFocus on: " + focus;
  return json::object{{"description", "Store what this conversation taught"},
                      {"messages", json::array{UserMessage(std::move(text))}}};
}

}  // namespace

json::object ListPrompts() {
  json::array prompts;
  prompts.push_back(json::object{
      {"name", "recall"},
      {"title", "Recall project memory for a task"},
      {"description", "Starts a task with what memd remembers of the project that is relevant to it"},
      {"arguments",
       json::array{json::object{{"name", "task"}, {"description", "The task you are about to work on"}, {"required", true}},
                   json::object{{"name", "project"},
                                {"description", "Project to recall from (default: the current project)"},
                                {"required", false}}}}});
  prompts.push_back(json::object{
      {"name", "remember"},
      {"title", "Remember this session"},
      {"description", "Asks the assistant to store what this conversation taught it in memd"},
      {"arguments", json::array{json::object{{"name", "focus"},
                                             {"description", "Optional topic to concentrate on"},
                                             {"required", false}}}}});
  return json::object{{"prompts", std::move(prompts)}};
}

std::optional<Scope> PromptScope(std::string_view name) {
  if (name == "recall") return Scope::kRead;
  return std::nullopt;
}

Result<json::object> GetPrompt(Engine& engine, const Identity& identity, std::string_view name,
                               const json::object& arguments) {
  if (name == "recall") return Recall(engine, identity, arguments);
  if (name == "remember") return Remember(arguments);
  return Status::NotFound("unknown prompt '" + std::string(name) + "'; prompts/list names recall and remember");
}

}  // namespace memd::mcp
