#include "ingest/url_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <string>
#include <vector>

#include "ingest/http_test_server.h"

namespace memd::ingest {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpTestServer;

HttpResponse Route(const HttpRequest& r) {
  HttpResponse out;
  if (r.path == "/page.html") {
    const auto inm = r.headers.find("if-none-match");
    if (inm != r.headers.end() && inm->second == "\"v1\"") {
      out.status = 304;
      out.headers = {{"ETag", "\"v1\""}};
      return out;
    }
    out.headers = {{"Content-Type", "text/html; charset=UTF-8"},
                   {"ETag", "\"v1\""},
                   {"Last-Modified", "Wed, 01 May 2024 10:00:00 GMT"}};
    out.body = "<html><title>T</title><p>hello</p></html>";
  } else if (r.path == "/redirect") {
    out.status = 302;
    out.headers = {{"Location", "/page.html"}};
  } else if (r.path.starts_with("/loop")) {
    out.status = 302;
    out.headers = {{"Location", r.path + "x"}};
  } else if (r.path == "/to-file") {
    out.status = 302;
    out.headers = {{"Location", "file:///etc/passwd"}};
  } else if (r.path == "/big") {
    out.body.assign(2 << 20, 'x');
  } else if (r.path == "/big-chunked") {
    out.body.assign(2 << 20, 'y');
    out.chunked = true;
  } else if (r.path == "/slow") {
    out.delay_ms = 3000;
    out.body = "late";
  } else if (r.path.starts_with("/sleep")) {
    out.delay_ms = 50;
    out.body = "ok";
  } else if (r.path == "/fail") {
    out.status = 500;
  } else if (r.path == "/forbidden") {
    out.status = 403;
  } else if (r.path == "/text") {
    out.headers = {{"Content-Type", "text/plain"}};
    out.body = "plain text";
  } else {
    out.status = 404;
  }
  return out;
}

class UrlFetchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()); }

  FetchResult Fetch(const std::string& path, FetchOptions options = {}, const std::string& etag = "") {
    UrlFetcher fetcher(std::move(options));
    FetchRequest request;
    request.url = path.starts_with("/") ? server_.Url(path) : path;
    request.etag = etag;
    std::vector<FetchResult> results = fetcher.FetchAll({request});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FetchResult{} : std::move(results[0]);
  }

  HttpTestServer server_{&Route};
};

TEST_F(UrlFetchTest, FetchesABodyWithItsContentTypeAndValidators) {
  const FetchResult r = Fetch("/page.html");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "<html><title>T</title><p>hello</p></html>");
  EXPECT_EQ(r.content_type, "text/html");
  EXPECT_EQ(r.charset, "utf-8");
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(r.last_modified, "Wed, 01 May 2024 10:00:00 GMT");
  EXPECT_FALSE(r.not_modified);
}

TEST_F(UrlFetchTest, RevalidationWithAnETagGetsNotModifiedWithoutABody) {
  const FetchResult r = Fetch("/page.html", {}, "\"v1\"");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_TRUE(r.not_modified);
  EXPECT_EQ(r.http_status, 304);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(UrlFetchTest, FollowsRedirectsUpToTheLimit) {
  const FetchResult r = Fetch("/redirect");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_EQ(r.final_url, server_.Url("/page.html"));
  FetchOptions options;
  options.max_redirects = 3;
  const FetchResult loop = Fetch("/loop", options);
  EXPECT_EQ(loop.error.code(), StatusCode::kResourceExhausted) << loop.error.ToString();
  EXPECT_FALSE(loop.too_large);
}

TEST_F(UrlFetchTest, OnlyHttpAndHttpsAreFetchedEvenAfterARedirect) {
  EXPECT_EQ(Fetch("file:///etc/passwd").error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Fetch("ftp://127.0.0.1/x").error.code(), StatusCode::kInvalidArgument);
  const FetchResult r = Fetch("/to-file");
  EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument) << r.error.ToString();
  EXPECT_TRUE(r.body.empty());
}

TEST_F(UrlFetchTest, ResponsesOverTheSizeCapAreRefused) {
  FetchOptions options;
  options.max_bytes = 1 << 20;
  for (const char* path : {"/big", "/big-chunked"}) {
    const FetchResult r = Fetch(path, options);
    EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted) << path << ": " << r.error.ToString();
    EXPECT_TRUE(r.too_large) << path;
    EXPECT_TRUE(r.body.empty());
  }
}

