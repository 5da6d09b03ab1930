#include "server/api.h"

#include <spdlog/spdlog.h>

#include <random>
#include <thread>

#include "auth/jwt.h"
#include "server/api_impl.h"
#include "util/time_format.h"

namespace memd::server {
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// A request id is accepted from X-Request-Id if it is 1..128 visible ASCII characters.
bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = rng();
  for (char& c : id) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return id;
}

// Decodes application/x-www-form-urlencoded style query strings ('+' is a space).
Status ParseQuery(std::string_view query, std::map<std::string, std::string, std::less<>>* out) {
  std::size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', i);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(i, end - i);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string name(pair.substr(0, eq));
      std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      for (char& c : name) c = c == '+' ? ' ' : c;
      for (char& c : value) c = c == '+' ? ' ' : c;
      auto decoded_name = PercentDecode(name);
      auto decoded_value = PercentDecode(value);
      if (!decoded_name || !decoded_value) {
        return Status::InvalidArgument("the query parameter '" + name + "' has a malformed %-escape", name);
      }
      if (!out->emplace(std::move(*decoded_name), std::move(*decoded_value)).second) {
        return Status::InvalidArgument("the query parameter '" + name + "' is given twice", name);
      }
    }
    i = end + 1;
  }
  return Status::OK();
}

// 429 with Retry-After for a refused rate-limit decision.
Reply RateLimited(const RateLimiter::Decision& decision, std::string message) {
  Reply r = Reply::Error(429, "rate_limited", message);
  r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
  return r;
}

}  // namespace

bool Principal::Has(Scope scope) const {
  for (Scope s : scopes) {
    if (s == scope || s == Scope::kAdmin) return true;
  }
  return false;
}

