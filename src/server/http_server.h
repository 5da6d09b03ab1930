// HttpServer: asynchronous HTTP/1.1 (Boost.Beast) with keep-alive, limits and timeouts.
//
// I/O threads run the sockets; a parsed request is handed to the Dispatch function, which
// answers through its Respond callback from any thread (the API runs handlers on a worker
// pool, so slow requests never stall the event loop). The server enforces, before any
// handler runs: header size (431), body size per path (413), a deadline for reading a
// request's header and for its body (a client that trickles bytes is disconnected), an
// idle keep-alive timeout, a write timeout, and a maximum number of connections (503).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "memd/status.h"
#include "server/reply.h"

namespace memd::server {

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // default per request; see BodyLimit
  std::chrono::milliseconds header_timeout{10'000};  // to read a request's header
  std::chrono::milliseconds body_timeout{60'000};    // to read its body
  std::chrono::milliseconds idle_timeout{30'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{60'000};   // to send a response
  std::size_t max_connections = 1024;
};

// A request as the server hands it to Dispatch.
struct IncomingRequest {
  boost::beast::http::request<boost::beast::http::string_body> message;
  std::string remote_ip;
  std::chrono::steady_clock::time_point received;  // when its header was complete
};

class HttpServer {
 public:
  // Answers a request exactly once, from any thread.
  using Respond = std::function<void(Reply)>;
  using Dispatch = std::function<void(IncomingRequest request, Respond respond)>;
  using RequestHeader = boost::beast::http::request_header<>;
  // The body limit of a request, decided from its header (e.g. larger for imports).
  using BodyLimit = std::function<std::size_t(const RequestHeader& header)>;

  HttpServer(HttpLimits limits, Dispatch dispatch, BodyLimit body_limit = nullptr);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. port 0 picks a free port (see port()). InvalidArgument for a bad
  // address; Unavailable if the port is taken.
  Status Listen(const std::string& address, int port);
  int port() const { return port_; }

  // Starts io_threads threads running the sockets; returns at once.
  void Start(int io_threads);
  // Stops accepting new connections; open connections finish their current request and
  // then close (responses carry Connection: close).
  void StopAccepting();
  // Waits until no request is being handled or written, or until deadline. True if idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  // Closes every socket and joins the I/O threads.
  void Stop();

  // Figures for metrics.
  std::int64_t open_connections() const { return connections_.load(); }
  std::int64_t requests_in_flight() const { return in_flight_.load(); }

  class Session;  // one connection (http_server.cc)

 private:
  void Accept();

  HttpLimits limits_;
  Dispatch dispatch_;
  BodyLimit body_limit_;
  boost::asio::io_context io_;
  // Keeps the I/O threads running while every connection waits for a handler (e.g. during
  // shutdown, once the acceptor is closed): responses are posted from worker threads.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::int64_t> in_flight_{0};

  friend class Session;
};

}  // namespace memd::server
