#include "mcp/jsonrpc.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

bool ValidId(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

Message Invalid(json::value id, int code, std::string message) {
  Message m;
  m.kind = Message::Kind::kInvalid;
  m.id = std::move(id);
  m.error = RpcError{code, std::move(message), nullptr};
  return m;
}

}  // namespace

Message Classify(const json::value& message) {
  if (!message.is_object()) {
    return Invalid(nullptr, kInvalidRequest, "a JSON-RPC message must be an object");
  }
  const json::object& o = message.get_object();
  // The id, when one is readable, is echoed even in the error for a malformed request.
  const json::value* id = o.if_contains("id");
  json::value echo = id != nullptr && ValidId(*id) ? *id : json::value(nullptr);
  const json::value* version = o.if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return Invalid(echo, kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
  }
  const json::value* method = o.if_contains("method");
  if (method == nullptr) {
    if (id != nullptr && (o.contains("result") || o.contains("error"))) {
      Message m;
      m.kind = Message::Kind::kResponse;
      m.id = echo;
      return m;
    }
    return Invalid(echo, kInvalidRequest, "a request needs a \"method\"");
  }
  if (!method->is_string() || method->get_string().empty()) {
    return Invalid(echo, kInvalidRequest, "\"method\" must be a non-empty string");
  }
  if (id != nullptr && !ValidId(*id)) {
    return Invalid(nullptr, kInvalidRequest, "\"id\" must be a string or an integer (not null, a fraction or another type)");
  }
  Message m;
  m.kind = id != nullptr ? Message::Kind::kRequest : Message::Kind::kNotification;
  m.id = echo;
  m.method = std::string(method->get_string());
  if (const json::value* params = o.if_contains("params"); params != nullptr && !params->is_null()) {
    if (!params->is_object()) {
      if (m.kind == Message::Kind::kNotification) return m;  // a notification is never answered
      return Invalid(echo, kInvalidParams, "\"params\" must be an object");
    }
    m.params = params->get_object();
  }
  return m;
}

json::object ResultResponse(const json::value& id, json::value result) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object ErrorResponse(const json::value& id, const RpcError& error) {
  json::object e{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) e["data"] = error.data;
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

}  // namespace memd::mcp
