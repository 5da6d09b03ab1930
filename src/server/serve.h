// RunServer: `memd serve` — the HTTP server over one engine, until SIGINT or SIGTERM.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "memd/engine.h"
#include "server/api.h"
#include "server/http_server.h"

namespace memd::server {

// Everything `memd serve` can be configured with (config file, MEMD_* variables, flags;
// see server/config.h and docs/SERVER.md).
struct ServeOptions {
  std::string bind = "127.0.0.1";
  int port = 7437;
  int io_threads = 1;  // socket threads; handlers run on api.worker_threads
  HttpLimits limits;
  ApiOptions api;
  EngineOptions engine;
  // Graceful shutdown: how long in-flight requests may take to finish.
  std::chrono::milliseconds shutdown_timeout{20'000};
  // On a first start with no API keys: the admin key secret to register (empty: generate
  // one and print it once).
  std::string admin_key;
  std::string log_level = "info";  // trace, debug, info, warn, error, off
};

// Checks options that cannot work together, e.g. no auth on a non-loopback address.
Status ValidateServeOptions(const ServeOptions& options);

// Opens the engine, creates the first admin key if there is none (printing it once on out),
// listens, prints "memd listening on http://ADDR:PORT" on out, and serves until SIGINT or
// SIGTERM. Then stops accepting, lets in-flight requests finish within shutdown_timeout,
// writes index snapshots and closes the store. A second signal exits at once (every
// acknowledged write is already durable). Returns the error that stopped it from starting.
Status RunServer(const ServeOptions& options, std::ostream& out);

}  // namespace memd::server
