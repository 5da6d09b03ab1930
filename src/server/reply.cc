#include "server/reply.h"

#include "util/json.h"

namespace memd::server {
namespace json = boost::json;

unsigned ErrorStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 422;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Reply Reply::Json(const json::value& value, unsigned status) {
  Reply r;
  r.status = status;
  r.body = json::serialize(value);
  return r;
}

Reply Reply::Error(unsigned http_status, std::string_view code, std::string_view message, std::string_view field) {
  json::object error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  Reply r = Json(json::object{{"error", std::move(error)}}, http_status);
  r.error_code = std::string(code);
  if (http_status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"memd\"");
  return r;
}

Reply Reply::Error(const Status& status, std::string_view code_override) {
  std::string_view code = code_override.empty() ? StatusCodeName(status.code()) : code_override;
  return Error(ErrorStatus(status.code()), code, status.message(), status.field());
}

Reply Reply::NoContent() {
  Reply r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace memd::server
