// MCP prompts: reusable user messages that put memd to work.
//
//   recall {task, project?}  the project's memory relevant to a task (get_context's block)
//   remember {focus?}        asks the model to store what the conversation taught it
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string_view>

#include "memd/credentials.h"
#include "memd/engine.h"
#include "mcp/identity.h"

namespace memd::mcp {

// prompts/list: {"prompts": [...]}.
boost::json::object ListPrompts();

// The scope prompts/get of name needs; nullopt for an unknown prompt or one that reads
// nothing.
std::optional<Scope> PromptScope(std::string_view name);

// prompts/get: {"description", "messages": [...]}. arguments are the request's string
// arguments. Errors: NotFound for an unknown prompt, InvalidArgument naming a missing or
// non-string argument, and the engine's errors.
Result<boost::json::object> GetPrompt(Engine& engine, const Identity& identity, std::string_view name,
                                      const boost::json::object& arguments);

}  // namespace memd::mcp
