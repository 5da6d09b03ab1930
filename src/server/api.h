// Api: memd's REST/JSON interface (/v1) over one Engine, plus /health, /ready, /metrics
// and /openapi.json. It is the HttpServer's Dispatch: it routes, authenticates, applies
// rate limits, runs the handler on a worker pool, caches search results, records metrics
// and writes one structured log line per request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "memd/engine.h"
#include "server/http_server.h"
#include "server/rate_limiter.h"

namespace memd::server {

inline constexpr int kWriteWorkersPerReadWorker = 4;

struct ApiOptions {
  // Off only with --insecure-no-auth: every request then acts as user "local" with every
  // scope (the server refuses to bind a non-loopback address in that mode).
  bool auth = true;
  // HS256 secret of access tokens; empty: tokens are refused, only API keys work.
  std::string jwt_secret;
  // Per-key tiers (a key names its tier) and the per-IP limit of unauthenticated requests.
  bool rate_limits = true;
  std::vector<RateTier> tiers = {{"default", 1000, 200}, {"free", 100, 20}, {"pro", 10000, 2000}};
  RateTier per_ip = {"ip", 600, 100};
  // Search result cache; entries 0 or ttl 0 disable it.
  std::size_t cache_entries = 10000;
  std::size_t cache_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds cache_ttl{300'000};
  // Largest request body, and the larger one for cube imports.
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_import_bytes = std::size_t{1} << 30;
  // Largest JSON nesting depth of a request body.
  std::size_t max_json_depth = 32;
  // /ready is 503 when the data directory's file system has less free space than this.
  std::uint64_t min_free_disk_bytes = 256 * 1024 * 1024;
  std::string data_dir;  // for /ready and temporary export/import files
  // Threads running read handlers; 0: twice the hardware threads. Writes, which mostly wait
  // on the disk or a snapshot, run on their own pool of kWriteWorkersPerReadWorker times as
  // many threads.
  int worker_threads = 0;
  // Directories clients may ingest files from (POST .../ingest); empty: ingest is refused.
  std::vector<std::string> ingest_roots;
  // Host names (with or without ":port") that /mcp accepts in Host and Origin headers besides
  // localhost, 127.0.0.1 and [::1], e.g. the name a reverse proxy on this machine forwards
  // (DNS-rebinding protection; see docs/MCP.md).
  std::vector<std::string> mcp_allowed_hosts;
};

class Api {
 public:
  Api(Engine& engine, ApiOptions options);
  ~Api();  // waits for running handlers
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // HttpServer::Dispatch.
  void Handle(IncomingRequest request, HttpServer::Respond respond);
  // HttpServer::BodyLimit: max_import_bytes for an import whose credential has the write
  // scope, max_body_bytes for everything else.
  std::size_t BodyLimit(const HttpServer::RequestHeader& header);
  // Shows connection figures of the server in /metrics.
  void AttachServer(const HttpServer* server);
  // Marks the server as shutting down: /ready answers 503.
  void SetDraining();

  // Every registered route as (method, path pattern), e.g. ("GET", "/v1/cubes/{project}").
  std::vector<std::pair<std::string, std::string>> Routes() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace memd::server
