// From the bytes of one file to the memories of its chunks: content checks (binary,
// encoding), extraction (PDF, HTML, conversations), chunking, and the memory of each chunk
// (context header, kind, metadata, source). No I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/ingest.h"
#include "memd/memory.h"
#include "memd/status.h"

namespace memd::ingest {

// Bump when chunking or chunk text changes, so a re-ingest replaces every file's chunks.
inline constexpr int kChunkFormatVersion = 1;

struct SourceFile {
  std::string uri;            // absolute path: every chunk's source.uri
  std::string relative_path;  // shown in the header and metadata "path"
  std::string_view bytes;     // the raw content
  std::string content_hash;   // hex SHA-256 of bytes: metadata "content_hash"
  // When not empty, the name whose extension decides the file type instead of
  // relative_path's (a URL's type comes from its Content-Type: "page.html").
  std::string type_name;
};

struct FileChunks {
  std::vector<NewMemory> chunks;   // may be empty (an empty file)
  std::string language;
  bool transcoded = false;         // decoded as Windows-1252
  std::optional<SkipReason> skip;  // set: the file is not ingested, for this reason
  std::string skip_detail;
  Status error;                    // not OK: extraction failed (a damaged PDF)
};

// Builds the chunks of one file.
FileChunks BuildFileChunks(const SourceFile& file, const IngestOptions& options);

// A short fingerprint of everything besides the bytes that shapes a file's chunks (format
// version, chunk options, encoding policy, tags, relative path): stored with the content
// hash in SourceState so a re-ingest with other options re-chunks unchanged files.
std::string ChunkingFingerprint(const IngestOptions& options, std::string_view relative_path);

// The "context header" line that starts every chunk's text: "File: <path>" ("URL: <url>"
// for URLs), then " | <label>: <value>" when both are given.
std::string ContextHeader(std::string_view relative_path, std::string_view label, std::string_view value);

// Windows-1252 to UTF-8 (the five undefined bytes map to the C1 controls, as browsers do).
std::string DecodeWindows1252(std::string_view bytes);

// "binary" when the first 8 KiB hold a NUL byte or more than 10% control bytes (other than
// tab, newline, carriage return, form feed, vertical tab and escape); nullopt for text.
std::optional<std::string> BinaryReason(std::string_view bytes);

}  // namespace memd::ingest
