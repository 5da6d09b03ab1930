// Ingested sources: what an ingester saw of each file or URL it loaded into a cube, so a
// re-ingest can skip unchanged sources and replace or remove the chunks of changed ones.
// Plain value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memd/memory.h"

namespace memd {

// The last ingested state of one source in one cube. uri is the key: an absolute file path
// (as the ingester resolved it) or an http(s) URL. Every chunk of the source is a memory
// whose source.uri equals this uri.
struct SourceState {
  std::string uri;
  std::int64_t size = 0;         // bytes of the raw file or response
  std::int64_t mtime_ns = 0;     // file modification time (ns since the epoch); 0 for URLs
  std::string content_hash;      // hex hash of the raw bytes (the ingester chooses the hash)
  std::string etag;              // URL revalidation validators; empty for files
  std::string last_modified;
  std::int64_t chunks = 0;       // live chunks the last ingest left (set by the engine)
  Timestamp ingested_at = 0;     // set by the engine on every ReplaceSource
  friend bool operator==(const SourceState&, const SourceState&) = default;
};

// One source's new state and chunks, for Engine::ReplaceSources.
struct SourceUpdate {
  SourceState state;
  std::vector<NewMemory> chunks;
};

// What ReplaceSource did with a source's chunks.
struct ReplaceSourceResult {
  std::int64_t added = 0;    // chunks that did not exist before
  std::int64_t kept = 0;     // chunks equal to an existing chunk of the source (untouched)
  std::int64_t removed = 0;  // old chunks not in the new set (soft-deleted, restorable)
  friend bool operator==(const ReplaceSourceResult&, const ReplaceSourceResult&) = default;
};

}  // namespace memd
