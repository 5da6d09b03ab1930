#include "ingest/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ingest/file_type.h"
#include "ingest/ignore_rules.h"

namespace memd::ingest {
namespace {

// Deeper directories are reported unreadable instead of recursed into.
constexpr int kMaxDepth = 256;
// Ignore files bigger than this are not read (a real one is a few KiB).
constexpr std::size_t kMaxIgnoreFileBytes = std::size_t{1} << 20;

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out = dir;
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string JoinRel(const std::string& rel_dir, std::string_view name) {
  return rel_dir.empty() ? std::string(name) : rel_dir + "/" + std::string(name);
}

bool IsInside(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// Reads a small file relative to dir_fd without following a final symlink; nullopt if absent
// or unreadable.
std::optional<std::string> ReadSmallFileAt(int dir_fd, const char* name) {
  const int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxIgnoreFileBytes) {
    close(fd);
    return std::nullopt;
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fd);
  data.resize(got);
  return data;
}

std::int64_t MtimeNs(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

class Walk {
 public:
  Walk(const std::string& root, const WalkOptions& options, const FileVisitor& on_file, const SkipVisitor& on_skip,
       const std::atomic<bool>* cancel)
      : root_(root),
        options_(options),
        on_file_(on_file),
        on_skip_(on_skip),
        cancel_(cancel),
        include_(IgnoreList::FromGlobs(options.include_globs)),
        exclude_(IgnoreList::FromGlobs(options.exclude_globs)) {}

  Status Run() {
    const int fd = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return Status::IOError("cannot open directory " + root_ + ": " + std::strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) == 0) visited_.insert({st.st_dev, st.st_ino});
    if (options_.use_ignore_files) LoadAncestorIgnoreFiles();
    WalkDir(fd, "", root_, 0);
    return Status::OK();
  }

 private:
  bool Cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

  void Skip(const std::string& rel, bool directory, SkipReason reason, std::string detail) {
    WalkSkip s;
    s.path = JoinPath(root_, rel);
    s.relative_path = rel;
    s.directory = directory;
    s.reason = reason;
    s.detail = std::move(detail);
    on_skip_(std::move(s));
  }

  // Finds the top of the git work tree holding root (a directory with a ".git" entry, root
  // included) and loads the ignore files that apply from above the root.
  void LoadAncestorIgnoreFiles() {
    std::string dir = root_;
    std::vector<std::string> chain;  // root's ancestors, nearest first
    std::string top;
    for (int level = 0; level < 64; ++level) {
      struct stat st;
      if (lstat(JoinPath(dir, ".git").c_str(), &st) == 0) {
        top = dir;
        break;
      }
      if (dir == "/") break;
      const std::size_t slash = dir.rfind('/');
      dir = slash == 0 ? "/" : dir.substr(0, slash);
      chain.push_back(dir);
    }
    if (top.empty()) return;  // not in a work tree: only the root's own files apply
    if (top != root_) root_prefix_ = root_.substr(top == "/" ? 1 : top.size() + 1) + "/";
    if (auto text = ReadFileAtPath(JoinPath(top, ".git/info/exclude"))) {
      lists_.push_back(IgnoreList::FromText("", *text));
    }
    // From the top down to the root's parent.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (!IsInside(*it, top)) continue;
      const std::string base = *it == top ? "" : it->substr(top == "/" ? 1 : top.size() + 1);
      for (const char* name : {".gitignore", ".memdignore"}) {
        if (auto text = ReadFileAtPath(JoinPath(*it, name))) lists_.push_back(IgnoreList::FromText(base, *text));
      }
    }
  }

  static std::optional<std::string> ReadFileAtPath(const std::string& path) {
    return ReadSmallFileAt(AT_FDCWD, path.c_str());
  }

  // The path used to match ignore files: relative to the work-tree top.
  std::string MatchPath(const std::string& rel) const { return root_prefix_ + rel; }

  bool IgnoredByFiles(const std::string& rel, bool is_dir) const {
    if (lists_.empty()) return false;
    const std::string path = MatchPath(rel);
    for (auto it = lists_.rbegin(); it != lists_.rend(); ++it) {
      const IgnoreList::Verdict v = it->Match(path, is_dir);
      if (v != IgnoreList::Verdict::kNone) return v == IgnoreList::Verdict::kIgnore;
    }
    return false;
  }

