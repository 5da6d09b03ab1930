// Api::Impl: shared state of the REST handlers (api_*.cc each implement one resource).
#pragma once

#include <spdlog/logger.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/credentials.h"
#include "memd/engine.h"
#include "ingest/job_runner.h"
#include "mcp/server.h"
#include "mcp/session_store.h"
#include "server/api.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/reply.h"
#include "server/result_cache.h"
#include "server/router.h"
#include "engine/validation.h"
#include "util/thread_pool.h"

namespace memd::server {

// Who is calling: from an API key, an access token, or the no-auth development mode.
struct Principal {
  std::string user;
  std::string key_id;                 // "" for tokens and no-auth
  std::vector<Scope> scopes;
  std::vector<std::string> projects;  // empty: every project of user
  std::string tier = "default";
  bool Has(Scope scope) const;        // admin implies read and write
};

// One request while its handler runs.
struct Call {
  const IncomingRequest& request;
  PathParams params;
  std::map<std::string, std::string, std::less<>> query;  // decoded query parameters
  Principal principal;
  std::string request_id;
  std::string_view route;  // the matched pattern (owned by the router), for logs and metrics
  std::string cube;   // "user/project" once resolved, for the log line

  // A path or query parameter; empty if absent.
  std::string_view Param(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
  std::string_view Header(std::string_view name) const;
};

class Api::Impl {
 public:
  Impl(Engine& engine, ApiOptions options);

  using Handler = Reply (Impl::*)(Call&);
  struct RouteInfo {
    Handler handler;
    std::optional<Scope> scope;  // required scope; nullopt: no authentication
    // The handler authenticates and rate-limits by itself (MCP: its 401 and 403 carry OAuth
    // metadata, and its scope depends on the tool called); Run then does neither.
    bool own_auth = false;
  };
  using RouteMatch = Router<RouteInfo>::Match;

  void Handle(IncomingRequest request, HttpServer::Respond respond);
  std::size_t BodyLimit(const HttpServer::RequestHeader& header);

  Engine& engine_;
  ApiOptions options_;
  Router<RouteInfo> router_;
  // Protocol endpoints outside the REST API and its OpenAPI document: /mcp and the OAuth
  // protected-resource metadata (api_mcp.cc). Consulted when router_ knows the path not.
  Router<RouteInfo> protocol_router_;
  std::unique_ptr<mcp::Server> mcp_;
  std::unique_ptr<mcp::SessionStore> mcp_sessions_;
  MetricsRegistry metrics_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<ResultCache> cache_;
  std::atomic<const HttpServer*> server_{nullptr};
  std::atomic<bool> draining_{false};
  // Handlers run on one of two pools: writes wait for the store's commit (an fsync) and for
  // the cube's lock (held while a snapshot is written), so they get their own threads and
  // can never occupy every thread that searches need.
  std::unique_ptr<ThreadPool> read_workers_;
  std::unique_ptr<ThreadPool> write_workers_;
  // The pool for a routed request: writes (routes needing the write or admin scope, and MCP,
  // whose tools write) go to write_workers_, everything else (also 404 and 405) to
  // read_workers_.
  ThreadPool& PoolFor(const RouteMatch& match) const;
  // Runs ingest jobs (api_jobs.cc); started with the Api, stopped before it is destroyed.
  std::unique_ptr<ingest::JobRunner> jobs_;

  // Metric families (registered in the constructor).
  CounterFamily* requests_total_ = nullptr;
  HistogramFamily* request_seconds_ = nullptr;
  CounterFamily* rate_limited_ = nullptr;
  // Unlabelled metrics (the one child of their family, looked up once).
  Histogram* search_seconds_ = nullptr;
  Histogram* add_seconds_ = nullptr;
  Counter* cache_hits_ = nullptr;
  Counter* cache_misses_ = nullptr;
  // Engine figures, set from one RuntimeStats call per scrape (Metrics).
  Gauge* open_cubes_ = nullptr;
  Gauge* memories_ = nullptr;
  Gauge* index_bytes_ = nullptr;
  Gauge* unsnapshotted_changes_ = nullptr;
  // The "access" logger (ConfigureJsonLogging runs before the Api is built), or null for
  // spdlog's default logger.
  std::shared_ptr<spdlog::logger> access_log_;

