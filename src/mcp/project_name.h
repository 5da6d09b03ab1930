// The project an MCP connection defaults to when started in a directory (memd mcp).
#pragma once

#include <string>
#include <string_view>

namespace memd::mcp {

// Turns a directory name into a valid project name: each run of bytes outside
// [A-Za-z0-9._@-] becomes one '-', leading '.' are dropped, and the result is cut to 128
// bytes. Empty if nothing is left.
std::string SanitizeProjectName(std::string_view name);

// The top-level directory of the git repository containing dir (the nearest ancestor, dir
// included, holding a .git entry), else dir itself; absolute and without "." or "..".
std::string RepositoryRoot(const std::string& dir);

// The project for a working directory: the name of the top-level directory of the git
// repository containing dir (the nearest ancestor, dir included, holding a .git entry, so
// worktrees and submodules count as repositories), else dir's own name; sanitised; "default"
// when that leaves nothing (e.g. for /).
std::string ProjectForDirectory(const std::string& dir);

}  // namespace memd::mcp
