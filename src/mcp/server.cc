#include "mcp/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>

#include "engine/validation.h"
#include "mcp/jsonrpc.h"
#include "mcp/prompts.h"
#include "mcp/resources.h"
#include "memd/version.h"
#include "util/json.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

// Messages nest params -> arguments -> metadata: room for 32 levels of user JSON below.
constexpr std::size_t kMaxMessageDepth = 40;

constexpr std::array<std::string_view, 8> kLogLevels = {"debug", "info",     "notice", "warning",
                                                        "error", "critical", "alert",  "emergency"};

RpcError Error(int code, std::string message, json::value data = nullptr) {
  return RpcError{code, std::move(message), std::move(data)};
}

// The JSON-RPC error for an engine failure outside tools/call.
RpcError ErrorOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kNotFound:
      return Error(kInvalidParams, status.message());
    default:
      return Error(kInternalError, std::string(StatusCodeName(status.code())) + ": " + status.message());
  }
}

// The text of an isError result: what went wrong, the argument at fault, what to do.
std::string ToolErrorText(const Status& status) {
  std::string text = std::string(StatusCodeName(status.code())) + ": " + status.message();
  if (!status.field().empty()) text += " (argument: " + status.field() + ")";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      text += ". Fix the arguments and call the tool again.";
      break;
    case StatusCode::kNotFound:
      text += ". Check the id and the project: search_memories and list_memories return the ids that exist.";
      break;
    case StatusCode::kConflict:
      text += ". The memory changed meanwhile, or the idempotency key was used with other arguments: get_memory it "
              "again and retry.";
      break;
    case StatusCode::kFailedPrecondition:
      text += ". The memory is not in a state that allows this.";
      break;
    case StatusCode::kAlreadyExists:
      text += ". Use another id or omit it.";
      break;
    case StatusCode::kPermissionDenied:
      text += ". Use a project this connection may use (see list_projects).";
      break;
    case StatusCode::kResourceExhausted:
      text += ". Make the input smaller, e.g. split long text into several memories.";
      break;
    case StatusCode::kUnavailable:
      text += ". memd is busy or shutting down; retry shortly.";
      break;
    default:
      text += ". This is a problem of the memd server, not of the arguments; tell the user.";
      break;
  }
  return text;
}

json::object ToolResult(const Result<json::object>& result) {
  if (!result.ok()) {
    return json::object{{"content", json::array{json::object{{"type", "text"}, {"text", ToolErrorText(result.status())}}}},
                        {"isError", true}};
  }
  return json::object{{"content", json::array{json::object{{"type", "text"}, {"text", CompactJson(*result)}}}},
                      {"structuredContent", *result},
                      {"isError", false}};
}

// Checks argument names against the schema: no unknown key, every required key present.
Status CheckArgumentNames(const Tool& tool, const json::object& arguments) {
  const json::object* properties = nullptr;
  if (const json::value* p = tool.input_schema.if_contains("properties"); p != nullptr && p->is_object()) {
    properties = &p->get_object();
  }
  for (const auto& member : arguments) {
    if (properties == nullptr || !properties->contains(member.key())) {
      std::string allowed;
      if (properties != nullptr) {
        for (const auto& p : *properties) allowed += (allowed.empty() ? "" : ", ") + std::string(p.key());
      }
      return Status::InvalidArgument("unknown argument '" + std::string(member.key()) + "'; " + tool.name +
                                         (allowed.empty() ? " takes no arguments" : " takes: " + allowed),
                                     std::string(member.key()));
    }
  }
  if (const json::value* required = tool.input_schema.if_contains("required"); required != nullptr && required->is_array()) {
    for (const json::value& name : required->get_array()) {
      if (!name.is_string()) continue;
      const json::value* given = arguments.if_contains(name.get_string());
      if (given == nullptr || given->is_null()) {
        return Status::InvalidArgument("missing required argument '" + std::string(name.get_string()) + "'",
                                       std::string(name.get_string()));
      }
    }
  }
  return Status::OK();
}

std::string Instructions(const Identity& identity) {
  return "memd is the long-term memory of this project, kept across sessions. You act as user '" + identity.user +
         "'; the current project is '" + identity.default_project +
         "' (every tool uses it unless you pass project; list_projects shows the others). Before working on a task, "
         "call search_memories or get_context with what you need to know. Store durable knowledge with add_memory: "
         "decisions and their reasons, conventions, build and test commands, pitfalls and fixes, one self-contained "
         "fact per memory. Correct outdated memories with update_memory instead of adding contradicting ones; record "
         "standing rules with set_preference. Never store secrets.";
}

// A string parameter; RpcError -32602 if absent (when required) or not a string.
std::optional<RpcError> StringParam(const json::object& params, std::string_view key, bool required,
                                    std::string* out) {
  const json::value* v = params.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Error(kInvalidParams, "params." + std::string(key) + " is required");
    return std::nullopt;
  }
  if (!v->is_string()) return Error(kInvalidParams, "params." + std::string(key) + " must be a string");
  *out = std::string(v->get_string());
  return std::nullopt;
}

}  // namespace