  // ---- request plumbing (api.cc) ----
  void RegisterRoutes();
  void RegisterMetrics();
  Reply Run(Call& call, const RouteInfo& info);
  Result<Principal> Authenticate(const Call& call);
  void Log(const Call& call, const Reply& reply, double seconds) const;

  // ---- helpers shared by handlers (api_util.cc) ----
  // The cube a call addresses: user from the principal, or ?user= for admins (403 for
  // others); project from the path (or `project` when given), checked against the key's
  // projects. Sets call.cube.
  Result<CubeRef> CubeOf(Call& call, std::string_view project = {});
  // The user a call acts for (principal's, or ?user= for admins).
  Result<std::string> UserOf(Call& call);
  // Checks that the principal may use project of user (key's project list).
  Status CheckProject(const Principal& principal, std::string_view project) const;
  // The request body as a JSON value. Errors: InvalidArgument with field "content-type"
  // (reply 415) or "body" (reply 400); BadRequest turns them into replies.
  Result<boost::json::value> JsonBody(const Call& call) const;
  // The reply for a malformed request (bad body, unknown field, wrong type, bad query):
  // 400 invalid_request / invalid_json, or 415 for the content type.
  static Reply BadRequest(const Status& status);
  // Rejects query parameters other than `allowed` (400 invalid_request).
  Status OnlyQuery(const Call& call, std::initializer_list<std::string_view> allowed) const;
  // WriteOptions from the Idempotency-Key header (400 if malformed).
  Result<WriteOptions> WriteOptionsOf(const Call& call) const;
  // The reply for an engine error: the status's code, with "invalid_filter" for filter fields.
  static Reply ErrorReply(const Status& status);
  // A temporary file path under the data directory (for export/import bodies).
  std::string TempPath(std::string_view tag) const;

  // ---- handlers ----
  // api_ops.cc
  Reply Health(Call& call);
  Reply Ready(Call& call);
  Reply Metrics(Call& call);
  Reply OpenApi(Call& call);
  // api_memories.cc
  Reply AddMemory(Call& call);
  Reply AddMemories(Call& call);
  Reply ListMemories(Call& call);
  Reply GetMemory(Call& call);
  Reply UpdateMemory(Call& call);
  Reply DeleteMemory(Call& call);
  Reply RestoreMemory(Call& call);
  Reply MemoryHistory(Call& call);
  Reply PurgeMemory(Call& call);
  // api_search.cc
  Reply SearchCube(Call& call);
  Reply SearchCubes(Call& call);
  Reply Context(Call& call);
  // api_preferences.cc
  Reply ListPreferences(Call& call);
  Reply GetPreference(Call& call);
  Reply SetPreference(Call& call);
  Reply DeletePreference(Call& call);
  Reply PreferencesPrompt(Call& call);
  // api_cubes.cc
  Reply ListCubes(Call& call);
  Reply CubeStats(Call& call);
  Reply DeleteCube(Call& call);
  Reply ForgetUser(Call& call);
  Reply ExportCube(Call& call);
  Reply ImportCube(Call& call);
  // api_jobs.cc
  Reply StartIngest(Call& call);
  Reply GetJob(Call& call);
  Reply CancelJob(Call& call);
  Reply ListJobs(Call& call);
  // The job named by the path's {id} if the caller may see it; NotFound otherwise.
  Result<Job> VisibleJob(const Call& call);
  // api_keys.cc
  Reply CreateKey(Call& call);
  Reply ListKeys(Call& call);
  Reply RevokeKey(Call& call);
  // api_mcp.cc
  void RegisterMcpRoutes();  // creates mcp_ and mcp_sessions_ too
  Reply McpPost(Call& call);
  Reply McpDelete(Call& call);
  Reply ProtectedResourceMetadata(Call& call);

 private:
  // api_mcp.cc: DNS-rebinding checks, authentication and rate limits of an MCP request;
  // fills call.principal, or returns the refusal.
  std::optional<Reply> AdmitMcp(Call& call);
  Reply Search(Call& call, const std::string& user, const std::vector<std::string>& projects,
               const boost::json::value& body);
};

}  // namespace memd::server
