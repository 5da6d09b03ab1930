// MCP resources: memd's memories and each project's preferences, as memory:// URIs.
//
//   memory://{project}/memories/{id}   one memory (application/json, engine::EncodeMemory)
//   memory://{project}/preferences     the project's preferences ({"preferences": [...]})
//
// The user is never in a URI: every URI names a cube of the caller's own user. '@' in a
// project name is written %40 (an '@' in a URI authority would read as user info).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "memd/engine.h"
#include "mcp/identity.h"

namespace memd::mcp {

std::string MemoryUri(std::string_view project, std::string_view id);
std::string PreferencesUri(std::string_view project);

// A parsed memory:// URI.
struct ResourceUri {
  std::string project;
  std::string memory_id;  // empty: the preferences resource
};
// InvalidArgument (field "uri") saying which URI forms exist, for anything else.
Result<ResourceUri> ParseResourceUri(std::string_view uri);

// resources/list: the preferences resource of each of the identity's projects followed by
// its memories, project by project, at most page_size entries per page. cursor is a
// previous result's nextCursor (empty: from the start). Returns {"resources": [...],
// "nextCursor"?}. InvalidArgument (field "cursor") for a cursor memd did not issue.
Result<boost::json::object> ListResources(Engine& engine, const Identity& identity, std::string_view cursor,
                                          int page_size = 100);

// resources/templates/list: {"resourceTemplates": [...]}.
boost::json::object ListResourceTemplates();

// resources/read: {"contents": [{"uri", "mimeType", "text"}]}. NotFound for a memory or
// project that does not exist (or is another user's: it is never reachable);
// InvalidArgument for a malformed URI; PermissionDenied for a project the identity may not
// use.
Result<boost::json::object> ReadResource(Engine& engine, const Identity& identity, std::string_view uri);

}  // namespace memd::mcp
