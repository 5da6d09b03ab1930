#include "server/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <set>
#include <string_view>
#include <vector>

namespace memd::server {
namespace {

// Typed access to one TOML table that remembers which keys were read, so unknown keys can
// be reported (a typo must not be silently ignored).
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  template <typename T>
  Status Read(std::string_view key, T* out, double min = 0, double max = 1e18) {
    known_.emplace(key);
    if (table_ == nullptr) return Status::OK();
    const toml::node* node = table_->get(key);
    if (node == nullptr) return Status::OK();
    if constexpr (std::is_same_v<T, bool>) {
      auto v = node->value<bool>();
      if (!v) return TypeError(key, "true or false");
      *out = *v;
    } else if constexpr (std::is_same_v<T, std::string>) {
      auto v = node->value<std::string>();
      if (!v) return TypeError(key, "a string");
      *out = *v;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const toml::array* array = node->as_array();
      if (array == nullptr) return TypeError(key, "an array of strings");
      std::vector<std::string> values;
      for (const toml::node& item : *array) {
        auto v = item.value<std::string>();
        if (!v) return TypeError(key, "an array of strings");
        values.push_back(*v);
      }
      *out = std::move(values);
    } else if constexpr (std::is_floating_point_v<T>) {
      auto v = node->value<double>();
      if (!v || *v < min || *v > max) return RangeError(key, min, max);
      *out = static_cast<T>(*v);
    } else {
      auto v = node->value<std::int64_t>();
      if (!node->is_integer() || !v || static_cast<double>(*v) < min || static_cast<double>(*v) > max) {
        return RangeError(key, min, max);
      }
      *out = static_cast<T>(*v);
    }
    return Status::OK();
  }

  Status ReadMillis(std::string_view key, std::chrono::milliseconds* out) {
    std::int64_t ms = out->count();
    MEMD_RETURN_IF_ERROR(Read(key, &ms, 0, 86'400'000));
    *out = std::chrono::milliseconds(ms);
    return Status::OK();
  }

  void Known(std::string_view key) { known_.emplace(key); }

  Status Finish() const {
    if (table_ == nullptr) return Status::OK();
    for (const auto& [key, node] : *table_) {
      if (!known_.count(std::string(key.str()))) {
        return Status::InvalidArgument("unknown key '" + Path(key.str()) + "'; see deploy/memd.example.toml",
                                       Path(key.str()));
      }
    }
    return Status::OK();
  }

 private:
  std::string Path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  Status TypeError(std::string_view key, std::string_view expected) const {
    return Status::InvalidArgument(Path(key) + " must be " + std::string(expected), Path(key));
  }
  Status RangeError(std::string_view key, double min, double max) const {
    return Status::InvalidArgument(Path(key) + " must be a number from " +
                                       std::to_string(static_cast<long long>(min)) + " to " +
                                       std::to_string(static_cast<long long>(max)),
                                   Path(key));
  }