TEST_F(UrlFetchTest, SlowResponsesTimeOut) {
  FetchOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const FetchResult r = Fetch("/slow", options);
  EXPECT_EQ(r.error.code(), StatusCode::kUnavailable) << r.error.ToString();
  EXPECT_NE(r.error.message().find("timed out"), std::string::npos) << r.error.message();
}

TEST_F(UrlFetchTest, FailingResponsesMapToStatusCodes) {
  EXPECT_EQ(Fetch("/fail").error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(Fetch("/missing").error.code(), StatusCode::kNotFound);
  EXPECT_EQ(Fetch("/forbidden").error.code(), StatusCode::kFailedPrecondition);
  // Nothing listens on port 1.
  EXPECT_EQ(Fetch("http://127.0.0.1:1/").error.code(), StatusCode::kUnavailable);
}

TEST_F(UrlFetchTest, ReusesOneConnectionForSequentialRequestsToAHost) {
  FetchOptions options;
  options.max_per_host = 1;
  UrlFetcher fetcher(options);
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 5; ++i) requests.push_back({server_.Url("/text"), "", ""});
  std::vector<FetchResult> results = fetcher.FetchAll(requests);
  for (const FetchResult& r : results) EXPECT_EQ(r.body, "plain text");
  // A second batch on the same fetcher reuses the connection too.
  results = fetcher.FetchAll({{server_.Url("/page.html"), "", ""}});
  EXPECT_TRUE(results[0].error.ok());
  EXPECT_EQ(server_.connections(), 1);
  EXPECT_EQ(fetcher.connections_opened(), 1);
  EXPECT_EQ(server_.requests(), 6);
}

TEST_F(UrlFetchTest, RespectsThePerHostConcurrencyLimit) {
  FetchOptions options;
  options.max_per_host = 2;
  options.max_connections = 8;
  UrlFetcher fetcher(options);
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 6; ++i) requests.push_back({server_.Url("/sleep" + std::to_string(i)), "", ""});
  const std::vector<FetchResult> results = fetcher.FetchAll(requests);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].error.ok()) << results[i].error.ToString();
    EXPECT_EQ(results[i].url, requests[i].url) << "results keep the request order";
  }
  EXPECT_LE(server_.max_in_flight(), 2);
  EXPECT_GE(server_.max_in_flight(), 1);
}

TEST_F(UrlFetchTest, RespectsTheGlobalConcurrencyLimit) {
  FetchOptions options;
  options.max_per_host = 8;
  options.max_connections = 3;
  UrlFetcher fetcher(options);
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 8; ++i) requests.push_back({server_.Url("/sleep" + std::to_string(i)), "", ""});
  fetcher.FetchAll(requests);
  EXPECT_LE(server_.max_in_flight(), 3);
}

TEST_F(UrlFetchTest, CancelledFetchReportsEveryRequestCancelled) {
  std::atomic<bool> cancel{true};
  UrlFetcher fetcher;
  const std::vector<FetchResult> results = fetcher.FetchAll({{server_.Url("/text"), "", ""}}, &cancel);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(UrlFetchTest, PrivateAddressesCanBeRefusedAfterResolution) {
  FetchOptions options;
  options.allow_private_addresses = false;
  const FetchResult r = Fetch("/page.html", options);
  EXPECT_EQ(r.error.code(), StatusCode::kPermissionDenied) << r.error.ToString();
  const FetchResult by_name = Fetch("http://localhost:" + server_.Url("/").substr(17), options);
  EXPECT_EQ(by_name.error.code(), StatusCode::kPermissionDenied) << by_name.error.ToString();
  EXPECT_EQ(server_.requests(), 0);
}

TEST(UrlTest, ClassifiesPrivateAddresses) {
  auto v4 = [](const char* ip) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
  };
  auto v6 = [](const char* ip) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
  };
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                         "100.64.0.1", "0.0.0.0", "224.0.0.1"}) {
    EXPECT_TRUE(v4(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "93.184.216.34"}) EXPECT_FALSE(v4(ip)) << ip;
  for (const char* ip : {"::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(v6(ip)) << ip;
  }
  for (const char* ip : {"2606:4700::1111", "::ffff:8.8.8.8"}) EXPECT_FALSE(v6(ip)) << ip;
}

TEST(UrlTest, RecognisesHttpUrls) {
  EXPECT_TRUE(IsHttpUrl("http://x"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://x/y"));
  EXPECT_FALSE(IsHttpUrl("file:///x"));
  EXPECT_FALSE(IsHttpUrl("/abs/path"));
  EXPECT_FALSE(IsHttpUrl("http:/x"));
}

}  // namespace
}  // namespace memd::ingest
