#include "ingest/url_fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace memd::ingest {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// The host of url, lower case; empty when it cannot be parsed.
std::string HostOf(const std::string& url) {
  CURLU* h = curl_url();
  if (h == nullptr) return {};
  std::string host;
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(h, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) {
      host = Lower(part);
      curl_free(part);
    }
  }
  curl_url_cleanup(h);
  return host;
}

std::string HeaderValue(CURL* easy, const char* name) {
  struct curl_header* h = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr && h->value != nullptr) {
    return std::string(Trim(h->value));
  }
  return {};
}

struct Transfer {
  CURL* easy = nullptr;
  bool allow_private = true;
  bool blocked = false;  // a connection to a private address was refused
  curl_slist* headers = nullptr;
  FetchResult* result = nullptr;
  std::string host;
  std::int64_t max_bytes = 0;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {0};
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  Transfer* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (static_cast<std::int64_t>(t->result->body.size() + n) > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->result->body.append(data, n);
  return n;
}

// Opens the socket of a connection unless its address is refused.
curl_socket_t OpenSocket(void* user, curlsocktype purpose, struct curl_sockaddr* address) {
  Transfer* t = static_cast<Transfer*>(user);
  if (!t->allow_private && IsPrivateAddress(&address->addr)) {
    t->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

void SplitContentType(std::string_view value, FetchResult* r) {
  const std::size_t semi = value.find(';');
  r->content_type = Lower(Trim(value.substr(0, semi)));
  if (semi == std::string_view::npos) return;
  std::string params = Lower(value.substr(semi + 1));
  const std::size_t cs = params.find("charset=");
  if (cs == std::string::npos) return;
  std::string_view charset = std::string_view(params).substr(cs + 8);
  charset = charset.substr(0, charset.find(';'));
  charset = Trim(charset);
  if (!charset.empty() && charset.front() == '"') charset = charset.substr(1, charset.find('"', 1) - 1);
  r->charset = std::string(charset);
}

}  // namespace

bool IsPrivateAddress(const struct sockaddr* address) {
  auto private_v4 = [](std::uint32_t ip) {  // host byte order
    const std::uint32_t a = ip >> 24;
    const std::uint32_t b = (ip >> 16) & 0xFF;
    return a == 0 || a == 10 || a == 127 || (a == 100 && (b & 0xC0) == 64) || (a == 169 && b == 254) ||
           (a == 172 && (b & 0xF0) == 16) || (a == 192 && b == 168) || a >= 224;
  };
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return private_v4(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const unsigned char* b = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr;
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(b, kMapped, 12) == 0) {
      return private_v4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) | (std::uint32_t{b[14]} << 8) | b[15]);
    }
    bool zero_prefix = true;  // :: and ::1
    for (int i = 0; i < 15; ++i) zero_prefix = zero_prefix && b[i] == 0;
    if (zero_prefix && (b[15] == 0 || b[15] == 1)) return true;
    if ((b[0] & 0xFE) == 0xFC) return true;                 // fc00::/7 unique local
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;  // fe80::/10 link local
    if (b[0] == 0xFF) return true;                           // multicast
    return false;
  }
  return true;  // other families (unix sockets): refuse
}

bool IsHttpUrl(std::string_view s) {
  const std::string head = Lower(s.substr(0, 8));
  return head.starts_with("http://") || head.starts_with("https://");
}

struct UrlFetcher::Impl {
  FetchOptions options;
  CURLM* multi = nullptr;
  std::int64_t connections = 0;