struct Server::Answer {
  json::value result;
  std::optional<RpcError> error;
  Answer(json::value r) : result(std::move(r)) {}  // NOLINT(google-explicit-constructor)
  Answer(json::object r) : result(std::move(r)) {}  // NOLINT(google-explicit-constructor)
  Answer(RpcError e) : error(std::move(e)) {}      // NOLINT(google-explicit-constructor)
};

Server::Server(Engine& engine, ServerOptions options) : engine_(engine) {
  for (auto group : {MemoryTools(), SearchTools(), PreferenceTools(), ProjectTools(), std::move(options.extra_tools)}) {
    for (Tool& tool : group) tools_.push_back(std::move(tool));
  }
  for (std::size_t i = 0; i < tools_.size(); ++i) {
    tool_index_.emplace(tools_[i].name, i);
    tool_list_.push_back(tools_[i].Describe());
  }
}

bool Server::IsInitialize(const json::value& message) {
  if (!message.is_object()) return false;
  const json::value* method = message.get_object().if_contains("method");
  return method != nullptr && method->is_string() && method->get_string() == "initialize" &&
         message.get_object().contains("id");
}

Outcome Server::HandleText(std::string_view text, Session& session, const Identity& identity) const {
  auto parsed = ParseJson(text, "message", kMaxMessageDepth);
  if (!parsed.ok()) {
    Outcome outcome;
    outcome.malformed = true;
    outcome.response = ErrorResponse(nullptr, Error(kParseError, "Parse error: " + parsed.status().message()));
    return outcome;
  }
  return Handle(*parsed, session, identity);
}

Outcome Server::Handle(const json::value& message, Session& session, const Identity& identity) const {
  Outcome outcome;
  if (!message.is_array()) {
    if (auto response = HandleOne(message, false, session, identity, outcome)) outcome.response = std::move(*response);
    return outcome;
  }
  const json::array& batch = message.get_array();
  if (batch.empty()) {
    outcome.malformed = true;
    outcome.response = ErrorResponse(nullptr, Error(kInvalidRequest, "an empty batch is not a request"));
    return outcome;
  }
  if (!session.started() || !AllowsBatches(session.protocol_version)) {
    outcome.malformed = true;
    outcome.response = ErrorResponse(
        nullptr, Error(kInvalidRequest, session.started()
                                            ? "JSON-RPC batches are not part of protocol version " +
                                                  session.protocol_version + " (only 2025-03-26 and older); send one "
                                                  "message at a time"
                                            : "a batch cannot start a session: send initialize alone first"));
    return outcome;
  }
  json::array responses;
  for (const json::value& element : batch) {
    if (auto response = HandleOne(element, true, session, identity, outcome)) responses.push_back(std::move(*response));
  }
  if (!responses.empty()) outcome.response = std::move(responses);
  return outcome;
}

std::optional<json::object> Server::HandleOne(const json::value& raw, bool in_batch, Session& session,
                                              const Identity& identity, Outcome& outcome) const {
  Message message = Classify(raw);
  switch (message.kind) {
    case Message::Kind::kInvalid:
      if (!in_batch) outcome.malformed = true;
      return ErrorResponse(message.id, message.error);
    case Message::Kind::kResponse:
      return std::nullopt;  // memd sends no requests, so there is nothing to match
    case Message::Kind::kNotification:
      if (message.method == "notifications/initialized" && session.started()) session.initialized = true;
      return std::nullopt;  // cancellation and progress are moot: every request runs to completion
    case Message::Kind::kRequest:
      break;
  }
  Answer answer = [&]() -> Answer {
    if (Status valid = engine::ValidateCubeRef(CubeRef{identity.user, "default"}); !valid.ok()) {
      return Error(kInternalError, "this connection has no valid user: " + valid.message());
    }
    try {
      return Dispatch(message.method, message.params, in_batch, session, identity, outcome);
    } catch (const std::exception& e) {
      spdlog::error("mcp: {} threw: {}", message.method, e.what());
      return Error(kInternalError, "internal error in " + message.method + "; the memd log has details");
    }
  }();
  if (answer.error) return ErrorResponse(message.id, *answer.error);
  return ResultResponse(message.id, std::move(answer.result));
}

