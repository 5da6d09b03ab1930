// Input validation and normalisation for the write path. Every check names the field and
// says what is allowed; nothing here touches the store.
#pragma once

#include <string>
#include <string_view>

#include "memd/memory.h"
#include "memd/options.h"
#include "memd/status.h"

namespace memd::engine {

// user and project: 1..128 bytes of [A-Za-z0-9._@-], not starting with '.'.
Status ValidateCubeRef(const CubeRef& cube);

// Validates a new memory and brings it to stored form: metadata canonical, tags sorted and
// unique. `field` prefixes error paths (e.g. "items[3]"). now is used to reject expires_at
// values in the past.
Status NormalizeNewMemory(NewMemory& m, const EngineOptions& options, Timestamp now, const std::string& field);

// Applies a validated patch to a stored memory (does not bump version or times).
Status ApplyPatch(const MemoryPatch& patch, Memory& m, const EngineOptions& options, Timestamp now);

// The dedup key: SHA-256 over NFC/whitespace-normalised text and canonical metadata.
std::string ContentHash(std::string_view text, std::string_view canonical_metadata);

// Preference category (1..64 bytes) and key (1..128 bytes): printable, no control chars.
// value must be JSON text (any type); it is returned canonicalised.
Result<std::string> ValidatePreference(std::string_view category, std::string_view key, std::string_view value,
                                       std::string_view description);

}  // namespace memd::engine
