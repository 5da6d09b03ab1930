// Operations endpoints: /health, /ready, /metrics, /openapi.json; and the metric families.
#include <sys/statvfs.h>
#include <unistd.h>

#include "memd/version.h"
#include "server/api_impl.h"
#include "server/openapi_document.h"

namespace memd::server {
namespace json = boost::json;

namespace {

// Free bytes for unprivileged users on the file system holding path; -1 if unknown.
double FreeDiskBytes(const std::string& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) return -1;
  return static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
}

}  // namespace

void Api::Impl::RegisterMetrics() {
  auto must = [](auto result) {
    if (!result.ok()) throw std::logic_error("metric registration: " + result.status().ToString());
    return *result;
  };
  requests_total_ = must(metrics_.RegisterCounter("memd_http_requests_total", "HTTP requests by method, route and status",
                                                  {"method", "route", "status"}));
  request_seconds_ = must(metrics_.RegisterHistogram("memd_http_request_duration_seconds",
                                                     "HTTP request latency from header received to response ready",
                                                     {"method", "route"}));
  search_seconds_ =
      &must(metrics_.RegisterHistogram("memd_search_duration_seconds", "Engine search latency (cache misses)"))->With({});
  add_seconds_ =
      &must(metrics_.RegisterHistogram("memd_add_duration_seconds", "Engine add latency (one memory or a batch)"))->With({});
  cache_hits_ = &must(metrics_.RegisterCounter("memd_cache_hits_total", "Search result cache hits"))->With({});
  cache_misses_ = &must(metrics_.RegisterCounter("memd_cache_misses_total", "Search result cache misses"))->With({});
  rate_limited_ = must(metrics_.RegisterCounter("memd_rate_limited_total", "Requests refused by a rate limit", {"kind"}));
  auto gauge = [this](const char* name, const char* help, std::function<double()> fn) {
    Status s = metrics_.RegisterGaugeCallback(name, help, std::move(fn));
    if (!s.ok()) throw std::logic_error("metric registration: " + s.ToString());
  };
  gauge("memd_http_connections", "Open HTTP connections", [this] {
    const HttpServer* server = server_.load();
    return server ? static_cast<double>(server->open_connections()) : 0.0;
  });
  gauge("memd_cache_entries", "Search result cache entries", [this] { return static_cast<double>(cache_->entries()); });
  gauge("memd_cache_bytes", "Search result cache bytes", [this] { return static_cast<double>(cache_->bytes()); });
  // Set by Metrics from one RuntimeStats call, which visits every open cube under its lock.
  auto engine_gauge = [&](const char* name, const char* help) {
    return &must(metrics_.RegisterGauge(name, help))->With({});
  };
  open_cubes_ = engine_gauge("memd_open_cubes", "Cubes with their index in memory");
  memories_ = engine_gauge("memd_memories", "Live memories in open cubes");
  index_bytes_ = engine_gauge("memd_index_bytes", "Estimated index memory of open cubes");
  unsnapshotted_changes_ =
      engine_gauge("memd_unsnapshotted_changes", "Changes of open cubes not yet in an index snapshot");
  auto counter = [this](const char* name, const char* help, std::function<double()> fn) {
    Status s = metrics_.RegisterCounterCallback(name, help, std::move(fn));
    if (!s.ok()) throw std::logic_error("metric registration: " + s.ToString());
  };
  counter("memd_row_cache_hits_total", "Search hits whose row came from the engine's row cache",
          [this] { return static_cast<double>(engine_.RuntimeStats().row_cache_hits); });
  counter("memd_row_cache_misses_total", "Search hits whose row was read from the store",
          [this] { return static_cast<double>(engine_.RuntimeStats().row_cache_misses); });
  gauge("memd_row_cache_bytes", "Memory charged to the engine's row cache",
        [this] { return static_cast<double>(engine_.RuntimeStats().row_cache_bytes); });
  gauge("memd_ready", "1 when /ready would answer 200", [this] {
    return !draining_.load() && ::access(options_.data_dir.c_str(), W_OK) == 0 &&
                   FreeDiskBytes(options_.data_dir) >= static_cast<double>(options_.min_free_disk_bytes)
               ? 1.0
               : 0.0;
  });
  gauge("memd_disk_free_bytes", "Free bytes on the data directory's file system",
        [this] { return FreeDiskBytes(options_.data_dir); });
  gauge("memd_process_resident_memory_bytes", "Resident memory of the memd process",
        [] { return static_cast<double>(ProcessResidentBytes()); });
  auto info = must(metrics_.RegisterGauge("memd_build_info", "memd version", {"version"}));
  info->With({kVersion}).Set(1);
}

Reply Api::Impl::Health(Call&) { return Reply::Json(json::object{{"status", "ok"}}); }

Reply Api::Impl::Ready(Call&) {
  json::object checks;
  bool ready = true;
  if (draining_.load()) {
    checks["shutdown"] = "shutting down";
    ready = false;
  }
  const bool writable = ::access(options_.data_dir.c_str(), W_OK) == 0;
  checks["data_dir_writable"] = writable;
  ready &= writable;
  const double free_bytes = FreeDiskBytes(options_.data_dir);
  checks["disk_free_bytes"] = free_bytes;
  checks["disk_free_minimum_bytes"] = options_.min_free_disk_bytes;
  ready &= free_bytes >= static_cast<double>(options_.min_free_disk_bytes);
  return Reply::Json(json::object{{"status", ready ? "ready" : "not_ready"}, {"checks", std::move(checks)}},
                     ready ? 200 : 503);
}

Reply Api::Impl::Metrics(Call&) {
  const EngineStats stats = engine_.RuntimeStats();
  open_cubes_->Set(static_cast<double>(stats.open_cubes));
  memories_->Set(static_cast<double>(stats.memories));
  index_bytes_->Set(static_cast<double>(stats.index_bytes));
  unsnapshotted_changes_->Set(static_cast<double>(stats.unsnapshotted_changes));
  Reply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_.Render();
  return r;
}

Reply Api::Impl::OpenApi(Call&) {
  Reply r;
  r.body = std::string(kOpenApiDocument);
  return r;
}

}  // namespace memd::server
