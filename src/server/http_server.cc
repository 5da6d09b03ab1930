#include "server/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "util/file_util.h"

namespace memd::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxTargetBytes = 8 * 1024;

http::response<http::string_body> ToMessage(Reply& reply, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "memd");
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  for (auto& [name, value] : reply.headers) res.set(name, value);
  res.body() = std::move(reply.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

// One connection. Lives as long as an asynchronous operation holds a shared_ptr to it.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    ++server_.connections_;
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = endpoint.address().to_string();
  }
  ~Session() { --server_.connections_; }

  void Start(bool over_capacity) {
    if (over_capacity) {
      // Answer at once and close: the client learns why instead of hanging.
      Reply reply = Reply::Error(503, "unavailable", "the server has too many open connections; retry shortly");
      reply.headers.emplace_back("Retry-After", "1");
      WriteReply(std::move(reply), 11, /*keep_alive=*/false, /*counted=*/false);
      return;
    }
    ReadHeader(server_.limits_.header_timeout);
  }

 private:
  void ReadHeader(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.max_header_bytes));
    // No limit while the header is read (Beast would check Content-Length against it before
    // OnHeader can pick the route's limit); OnHeader sets it.
    parser_->body_limit(boost::none);
    stream_.expires_after(timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return FailRead(ec);
    auto& header = parser_->get();
    if (header.target().size() > kMaxTargetBytes) {
      return RejectRequest(414, "uri_too_long", "the request target is longer than 8 KiB");
    }
    std::size_t limit = server_.body_limit_ ? server_.body_limit_(header) : server_.limits_.max_body_bytes;
    parser_->body_limit(limit);
    if (auto length = parser_->content_length(); length && *length > limit) {
      return RejectRequest(413, "payload_too_large",
                           "the body is " + std::to_string(*length) + " bytes, above this route's limit of " +
                               std::to_string(limit) + " bytes");
    }
    received_ = std::chrono::steady_clock::now();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      stream_.expires_after(server_.limits_.write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(server_.limits_.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec) return FailRead(ec);
    stream_.expires_never();
    IncomingRequest request{parser_->release(), remote_ip_, received_};
    version_ = request.message.version();
    keep_alive_ = request.message.keep_alive();
    ++server_.in_flight_;
    server_.dispatch_(std::move(request), [self = shared_from_this()](Reply reply) {
      asio::dispatch(self->stream_.get_executor(), [self, reply = std::move(reply)]() mutable {
        self->WriteReply(std::move(reply), self->version_, self->keep_alive_, /*counted=*/true);
      });
    });
  }

  // A read error: answer what can be answered (limits, malformed requests), else close.
  void FailRead(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return RejectRequest(431, "header_too_large",
                           "the request header is larger than " + std::to_string(server_.limits_.max_header_bytes) +
                               " bytes");
    }
    if (ec == http::error::body_limit) return RejectRequest(413, "payload_too_large", "the body is above this route's limit");
    if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec.category() == beast::http::make_error_code(http::error::bad_target).category()) {
      return RejectRequest(400, "bad_request", "the request is not valid HTTP/1.1: " + ec.message());
    }
    Close();
  }

  // Answers a request that never reached a handler, then closes the connection (the rest
  // of the request is unread, so the stream cannot be reused).
  void RejectRequest(unsigned status, std::string_view code, const std::string& message) {
    WriteReply(Reply::Error(status, code, message), 11, /*keep_alive=*/false, /*counted=*/false);
  }

  void WriteReply(Reply reply, unsigned version, bool keep_alive, bool counted) {
    keep_alive = keep_alive && !server_.draining_.load();
    stream_.expires_after(server_.limits_.write_timeout);
    auto done = [self = shared_from_this(), keep_alive, counted](beast::error_code ec, std::size_t) {
      if (counted) --self->server_.in_flight_;
      if (ec || !keep_alive) return self->Close();
      self->ReadHeader(self->server_.limits_.idle_timeout);
    };
    if (!reply.file.empty()) {
      http::file_body::value_type body;
      beast::error_code ec;
      body.open(reply.file.c_str(), beast::file_mode::scan, ec);
      RemoveAll(reply.file).IgnoreError();  // unlinked now; the open descriptor keeps the data
      if (ec) {
        reply = Reply::Error(500, "io_error", "could not open the response file: " + ec.message());
      } else {
        auto res = std::make_shared<http::response<http::file_body>>(static_cast<http::status>(reply.status), version);
        res->set(http::field::server, "memd");
        if (!reply.content_type.empty()) res->set(http::field::content_type, reply.content_type);
        for (auto& [name, value] : reply.headers) res->set(name, value);
        res->body() = std::move(body);
        res->keep_alive(keep_alive);
        res->prepare_payload();
        http::async_write(stream_, *res, [res, done](beast::error_code ec, std::size_t n) { done(ec, n); });
        return;
      }
    }
    auto res = std::make_shared<http::response<http::string_body>>(ToMessage(reply, version, keep_alive));
    http::async_write(stream_, *res, [res, done](beast::error_code ec, std::size_t n) { done(ec, n); });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  HttpServer& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_ip_;
  std::chrono::steady_clock::time_point received_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
};

HttpServer::HttpServer(HttpLimits limits, Dispatch dispatch, BodyLimit body_limit)
    : limits_(limits),
      dispatch_(std::move(dispatch)),
      body_limit_(std::move(body_limit)),
      work_(boost::asio::make_work_guard(io_)),
      acceptor_(io_) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Listen(const std::string& address, int port) {
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return Status::InvalidArgument("'" + address + "' is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0", "bind");
  if (port < 0 || port > 65535) return Status::InvalidArgument("port " + std::to_string(port) + " is out of range", "port");
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message() +
                               "; choose another --port or stop the other process");
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::OK();
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (draining_.load() || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      const bool over = static_cast<std::size_t>(connections_.load()) >= limits_.max_connections;
      std::make_shared<Session>(*this, std::move(socket))->Start(over);
    }
    Accept();
  });
}

void HttpServer::Start(int io_threads) {
  Accept();
  for (int i = 0; i < std::max(io_threads, 1); ++i) threads_.emplace_back([this] { io_.run(); });
}

void HttpServer::StopAccepting() {
  draining_ = true;
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
}

bool HttpServer::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  while (in_flight_.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void HttpServer::Stop() {
  if (stopped_.exchange(true)) return;
  draining_ = true;
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace memd::server
