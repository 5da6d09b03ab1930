#include "mcp/project_name.h"

#include <filesystem>
#include <system_error>

namespace memd::mcp {

namespace {

constexpr std::size_t kMaxProjectBytes = 128;

bool Allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

}  // namespace

std::string SanitizeProjectName(std::string_view name) {
  std::string out;
  bool replacing = false;
  for (char c : name) {
    if (Allowed(c)) {
      if (out.empty() && c == '.') continue;
      out.push_back(c);
      replacing = false;
    } else if (!replacing) {
      out.push_back('-');
      replacing = true;
    }
  }
  if (out.size() > kMaxProjectBytes) out.resize(kMaxProjectBytes);
  return out;
}

std::string RepositoryRoot(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path start = fs::absolute(fs::path(dir), ec);
  if (ec) start = fs::path(dir);
  start = start.lexically_normal();
  // lexically_normal keeps a trailing separator ("/a/b/" -> "/a/b/"): drop it so that
  // filename() names the directory.
  if (!start.has_filename() && start.has_parent_path() && start != start.root_path()) start = start.parent_path();
  for (fs::path p = start;; p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p.string();
    if (p == p.parent_path() || p.empty()) break;
  }
  return start.string();
}

std::string ProjectForDirectory(const std::string& dir) {
  std::string name = SanitizeProjectName(std::filesystem::path(RepositoryRoot(dir)).filename().string());
  if (name.empty()) {
    // A repository at "/" has no name: use the directory's own.
    std::error_code ec;
    std::filesystem::path own = std::filesystem::absolute(dir, ec).lexically_normal();
    if (!own.has_filename() && own.has_parent_path()) own = own.parent_path();
    name = SanitizeProjectName(own.filename().string());
  }
  return name.empty() ? "default" : name;
}

}  // namespace memd::mcp
