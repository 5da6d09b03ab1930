// Configuration of `memd serve`: a TOML file, overridden by MEMD_* environment variables,
// overridden by command-line flags (applied by the CLI). deploy/memd.example.toml lists
// every key with its default.
#pragma once

#include <functional>
#include <string>

#include "memd/status.h"
#include "server/serve.h"

namespace memd::server {

// Applies the TOML file at path onto *options. Unknown sections or keys, wrong types and
// out-of-range values are InvalidArgument naming "file:key" (e.g. "memd.toml:cache.ttl_ms");
// an unreadable or malformed file names the line. Nothing is applied on error.
Status ApplyConfigFile(const std::string& path, ServeOptions* options);

// Applies MEMD_* variables (looked up through getenv, injectable for tests) onto *options:
// MEMD_DATA, MEMD_BIND, MEMD_PORT, MEMD_LOG_LEVEL, MEMD_JWT_SECRET, MEMD_ADMIN_KEY,
// MEMD_IO_THREADS, MEMD_WORKERS, MEMD_CACHE_TTL_MS, MEMD_CACHE_ENTRIES, MEMD_RATE_LIMITS
// (on|off), MEMD_MAX_BODY_BYTES, MEMD_DURABILITY (full|normal), MEMD_INGEST_ROOTS (directories
// separated by ':'), MEMD_MCP_ALLOWED_HOSTS (host names separated by ','). A malformed value is
// InvalidArgument naming the variable.
Status ApplyEnvironment(ServeOptions* options,
                        const std::function<const char*(const char*)>& getenv_fn = nullptr);

}  // namespace memd::server
