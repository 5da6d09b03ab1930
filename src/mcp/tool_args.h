// Reading a tool's arguments: the project, the idempotency key, the rest for a codec
// decoder (memory_codec.h), and the empty answers for a cube that does not exist yet.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <string_view>

#include "mcp/tool.h"
#include "memd/engine.h"

namespace memd::mcp {

// The cube named by arguments["project"] (the identity's default project when absent or
// null). InvalidArgument if it is not a string or not a valid name; PermissionDenied if
// the identity may not use it.
Result<CubeRef> CubeArgument(const ToolContext& ctx, const boost::json::object& arguments);

// arguments[key] as a non-empty string. InvalidArgument naming key if absent or not one.
Result<std::string> RequiredString(const boost::json::object& arguments, std::string_view key);

// WriteOptions from arguments["idempotency_key"] (1..200 visible ASCII characters).
Result<WriteOptions> WriteOptionsArgument(const boost::json::object& arguments);

// A copy of arguments without the given keys (those a codec decoder does not know).
boost::json::object Without(const boost::json::object& arguments,
                            std::initializer_list<std::string_view> keys);

// Whether the cube exists; a read of a project nobody wrote to yet answers empty rather
// than failing (an agent's first search in a new repository is not an error).
Result<bool> CubeExists(const ToolContext& ctx, const CubeRef& cube);

// The result of a read of cube, or an empty T when it failed with NotFound because the
// cube does not exist yet (see CubeExists); any other failure is returned as it is.
template <typename T>
Result<T> EmptyIfNoCube(const ToolContext& ctx, const CubeRef& cube, Result<T> result) {
  if (result.ok() || result.status().code() != StatusCode::kNotFound) return result;
  MEMD_ASSIGN_OR_RETURN(bool exists, CubeExists(ctx, cube));
  if (exists) return result;
  return T{};
}

}  // namespace memd::mcp
