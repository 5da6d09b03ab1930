// Ingest (memd/ingest.h): walk, compare with the stored source states, chunk what changed,
// replace each file's chunks atomically, remove what disappeared.
//
// Order of work: (1) resolve every requested path; (2) walk directories, collecting the
// candidate files and the skipped paths; (3) read the stored states below each root with
// one ListSources per root; (4) per file, in walk order: skip it when size, mtime and the
// chunking fingerprint match its state; else read it, skip it when its content hash
// matches (refreshing the stored mtime), else chunk it and ReplaceSource; (5) unless
// cancelled or stopped, RemoveSource for every state below a walked root whose file was not
// kept (deleted, excluded or now skipped). A file that fails keeps its chunks, and so does
// everything below a directory that could not be read.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ingest/chunk.h"
#include "ingest/file_chunks.h"
#include "ingest/file_type.h"
#include "ingest/url_fetch.h"
#include "ingest/walker.h"
#include "memd/ingest.h"
#include "util/hash.h"

namespace memd {
namespace {

using ingest::WalkedFile;
using ingest::WalkSkip;

constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxTagBytes = 128;

struct Root {
  std::string path;  // canonical absolute
  bool directory = false;
};

struct Candidate {
  WalkedFile file;
  std::size_t root = 0;
};

// Why reading a file failed: skipped (unreadable, vanished, grew too large) or failed.
struct ReadOutcome {
  std::string bytes;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::optional<SkipReason> skip;
  std::string detail;
  Status error;
};

ReadOutcome ReadCandidate(const WalkedFile& f, std::int64_t limit) {
  ReadOutcome out;
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  if (!f.via_symlink) flags |= O_NOFOLLOW;
  const int fd = open(f.path.c_str(), flags);
  if (fd < 0) {
    const int err = errno;
    out.skip = SkipReason::kUnreadable;
    out.detail = err == ENOENT ? "deleted during the ingest" : std::string("cannot open: ") + std::strerror(err);
    if (err == ELOOP) out.detail = "replaced by a symlink during the ingest";
    return out;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    out.skip = SkipReason::kUnsupportedType;
    out.detail = "no longer a regular file";
    return out;
  }
  if (st.st_size > limit) {
    close(fd);
    out.skip = SkipReason::kTooLarge;
    out.detail = ingest::FormatBytes(st.st_size) + ", over the size limit (" + ingest::FormatBytes(limit) + ")";
    return out;
  }
  out.bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.bytes.size()) {
    const ssize_t n = read(fd, out.bytes.data() + got, out.bytes.size() - got);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      out.error = Status::IOError("cannot read " + f.path + ": " + std::strerror(err));
      return out;
    }
    if (n == 0) break;  // truncated while reading: take what is there
    got += static_cast<std::size_t>(n);
  }
  out.bytes.resize(got);
  // The state records what was read: the size read and the mtime after reading.
  if (fstat(fd, &st) == 0) out.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.size = static_cast<std::int64_t>(got);
  close(fd);
  return out;
}

