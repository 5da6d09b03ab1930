// Ingest: loading files, directories and URLs (code, Markdown, text, PDF, HTML,
// conversation JSON/JSONL) into a cube as searchable chunks, incrementally.
//
// Each file becomes one source (sources.h) whose uri is its absolute path; its chunks are
// memories of kind "code", "document" or "message" with source {uri, line_start, line_end}
// and metadata {"path", "language", "symbol", "content_hash", "chunk"} (plus "role" and
// "timestamp" for messages, "pages" for PDF, "encoding" for transcoded text). A re-ingest
// skips files whose size and mtime (then content hash) are unchanged, replaces the chunks
// of changed files atomically per file (Engine::ReplaceSource), and removes the chunks of
// files that disappeared from a walked directory or became excluded; running the same
// ingest twice writes nothing the second time.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/engine.h"
#include "memd/memory.h"
#include "memd/status.h"

namespace memd {

// Why a path was not ingested. Stable names: SkipReasonName().
enum class SkipReason : int {
  kIgnored = 0,         // matched by a .gitignore or .memdignore pattern
  kDefaultExcluded,     // one of memd's default excludes (.git, node_modules, lock files, ...)
  kExcludedByGlob,      // matched an exclude glob, or matched no include glob
  kBinary,              // binary by extension, or its first 8 KiB hold a NUL or many control bytes
  kTooLarge,            // bigger than WalkOptions::max_file_bytes / max_document_bytes
  kNotUtf8,             // not valid UTF-8, with NonUtf8Policy::kSkip
  kSymlinkLoop,         // a link to an ancestor directory, a directory reached twice, or ELOOP
  kSymlinkEscapesRoot,  // a link leading outside the walked root (see follow_symlinks_outside_root)
  kSymlinkInsideRoot,   // a link to a path inside the root, which is walked under its own name
  kUnreadable,          // permission denied, a dangling link, or gone during the walk
  kUnsupportedType,     // a device, FIFO or socket; or a document with no extractable text
};
inline constexpr std::size_t kSkipReasonCount = 11;

// "ignored", "default_excluded", "excluded_by_glob", "binary", "too_large", "not_utf8",
// "symlink_loop", "symlink_escapes_root", "symlink_inside_root", "unreadable",
// "unsupported_type".
std::string_view SkipReasonName(SkipReason reason);

// What a walk of a directory takes and leaves out.
struct WalkOptions {
  // Honour .gitignore and .memdignore files (.memdignore has the same syntax and wins over
  // the .gitignore of the same directory). When the root is inside a git work tree, the
  // .gitignore files from the top of the work tree down to the root and .git/info/exclude
  // apply too, as git would apply them.
  bool use_ignore_files = true;
  // Leave out memd's default excludes (version control, dependency, cache, build output and
  // vendored directories, lock files, minified bundles; see ingest/ignore_rules.h).
  bool use_default_excludes = true;
  // Globs in .gitignore syntax, relative to each walked root ("*.py", "src/**/*.cc",
  // "docs/"). When include_globs is non-empty only files matching one of them (or below a
  // matching directory) are taken. exclude_globs leave out files and whole directories.
  // Explicitly named files (not directories) are taken whatever the globs and ignore files say.
  std::vector<std::string> include_globs;
  std::vector<std::string> exclude_globs;
  // Follow symbolic links whose target is outside the root. Off by default: a link must not
  // make memd read outside what the caller named (the server confines paths to its roots).
  // Links inside the root are never followed (their targets are walked under their own
  // names); loops are detected either way.
  bool follow_symlinks_outside_root = false;
  // Text files (code, Markdown, plain text, JSON) over this size are skipped as too_large.
  // 1 MiB: hand-written sources are far smaller; bigger ones are generated (amalgamations,
  // data dumps, bundles) and would flood search with low-value chunks while dominating the
  // ingest time.
  std::int64_t max_file_bytes = std::int64_t{1} << 20;
  // PDF and HTML files over this size are skipped as too_large. 64 MiB: such documents carry
  // much markup or images for their text.
  std::int64_t max_document_bytes = std::int64_t{64} << 20;
};

// How files are cut into chunks. Sizes are UTF-8 bytes of the chunk body; every chunk also
// starts with a one-line context header ("File: src/x.cc | Symbol: Parse") so a chunk is
// understandable alone.
struct ChunkOptions {
  // Largest chunk body. 2000 bytes is about a 50-line function or 300 words of prose: one
  // topic per chunk keeps BM25 (which normalises by length) and the hash embedder (whose
  // vector blurs as more words share it) precise, and at about 670 tokens by
  // EstimateTokens three chunks fit the default 2000-token context budget. Minimum 256.
  std::size_t max_bytes = 2000;
  // A chunk smaller than this is merged with a neighbour when both fit in max_bytes:
  // getters, one-line declarations and short sections carry too few words to rank alone.
  // 0 disables merging. Must be at most max_bytes / 2.
  std::size_t min_bytes = 300;
  // Plain text only: the last bytes of a chunk (cut at a sentence, line or word boundary)
  // are repeated at the start of the next, so a sentence split between two chunks is whole
  // in one. 150 bytes is a sentence or two. Must be at most max_bytes / 4.
  std::size_t overlap_bytes = 150;
};

// What to do with a text file that is not valid UTF-8.
enum class NonUtf8Policy {
  // Decode it as Windows-1252 (a superset of the printable Latin-1), the most common legacy
  // encoding of source files and documents; chunks then carry metadata "encoding".
  // Binary files are detected before this, so what reaches it is text.
  kDecodeWindows1252,
  kSkip,  // skip it with reason not_utf8
};

// How http(s) URLs are fetched (libcurl). Connections are reused across the URLs of one
// ingest; a URL's source state keeps its ETag / Last-Modified, so a re-ingest revalidates
// (If-None-Match / If-Modified-Since) and a 304 counts as unchanged without a download.
struct UrlOptions {
  int max_connections = 8;  // transfers at once, all hosts together
  int max_per_host = 2;     // transfers at once to one host, to be polite
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 60'000;  // whole transfer, redirects included
  int max_redirects = 5;
  // Responses (after content decoding) over this are refused; 32 MiB fits any real page
  // or paper and bounds memory.
  std::int64_t max_bytes = std::int64_t{32} << 20;
  // Connect to loopback, private (RFC 1918, RFC 4193), link-local (cloud metadata at
  // 169.254.169.254), CGNAT and unspecified addresses. A server ingesting URLs for clients
  // must set this false: every connection, redirects included, is then checked after DNS
  // resolution, and a refused one fails with PermissionDenied.
  bool allow_private_addresses = true;
};

struct IngestOptions {
  WalkOptions walk;
  ChunkOptions chunking;
  UrlOptions urls;
  NonUtf8Policy non_utf8 = NonUtf8Policy::kDecodeWindows1252;
  // Remove the chunks of files that were ingested below a walked directory before and are
  // now gone, excluded or skipped. A file that fails to read keeps its chunks.
  bool remove_missing = true;
  // Tags added to every chunk: at most 64, each 1..128 bytes of what Engine::Add accepts.
  std::vector<std::string> tags;
  // At most this many entries in each of IngestReport::skipped, failed and removed (the
  // counts are always complete).
  std::size_t max_listed_paths = 1000;
};

struct IngestRequest {
  // Files and directories, absolute or relative to the working directory. Each is resolved
  // to its canonical absolute path (symlinks and ".." resolved), which prefixes its uris.
  // Entries starting with http:// or https:// are URLs: each is one source whose uri is the
  // URL as given; only http and https are fetched, redirects included. A URL answering
  // 404 or 410 is reported failed and its stored chunks are removed.
  std::vector<std::string> paths;
  IngestOptions options;
};

struct SkippedPath {
  std::string path;  // absolute
  SkipReason reason = SkipReason::kIgnored;
  std::string detail;  // e.g. "3.2 MiB, over max_file_bytes (1 MiB)"
  bool directory = false;
};

struct FailedPath {
  std::string path;  // absolute
  Status error;
};

// What an ingest did. Counts are complete; the lists are capped at max_listed_paths.
struct IngestReport {
  std::int64_t files_seen = 0;       // regular files and URLs found, skipped ones included
  std::int64_t files_ingested = 0;   // new or changed: their chunks were replaced
  std::int64_t files_unchanged = 0;  // same size and mtime, or same content hash
  std::int64_t files_skipped = 0;    // files skipped (see skipped_by_reason)
  std::int64_t dirs_skipped = 0;     // directories skipped whole (their files are not counted)
  std::int64_t files_failed = 0;     // could not be read or extracted, or the engine refused
  std::int64_t files_removed = 0;    // sources removed: deleted, excluded or now skipped
  std::int64_t files_transcoded = 0; // decoded as Windows-1252 (NonUtf8Policy)
  std::array<std::int64_t, kSkipReasonCount> skipped_by_reason{};  // files and directories
  std::vector<SkippedPath> skipped;
  std::vector<FailedPath> failed;
  std::vector<std::string> removed;  // uris
  std::int64_t chunks_added = 0;
  std::int64_t chunks_kept = 0;      // equal to an existing chunk of a changed file: untouched
  std::int64_t chunks_removed = 0;   // of changed and of removed files
  std::int64_t bytes_read = 0;       // file bytes read (unchanged files are not read)
  double seconds = 0;
  bool cancelled = false;            // stopped by the cancel flag: files not reached are untouched
  // Not OK when the engine failed in a way that stops the ingest (IOError, Corruption,
  // Unavailable, Internal); what was done before stays done.
  Status stopped_by;
};

// Progress of a running ingest, reported after every file.
struct IngestProgress {
  enum class Phase { kWalking, kIngesting, kRemoving };
  Phase phase = Phase::kWalking;
  std::int64_t files_total = 0;  // files to process; known once walking ends
  std::int64_t files_done = 0;   // ingested + unchanged + skipped + failed so far
  std::int64_t files_ingested = 0;
  std::int64_t files_unchanged = 0;
  std::int64_t files_skipped = 0;
  std::int64_t files_failed = 0;
  std::int64_t chunks_added = 0;
  std::int64_t bytes_read = 0;
  std::string current_path;
};
using IngestProgressFn = std::function<void(const IngestProgress&)>;

// Ingests request.paths into cube (created on the first write). Never throws.
// progress (may be empty) is called on the calling thread. cancel (may be null) is polled
// between files: once it reads true the ingest stops, removes nothing and returns the
// report so far with cancelled = true. Each file is applied atomically, so a stopped or
// crashed ingest leaves whole files, and running it again finishes the work.
// Errors: InvalidArgument if paths is empty or an option is out of range (naming it);
// other problems (a missing path, an unreadable file, a refused chunk) are per-path
// entries of the report, and fatal engine errors end the ingest with report.stopped_by.
Result<IngestReport> Ingest(Engine& engine, const CubeRef& cube, const IngestRequest& request,
                            const IngestProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);

// Confines a caller-given path to a set of allowed roots, for servers: returns its canonical
// absolute path (symlinks, "." and ".." resolved) if that lies inside one of the roots (a
// root itself included). A relative path is taken relative to the first root.
// Errors: InvalidArgument if path is empty or holds a NUL byte, or roots is empty;
// PermissionDenied if the path, lexically or once its symlinks are resolved, is outside
// every root (the message does not say whether it exists); NotFound if it is inside a root
// but does not exist; IOError if a root cannot be resolved.
Result<std::string> ConfinePath(std::string_view path, const std::vector<std::string>& allowed_roots);

}  // namespace memd