  Transfer* Start(FetchResult* result, const FetchRequest& request, std::string host) {
    auto* t = new Transfer();
    t->result = result;
    t->host = std::move(host);
    t->max_bytes = options.max_bytes;
    t->easy = curl_easy_init();
    if (t->easy == nullptr) {
      result->error = Status::Internal("libcurl could not create a transfer for " + request.url);
      delete t;
      return nullptr;
    }
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    t->allow_private = options.allow_private_addresses;
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
    if (!request.etag.empty()) t->headers = curl_slist_append(t->headers, ("If-None-Match: " + request.etag).c_str());
    if (!request.last_modified.empty()) {
      t->headers = curl_slist_append(t->headers, ("If-Modified-Since: " + request.last_modified).c_str());
    }
    if (t->headers != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (curl_multi_add_handle(multi, e) != CURLM_OK) {
      result->error = Status::Internal("libcurl could not start the transfer of " + request.url);
      Free(t);
      return nullptr;
    }
    return t;
  }

  void Free(Transfer* t) {
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    delete t;
  }

  void Finish(Transfer* t, CURLcode code) {
    FetchResult& r = *t->result;
    CURL* e = t->easy;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.http_status = status;
    char* effective = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
      r.final_url = effective;
    }
    long connects = 0;
    if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) connections += connects;
    const std::string& url = r.url;
    if (code != CURLE_OK) {
      r.body.clear();
      const std::string detail = t->error[0] != '\0' ? std::string(t->error) : std::string(curl_easy_strerror(code));
      if (t->blocked) {
        r.error = Status(StatusCode::kPermissionDenied,
                         url + ": connecting to a loopback, private or link-local address is not allowed here");
      } else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
        r.too_large = true;
        r.error = Status::ResourceExhausted(url + ": the response is bigger than the limit of " +
                                            std::to_string(options.max_bytes) + " bytes");
      } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        r.error = Status::ResourceExhausted(url + ": more than " + std::to_string(options.max_redirects) + " redirects");
      } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        r.error = Status::InvalidArgument(url + ": only http and https are fetched (" + detail + ")");
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        r.error = Status::Unavailable(url + ": timed out (" + detail + "); try again or raise the timeout");
      } else {
        r.error = Status::Unavailable(url + ": " + detail);
      }
      return;
    }
    SplitContentType(HeaderValue(e, "Content-Type"), &r);
    r.etag = HeaderValue(e, "ETag");
    r.last_modified = HeaderValue(e, "Last-Modified");
    if (status == 304) {
      r.not_modified = true;
      r.body.clear();
    } else if (status == 404 || status == 410) {
      r.body.clear();
      r.error = Status::NotFound(url + ": HTTP " + std::to_string(status));
    } else if (status == 429 || status >= 500) {
      r.body.clear();
      r.error = Status::Unavailable(url + ": HTTP " + std::to_string(status) + "; the server failed, try again later");
    } else if (status < 200 || status >= 300) {
      r.body.clear();
      r.error = Status::FailedPrecondition(url + ": HTTP " + std::to_string(status));
    }
  }
};

UrlFetcher::UrlFetcher(FetchOptions options) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->options = std::move(options);
  impl_->options.max_connections = std::max(1, impl_->options.max_connections);
  impl_->options.max_per_host = std::max(1, impl_->options.max_per_host);
  impl_->multi = curl_multi_init();
  if (impl_->multi != nullptr) {
    curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(impl_->options.max_per_host));
    curl_multi_setopt(impl_->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(impl_->options.max_connections));
  }
}

UrlFetcher::~UrlFetcher() {
  if (impl_->multi != nullptr) curl_multi_cleanup(impl_->multi);
}

std::int64_t UrlFetcher::connections_opened() const { return impl_->connections; }

std::vector<FetchResult> UrlFetcher::FetchAll(const std::vector<FetchRequest>& requests,
                                              const std::atomic<bool>* cancel) {
  std::vector<FetchResult> results(requests.size());
  std::deque<std::size_t> pending;
  std::vector<std::string> hosts(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    results[i].url = requests[i].url;
    if (!IsHttpUrl(requests[i].url)) {
      results[i].error = Status::InvalidArgument(requests[i].url + ": only http and https URLs are fetched");
      continue;
    }
    hosts[i] = HostOf(requests[i].url);
    if (hosts[i].empty()) {
      results[i].error = Status::InvalidArgument(requests[i].url + ": not a valid URL");
      continue;
    }
    pending.push_back(i);
  }
  if (impl_->multi == nullptr) {
    for (std::size_t i : pending) results[i].error = Status::Internal("libcurl could not be initialised");
    return results;
  }
  std::map<std::string, int> per_host;
  std::set<Transfer*> active;
  int running = 0;
  auto cancelled = [&] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  while (!pending.empty() || running > 0) {
    if (cancelled()) break;
    // Start what the limits allow, in request order, skipping hosts at their limit.
    for (auto it = pending.begin(); it != pending.end() && running < impl_->options.max_connections;) {
      const std::size_t i = *it;
      int& host_running = per_host[hosts[i]];
      if (host_running >= impl_->options.max_per_host) {
        ++it;
        continue;
      }
      it = pending.erase(it);
      if (Transfer* t = impl_->Start(&results[i], requests[i], hosts[i])) {
        active.insert(t);
        ++host_running;
        ++running;
      }
    }
    int still_running = 0;
    curl_multi_perform(impl_->multi, &still_running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(impl_->multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(impl_->multi, msg->easy_handle);
      impl_->Finish(t, code);
      --per_host[t->host];
      --running;
      active.erase(t);
      impl_->Free(t);
    }
    if (running > 0) curl_multi_poll(impl_->multi, nullptr, 0, 100, nullptr);
  }
  if (cancelled()) {
    // Abort running transfers and report everything unfinished as cancelled.
    for (Transfer* t : active) {
      curl_multi_remove_handle(impl_->multi, t->easy);
      t->result->body.clear();
      t->result->error = Status::Unavailable(t->result->url + ": cancelled");
      impl_->Free(t);
    }
    for (std::size_t i : pending) results[i].error = Status::Unavailable(requests[i].url + ": cancelled");
  }
  return results;
}

}  // namespace memd::ingest
