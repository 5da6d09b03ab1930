#include "ingest/ignore_rules.h"

#include <string>
#include <string_view>

#include "ingest/glob.h"

namespace memd::ingest {
namespace {

// Drops trailing spaces that are not escaped by a backslash.
std::string_view TrimTrailingSpaces(std::string_view s) {
  while (!s.empty() && s.back() == ' ') {
    // Count the backslashes before the space: an odd number escapes it.
    std::size_t backslashes = 0;
    for (std::size_t i = s.size() - 1; i > 0 && s[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 1) break;
    s.remove_suffix(1);
  }
  return s;
}

std::string_view BaseName(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool PatternMatches(const IgnorePattern& p, std::string_view rel, bool is_directory) {
  if (p.directory_only && !is_directory) return false;
  const std::string_view subject = p.anchored ? rel : BaseName(rel);
  return p.has_wildcards ? GlobMatch(p.glob, subject) : subject == p.glob;
}

constexpr std::string_view kDefaultExcludes = R"(# version control
.git/
.hg/
.svn/
.bzr/
# dependency trees and virtual environments
node_modules/
bower_components/
.venv/
venv/
.tox/
.yarn/
.pnpm-store/
# caches
__pycache__/
.mypy_cache/
.pytest_cache/
.ruff_cache/
.cache/
.gradle/
.next/
.nuxt/
.parcel-cache/
.terraform/
# build output
build/
dist/
target/
out/
_build/
cmake-build-*/
# vendored code
vendor/
third_party/
thirdparty/
3rdparty/
# editor state
.idea/
.vs/
# lock files
package-lock.json
npm-shrinkwrap.json
yarn.lock
pnpm-lock.yaml
bun.lockb
Cargo.lock
poetry.lock
Pipfile.lock
uv.lock
composer.lock
Gemfile.lock
go.sum
# minified bundles and source maps
*.min.js
*.min.css
*.js.map
*.css.map
# OS litter
.DS_Store
Thumbs.db
)";

}  // namespace

bool ParseIgnoreLine(std::string_view line, IgnorePattern* out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return false;
  line = TrimTrailingSpaces(line);
  if (line.empty()) return false;
  IgnorePattern p;
  if (line.front() == '!') {
    p.negated = true;
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    p.directory_only = true;
    line.remove_suffix(1);
  }
  if (line.empty()) return false;  // "/" or "!" alone
  // Anchored if a '/' remains anywhere (at the start or in the middle).
  p.anchored = line.find('/') != std::string_view::npos;
  if (line.front() == '/') line.remove_prefix(1);
  if (line.empty()) return false;
  // A leading "\#" or "\!" escapes the special meaning; the glob matcher reads "\x" as x.
  p.glob.assign(line);
  p.has_wildcards = line.find_first_of("*?[\\") != std::string_view::npos;
  *out = std::move(p);
  return true;
}

IgnoreList IgnoreList::FromText(std::string base, std::string_view text) {
  IgnoreList list(std::move(base));
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    IgnorePattern p;
    if (ParseIgnoreLine(line, &p)) list.Add(p);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return list;
}

IgnoreList IgnoreList::FromGlobs(const std::vector<std::string>& globs) {
  IgnoreList list;
  for (const std::string& g : globs) {
    IgnorePattern p;
    // A glob starting with '#' is a pattern here, not a comment.
    if (!g.empty() && g.front() == '#') {
      if (ParseIgnoreLine("\\" + g, &p)) list.Add(p);
    } else if (ParseIgnoreLine(g, &p)) {
      list.Add(p);
    }
  }
  return list;
}

IgnoreList::Verdict IgnoreList::Match(std::string_view path, bool is_directory) const {
  std::string_view rel = path;
  if (!base_.empty()) {
    if (rel.size() <= base_.size() || rel.substr(0, base_.size()) != base_ || rel[base_.size()] != '/') {
      return Verdict::kNone;
    }
    rel.remove_prefix(base_.size() + 1);
  }
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (PatternMatches(*it, rel, is_directory)) return it->negated ? Verdict::kInclude : Verdict::kIgnore;
  }
  return Verdict::kNone;
}

bool IgnoreList::MatchesSelfOrParent(std::string_view path, bool is_directory) const {
  if (Match(path, is_directory) == Verdict::kIgnore) return true;
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (Match(path.substr(0, slash), /*is_directory=*/true) == Verdict::kIgnore) return true;
  }
  return false;
}

const IgnoreList& DefaultExcludes() {
  static const IgnoreList* const list = new IgnoreList(IgnoreList::FromText("", kDefaultExcludes));
  return *list;
}

}  // namespace memd::ingest
