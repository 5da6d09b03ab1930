// Identity: who an MCP connection acts for, as its transport established it (stdio: flags
// and environment; HTTP: the bearer credential). The protocol core never sees HTTP.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memd/credentials.h"
#include "memd/memory.h"
#include "memd/status.h"

namespace memd::mcp {

// Value type; thread-compatible.
struct Identity {
  std::string user;                   // every cube reached belongs to this user
  std::vector<std::string> projects;  // projects it may use; empty: all of the user's
  std::vector<Scope> scopes = {Scope::kRead, Scope::kWrite};
  std::string default_project = "default";  // used when a call names no project

  // Whether the identity holds scope; admin implies read and write (as on the REST API).
  bool Has(Scope scope) const;
  // Whether project is one it may use.
  bool MayUse(std::string_view project) const;
  // The cube of project (the default project when empty), for this identity's user.
  // Errors: InvalidArgument (field "project") for a malformed name; PermissionDenied
  // (field "project") naming the projects it may use.
  Result<CubeRef> Cube(std::string_view project = {}) const;
};

}  // namespace memd::mcp
