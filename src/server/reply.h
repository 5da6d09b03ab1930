// Reply: what a handler returns, independent of the socket that will carry it.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "memd/status.h"

namespace memd::server {

// An HTTP response before serialisation. A handler fills status, headers and either body
// or file.
struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Non-empty: the body is streamed from this file, which is deleted after sending.
  std::string file;
  // The error code of an error reply (for logs and metrics); empty on success.
  std::string error_code;

  // A JSON reply with the given status.
  static Reply Json(const boost::json::value& value, unsigned status = 200);
  // The error envelope {"error": {"code", "message", "field"?}} for a Status, with the HTTP
  // status of its code (ErrorStatus). code_override replaces the code name when the server
  // knows better (e.g. "invalid_json", "precondition_failed").
  static Reply Error(const Status& status, std::string_view code_override = {});
  // The error envelope with an explicit HTTP status and code.
  static Reply Error(unsigned http_status, std::string_view code, std::string_view message,
                     std::string_view field = {});
  // 204 No Content.
  static Reply NoContent();
};

// The HTTP status for an error code: the one place codes map to HTTP.
//   invalid_argument 422 (well-formed request, invalid values; malformed requests are
//   answered 400 by the server before the engine sees them), not_found 404,
//   already_exists and conflict 409, resource_exhausted 413, failed_precondition 409,
//   unauthenticated 401, permission_denied 403, unavailable 503, corruption, io_error and
//   internal 500.
unsigned ErrorStatus(StatusCode code);

}  // namespace memd::server
