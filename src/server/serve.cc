#include "server/serve.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ostream>

#include "server/log_format.h"
#include "util/file_util.h"

namespace memd::server {

namespace {

bool IsLoopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost" || address.rfind("127.", 0) == 0;
}

// The first start of an authenticated server: with no key at all nobody could call it, so
// an admin key is created (from MEMD_ADMIN_KEY when given) and its secret printed once.
Status BootstrapAdminKey(Engine& engine, const ServeOptions& options, std::ostream& out) {
  if (!options.api.auth) return Status::OK();
  MEMD_ASSIGN_OR_RETURN(std::int64_t keys, engine.CountApiKeys());
  if (keys > 0) return Status::OK();
  NewApiKey key;
  key.user = "admin";
  key.name = "bootstrap admin key";
  key.scopes = {Scope::kAdmin};
  key.secret = options.admin_key;
  MEMD_ASSIGN_OR_RETURN(CreatedApiKey created, engine.CreateApiKey(key));
  if (options.admin_key.empty()) {
    out << "memd: created the first admin key (id " << created.key.id << "); it is shown only now:\n"
        << "  " << created.secret << "\n"
        << "memd: create keys for users with `memd key create` or POST /v1/keys\n";
  } else {
    out << "memd: registered MEMD_ADMIN_KEY as the first admin key (id " << created.key.id << ")\n";
  }
  out.flush();
  return Status::OK();
}

}  // namespace

Status ValidateServeOptions(const ServeOptions& options) {
  if (!options.api.auth && !IsLoopback(options.bind)) {
    return Status::InvalidArgument("--insecure-no-auth only binds a loopback address (127.0.0.1 or ::1), not '" +
                                       options.bind + "'; remove it or bind 127.0.0.1",
                                   "bind");
  }
  if (options.port < 0 || options.port > 65535) {
    return Status::InvalidArgument("port " + std::to_string(options.port) + " is out of range 0..65535", "port");
  }
  if (options.io_threads < 1 || options.io_threads > 64) {
    return Status::InvalidArgument("io_threads must be 1..64", "io_threads");
  }
  if (!options.api.jwt_secret.empty() && options.api.jwt_secret.size() < 32) {
    return Status::InvalidArgument("the JWT secret must be at least 32 bytes (e.g. `openssl rand -hex 32`)",
                                   "jwt_secret");
  }
  return RateLimiter::ValidateTiers(options.api.tiers);
}

Status RunServer(const ServeOptions& options, std::ostream& out) {
  MEMD_RETURN_IF_ERROR(ValidateServeOptions(options));
  MEMD_RETURN_IF_ERROR(ConfigureJsonLogging(options.log_level));
  if (!options.api.auth) spdlog::warn("authentication is OFF (--insecure-no-auth): every request acts as user 'local'");

  // Signals are taken by a sigwait loop below, never by a handler: block them in this
  // thread before any other thread exists, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  EngineOptions engine_options = options.engine;
  MEMD_ASSIGN_OR_RETURN(auto engine, Engine::Open(engine_options));
  MEMD_RETURN_IF_ERROR(BootstrapAdminKey(*engine, options, out));

  ApiOptions api_options = options.api;
  api_options.data_dir = engine_options.data_dir;
  auto api = std::make_unique<Api>(*engine, api_options);
  HttpServer http(
      options.limits, [&api](IncomingRequest request, HttpServer::Respond respond) {
        api->Handle(std::move(request), std::move(respond));
      },
      [&api](const HttpServer::RequestHeader& header) { return api->BodyLimit(header); });
  api->AttachServer(&http);
  MEMD_RETURN_IF_ERROR(http.Listen(options.bind, options.port));
  http.Start(options.io_threads);
  const std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  out << "memd listening on http://" << host << ":" << http.port() << std::endl;
  spdlog::info("listening on {}:{} (data {}, durability {}, auth {})", options.bind, http.port(),
               engine_options.data_dir, engine_options.durability == Durability::kFull ? "full" : "normal",
               options.api.auth ? "on" : "OFF");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {}: shutting down (a second signal exits at once)", signal_number);
  // A second signal ends the process at once: every acknowledged write is already durable.
  std::thread second([signals]() mutable {
    int again = 0;
    if (sigwait(&signals, &again) == 0) _exit(128 + again);
  });
  second.detach();

  api->SetDraining();
  http.StopAccepting();
  const auto deadline = std::chrono::steady_clock::now() + options.shutdown_timeout;
  if (!http.WaitIdle(deadline)) {
    spdlog::warn("shutdown: {} requests still running after {} ms; closing their connections", http.requests_in_flight(),
                 options.shutdown_timeout.count());
  }
  http.Stop();
  api.reset();     // joins the workers, so no handler still uses the engine
  engine.reset();  // writes index snapshots and closes the store
  spdlog::info("shutdown complete");
  return Status::OK();
}

}  // namespace memd::server
