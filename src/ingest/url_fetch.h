// UrlFetcher: downloads http(s) URLs with libcurl for ingest.
//
// - Only http and https, for the first request and every redirect (file://, ftp://, ...
//   are refused); at most FetchOptions::max_redirects redirects.
// - One libcurl multi handle per fetcher: connections (and TLS sessions) are reused across
//   requests to the same host, for the fetcher's lifetime.
// - At most max_connections transfers run at once, and at most max_per_host to one host;
//   the others wait in a queue (their timeouts start when they start).
// - connect_timeout bounds connecting, timeout the whole transfer; a response body (after
//   content decoding) over max_bytes is cut off and reported ResourceExhausted.
// - Revalidation: a request carrying the ETag / Last-Modified of a previous response sends
//   If-None-Match / If-Modified-Since; a 304 answer is reported as not_modified, without a
//   body. The ingester keeps these validators in SourceState (etag, last_modified), which
//   makes the cube's source states the URL cache.
// - With allow_private_addresses false, each connection's resolved address is checked
//   before connecting (so DNS tricks and redirects cannot reach internal services).
// Not thread-safe: one thread uses a fetcher at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "memd/status.h"

namespace memd::ingest {

struct FetchOptions {
  int max_connections = 8;  // transfers running at once, all hosts together
  int max_per_host = 2;     // transfers running at once to one host (politeness)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};  // whole transfer, redirects included
  long max_redirects = 5;
  std::int64_t max_bytes = std::int64_t{32} << 20;  // decoded body
  std::string user_agent = "memd-ingest/1";
  // See UrlOptions::allow_private_addresses (memd/ingest.h).
  bool allow_private_addresses = true;
};

// True for addresses a server must not be made to reach: loopback, private, link-local,
// CGNAT (100.64/10), unspecified, multicast and broadcast, IPv4-mapped forms included.
bool IsPrivateAddress(const struct sockaddr* address);

struct FetchRequest {
  std::string url;
  std::string etag;           // from a previous response: sent as If-None-Match
  std::string last_modified;  // sent as If-Modified-Since
};

struct FetchResult {
  std::string url;        // as requested
  std::string final_url;  // after redirects
  long http_status = 0;
  bool not_modified = false;  // 304: the previous content is current
  std::string content_type;   // media type, lower case, without parameters ("text/html")
  std::string charset;        // from the Content-Type parameters, lower case; may be empty
  std::string etag;
  std::string last_modified;
  std::string body;
  bool too_large = false;  // the body was over max_bytes (error is ResourceExhausted)
  // Not OK when nothing usable arrived: InvalidArgument (not an http(s) URL), NotFound
  // (404, 410), PermissionDenied (a private address, when refused), Unavailable (connection, DNS, timeout, 5xx, 429), ResourceExhausted (over
  // max_bytes or max_redirects), FailedPrecondition (other 4xx). The message names the URL.
  Status error;
};

class UrlFetcher {
 public:
  explicit UrlFetcher(FetchOptions options = {});
  ~UrlFetcher();
  UrlFetcher(const UrlFetcher&) = delete;
  UrlFetcher& operator=(const UrlFetcher&) = delete;

  // Fetches every request and returns the results in the same order. Stops starting new
  // transfers (and aborts running ones, reporting Unavailable "cancelled") once *cancel
  // (if given) reads true.
  std::vector<FetchResult> FetchAll(const std::vector<FetchRequest>& requests,
                                    const std::atomic<bool>* cancel = nullptr);

  // Connections libcurl opened so far (reused connections are not counted again).
  std::int64_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True for "http://..." and "https://..." (scheme case-insensitive).
bool IsHttpUrl(std::string_view s);

}  // namespace memd::ingest
