// JSON-RPC 2.0 as MCP uses it: classifying one incoming message and building responses.
//
// MCP ids are strings or integers, never null; a response echoes the request's id with its
// type (7 stays 7, "7" stays "7"). Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace memd::mcp {

// JSON-RPC error codes memd sends.
inline constexpr int kParseError = -32700;      // the text is not JSON
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a valid request (or not allowed now)
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kForbidden = -32001;          // memd: the credential lacks a scope
inline constexpr int kResourceNotFound = -32002;   // MCP: resources/read of an unknown URI

// A JSON-RPC error object: {"code", "message", "data"?}.
struct RpcError {
  int code = kInternalError;
  std::string message;
  boost::json::value data;  // null: omitted
};

// One incoming JSON-RPC message, classified.
struct Message {
  enum class Kind {
    kRequest,       // method + id: must be answered
    kNotification,  // method, no id: never answered
    kResponse,      // result or error + id: an answer to a server request (memd sends none)
    kInvalid,       // anything else: answered with `error` and `id` (null when unreadable)
  };
  Kind kind = Kind::kInvalid;
  boost::json::value id;       // string or integer for requests; null otherwise
  std::string method;
  boost::json::object params;  // empty when absent
  RpcError error;              // kInvalid only
};

// Classifies one message (an element of a batch, or a whole non-batch body). Never fails:
// malformed messages come back as kInvalid with a -32600 or -32602 error that says what is
// wrong (a request whose params are not an object is kInvalid with -32602 and its id).
Message Classify(const boost::json::value& message);

// {"jsonrpc":"2.0","id":id,"result":result}
boost::json::object ResultResponse(const boost::json::value& id, boost::json::value result);
// {"jsonrpc":"2.0","id":id,"error":{...}}; id is null when the request's id was unreadable.
boost::json::object ErrorResponse(const boost::json::value& id, const RpcError& error);

}  // namespace memd::mcp
