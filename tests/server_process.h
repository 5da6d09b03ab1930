// Test harness for `memd serve`: starts the real binary on an ephemeral port with a fresh
// data directory, reads the admin key and port it prints, and talks real HTTP to it with a
// small keep-alive client (Boost.Beast, synchronous).
//
// Header-only, like run_process.h (only *_test.cc files are compiled into the test binary).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/file_util.h"

extern char** environ;

namespace memd::testutil {

// One HTTP response as the tests see it.
struct HttpResult {
  int status = 0;  // 0: the request failed at the transport level (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
  boost::json::value Json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    return ec ? boost::json::value() : v;
  }
  // The error code of an error envelope, or "".
  std::string ErrorCode() const {
    auto v = Json();
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A keep-alive HTTP/1.1 connection to 127.0.0.1:port. Reconnects when the server closed it.
class HttpClient {
 public:
  explicit HttpClient(int port, std::string bearer = {}) : port_(port), bearer_(std::move(bearer)) {
    ::signal(SIGPIPE, SIG_IGN);  // a server that closed the connection is an error result, not a crash
  }

  HttpResult Request(const std::string& method, const std::string& target, const std::string& body = {},
                     std::map<std::string, std::string> headers = {}) {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpResult r;
      try {
        if (!stream_) Connect();
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!bearer_.empty() && !headers.count("Authorization")) req.set(http::field::authorization, "Bearer " + bearer_);
        if (!body.empty() && !headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
        for (auto& [k, v] : headers) {
          if (!v.empty()) req.set(k, v);
        }
        req.body() = body;
        req.prepare_payload();
        http::write(*stream_, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::size_t{1} << 31);
        http::read(*stream_, buffer, parser);
        auto res = parser.release();
        r.status = static_cast<int>(res.result_int());
        r.body = std::move(res.body());
        for (const auto& field : res) {
          std::string name(field.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers[name] = std::string(field.value());
        }
        if (!res.keep_alive()) stream_.reset();
        return r;
      } catch (const std::exception& e) {
        stream_.reset();
        r.error = e.what();
        if (attempt == 1) return r;
      }
    }
    return {};
  }
  HttpResult Get(const std::string& target) { return Request("GET", target); }
  HttpResult Post(const std::string& target, const std::string& body) { return Request("POST", target, body); }
  HttpResult Post(const std::string& target, const boost::json::value& body) {
    return Request("POST", target, boost::json::serialize(body));
  }
  void set_bearer(std::string bearer) { bearer_ = std::move(bearer); }

 private:
  void Connect() {
    stream_.emplace(io_);
    stream_->connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                    static_cast<unsigned short>(port_)));
  }
  int port_;
  std::string bearer_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;
};

// A running `memd serve`.
class ServerProcess {
 public:
  // Starts memd serve --port 0 with data in dir/data plus extra flags and environment.
  // Check ok() (and startup_error()) before use.
  ServerProcess(const std::string& dir, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {})
      : dir_(dir) {
    std::vector<std::string> args = {MEMD_BINARY, "--data", dir + "/data", "serve", "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    Start(args, env);
  }
  ~ServerProcess() { Stop(); }

  bool ok() const { return port_ > 0; }
  const std::string& startup_error() const { return startup_error_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& admin_key() const { return admin_key_; }
  std::string StderrText() const {
    auto text = ReadFile(dir_ + "/server.stderr");
    return text.ok() ? *text : "";
  }

  // Sends sig and waits for exit (SIGKILL after timeout). Returns the exit code (128+N if
  // killed by signal N).
  int Stop(int sig = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (out_ != nullptr) std::fclose(out_);
    out_ = nullptr;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

 private:
  void Start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    int out_pipe[2];
    if (::pipe(out_pipe) != 0) {
      startup_error_ = "pipe failed";
      return;
    }
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (entry.rfind("MEMD_", 0) == 0) continue;  // the test decides every MEMD_ variable
      env_strings.push_back(entry);
    }
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    const std::string err_path = dir_ + "/server.stderr";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out_pipe[1], 1);
      int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, 2);
      ::close(out_pipe[0]);
      ::close(out_pipe[1]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      std::vector<char*> envp;
      for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
      envp.push_back(nullptr);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out_pipe[1]);
    out_ = ::fdopen(out_pipe[0], "r");
    // Lines: optional admin key block, then "memd listening on http://127.0.0.1:PORT".
    char line[1024];
    while (out_ != nullptr && std::fgets(line, sizeof(line), out_) != nullptr) {
      std::string s(line);
      while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
      std::size_t key = s.find("memd_k_");
      if (key != std::string::npos && admin_key_.empty()) admin_key_ = s.substr(key);
      constexpr std::string_view kListening = "memd listening on http://127.0.0.1:";
      if (s.rfind(kListening, 0) == 0) {
        port_ = std::atoi(s.c_str() + kListening.size());
        return;
      }
    }
    startup_error_ = "memd serve exited before listening; stderr:\n" + StderrText();
    Stop(SIGKILL);
  }

  std::string dir_;
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
  int exit_code_ = -1;
  std::string admin_key_;
  std::string startup_error_;
};

}  // namespace memd::testutil