// "abs/path" for a relative path, with "." and ".." folded (for a path that does not exist).
std::string AbsoluteLexical(const std::string& path) {
  std::string abs = path;
  if (abs.empty() || abs.front() != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) != nullptr) abs = std::string(cwd) + "/" + path;
  }
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= abs.size()) {
    std::size_t end = abs.find('/', i);
    if (end == std::string::npos) end = abs.size();
    const std::string part = abs.substr(i, end - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = end + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string Prefix(const std::string& dir) { return dir == "/" ? "/" : dir + "/"; }

bool IsBelow(const std::string& path, const std::string& dir_prefix) {
  return path.size() > dir_prefix.size() && path.compare(0, dir_prefix.size(), dir_prefix) == 0;
}

// True for engine errors that concern the whole store rather than one file's chunks.
bool IsFatal(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return false;
    default:
      return true;
  }
}

std::string_view FingerprintOf(const std::string& content_hash) {
  const std::size_t slash = content_hash.find('/');
  return slash == std::string::npos ? std::string_view() : std::string_view(content_hash).substr(slash + 1);
}

class Run {
 public:
  Run(Engine& engine, const CubeRef& cube, const IngestRequest& request, const IngestProgressFn& progress,
      const std::atomic<bool>* cancel)
      : engine_(engine), cube_(cube), options_(request.options), request_(request), progress_fn_(progress),
        cancel_(cancel) {}

  Result<IngestReport> Execute() {
    const auto start = std::chrono::steady_clock::now();
    ResolveRoots();
    Walk();
    if (!Cancelled()) {
      // Without the stored states nothing can be compared: a bad cube name ends here.
      const Status loaded = LoadStates();
      if (loaded.code() == StatusCode::kInvalidArgument) return loaded;
      if (!loaded.ok()) report_.stopped_by = loaded;
    }
    progress_.phase = IngestProgress::Phase::kIngesting;
    progress_.files_total = static_cast<std::int64_t>(candidates_.size()) + report_.files_skipped;
    progress_.files_total += static_cast<std::int64_t>(urls_.size());
    for (const Candidate& c : candidates_) {
      if (Cancelled() || !report_.stopped_by.ok()) break;
      ProcessFile(c);
      Report(c.file.path);
    }
    if (!urls_.empty() && !Cancelled() && report_.stopped_by.ok()) ProcessUrls();
    if (Cancelled()) {
      report_.cancelled = true;
    } else if (report_.stopped_by.ok() && options_.remove_missing) {
      progress_.phase = IngestProgress::Phase::kRemoving;
      RemoveMissing();
    }
    report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(report_);
  }

 private:
  bool Cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

  void Report(const std::string& path) {
    if (!progress_fn_) return;
    progress_.current_path = path;
    progress_.files_ingested = report_.files_ingested;
    progress_.files_unchanged = report_.files_unchanged;
    progress_.files_skipped = report_.files_skipped;
    progress_.files_failed = report_.files_failed;
    progress_.files_done = report_.files_ingested + report_.files_unchanged + report_.files_skipped + report_.files_failed;
    progress_.chunks_added = report_.chunks_added;
    progress_.bytes_read = report_.bytes_read;
    progress_fn_(progress_);
  }

  void Skip(std::string path, SkipReason reason, std::string detail, bool directory) {
    ++report_.skipped_by_reason[static_cast<std::size_t>(reason)];
    if (directory) {
      ++report_.dirs_skipped;
    } else {
      ++report_.files_skipped;
    }
    if (report_.skipped.size() < options_.max_listed_paths) {
      report_.skipped.push_back(SkippedPath{std::move(path), reason, std::move(detail), directory});
    }
  }

  void Fail(std::string path, Status error) {
    ++report_.files_failed;
    if (report_.failed.size() < options_.max_listed_paths) report_.failed.push_back(FailedPath{std::move(path), std::move(error)});
  }

  void ResolveRoots() {
    for (const std::string& p : request_.paths) {
      if (ingest::IsHttpUrl(p)) {
        if (std::find(urls_.begin(), urls_.end(), p) == urls_.end()) urls_.push_back(p);
        continue;
      }
      char buf[PATH_MAX];
      if (realpath(p.c_str(), buf) == nullptr) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
          // Gone: its stored chunks are removed (see RemoveMissing); the path is reported.
          missing_.push_back(AbsoluteLexical(p));
          Fail(missing_.back(), Status::NotFound("path " + p + " does not exist"));
        } else {
          Fail(p, Status::IOError("cannot resolve " + p + ": " + std::strerror(err)));
        }
        continue;
      }
      struct stat st;
      if (stat(buf, &st) != 0) {
        Fail(buf, Status::IOError(std::string("cannot stat ") + buf + ": " + std::strerror(errno)));
        continue;
      }
      roots_.push_back(Root{buf, S_ISDIR(st.st_mode)});
    }
  }

  void Walk() {
    for (std::size_t r = 0; r < roots_.size() && !Cancelled(); ++r) {
      const Root& root = roots_[r];
      if (!root.directory) {
        AddExplicitFile(r);
        continue;
      }
      const Status s = ingest::WalkDirectory(
          root.path, options_.walk,
          [&](WalkedFile f) {
            ++report_.files_seen;
            if (seen_.insert(f.path).second) candidates_.push_back(Candidate{std::move(f), r});
            if (report_.files_seen % 256 == 0) Report(root.path);
          },
          [&](WalkSkip s) {
            if (!s.directory) ++report_.files_seen;
            if (s.directory && s.reason == SkipReason::kUnreadable) unreadable_dirs_.push_back(Prefix(s.path));
            Skip(std::move(s.path), s.reason, std::move(s.detail), s.directory);
          },
          cancel_);
      if (!s.ok()) {
        Fail(root.path, s);
        unreadable_dirs_.push_back(Prefix(root.path));
      }
    }
  }

  // A file named in the request: ignore files and globs do not apply to it.
  void AddExplicitFile(std::size_t r) {
    const std::string& path = roots_[r].path;
    ++report_.files_seen;
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      Skip(path, SkipReason::kUnsupportedType, "not a regular file (device, FIFO or socket)", false);
      return;
    }
    const std::string name = path.substr(path.rfind('/') + 1);
    const ingest::FileType type = ingest::DetectFileType(name);
    if (type.format == ingest::Format::kBinary) {
      Skip(path, SkipReason::kBinary, "binary file extension", false);
      return;
    }
    const std::int64_t limit = Limit(type);
    if (st.st_size > limit) {
      Skip(path, SkipReason::kTooLarge,
           ingest::FormatBytes(st.st_size) + ", over the size limit (" + ingest::FormatBytes(limit) + ")", false);
      return;
    }
    WalkedFile f;
    f.path = path;
    f.relative_path = name;
    f.size = st.st_size;
    f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    f.via_symlink = true;  // the caller named it; realpath already resolved any link
    if (seen_.insert(f.path).second) candidates_.push_back(Candidate{std::move(f), r});
  }

  std::int64_t Limit(const ingest::FileType& type) const {
    return ingest::IsDocumentFormat(type.format) ? options_.walk.max_document_bytes : options_.walk.max_file_bytes;
  }

  Status LoadStates() {
    auto load = [&](const std::string& prefix, bool exact) -> Status {
      MEMD_ASSIGN_OR_RETURN(std::vector<SourceState> states, engine_.ListSources(cube_, prefix));
      for (SourceState& s : states) {
        if (exact && s.uri != prefix) continue;
        std::string uri = s.uri;
        states_.emplace(std::move(uri), std::move(s));
      }
      return Status::OK();
    };
    for (const Root& root : roots_) {
      MEMD_RETURN_IF_ERROR(load(root.directory ? Prefix(root.path) : root.path, !root.directory));
    }
    for (const std::string& m : missing_) {
      MEMD_RETURN_IF_ERROR(load(m, true));
      MEMD_RETURN_IF_ERROR(load(Prefix(m), false));
    }
    for (const std::string& url : urls_) MEMD_RETURN_IF_ERROR(load(url, true));
    return Status::OK();
  }

  // Fetches every URL (concurrently, revalidating with the stored validators), then
  // applies each response in request order.
  void ProcessUrls() {
    std::vector<ingest::FetchRequest> requests;
    for (const std::string& url : urls_) {
      ingest::FetchRequest r;
      r.url = url;
      if (auto it = states_.find(url); it != states_.end()) {
        r.etag = it->second.etag;
        r.last_modified = it->second.last_modified;
      }
      requests.push_back(std::move(r));
    }
    ingest::UrlFetcher fetcher(FetchOptions());
    std::vector<ingest::FetchResult> results = fetcher.FetchAll(requests, cancel_);
    for (ingest::FetchResult& r : results) {
      if (Cancelled() || !report_.stopped_by.ok()) return;
      ProcessUrl(r);
      Report(r.url);
    }
  }

  ingest::FetchOptions FetchOptions() const {
    ingest::FetchOptions fo;
    fo.max_connections = options_.urls.max_connections;
    fo.max_per_host = options_.urls.max_per_host;
    fo.connect_timeout = std::chrono::milliseconds(options_.urls.connect_timeout_ms);
    fo.timeout = std::chrono::milliseconds(options_.urls.timeout_ms);
    fo.max_redirects = options_.urls.max_redirects;
    fo.max_bytes = options_.urls.max_bytes;
    fo.allow_private_addresses = options_.urls.allow_private_addresses;
    return fo;
  }

  void ProcessUrl(ingest::FetchResult& r) {
    ++report_.files_seen;
    const auto state_it = states_.find(r.url);
    const SourceState* state = state_it == states_.end() ? nullptr : &state_it->second;
    if (!r.error.ok()) {
      if (r.too_large) {
        Skip(r.url, SkipReason::kTooLarge, r.error.message(), false);
        return;  // the stored chunks, if any, are removed: the page is no longer ingestible
      }
      Fail(r.url, r.error);
      if (r.error.code() != StatusCode::kNotFound) kept_.insert(r.url);  // 404/410: gone
      return;
    }
    kept_.insert(r.url);
    const std::string fingerprint = ingest::ChunkingFingerprint(options_, r.url);
    if (r.not_modified && state != nullptr && FingerprintOf(state->content_hash) == fingerprint) {
      ++report_.files_unchanged;
      return;
    }
    if (r.not_modified) {
      // A 304 to a request without validators, or stale options: fetch again without them.
      ingest::UrlFetcher again(FetchOptions());
      std::vector<ingest::FetchResult> fresh = again.FetchAll({ingest::FetchRequest{r.url, "", ""}}, cancel_);
      --report_.files_seen;
      kept_.erase(r.url);
      if (!fresh.empty() && !fresh[0].not_modified) ProcessUrl(fresh[0]);
      return;
    }
    report_.bytes_read += static_cast<std::int64_t>(r.body.size());
    const std::string type_name = UrlTypeName(r);
    if (type_name.empty()) {
      Skip(r.url, SkipReason::kUnsupportedType,
           "content type '" + r.content_type + "' is not ingested (HTML, PDF, text, Markdown, JSON, code)", false);
      kept_.erase(r.url);
      return;
    }
    ingest::SourceFile source;
    source.uri = r.url;
    source.relative_path = r.url;
    source.type_name = type_name;
    source.bytes = r.body;
    source.content_hash = HexEncode(Sha256(r.body));
    SourceState next;
    next.uri = r.url;
    next.size = static_cast<std::int64_t>(r.body.size());
    next.content_hash = source.content_hash + "/" + fingerprint;
    next.etag = r.etag;
    next.last_modified = r.last_modified;
    const bool same_content = state != nullptr && state->content_hash == next.content_hash;
    if (same_content && state->etag == next.etag && state->last_modified == next.last_modified) {
      ++report_.files_unchanged;  // no validators to refresh: nothing to write
      return;
    }
    Apply(source, next, same_content);
  }

  // The name whose extension gives a response's file type, from its Content-Type, its
  // URL and its first bytes; empty when it is not a type memd ingests.
  static std::string UrlTypeName(const ingest::FetchResult& r) {
    const std::string& ct = r.content_type;
    if (ct == "text/html" || ct == "application/xhtml+xml") return "page.html";
    if (ct == "application/pdf") return "document.pdf";
    if (ct == "text/markdown" || ct == "text/x-markdown") return "document.md";
    if (ct == "application/x-ndjson" || ct == "application/jsonl") return "data.jsonl";
    if (ct == "application/json" || ct.ends_with("+json")) return "data.json";
    const bool texty = ct.empty() || ct.starts_with("text/") || ct == "application/octet-stream" ||
                       ct == "application/javascript" || ct == "application/xml" || ct == "application/x-yaml" ||
                       ct == "application/toml";
    if (!texty) return {};
    std::string path = r.final_url.empty() ? r.url : r.final_url;
    path = path.substr(0, path.find_first_of("?#"));
    const std::string name = path.substr(path.rfind('/') + 1);
    if (!name.empty() && name.find('.') != std::string::npos) {
      const ingest::FileType type = ingest::DetectFileType(name);
      if (type.format != ingest::Format::kBinary && type.format != ingest::Format::kText) return name;
    }
    const std::string_view head = std::string_view(r.body).substr(0, 256);
    if (head.starts_with("%PDF-")) return "document.pdf";
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t start = lower.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && (lower.compare(start, 14, "<!doctype html") == 0 || lower.compare(start, 5, "<html") == 0)) {
      return "page.html";
    }
    if (ct.starts_with("text/") || ct.empty()) return "document.txt";
    return {};
  }

  void ProcessFile(const Candidate& c) {
    const WalkedFile& f = c.file;
    const std::string fingerprint = ingest::ChunkingFingerprint(options_, f.relative_path);
    const auto state_it = states_.find(f.path);
    const SourceState* state = state_it == states_.end() ? nullptr : &state_it->second;
    if (state != nullptr && state->size == f.size && state->mtime_ns == f.mtime_ns &&
        FingerprintOf(state->content_hash) == fingerprint) {
      ++report_.files_unchanged;
      kept_.insert(f.path);
      return;
    }
    const ingest::FileType type = ingest::DetectFileType(f.relative_path);
    ReadOutcome read = ReadCandidate(f, Limit(type));
    if (read.skip) {
      Skip(f.path, *read.skip, std::move(read.detail), false);
      if (*read.skip == SkipReason::kUnreadable) kept_.insert(f.path);  // maybe transient
      return;
    }
    if (!read.error.ok()) {
      Fail(f.path, read.error);
      kept_.insert(f.path);
      return;
    }
    report_.bytes_read += read.size;
    ingest::SourceFile source;
    source.uri = f.path;
    source.relative_path = f.relative_path;
    source.bytes = read.bytes;
    source.content_hash = HexEncode(Sha256(read.bytes));
    SourceState next;
    next.uri = f.path;
    next.size = read.size;
    next.mtime_ns = read.mtime_ns;
    next.content_hash = source.content_hash + "/" + fingerprint;
    const bool same_content = state != nullptr && state->content_hash == next.content_hash;
    Apply(source, next, same_content);
  }

  // Chunks one source and replaces its chunks. same_content: only its state changes.
  void Apply(const ingest::SourceFile& source, const SourceState& next, bool same_content) {
    ingest::FileChunks chunks = ingest::BuildFileChunks(source, options_);
    if (chunks.skip) {
      Skip(source.uri, *chunks.skip, std::move(chunks.skip_detail), false);
      kept_.erase(source.uri);
      return;
    }
    kept_.insert(source.uri);
    if (!chunks.error.ok()) {
      Fail(source.uri, chunks.error);
      return;
    }
    auto replaced = engine_.ReplaceSource(cube_, next, chunks.chunks);
    if (!replaced.ok()) {
      Fail(source.uri, replaced.status());
      if (IsFatal(replaced.status())) report_.stopped_by = replaced.status();
      return;
    }
    if (chunks.transcoded) ++report_.files_transcoded;
    if (same_content) {
      ++report_.files_unchanged;  // only the mtime moved; the state now records it
    } else {
      ++report_.files_ingested;
    }
    report_.chunks_added += replaced->added;
    report_.chunks_kept += replaced->kept;
    report_.chunks_removed += replaced->removed;
  }

  void RemoveMissing() {
    for (const auto& [uri, state] : states_) {
      if (Cancelled()) {
        report_.cancelled = true;
        return;
      }
      if (kept_.contains(uri)) continue;
      bool shielded = false;
      for (const std::string& dir : unreadable_dirs_) shielded = shielded || IsBelow(uri, dir);
      if (shielded) continue;
      auto removed = engine_.RemoveSource(cube_, uri);
      if (!removed.ok()) {
        if (removed.status().code() == StatusCode::kNotFound) continue;  // removed concurrently
        Fail(uri, removed.status());
        if (IsFatal(removed.status())) {
          report_.stopped_by = removed.status();
          return;
        }
        continue;
      }
      ++report_.files_removed;
      report_.chunks_removed += *removed;
      if (report_.removed.size() < options_.max_listed_paths) report_.removed.push_back(uri);
      Report(uri);
    }
  }

  Engine& engine_;
  const CubeRef& cube_;
  const IngestOptions& options_;
  const IngestRequest& request_;
  const IngestProgressFn& progress_fn_;
  const std::atomic<bool>* cancel_;

  IngestReport report_;
  IngestProgress progress_;
  std::vector<Root> roots_;
  std::vector<std::string> missing_;         // requested paths that do not exist
  std::vector<std::string> urls_;            // requested http(s) URLs
  std::vector<Candidate> candidates_;
  std::unordered_set<std::string> seen_;     // uris of candidates (overlapping roots)
  std::vector<std::string> unreadable_dirs_;  // prefixes whose stored files are kept
  std::map<std::string, SourceState> states_;  // by uri: removals run in uri order
  std::unordered_set<std::string> kept_;     // uris whose state stays
};

