// JSON encoding of API keys for the front ends (CLI now, the server's key endpoints next),
// so both print the same shape. Never encodes a secret hash. Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include "memd/credentials.h"

namespace memd::engine {

// {"id", "user", "name", "scopes": ["read", ...], "projects": [...] ([] = all projects),
//  "tier", "created_at", "revoked_at" (RFC 3339, or null while the key is active)}.
boost::json::object EncodeApiKey(const ApiKey& key);

// EncodeApiKey(created.key) plus "secret": for the one response that shows it.
boost::json::object EncodeCreatedApiKey(const CreatedApiKey& created);

}  // namespace memd::engine
