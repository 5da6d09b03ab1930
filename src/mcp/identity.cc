#include "mcp/identity.h"

#include <algorithm>

#include "engine/validation.h"

namespace memd::mcp {

bool Identity::Has(Scope scope) const {
  return std::any_of(scopes.begin(), scopes.end(), [scope](Scope s) { return s == scope || s == Scope::kAdmin; });
}

bool Identity::MayUse(std::string_view project) const {
  return projects.empty() || std::find(projects.begin(), projects.end(), project) != projects.end();
}

Result<CubeRef> Identity::Cube(std::string_view project) const {
  CubeRef ref{user, std::string(project.empty() ? std::string_view(default_project) : project)};
  if (Status s = engine::ValidateCubeRef(ref); !s.ok()) return s.WithField("project");
  if (!MayUse(ref.project)) {
    std::string allowed;
    for (const std::string& p : projects) allowed += (allowed.empty() ? "" : ", ") + p;
    return Status(StatusCode::kPermissionDenied,
                  "this connection may not use project '" + ref.project + "'; use one of: " + allowed, "project");
  }
  return ref;
}

}  // namespace memd::mcp