Status ValidateRequest(const IngestRequest& request) {
  if (request.paths.empty()) return Status::InvalidArgument("give at least one file or directory", "paths");
  for (std::size_t i = 0; i < request.paths.size(); ++i) {
    const std::string& p = request.paths[i];
    if (p.empty() || p.find('\0') != std::string::npos) {
      return Status::InvalidArgument("the path is empty or holds a NUL byte", "paths[" + std::to_string(i) + "]");
    }
  }
  const IngestOptions& o = request.options;
  MEMD_RETURN_IF_ERROR(ingest::ValidateChunkOptions(o.chunking));
  if (o.walk.max_file_bytes <= 0) return Status::InvalidArgument("max_file_bytes must be positive", "walk.max_file_bytes");
  if (o.walk.max_document_bytes <= 0) {
    return Status::InvalidArgument("max_document_bytes must be positive", "walk.max_document_bytes");
  }
  const UrlOptions& u = o.urls;
  if (u.max_connections < 1 || u.max_per_host < 1) {
    return Status::InvalidArgument("URL concurrency limits must be at least 1", "urls.max_connections");
  }
  if (u.connect_timeout_ms <= 0 || u.timeout_ms <= 0) {
    return Status::InvalidArgument("URL timeouts must be positive", "urls.timeout_ms");
  }
  if (u.max_redirects < 0 || u.max_bytes <= 0) {
    return Status::InvalidArgument("max_redirects must be >= 0 and max_bytes positive", "urls.max_bytes");
  }
  if (o.tags.size() > kMaxTags) return Status::InvalidArgument("at most 64 tags are allowed", "tags");
  for (std::size_t i = 0; i < o.tags.size(); ++i) {
    if (o.tags[i].empty() || o.tags[i].size() > kMaxTagBytes) {
      return Status::InvalidArgument("a tag must be 1..128 bytes", "tags[" + std::to_string(i) + "]");
    }
  }
  return Status::OK();
}

}  // namespace

Result<IngestReport> Ingest(Engine& engine, const CubeRef& cube, const IngestRequest& request,
                            const IngestProgressFn& progress, const std::atomic<bool>* cancel) {
  MEMD_RETURN_IF_ERROR(ValidateRequest(request));
  return Run(engine, cube, request, progress, cancel).Execute();
}

}  // namespace memd