  // The rule that leaves rel out, if any (checks that need no stat of the content).
  std::optional<std::pair<SkipReason, std::string>> Exclusion(const std::string& rel, bool is_dir) const {
    if (options_.use_default_excludes && DefaultExcludes().Match(rel, is_dir) == IgnoreList::Verdict::kIgnore) {
      return std::make_pair(SkipReason::kDefaultExcluded, std::string("memd default exclude"));
    }
    if (!exclude_.empty() && exclude_.Match(rel, is_dir) == IgnoreList::Verdict::kIgnore) {
      return std::make_pair(SkipReason::kExcludedByGlob, std::string("matches an exclude glob"));
    }
    if (!is_dir && !include_.empty() && !include_.MatchesSelfOrParent(rel, false)) {
      return std::make_pair(SkipReason::kExcludedByGlob, std::string("matches no include glob"));
    }
    if (options_.use_ignore_files && IgnoredByFiles(rel, is_dir)) {
      return std::make_pair(SkipReason::kIgnored, std::string("matches a .gitignore/.memdignore pattern"));
    }
    return std::nullopt;
  }

  // Pushes the ignore files of the directory open at fd; returns how many were pushed.
  int PushIgnoreFiles(int fd, const std::string& rel_dir) {
    if (!options_.use_ignore_files) return 0;
    int pushed = 0;
    std::string base = MatchPath(rel_dir);
    if (!base.empty() && base.back() == '/') base.pop_back();
    for (const char* name : {".gitignore", ".memdignore"}) {
      if (auto text = ReadSmallFileAt(fd, name)) {
        IgnoreList list = IgnoreList::FromText(base, *text);
        if (!list.empty()) {
          lists_.push_back(std::move(list));
          ++pushed;
        }
      }
    }
    return pushed;
  }

  // Takes ownership of fd. canon_dir: the directory's canonical path.
  void WalkDir(int fd, const std::string& rel_dir, const std::string& canon_dir, int depth) {
    DIR* dir = fdopendir(fd);
    if (dir == nullptr) {
      Skip(rel_dir, true, SkipReason::kUnreadable, std::string("cannot list: ") + std::strerror(errno));
      close(fd);
      return;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = readdir(dir)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names.emplace_back(e->d_name);
    }
    std::sort(names.begin(), names.end());
    const int pushed = PushIgnoreFiles(fd, rel_dir);
    for (const std::string& name : names) {
      if (Cancelled()) break;
      VisitEntry(fd, name, rel_dir, canon_dir, depth);
    }
    lists_.resize(lists_.size() - static_cast<std::size_t>(pushed));
    closedir(dir);  // closes fd
  }

