// serve: runs the HTTP API server (server/serve.h) until SIGINT or SIGTERM.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "server/config.h"
#include "server/serve.h"

namespace memd::cli {

namespace {

// Flags of `memd serve`; each overrides the config file and the environment when given.
struct ServeFlags {
  std::string config;
  std::string bind;
  int port = -1;
  bool insecure_no_auth = false;
  std::string log_level;
  int io_threads = 0;
  int workers = -1;
  bool no_cache = false;
  bool no_rate_limits = false;
  std::int64_t cache_ttl_ms = -1;
  std::int64_t shutdown_timeout_ms = -1;
  std::vector<std::string> ingest_roots;
};

Status RunServe(CommandContext& ctx, const ServeFlags& flags) {
  server::ServeOptions options;
  options.engine = ctx.engine_options();
  const std::string data_from_cli = options.engine.data_dir;
  const bool data_is_default = data_from_cli == GlobalOptions{}.data_dir && std::getenv("MEMD_DATA") == nullptr;
  std::string config = flags.config;
  if (config.empty() && std::getenv("MEMD_CONFIG") != nullptr) config = std::getenv("MEMD_CONFIG");
  if (!config.empty()) MEMD_RETURN_IF_ERROR(server::ApplyConfigFile(config, &options));
  MEMD_RETURN_IF_ERROR(server::ApplyEnvironment(&options));
  if (!data_is_default) options.engine.data_dir = data_from_cli;  // --data or MEMD_DATA
  if (ctx.options().durability_given) options.engine.durability = ctx.options().durability;
  if (!flags.bind.empty()) options.bind = flags.bind;
  if (flags.port >= 0) options.port = flags.port;
  if (flags.insecure_no_auth) options.api.auth = false;
  if (!flags.log_level.empty()) options.log_level = flags.log_level;
  if (flags.io_threads > 0) options.io_threads = flags.io_threads;
  if (flags.workers >= 0) options.api.worker_threads = flags.workers;
  if (flags.no_cache) options.api.cache_entries = 0;
  if (flags.no_rate_limits) options.api.rate_limits = false;
  if (flags.cache_ttl_ms >= 0) options.api.cache_ttl = std::chrono::milliseconds(flags.cache_ttl_ms);
  if (!flags.ingest_roots.empty()) options.api.ingest_roots = flags.ingest_roots;
  if (flags.shutdown_timeout_ms >= 0) options.shutdown_timeout = std::chrono::milliseconds(flags.shutdown_timeout_ms);
  return server::RunServer(options, std::cout);
}

}  // namespace

void AddServeCommand(CLI::App& app, Action* selected) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* sub = app.add_subcommand("serve", "Run the HTTP API server (REST/JSON under /v1)");
  sub->footer(
      "Configuration: --config FILE (TOML; see deploy/memd.example.toml), then MEMD_* variables\n"
      "(MEMD_DATA, MEMD_BIND, MEMD_PORT, MEMD_LOG_LEVEL, MEMD_JWT_SECRET, MEMD_ADMIN_KEY, MEMD_IO_THREADS,\n"
      "MEMD_WORKERS, MEMD_CACHE_TTL_MS, MEMD_CACHE_ENTRIES, MEMD_RATE_LIMITS, MEMD_MAX_BODY_BYTES,\n"
      "MEMD_DURABILITY, MEMD_INGEST_ROOTS, MEMD_CONFIG), then these flags. Defaults: 127.0.0.1:7437, data in ./memd-data,\n"
      "auth on (the first start prints an admin key once).\n"
      "Examples:\n"
      "  memd serve\n"
      "  memd serve --port 0 --insecure-no-auth     # local development, any free port");
  sub->add_option("--config", flags->config, "TOML configuration file")->type_name("FILE");
  sub->add_option("--bind", flags->bind, "Address to listen on (default 127.0.0.1)")->type_name("ADDR");
  sub->add_option("--port", flags->port, "TCP port (default 7437; 0 picks a free one)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535));
  sub->add_flag("--insecure-no-auth", flags->insecure_no_auth,
                "Accept requests without credentials as user 'local' (loopback addresses only)");
  sub->add_option("--log-level", flags->log_level, "trace, debug, info (default), warn, error, off")->type_name("LEVEL");
  sub->add_option("--io-threads", flags->io_threads, "Socket threads (default 1)")->type_name("N")->check(CLI::Range(1, 64));
  sub->add_option("--workers", flags->workers,
                  "Read handler threads (default: 2 x hardware threads); writes get 4 x as many")
      ->type_name("N")
      ->check(CLI::Range(0, 1024));
  sub->add_flag("--no-cache", flags->no_cache, "Disable the search result cache");
  sub->add_flag("--no-rate-limits", flags->no_rate_limits, "Disable rate limits");
  sub->add_option("--cache-ttl-ms", flags->cache_ttl_ms, "Search cache entry lifetime (default 300000)")
      ->type_name("MS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86'400'000}));
  sub->add_option("--shutdown-timeout-ms", flags->shutdown_timeout_ms,
                  "How long in-flight requests may take to finish at shutdown (default 20000)")
      ->type_name("MS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}));
  sub->add_option("--ingest-root", flags->ingest_roots,
                  "A directory clients may ingest files from (repeatable; default: none, ingest refused)")
      ->type_name("DIR");
  OnParsed(sub, selected, [flags](CommandContext& ctx) { return RunServe(ctx, *flags); });
}

}  // namespace memd::cli
