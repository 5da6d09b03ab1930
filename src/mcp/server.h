// mcp::Server: the Model Context Protocol over one Engine, independent of the transport.
//
// A transport (stdio: mcp/stdio_transport.h; Streamable HTTP: server/api_mcp.cc) hands it
// each incoming message with the connection's Session and Identity and sends back what it
// returns. It implements JSON-RPC 2.0 (ids echoed with their type; batches only where the
// negotiated revision allows them), the lifecycle (initialize with version negotiation,
// notifications/initialized, ping), tools (tools/list, tools/call), resources (memory://
// URIs: resources/list, resources/templates/list, resources/read), prompts (prompts/list,
// prompts/get) and logging/setLevel. Anything else is -32601.
//
// Isolation: every tool, resource and prompt acts on cubes of identity.user only, and only
// on the projects the identity may use.
//
// Thread-safe: any number of threads may call Handle concurrently, each with its own
// Session (the Server is immutable after construction; the Engine is thread-safe).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memd/credentials.h"
#include "memd/engine.h"
#include "mcp/identity.h"
#include "mcp/session.h"
#include "mcp/tool.h"

namespace memd::mcp {

struct ServerOptions {
  // Tools offered after memd's built-in ones (e.g. ingest, which lives in another layer).
  std::vector<Tool> extra_tools;
};

// What handling one incoming message produced.
struct Outcome {
  // The response (an object) or the responses of a batch (an array); nullopt when there is
  // nothing to send (notifications and responses only).
  std::optional<boost::json::value> response;
  // The message as a whole was not JSON, not a JSON-RPC message, or a batch the revision
  // does not allow (HTTP answers 400).
  bool malformed = false;
  // A request was refused because the identity lacks this scope (HTTP answers 403 with
  // error="insufficient_scope"); its response is a -32001 error.
  std::optional<Scope> missing_scope;
  // An initialize succeeded: the session now has a protocol version (HTTP issues an
  // Mcp-Session-Id).
  bool initialized = false;
};

class Server {
 public:
  explicit Server(Engine& engine, ServerOptions options = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Parses text as one message or batch (answering -32700 when it is not JSON) and handles it.
  Outcome HandleText(std::string_view text, Session& session, const Identity& identity) const;
  // Handles one parsed message or batch.
  Outcome Handle(const boost::json::value& message, Session& session, const Identity& identity) const;

  // Whether message is a single initialize request (HTTP gives it a fresh session).
  static bool IsInitialize(const boost::json::value& message);

  // The tools in listing order.
  const std::vector<Tool>& tools() const { return tools_; }

 private:
  struct Answer;  // a result or an error
  std::optional<boost::json::object> HandleOne(const boost::json::value& message, bool in_batch, Session& session,
                                               const Identity& identity, Outcome& outcome) const;
  Answer Dispatch(const std::string& method, const boost::json::object& params, bool in_batch, Session& session,
                  const Identity& identity, Outcome& outcome) const;
  Answer Initialize(const boost::json::object& params, bool in_batch, Session& session, const Identity& identity,
                    Outcome& outcome) const;
  Answer CallTool(const boost::json::object& params, const Identity& identity, Outcome& outcome) const;

  Engine& engine_;
  std::vector<Tool> tools_;
  std::unordered_map<std::string, std::size_t> tool_index_;  // name -> position in tools_
  boost::json::array tool_list_;                             // tools/list entries, built once
};

}  // namespace memd::mcp