// ---- Raw connections and temporary directories, for the limit, timeout and security tests ----

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string_view>
#include <utility>

namespace memd::testutil {

// A fresh directory under /tmp, removed with its contents on destruction. path() is empty if
// it could not be created.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/memd-test-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty()) RemoveAll(path_).IgnoreError();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A plain TCP connection to 127.0.0.1:port with byte-level control, for tests of slow or
// idle clients and connection limits. Every wait is bounded by a timeout; sends never raise
// SIGPIPE.
class RawConnection {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) Close();
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection(RawConnection&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

  bool connected() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends all of data. False if the connection is closed or was reset by the server.
  bool Send(std::string_view data) {
    if (fd_ < 0) return false;
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // True once the server has closed (FIN) or reset the connection, waiting at most timeout.
  // Bytes that arrive meanwhile are kept (see received()).
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      int r = ReadSome(deadline);
      if (r == kEnd || r == kError) return true;
      if (r == kTimeout) return false;
    }
  }

  // Reads one HTTP/1.1 response whose body has a Content-Length (or none). On timeout or a
  // closed connection: status 0 and error set.
  HttpResult ReadResponse(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    HttpResult r;
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      int n = ReadSome(deadline);
      if (n <= 0) {
        r.error = n == kTimeout ? "timed out waiting for a response" : "connection closed before a response";
        return r;
      }
    }
    const std::string head = buffer_.substr(0, header_end);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
      r.error = "not an HTTP response: " + status_line;
      return r;
    }
    r.status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos && line_end < head.size()) {
      std::size_t next = head.find("\r\n", line_end + 2);
      std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      line_end = next;
    }
    const std::size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    const std::size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      int n = ReadSome(deadline);
      if (n <= 0) {
        r.error = "the body was cut short";
        r.status = 0;
        return r;
      }
    }
    r.body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, total);
    return r;
  }

  // Sends a GET for target with keep-alive and reads the response.
  HttpResult Get(const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    if (!Send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
      HttpResult r;
      r.error = "send failed";
      return r;
    }
    return ReadResponse(timeout);
  }

  // Bytes received and not yet consumed by ReadResponse.
  const std::string& received() const { return buffer_; }

 private:
  static constexpr int kEnd = 0;       // the server closed the connection
  static constexpr int kError = -1;    // reset or another socket error
  static constexpr int kTimeout = -2;  // nothing arrived before the deadline

  // Waits for bytes until deadline and appends them to buffer_. Returns how many were read
  // (> 0), or kEnd, kError or kTimeout.
  int ReadSome(Clock::time_point deadline) {
    if (fd_ < 0) return kError;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left < 0) return kTimeout;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return kError;
      if (ready == 0) return kTimeout;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return kError;
      if (n == 0) return kEnd;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return static_cast<int>(n);
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace memd::testutil