  const toml::table* table_;
  std::string prefix_;
  std::set<std::string, std::less<>> known_;
};

Status ParseDurability(const std::string& text, Durability* out, const std::string& field) {
  if (text == "full")
    *out = Durability::kFull;
  else if (text == "normal")
    *out = Durability::kNormal;
  else
    return Status::InvalidArgument(field + " must be \"full\" or \"normal\"", field);
  return Status::OK();
}

Status ApplyTables(const toml::table& root, ServeOptions* o) {
  TableReader top(&root, "");
  for (const char* section : {"server", "limits", "auth", "rate_limits", "cache", "data", "ingest"})
    top.Known(section);
  MEMD_RETURN_IF_ERROR(top.Finish());

  TableReader server(root["server"].as_table(), "server");
  MEMD_RETURN_IF_ERROR(server.Read("bind", &o->bind));
  MEMD_RETURN_IF_ERROR(server.Read("port", &o->port, 0, 65535));
  MEMD_RETURN_IF_ERROR(server.Read("io_threads", &o->io_threads, 1, 64));
  MEMD_RETURN_IF_ERROR(server.Read("workers", &o->api.worker_threads, 0, 1024));
  MEMD_RETURN_IF_ERROR(server.ReadMillis("shutdown_timeout_ms", &o->shutdown_timeout));
  MEMD_RETURN_IF_ERROR(server.Read("log_level", &o->log_level));
  MEMD_RETURN_IF_ERROR(server.Read("mcp_allowed_hosts", &o->api.mcp_allowed_hosts));
  MEMD_RETURN_IF_ERROR(server.Finish());

  TableReader limits(root["limits"].as_table(), "limits");
  MEMD_RETURN_IF_ERROR(limits.Read("max_body_bytes", &o->api.max_body_bytes, 1024, 1e12));
  MEMD_RETURN_IF_ERROR(limits.Read("max_import_bytes", &o->api.max_import_bytes, 1024, 1e13));
  MEMD_RETURN_IF_ERROR(limits.Read("max_header_bytes", &o->limits.max_header_bytes, 1024, 1 << 20));
  MEMD_RETURN_IF_ERROR(limits.Read("max_json_depth", &o->api.max_json_depth, 2, 1000));
  MEMD_RETURN_IF_ERROR(limits.Read("max_connections", &o->limits.max_connections, 1, 1e6));
  MEMD_RETURN_IF_ERROR(limits.ReadMillis("header_timeout_ms", &o->limits.header_timeout));
  MEMD_RETURN_IF_ERROR(limits.ReadMillis("body_timeout_ms", &o->limits.body_timeout));
  MEMD_RETURN_IF_ERROR(limits.ReadMillis("idle_timeout_ms", &o->limits.idle_timeout));
  MEMD_RETURN_IF_ERROR(limits.ReadMillis("write_timeout_ms", &o->limits.write_timeout));
  MEMD_RETURN_IF_ERROR(limits.Finish());

  TableReader auth(root["auth"].as_table(), "auth");
  MEMD_RETURN_IF_ERROR(auth.Read("enabled", &o->api.auth));
  MEMD_RETURN_IF_ERROR(auth.Read("jwt_secret", &o->api.jwt_secret));
  MEMD_RETURN_IF_ERROR(auth.Read("admin_key", &o->admin_key));
  MEMD_RETURN_IF_ERROR(auth.Finish());

  const toml::table* rate_table = root["rate_limits"].as_table();
  TableReader rate(rate_table, "rate_limits");
  MEMD_RETURN_IF_ERROR(rate.Read("enabled", &o->api.rate_limits));
  MEMD_RETURN_IF_ERROR(rate.Read("per_ip_per_minute", &o->api.per_ip.requests_per_minute, 0, 1e9));
  MEMD_RETURN_IF_ERROR(rate.Read("per_ip_burst", &o->api.per_ip.burst, 0, 1e9));
  rate.Known("tiers");
  MEMD_RETURN_IF_ERROR(rate.Finish());
  if (rate_table != nullptr && rate_table->contains("tiers")) {
    const toml::array* tiers = (*rate_table)["tiers"].as_array();
    if (tiers == nullptr)
      return Status::InvalidArgument("rate_limits.tiers must be an array of tables", "rate_limits.tiers");
    std::vector<RateTier> parsed;
    for (std::size_t i = 0; i < tiers->size(); ++i) {
      const std::string path = "rate_limits.tiers[" + std::to_string(i) + "]";
      TableReader tier((*tiers)[i].as_table(), path);
      if ((*tiers)[i].as_table() == nullptr) return Status::InvalidArgument(path + " must be a table", path);
      RateTier t;
      MEMD_RETURN_IF_ERROR(tier.Read("name", &t.name));
      MEMD_RETURN_IF_ERROR(tier.Read("requests_per_minute", &t.requests_per_minute, 0, 1e9));
      MEMD_RETURN_IF_ERROR(tier.Read("burst", &t.burst, 0, 1e9));
      MEMD_RETURN_IF_ERROR(tier.Finish());
      parsed.push_back(std::move(t));
    }
    MEMD_RETURN_IF_ERROR(RateLimiter::ValidateTiers(parsed));
    o->api.tiers = std::move(parsed);
  }

  TableReader cache(root["cache"].as_table(), "cache");
  bool cache_enabled = o->api.cache_entries > 0;
  MEMD_RETURN_IF_ERROR(cache.Read("enabled", &cache_enabled));
  MEMD_RETURN_IF_ERROR(cache.Read("entries", &o->api.cache_entries, 0, 1e8));
  MEMD_RETURN_IF_ERROR(cache.Read("bytes", &o->api.cache_bytes, 0, 1e12));
  MEMD_RETURN_IF_ERROR(cache.ReadMillis("ttl_ms", &o->api.cache_ttl));
  MEMD_RETURN_IF_ERROR(cache.Finish());
  if (!cache_enabled) o->api.cache_entries = 0;

  TableReader data(root["data"].as_table(), "data");
  MEMD_RETURN_IF_ERROR(data.Read("dir", &o->engine.data_dir));
  std::string durability;
  MEMD_RETURN_IF_ERROR(data.Read("durability", &durability));
  if (!durability.empty())
    MEMD_RETURN_IF_ERROR(ParseDurability(durability, &o->engine.durability, "data.durability"));
  MEMD_RETURN_IF_ERROR(data.Read("cube_memory_budget_bytes", &o->engine.cube_memory_budget_bytes, 0, 1e15));
  MEMD_RETURN_IF_ERROR(data.Read("snapshot_every_changes", &o->engine.snapshot_every_changes, 0, 1e12));
  MEMD_RETURN_IF_ERROR(data.Read("row_cache_bytes", &o->engine.row_cache_bytes, 0, 1e15));
  MEMD_RETURN_IF_ERROR(data.Read("min_free_disk_bytes", &o->api.min_free_disk_bytes, 0, 1e15));
  MEMD_RETURN_IF_ERROR(data.Finish());

  TableReader ingest(root["ingest"].as_table(), "ingest");
  MEMD_RETURN_IF_ERROR(ingest.Read("roots", &o->api.ingest_roots));
  MEMD_RETURN_IF_ERROR(ingest.Finish());
  return Status::OK();
}

}  // namespace