  void VisitEntry(int dir_fd, const std::string& name, const std::string& rel_dir, const std::string& canon_dir,
                  int depth) {
    const std::string rel = JoinRel(rel_dir, name);
    struct stat st;
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      Skip(rel, false, SkipReason::kUnreadable, std::string("cannot stat: ") + std::strerror(errno));
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      VisitSymlink(rel, canon_dir, depth);
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (auto ex = Exclusion(rel, true)) {
        Skip(rel, true, ex->first, std::move(ex->second));
        return;
      }
      if (depth + 1 > kMaxDepth) {
        Skip(rel, true, SkipReason::kUnreadable, "deeper than " + std::to_string(kMaxDepth) + " directories");
        return;
      }
      if (!visited_.insert({st.st_dev, st.st_ino}).second) {
        Skip(rel, true, SkipReason::kSymlinkLoop, "directory already walked under another path");
        return;
      }
      const int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        Skip(rel, true, SkipReason::kUnreadable, std::string("cannot open: ") + std::strerror(errno));
        return;
      }
      WalkDir(fd, rel, JoinPath(canon_dir, name), depth + 1);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      if (auto ex = Exclusion(rel, false)) {
        Skip(rel, false, ex->first, std::move(ex->second));
        return;
      }
      Skip(rel, false, SkipReason::kUnsupportedType, "not a regular file (device, FIFO or socket)");
      return;
    }
    VisitFile(rel, st, /*via_symlink=*/false);
  }

  void VisitFile(const std::string& rel, const struct stat& st, bool via_symlink) {
    if (auto ex = Exclusion(rel, false)) {
      Skip(rel, false, ex->first, std::move(ex->second));
      return;
    }
    const FileType type = DetectFileType(rel);
    if (type.format == Format::kBinary) {
      Skip(rel, false, SkipReason::kBinary, "binary file extension");
      return;
    }
    const std::int64_t limit = IsDocumentFormat(type.format) ? options_.max_document_bytes : options_.max_file_bytes;
    if (st.st_size > limit) {
      Skip(rel, false, SkipReason::kTooLarge,
           FormatBytes(st.st_size) + ", over " +
               (IsDocumentFormat(type.format) ? "max_document_bytes (" : "max_file_bytes (") + FormatBytes(limit) + ")");
      return;
    }
    WalkedFile f;
    f.path = JoinPath(root_, rel);
    f.relative_path = rel;
    f.size = st.st_size;
    f.mtime_ns = MtimeNs(st);
    f.via_symlink = via_symlink;
    on_file_(std::move(f));
  }

  void VisitSymlink(const std::string& rel, const std::string& canon_dir, int depth) {
    const std::string link_path = JoinPath(canon_dir, rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1));
    char resolved[PATH_MAX];
    if (realpath(link_path.c_str(), resolved) == nullptr) {
      const int err = errno;
      if (auto ex = Exclusion(rel, false)) {
        Skip(rel, false, ex->first, std::move(ex->second));
      } else if (err == ELOOP) {
        Skip(rel, false, SkipReason::kSymlinkLoop, "the link resolves to itself (ELOOP)");
      } else if (err == ENOENT || err == ENOTDIR) {
        Skip(rel, false, SkipReason::kUnreadable, "dangling symlink");
      } else {
        Skip(rel, false, SkipReason::kUnreadable, std::string("cannot resolve symlink: ") + std::strerror(err));
      }
      return;
    }
    const std::string target = resolved;
    struct stat st;
    if (stat(target.c_str(), &st) != 0) {
      Skip(rel, false, SkipReason::kUnreadable, std::string("cannot stat symlink target: ") + std::strerror(errno));
      return;
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    if (auto ex = Exclusion(rel, is_dir)) {
      Skip(rel, is_dir, ex->first, std::move(ex->second));
      return;
    }
    if (is_dir && IsInside(canon_dir, target)) {
      Skip(rel, true, SkipReason::kSymlinkLoop, "link to an ancestor directory " + target);
      return;
    }
    if (IsInside(target, root_)) {
      Skip(rel, is_dir, SkipReason::kSymlinkInsideRoot, "link to " + target + ", walked under its own path");
      return;
    }
    if (!options_.follow_symlinks_outside_root) {
      Skip(rel, is_dir, SkipReason::kSymlinkEscapesRoot,
           "link to " + target + " outside the root (follow_symlinks_outside_root is off)");
      return;
    }
    if (is_dir) {
      if (depth + 1 > kMaxDepth) {
        Skip(rel, true, SkipReason::kUnreadable, "deeper than " + std::to_string(kMaxDepth) + " directories");
        return;
      }
      if (!visited_.insert({st.st_dev, st.st_ino}).second) {
        Skip(rel, true, SkipReason::kSymlinkLoop, "link to " + target + ", a directory already walked");
        return;
      }
      const int fd = open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) {
        Skip(rel, true, SkipReason::kUnreadable, std::string("cannot open: ") + std::strerror(errno));
        return;
      }
      WalkDir(fd, rel, target, depth + 1);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      Skip(rel, false, SkipReason::kUnsupportedType, "link to a device, FIFO or socket");
      return;
    }
    VisitFile(rel, st, /*via_symlink=*/true);
  }

  const std::string& root_;
  const WalkOptions& options_;
  const FileVisitor& on_file_;
  const SkipVisitor& on_skip_;
  const std::atomic<bool>* cancel_;
  const IgnoreList include_;
  const IgnoreList exclude_;
  std::string root_prefix_;         // root relative to the work-tree top, with '/'; or ""
  std::vector<IgnoreList> lists_;   // ignore files in force, outermost first
  std::set<std::pair<dev_t, ino_t>> visited_;
};

}  // namespace

Status WalkDirectory(const std::string& root, const WalkOptions& options, const FileVisitor& on_file,
                     const SkipVisitor& on_skip, const std::atomic<bool>* cancel) {
  if (root.empty() || root.front() != '/') {
    return Status::InvalidArgument("the walk root must be an absolute path, got '" + root + "'");
  }
  Walk walk(root, options, on_file, on_skip, cancel);
  return walk.Run();
}

std::string FormatBytes(std::int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(bytes));
  } else if (bytes < (std::int64_t{1} << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else if (bytes < (std::int64_t{1} << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  }
  return buf;
}

}  // namespace memd::ingest