std::string_view Call::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string_view> Call::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string_view Call::Header(std::string_view name) const {
  auto it = request.message.find(name);
  return it == request.message.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

Api::Impl::Impl(Engine& engine, ApiOptions options) : engine_(engine), options_(std::move(options)) {
  if (options_.rate_limits) limiter_ = std::make_unique<RateLimiter>(options_.tiers, options_.per_ip);
  cache_ = std::make_unique<ResultCache>(options_.cache_entries, options_.cache_bytes, options_.cache_ttl);
  int threads = options_.worker_threads;
  if (threads <= 0) threads = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  read_workers_ = std::make_unique<ThreadPool>(threads);
  // Writes spend most of their time waiting for their group commit's fsync: more of them in
  // flight make larger groups (a 90/10 search/add load: add throughput +8%, p95 164 -> 60 ms).
  write_workers_ = std::make_unique<ThreadPool>(kWriteWorkersPerReadWorker * threads);
  access_log_ = spdlog::get("access");
  jobs_ = std::make_unique<ingest::JobRunner>(engine_, ingest::JobRunnerOptions{options_.ingest_roots});
  if (Status s = jobs_->Start(); !s.ok()) spdlog::error("ingest jobs were not resumed: {}", s.ToString());
  RegisterRoutes();
  RegisterMcpRoutes();
  RegisterMetrics();
}

void Api::Impl::RegisterRoutes() {
  using S = Scope;
  auto add = [this](const char* method, const char* pattern, Handler h, std::optional<Scope> scope) {
    router_.Add(method, pattern, RouteInfo{h, scope});
  };
  add("GET", "/health", &Impl::Health, std::nullopt);
  add("GET", "/ready", &Impl::Ready, std::nullopt);
  add("GET", "/metrics", &Impl::Metrics, std::nullopt);
  add("GET", "/openapi.json", &Impl::OpenApi, std::nullopt);

  add("GET", "/v1/cubes", &Impl::ListCubes, S::kRead);
  add("GET", "/v1/cubes/{project}", &Impl::CubeStats, S::kRead);
  add("DELETE", "/v1/cubes/{project}", &Impl::DeleteCube, S::kWrite);
  add("DELETE", "/v1/users/{user}", &Impl::ForgetUser, S::kWrite);
  add("GET", "/v1/cubes/{project}/export", &Impl::ExportCube, S::kRead);
  add("POST", "/v1/cubes/{project}/import", &Impl::ImportCube, S::kWrite);

  add("POST", "/v1/cubes/{project}/memories", &Impl::AddMemory, S::kWrite);
  add("POST", "/v1/cubes/{project}/memories/batch", &Impl::AddMemories, S::kWrite);
  add("GET", "/v1/cubes/{project}/memories", &Impl::ListMemories, S::kRead);
  add("GET", "/v1/cubes/{project}/memories/{id}", &Impl::GetMemory, S::kRead);
  add("PATCH", "/v1/cubes/{project}/memories/{id}", &Impl::UpdateMemory, S::kWrite);
  add("DELETE", "/v1/cubes/{project}/memories/{id}", &Impl::DeleteMemory, S::kWrite);
  add("POST", "/v1/cubes/{project}/memories/{id}/restore", &Impl::RestoreMemory, S::kWrite);
  add("GET", "/v1/cubes/{project}/memories/{id}/history", &Impl::MemoryHistory, S::kRead);
  add("POST", "/v1/cubes/{project}/memories/{id}/purge", &Impl::PurgeMemory, S::kWrite);

  add("POST", "/v1/cubes/{project}/search", &Impl::SearchCube, S::kRead);
  add("POST", "/v1/search", &Impl::SearchCubes, S::kRead);
  add("POST", "/v1/cubes/{project}/context", &Impl::Context, S::kRead);

  add("GET", "/v1/cubes/{project}/preferences", &Impl::ListPreferences, S::kRead);
  add("GET", "/v1/cubes/{project}/preferences/prompt", &Impl::PreferencesPrompt, S::kRead);
  add("GET", "/v1/cubes/{project}/preferences/{category}/{key}", &Impl::GetPreference, S::kRead);
  add("PUT", "/v1/cubes/{project}/preferences/{category}/{key}", &Impl::SetPreference, S::kWrite);
  add("DELETE", "/v1/cubes/{project}/preferences/{category}/{key}", &Impl::DeletePreference, S::kWrite);

  add("POST", "/v1/cubes/{project}/ingest", &Impl::StartIngest, S::kWrite);
  add("GET", "/v1/jobs", &Impl::ListJobs, S::kRead);
  add("GET", "/v1/jobs/{id}", &Impl::GetJob, S::kRead);
  add("DELETE", "/v1/jobs/{id}", &Impl::CancelJob, S::kWrite);

  add("POST", "/v1/keys", &Impl::CreateKey, S::kAdmin);
  add("GET", "/v1/keys", &Impl::ListKeys, S::kRead);
  add("DELETE", "/v1/keys/{key_id}", &Impl::RevokeKey, S::kRead);  // others than itself: write
}

std::size_t Api::Impl::BodyLimit(const HttpServer::RequestHeader& header) {
  // Only an authenticated import with the write scope may send a large body: anyone else
  // could otherwise make the server buffer max_import_bytes. This runs on the I/O thread for
  // every request, so anything but a POST is ruled out before routing.
  if (header.method() != http::verb::post) return options_.max_body_bytes;
  std::string_view target(header.target().data(), header.target().size());
  auto match = router_.Find("POST", target.substr(0, target.find('?')));
  if (match.route == nullptr || match.route->handler.handler != &Impl::ImportCube) return options_.max_body_bytes;
  IncomingRequest probe;
  probe.message.base() = header;
  Call call{probe, {}, {}, {}, {}, {}, {}};
  auto principal = Authenticate(call);
  if (!principal.ok() || !principal->Has(Scope::kWrite)) return options_.max_body_bytes;
  return options_.max_import_bytes;
}

ThreadPool& Api::Impl::PoolFor(const RouteMatch& match) const {
  if (match.route == nullptr) return *read_workers_;  // 404 or 405
  const RouteInfo& info = match.route->handler;
  const bool writes = info.own_auth || (info.scope && *info.scope != Scope::kRead);
  return writes ? *write_workers_ : *read_workers_;
}

void Api::Impl::Handle(IncomingRequest request, HttpServer::Respond respond) {
  // The I/O thread only routes and picks a pool; everything else runs on a worker:
  // authentication reads the store, handlers search and write.
  auto shared = std::make_shared<IncomingRequest>(std::move(request));
  const IncomingRequest& req = *shared;  // views below point into it; it does not move again
  std::string_view target(req.message.target().data(), req.message.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  // A made-up method is "other" in metrics and logs: clients must not create label values.
  std::string_view method =
      req.message.method() == http::verb::unknown
          ? std::string_view("other")
          : std::string_view(req.message.method_string().data(), req.message.method_string().size());
  RouteMatch match = router_.Find(method, path);
  if (match.route == nullptr && !match.path_exists) match = protocol_router_.Find(method, path);
  ThreadPool& pool = PoolFor(match);
  pool.Submit([this, shared, target, path, method, match = std::move(match),
               respond = std::move(respond)]() mutable {
    const IncomingRequest& req = *shared;
    Call call{req, {}, {}, {}, {}, {}, {}};
    std::string_view id_header = call.Header("X-Request-Id");
    call.request_id = ValidRequestId(id_header) ? std::string(id_header) : NewRequestId();

    Reply reply;
    if (match.route == nullptr) {
      call.route = "unmatched";
      if (match.path_exists) {
        std::string allow;
        for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
        reply = Reply::Error(405, "method_not_allowed", std::string(method) + " is not allowed here; use " + allow);
        reply.headers.emplace_back("Allow", allow);
      } else {
        reply = Reply::Error(404, "not_found", "no route for " + std::string(path) + "; see /openapi.json");
      }
    } else {
      call.route = match.route->pattern;
      call.params = std::move(match.params);
      Status query = target.find('?') == std::string_view::npos ? Status::OK()
                                                                 : ParseQuery(target.substr(target.find('?') + 1), &call.query);
      reply = query.ok() ? Run(call, match.route->handler) : Reply::Error(400, "invalid_query", query.message(), query.field());
    }
    reply.headers.emplace_back("X-Request-Id", call.request_id);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received).count();
    const std::string status = std::to_string(reply.status);
    requests_total_->With({method, call.route, status}).Inc();
    request_seconds_->With({method, call.route}).Observe(seconds);
    Log(call, reply, seconds);
    respond(std::move(reply));
  });
}

Reply Api::Impl::Run(Call& call, const RouteInfo& info) {
  if (info.scope) {
    auto principal = Authenticate(call);
    if (!principal.ok()) {
      if (limiter_) {
        // Failed attempts count against the client address, which slows key guessing.
        auto decision = limiter_->CheckIp(call.request.remote_ip);
        if (!decision.allowed) {
          rate_limited_->With({"ip"}).Inc();
          return RateLimited(decision, "too many requests from this address; retry later");
        }
      }
      return Reply::Error(principal.status());
    }
    call.principal = std::move(*principal);
    if (limiter_) {
      auto decision = limiter_->CheckKey(call.principal.key_id.empty() ? "user:" + call.principal.user
                                                                        : call.principal.key_id,
                                         call.principal.tier);
      if (!decision.allowed) {
        rate_limited_->With({"key"}).Inc();
        return RateLimited(decision, "the rate limit of tier '" + call.principal.tier + "' is exhausted; retry after " +
                                         std::to_string(decision.retry_after.count()) + " s");
      }
    }
    if (!call.principal.Has(*info.scope)) {
      return Reply::Error(403, "permission_denied",
                          "this credential lacks the '" + std::string(ScopeName(*info.scope)) + "' scope");
    }
  } else if (limiter_ && !info.own_auth) {
    auto decision = limiter_->CheckIp(call.request.remote_ip);
    if (!decision.allowed) {
      rate_limited_->With({"ip"}).Inc();
      return RateLimited(decision, "too many requests from this address; retry later");
    }
  }
  try {
    return (this->*info.handler)(call);
  } catch (const std::exception& e) {
    spdlog::error("handler of {} threw: {}", call.route, e.what());
    return Reply::Error(500, "internal", "internal error; the server log has details (request id " + call.request_id + ")");
  }
}

Result<Principal> Api::Impl::Authenticate(const Call& call) {
  if (!options_.auth) return Principal{"local", "", {Scope::kRead, Scope::kWrite, Scope::kAdmin}, {}, "default"};
  std::string_view header = call.Header("Authorization");
  std::string_view credential;
  if (header.size() > 7 && (header.substr(0, 7) == "Bearer " || header.substr(0, 7) == "bearer ")) {
    credential = header.substr(7);
  } else if (!header.empty()) {
    return Status(StatusCode::kUnauthenticated, "the Authorization header must be 'Bearer <API key or access token>'");
  } else {
    credential = call.Header("X-API-Key");
  }
  if (credential.empty()) {
    return Status(StatusCode::kUnauthenticated,
                  "authentication required: send 'Authorization: Bearer <API key or access token>'");
  }
  if (credential.substr(0, kApiKeyPrefix.size()) == kApiKeyPrefix) {
    MEMD_ASSIGN_OR_RETURN(ApiKey key, engine_.AuthenticateApiKey(credential));
    return Principal{key.user, key.id, key.scopes, key.projects, key.tier};
  }
  const std::int64_t now = NowMillis() / 1000;
  MEMD_ASSIGN_OR_RETURN(auth::JwtClaims claims, auth::VerifyAccessToken(credential, options_.jwt_secret, now));
  // An access token acts as its user with read and write scopes on all of its projects.
  return Principal{claims.sub, "", {Scope::kRead, Scope::kWrite}, {}, "default"};
}

void Api::Impl::Log(const Call& call, const Reply& reply, double seconds) const {
  spdlog::logger& logger = access_log_ ? *access_log_ : *spdlog::default_logger_raw();
  const spdlog::level::level_enum level = reply.status >= 500 ? spdlog::level::err : spdlog::level::info;
  if (!logger.should_log(level)) return;  // e.g. --log-level warn: build no line
  json::object line;
  line["time"] = FormatRfc3339(NowMillis());
  line["level"] = reply.status >= 500 ? "error" : "info";
  line["msg"] = "request";
  line["request_id"] = call.request_id;
  line["method"] = call.request.message.method() == http::verb::unknown
                       ? std::string_view("other")
                       : std::string_view(call.request.message.method_string().data(),
                                          call.request.message.method_string().size());
  line["route"] = call.route;
  line["status"] = reply.status;
  line["latency_us"] = static_cast<std::int64_t>(seconds * 1e6);
  line["remote_ip"] = call.request.remote_ip;
  if (!call.principal.user.empty()) line["user"] = call.principal.user;
  if (!call.cube.empty()) line["cube"] = call.cube;
  if (!reply.error_code.empty()) line["error"] = reply.error_code;
  std::string_view trace = call.Header("traceparent");
  if (!trace.empty() && trace.size() <= 128) line["traceparent"] = trace;
  logger.log(level, json::serialize(line));
}

// ---- Api ----

Api::Api(Engine& engine, ApiOptions options) : impl_(std::make_unique<Impl>(engine, std::move(options))) {}
Api::~Api() {
  impl_->jobs_->Stop();  // the running ingest job stops after its current file, queued for the next start
  impl_->read_workers_.reset();
  impl_->write_workers_.reset();
}
void Api::Handle(IncomingRequest request, HttpServer::Respond respond) {
  impl_->Handle(std::move(request), std::move(respond));
}
std::size_t Api::BodyLimit(const HttpServer::RequestHeader& header) { return impl_->BodyLimit(header); }
void Api::AttachServer(const HttpServer* server) { impl_->server_ = server; }
void Api::SetDraining() { impl_->draining_ = true; }
std::vector<std::pair<std::string, std::string>> Api::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : impl_->router_.routes()) out.emplace_back(route.method, route.pattern);
  return out;
}

}  // namespace memd::server