Status ApplyConfigFile(const std::string& path, ServeOptions* options) {
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);  // Debian's toml++ is built with exceptions
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(
        path + ":" + std::to_string(error.source().begin.line) + ": " + std::string(error.description()),
        "config");
  }
  ServeOptions copy = *options;  // nothing is applied on error
  Status s = ApplyTables(parsed, &copy);
  if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message(), path + ":" + s.field());
  *options = std::move(copy);
  return Status::OK();
}

Status ApplyEnvironment(ServeOptions* options, const std::function<const char*(const char*)>& getenv_fn) {
  auto get = [&](const char* name) -> const char* { return getenv_fn ? getenv_fn(name) : std::getenv(name); };
  ServeOptions o = *options;
  auto number = [&](const char* name, auto* out, long long min, long long max) -> Status {
    const char* v = get(name);
    if (v == nullptr || *v == '\0') return Status::OK();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
      return Status::InvalidArgument(std::string(name) + "='" + v + "' must be a whole number from " +
                                         std::to_string(min) + " to " + std::to_string(max),
                                     name);
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(n);
    return Status::OK();
  };
  auto text = [&](const char* name, std::string* out) {
    if (const char* v = get(name); v != nullptr && *v != '\0') *out = v;
  };
  text("MEMD_DATA", &o.engine.data_dir);
  text("MEMD_BIND", &o.bind);
  text("MEMD_LOG_LEVEL", &o.log_level);
  text("MEMD_JWT_SECRET", &o.api.jwt_secret);
  text("MEMD_ADMIN_KEY", &o.admin_key);
  MEMD_RETURN_IF_ERROR(number("MEMD_PORT", &o.port, 0, 65535));
  MEMD_RETURN_IF_ERROR(number("MEMD_IO_THREADS", &o.io_threads, 1, 64));
  MEMD_RETURN_IF_ERROR(number("MEMD_WORKERS", &o.api.worker_threads, 0, 1024));
  MEMD_RETURN_IF_ERROR(number("MEMD_CACHE_ENTRIES", &o.api.cache_entries, 0, 100'000'000));
  MEMD_RETURN_IF_ERROR(number("MEMD_MAX_BODY_BYTES", &o.api.max_body_bytes, 1024, 1'000'000'000'000LL));
  std::int64_t ttl = o.api.cache_ttl.count();
  MEMD_RETURN_IF_ERROR(number("MEMD_CACHE_TTL_MS", &ttl, 0, 86'400'000));
  o.api.cache_ttl = std::chrono::milliseconds(ttl);
  if (const char* v = get("MEMD_RATE_LIMITS"); v != nullptr && *v != '\0') {
    std::string s = v;
    if (s != "on" && s != "off")
      return Status::InvalidArgument("MEMD_RATE_LIMITS must be on or off", "MEMD_RATE_LIMITS");
    o.api.rate_limits = s == "on";
  }
  // A list variable: items separated by sep; empty items are dropped.
  auto list = [&](const char* name, char sep, std::vector<std::string>* out) {
    const char* v = get(name);
    if (v == nullptr || *v == '\0') return;
    out->clear();
    std::string_view rest = v;
    while (!rest.empty()) {
      const std::size_t end = rest.find(sep);
      if (end != 0) out->emplace_back(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
  };
  list("MEMD_INGEST_ROOTS", ':', &o.api.ingest_roots);
  list("MEMD_MCP_ALLOWED_HOSTS", ',', &o.api.mcp_allowed_hosts);
  if (const char* v = get("MEMD_DURABILITY"); v != nullptr && *v != '\0') {
    MEMD_RETURN_IF_ERROR(ParseDurability(v, &o.engine.durability, "MEMD_DURABILITY"));
  }
  *options = std::move(o);
  return Status::OK();
}

}  // namespace memd::server
