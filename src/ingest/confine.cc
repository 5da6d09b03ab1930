// ConfinePath: keeps caller-given paths inside a server's allowed roots.
//
// Two checks, both required: the path normalised lexically ("." and ".." folded, relative
// paths joined to the first root) must lie inside a root, so "../../etc/passwd" is refused
// without touching the file system; then the canonical path (realpath: every symlink
// resolved) must lie inside a root's canonical path, so a link inside a root cannot lead out.
// When the path does not exist, its deepest existing ancestor is resolved instead, so a
// missing file behind a link that leads outside is PermissionDenied, never NotFound: the
// answer does not reveal what exists outside the roots.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "memd/ingest.h"

namespace memd {
namespace {

// Folds ".", ".." and repeated '/' of an absolute path.
std::string NormalizeLexically(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t end = path.find('/', i);
    const std::string_view part = path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    i = end == std::string_view::npos ? path.size() : end;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

bool InsideAny(const std::string& path, const std::vector<std::string>& roots) {
  for (const std::string& r : roots) {
    if (IsInside(path, r)) return true;
  }
  return false;
}

Status Outside(std::string_view path) {
  return Status(StatusCode::kPermissionDenied,
                "path '" + std::string(path) + "' is outside the allowed roots; give a path below one of them");
}

}  // namespace

Result<std::string> ConfinePath(std::string_view path, const std::vector<std::string>& allowed_roots) {
  if (path.empty()) return Status::InvalidArgument("the path is empty", "path");
  if (path.find('\0') != std::string_view::npos) return Status::InvalidArgument("the path holds a NUL byte", "path");
  if (allowed_roots.empty()) return Status::InvalidArgument("no allowed roots are configured", "allowed_roots");
  std::vector<std::string> given;     // roots as configured, normalised
  std::vector<std::string> canonical;  // roots with symlinks resolved
  for (const std::string& root : allowed_roots) {
    if (root.empty() || root.front() != '/') {
      return Status::InvalidArgument("allowed root '" + root + "' is not an absolute path", "allowed_roots");
    }
    char buf[PATH_MAX];
    if (realpath(root.c_str(), buf) == nullptr) {
      return Status::IOError("cannot resolve allowed root " + root + ": " + std::strerror(errno));
    }
    given.push_back(NormalizeLexically(root));
    canonical.emplace_back(buf);
  }
  const std::string absolute = path.front() == '/' ? std::string(path) : canonical.front() + "/" + std::string(path);
  const std::string lexical = NormalizeLexically(absolute);
  if (!InsideAny(lexical, given) && !InsideAny(lexical, canonical)) return Outside(path);

  char buf[PATH_MAX];
  if (realpath(lexical.c_str(), buf) != nullptr) {
    std::string resolved = buf;
    if (!InsideAny(resolved, canonical)) return Outside(path);
    return resolved;
  }
  const int err = errno;
  if (err != ENOENT && err != ENOTDIR) {
    if (err == ELOOP) return Outside(path);  // a link cycle: refuse without saying more
    return Status::IOError("cannot resolve " + std::string(path) + ": " + std::strerror(err));
  }
  // Resolve the deepest existing ancestor: a dangling path behind an escaping link is
  // refused like the link itself.
  std::string ancestor = lexical;
  std::string child = lexical;  // the component below ancestor on the way to lexical
  while (ancestor != "/") {
    child = ancestor;
    const std::size_t slash = ancestor.rfind('/');
    ancestor = slash == 0 ? "/" : ancestor.substr(0, slash);
    if (realpath(ancestor.c_str(), buf) != nullptr) {
      if (!InsideAny(buf, canonical)) return Outside(path);
      // The first missing component exists as an entry: a dangling symlink, whose target
      // may lie outside. Refuse rather than say whether that target exists.
      struct stat st;
      if (lstat(child.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return Outside(path);
      break;
    }
  }
  return Status::NotFound("path '" + std::string(path) + "' does not exist");
}

}  // namespace memd
