// The data model of memd: memories, their history, and preferences.
// Plain value types; thread-compatible. No third-party types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memd {

// Milliseconds since the Unix epoch, UTC.
using Timestamp = std::int64_t;

// A (user, project) pair names a cube, memd's unit of isolation.
// user and project: 1..128 bytes of [A-Za-z0-9._@-].
struct CubeRef {
  std::string user;
  std::string project;
  friend bool operator==(const CubeRef&, const CubeRef&) = default;
};

// Where a memory came from: a URI or path and an optional 1-based inclusive line range.
struct SourceRef {
  std::string uri;
  std::optional<std::int64_t> line_start;
  std::optional<std::int64_t> line_end;
  friend bool operator==(const SourceRef&, const SourceRef&) = default;
};

// Documented common values of Memory::kind; any non-empty string up to 64 bytes is accepted.
inline constexpr const char* kKindFact = "fact";
inline constexpr const char* kKindMessage = "message";
inline constexpr const char* kKindDocument = "document";
inline constexpr const char* kKindCode = "code";
inline constexpr const char* kKindNote = "note";

// One stored memory as readers see it.
struct Memory {
  std::string id;                  // ULID: 26 chars, time-ordered, unique, never reused
  std::string text;                // valid UTF-8, non-empty
  std::string kind;                // e.g. "fact"
  std::string metadata;            // a JSON object, canonical (sorted keys, compact)
  std::vector<std::string> tags;   // sorted, unique
  std::optional<SourceRef> source;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  std::optional<Timestamp> expires_at;  // absent: never expires
  std::int64_t version = 1;        // 1 at creation; +1 on every update, delete and restore
  bool deleted = false;            // soft-deleted (restorable); only History/Get show these
  friend bool operator==(const Memory&, const Memory&) = default;
};

// Input to Engine::Add. Only text is required.
struct NewMemory {
  std::string text;
  std::string kind = kKindNote;
  std::string metadata = "{}";     // JSON object text; canonicalised on write
  std::vector<std::string> tags;
  std::optional<SourceRef> source;
  std::optional<std::string> id;   // caller-chosen ULID; must not already exist anywhere
  std::optional<Timestamp> expires_at;
};

// What Add did with one input.
struct AddResult {
  std::string id;
  bool deduplicated = false;  // true: an equal live memory existed; nothing was written
  std::int64_t version = 1;
  friend bool operator==(const AddResult&, const AddResult&) = default;
};

// A partial update: each present field replaces the stored one.
struct MemoryPatch {
  std::optional<std::string> text;
  std::optional<std::string> kind;
  std::optional<std::string> metadata;
  std::optional<std::vector<std::string>> tags;
  std::optional<SourceRef> source;
  bool clear_source = false;
  std::optional<Timestamp> expires_at;
  bool clear_expires_at = false;
  // When set, the update fails with Conflict unless the stored version equals it.
  std::optional<std::int64_t> expected_version;
};

// One version of a memory in its history.
struct HistoryEntry {
  std::string operation;  // "create", "update", "delete" or "restore": what produced this version
  Memory memory;          // the memory as it was at that version
};

// A parametric memory: a per-project setting, e.g. ("style", "docstring") -> "Google".
struct Preference {
  std::string category;     // 1..64 bytes
  std::string key;          // 1..128 bytes
  std::string value;        // any JSON value, canonical text
  std::string description;  // may be empty
  Timestamp updated_at = 0;
  friend bool operator==(const Preference&, const Preference&) = default;
};

}  // namespace memd
