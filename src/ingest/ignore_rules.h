// Ignore rules: .gitignore / .memdignore files, memd's default excludes, and the caller's
// include and exclude globs, all in .gitignore pattern syntax (see glob.h for wildcards).
//
// Pattern syntax, as git documents it (gitignore(5)):
//  - a blank line or a line starting with '#' is nothing ("\#" starts a literal '#');
//  - trailing spaces are dropped unless escaped ("\ ");
//  - a leading '!' negates: a path the pattern matches is re-included ("\!" is a literal);
//  - a trailing '/' matches directories only;
//  - a pattern with a '/' at its start or in its middle is anchored: it matches the path
//    relative to the directory of the file that holds it ("/build" only at that level,
//    "doc/*.txt" not "a/doc/x.txt"); a pattern without one matches the name of the entry
//    at any depth ("*.o", "build/");
//  - the last matching pattern decides; a deeper file's patterns come after its parents'.
// As in git, a file under an excluded directory cannot be re-included: the walker does not
// enter excluded directories. Thread-compatible values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace memd::ingest {

// One compiled pattern line.
struct IgnorePattern {
  std::string glob;         // without '!', the anchoring '/' and the trailing '/'
  bool negated = false;     // "!pattern"
  bool directory_only = false;  // "pattern/"
  bool anchored = false;    // contains a '/' before its end: match the relative path
  bool has_wildcards = false;  // false: compare bytes (fast path)
};

// Parses one line of an ignore file. Returns false for blank lines and comments.
bool ParseIgnoreLine(std::string_view line, IgnorePattern* out);

// The patterns of one ignore file, or of one list of globs, with the directory they are
// relative to.
class IgnoreList {
 public:
  // base: the directory of the file, relative to the matching origin, without leading or
  // trailing '/' ("" for the origin itself).
  explicit IgnoreList(std::string base = {}) : base_(std::move(base)) {}

  // Parses file content (lines separated by '\n'; a trailing '\r' is dropped).
  static IgnoreList FromText(std::string base, std::string_view text);
  // Compiles a list of globs (one pattern each, same syntax; comments are not special).
  static IgnoreList FromGlobs(const std::vector<std::string>& globs);

  void Add(const IgnorePattern& pattern) { patterns_.push_back(pattern); }
  bool empty() const { return patterns_.empty(); }
  const std::string& base() const { return base_; }

  enum class Verdict { kNone, kIgnore, kInclude };
  // The verdict of the last pattern matching path (relative to the origin, '/'-separated,
  // no leading '/'); kNone when none matches or path is not below base().
  Verdict Match(std::string_view path, bool is_directory) const;
  // True if a non-negated pattern matches path or one of its parent directories (each
  // tested as a directory). For include globs: "src/" includes every file below src.
  bool MatchesSelfOrParent(std::string_view path, bool is_directory) const;

 private:
  std::string base_;
  std::vector<IgnorePattern> patterns_;
};

// The names memd leaves out by default, whatever the ignore files say, with the reason shown
// in reports. Directories: version control (.git .hg .svn .bzr), dependency trees
// (node_modules bower_components .venv venv .tox .yarn .pnpm-store), caches (__pycache__
// .mypy_cache .pytest_cache .ruff_cache .cache .gradle .next .nuxt .parcel-cache .terraform),
// build output (build dist target out cmake-build-* _build), vendored code (vendor
// third_party thirdparty 3rdparty), editor state (.idea .vs); files: lock files
// (package-lock.json yarn.lock pnpm-lock.yaml npm-shrinkwrap.json bun.lockb Cargo.lock
// poetry.lock Pipfile.lock uv.lock composer.lock Gemfile.lock go.sum), minified bundles and
// maps (*.min.js *.min.css *.js.map *.css.map) and OS litter (.DS_Store Thumbs.db).
// They hold generated or third-party text that floods search with near-duplicates and
// costs most of the ingest time; callers can turn them off (WalkOptions).
const IgnoreList& DefaultExcludes();

}  // namespace memd::ingest