Server::Answer Server::Dispatch(const std::string& method, const json::object& params, bool in_batch,
                                Session& session, const Identity& identity, Outcome& outcome) const {
  if (method == "initialize") return Initialize(params, in_batch, session, identity, outcome);
  if (method == "ping") return json::object();
  if (!session.started()) {
    return Error(kInvalidRequest, "the session is not initialized: send initialize first");
  }
  auto needs = [&](Scope scope) -> std::optional<RpcError> {
    if (identity.Has(scope)) return std::nullopt;
    outcome.missing_scope = scope;
    return Error(kForbidden, "this credential lacks the '" + std::string(ScopeName(scope)) + "' scope needed by " + method);
  };

  if (method == "tools/list") {
    if (const json::value* cursor = params.if_contains("cursor"); cursor != nullptr && !cursor->is_null()) {
      return Error(kInvalidParams, "params.cursor was not issued by this server (tools/list has one page)");
    }
    return json::object{{"tools", tool_list_}};
  }
  if (method == "tools/call") return CallTool(params, identity, outcome);

  if (method == "resources/list") {
    if (auto denied = needs(Scope::kRead)) return *denied;
    std::string cursor;
    if (auto bad = StringParam(params, "cursor", false, &cursor)) return *bad;
    auto list = ListResources(engine_, identity, cursor);
    if (!list.ok()) return ErrorOf(list.status());
    return std::move(*list);
  }
  if (method == "resources/templates/list") return ListResourceTemplates();
  if (method == "resources/read") {
    if (auto denied = needs(Scope::kRead)) return *denied;
    std::string uri;
    if (auto bad = StringParam(params, "uri", true, &uri)) return *bad;
    auto contents = ReadResource(engine_, identity, uri);
    if (!contents.ok()) {
      if (contents.status().code() == StatusCode::kNotFound) {
        return Error(kResourceNotFound, "Resource not found: " + contents.status().message(), json::object{{"uri", uri}});
      }
      return ErrorOf(contents.status());
    }
    return std::move(*contents);
  }

  if (method == "prompts/list") return ListPrompts();
  if (method == "prompts/get") {
    std::string name;
    if (auto bad = StringParam(params, "name", true, &name)) return *bad;
    if (auto scope = PromptScope(name)) {
      if (auto denied = needs(*scope)) return *denied;
    }
    json::object arguments;
    if (const json::value* a = params.if_contains("arguments"); a != nullptr && !a->is_null()) {
      if (!a->is_object()) return Error(kInvalidParams, "params.arguments must be an object of strings");
      arguments = a->get_object();
    }
    auto prompt = GetPrompt(engine_, identity, name, arguments);
    if (!prompt.ok()) return ErrorOf(prompt.status());
    return std::move(*prompt);
  }

  if (method == "logging/setLevel") {
    std::string level;
    if (auto bad = StringParam(params, "level", true, &level)) return *bad;
    if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
      return Error(kInvalidParams, "params.level must be one of debug, info, notice, warning, error, critical, alert, "
                                   "emergency");
    }
    session.log_level = level;
    return json::object();
  }
  return Error(kMethodNotFound, "Method not found: " + method);
}

Server::Answer Server::Initialize(const json::object& params, bool in_batch, Session& session,
                                  const Identity& identity, Outcome& outcome) const {
  if (in_batch) return Error(kInvalidRequest, "initialize must not be part of a batch");
  if (session.started()) return Error(kInvalidRequest, "the session is already initialized");
  std::string requested;
  if (auto bad = StringParam(params, "protocolVersion", true, &requested)) return *bad;
  if (const json::value* info = params.if_contains("clientInfo"); info != nullptr && info->is_object()) {
    const json::object& client = info->get_object();
    if (const json::value* n = client.if_contains("name"); n != nullptr && n->is_string()) {
      session.client_name = std::string(n->get_string());
    }
    if (const json::value* v = client.if_contains("version"); v != nullptr && v->is_string()) {
      session.client_version = std::string(v->get_string());
    }
  }
  session.protocol_version = std::string(NegotiateVersion(requested));
  outcome.initialized = true;
  json::object capabilities{{"tools", json::object{{"listChanged", false}}},
                            {"resources", json::object{{"subscribe", false}, {"listChanged", false}}},
                            {"prompts", json::object{{"listChanged", false}}},
                            {"logging", json::object()}};
  return json::object{{"protocolVersion", session.protocol_version},
                      {"capabilities", std::move(capabilities)},
                      {"serverInfo", json::object{{"name", "memd"}, {"title", "memd"}, {"version", kVersion}}},
                      {"instructions", Instructions(identity)}};
}

Server::Answer Server::CallTool(const json::object& params, const Identity& identity, Outcome& outcome) const {
  std::string name;
  if (auto bad = StringParam(params, "name", true, &name)) return *bad;
  auto it = tool_index_.find(name);
  if (it == tool_index_.end()) return Error(kInvalidParams, "Unknown tool: " + name + " (tools/list names the tools)");
  const Tool& tool = tools_[it->second];
  if (!identity.Has(tool.scope)) {
    outcome.missing_scope = tool.scope;
    return Error(kForbidden, "this credential lacks the '" + std::string(ScopeName(tool.scope)) + "' scope needed by " +
                                 tool.name);
  }
  json::object arguments;
  if (const json::value* a = params.if_contains("arguments"); a != nullptr && !a->is_null()) {
    if (!a->is_object()) {
      return ToolResult(Status::InvalidArgument("arguments must be a JSON object of named arguments", "arguments"));
    }
    arguments = a->get_object();
  }
  if (Status names = CheckArgumentNames(tool, arguments); !names.ok()) return ToolResult(names);
  return ToolResult(tool.run(ToolContext{engine_, identity}, arguments));
}

}  // namespace memd::mcp
