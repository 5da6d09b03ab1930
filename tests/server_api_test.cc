// Integration tests of `memd serve`: the happy path of every resource over real HTTP, and
// the documented errors of each (the security and bad-input suites are separate files).
#include <gtest/gtest.h>
#include <stdlib.h>

#include "server_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::ServerProcess;

std::string Describe(const HttpResult& r) {
  return "status " + std::to_string(r.status) + " " + r.error + "\n" + r.body;
}

class ServerApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/memd-server-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    server_ = new ServerProcess(*dir_, {"--no-rate-limits"});
    ASSERT_TRUE(server_->ok()) << server_->startup_error();
    ASSERT_FALSE(server_->admin_key().empty());
    HttpClient admin(server_->port(), server_->admin_key());
    HttpResult key = admin.Post("/v1/keys", json::value{{"user", "alice"}, {"scopes", json::array{"read", "write"}}});
    ASSERT_EQ(key.status, 201) << Describe(key);
    alice_key_ = new std::string(key.Json().at("secret").as_string());
  }
  static void TearDownTestSuite() {
    delete server_;
    RemoveAll(*dir_).IgnoreError();
    delete dir_;
    delete alice_key_;
  }

  HttpClient Alice() { return HttpClient(server_->port(), *alice_key_); }

  // Adds a memory to alice's project and returns its id.
  std::string Add(HttpClient& c, const std::string& project, const json::value& memory) {
    HttpResult r = c.Post("/v1/cubes/" + project + "/memories", memory);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << Describe(r);
    auto v = r.Json();
    return v.is_object() && v.as_object().contains("id") ? std::string(v.at("id").as_string()) : "";
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* alice_key_;
};
std::string* ServerApiTest::dir_ = nullptr;
ServerProcess* ServerApiTest::server_ = nullptr;
std::string* ServerApiTest::alice_key_ = nullptr;

TEST_F(ServerApiTest, HealthReadyAndMetricsNeedNoCredentials) {
  HttpClient anonymous(server_->port());
  EXPECT_EQ(anonymous.Get("/health").status, 200);
  HttpResult ready = anonymous.Get("/ready");
  EXPECT_EQ(ready.status, 200) << Describe(ready);
  EXPECT_EQ(ready.Json().at("status"), "ready");
  HttpResult metrics = anonymous.Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("memd_http_requests_total"), std::string::npos);
  EXPECT_EQ(metrics.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(anonymous.Get("/openapi.json").status, 200);
}

TEST_F(ServerApiTest, MemoryLifecycleWithETagsHistoryRestoreAndPurge) {
  HttpClient c = Alice();
  std::string id = Add(c, "life", json::value{{"text", "The build uses CMake and Ninja"}, {"kind", "fact"},
                                              {"tags", json::array{"build"}}, {"metadata", json::object{{"lang", "en"}}}});
  ASSERT_FALSE(id.empty());
  HttpResult got = c.Get("/v1/cubes/life/memories/" + id);
  ASSERT_EQ(got.status, 200) << Describe(got);
  EXPECT_EQ(got.Json().at("text"), "The build uses CMake and Ninja");
  EXPECT_EQ(got.Header("etag"), "\"v1\"");

  // If-Match with the current ETag succeeds; a stale one is 412 and changes nothing.
  HttpResult updated = c.Request("PATCH", "/v1/cubes/life/memories/" + id, R"({"text":"The build uses Meson"})",
                                 {{"If-Match", "\"v1\""}});
  ASSERT_EQ(updated.status, 200) << Describe(updated);
  EXPECT_EQ(updated.Header("etag"), "\"v2\"");
  HttpResult stale = c.Request("PATCH", "/v1/cubes/life/memories/" + id, R"({"text":"lost update"})",
                               {{"If-Match", "\"v1\""}});
  EXPECT_EQ(stale.status, 412) << Describe(stale);
  EXPECT_EQ(stale.ErrorCode(), "precondition_failed");
  EXPECT_EQ(c.Get("/v1/cubes/life/memories/" + id).Json().at("text"), "The build uses Meson");

  HttpResult deleted = c.Request("DELETE", "/v1/cubes/life/memories/" + id);
  EXPECT_EQ(deleted.status, 200) << Describe(deleted);
  HttpResult search = c.Post("/v1/cubes/life/search", json::value{{"query", "Meson build"}});
  EXPECT_EQ(search.Json().at("results").as_array().size(), 0u);
  HttpResult restored = c.Post("/v1/cubes/life/memories/" + id + "/restore", std::string());
  EXPECT_EQ(restored.status, 200) << Describe(restored);
  HttpResult history = c.Get("/v1/cubes/life/memories/" + id + "/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.Json().at("history").as_array().size(), 4u);  // create, update, delete, restore

  HttpResult purged = c.Post("/v1/cubes/life/memories/" + id + "/purge", std::string());
  EXPECT_EQ(purged.status, 204) << Describe(purged);
  HttpResult gone = c.Get("/v1/cubes/life/memories/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.ErrorCode(), "not_found");
}

TEST_F(ServerApiTest, BatchAddDeduplicatesAndListPagesWithACursor) {
  HttpClient c = Alice();
  json::array items;
  for (int i = 0; i < 25; ++i) items.push_back(json::object{{"text", "batch memory number " + std::to_string(i)}});
  items.push_back(json::object{{"text", "batch memory number 0"}});
  HttpResult r = c.Post("/v1/cubes/paging/memories/batch", json::value{{"items", items}});
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto results = r.Json().at("results").as_array();
  ASSERT_EQ(results.size(), 26u);
  EXPECT_EQ(results[25].at("deduplicated"), true);
  EXPECT_EQ(results[25].at("id"), results[0].at("id"));

  std::size_t seen = 0;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResult p = c.Get("/v1/cubes/paging/memories?limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(p.status, 200) << Describe(p);
    seen += p.Json().at("memories").as_array().size();
    if (p.Json().at("next_cursor").is_null()) break;
    cursor = std::string(p.Json().at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, 25u);
}

TEST_F(ServerApiTest, IdempotencyKeyReplaysTheFirstResponse) {
  HttpClient c = Alice();
  std::map<std::string, std::string> headers{{"Idempotency-Key", "add-42"}};
  HttpResult first = c.Request("POST", "/v1/cubes/idem/memories", R"({"text":"once only"})", headers);
  HttpResult again = c.Request("POST", "/v1/cubes/idem/memories", R"({"text":"once only"})", headers);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_EQ(again.Json().at("id"), first.Json().at("id"));
  HttpResult conflict = c.Request("POST", "/v1/cubes/idem/memories", R"({"text":"other content"})", headers);
  EXPECT_EQ(conflict.status, 409) << Describe(conflict);
  EXPECT_EQ(c.Get("/v1/cubes/idem").Json().at("memories"), 1);
}

TEST_F(ServerApiTest, SearchAfterAWriteIsNeverServedStaleFromTheCache) {
  HttpClient c = Alice();
  Add(c, "cache", json::value{{"text", "graviton field equations in the lab"}});
  const json::value query{{"query", "graviton field"}, {"top_k", 50}};
  HttpResult miss = c.Post("/v1/cubes/cache/search", query);
  HttpResult hit = c.Post("/v1/cubes/cache/search", query);
  EXPECT_EQ(miss.Header("x-cache"), "miss");
  EXPECT_EQ(hit.Header("x-cache"), "hit");
  EXPECT_EQ(hit.body, miss.body);
  for (int round = 0; round < 20; ++round) {
    std::string id = Add(c, "cache", json::value{{"text", "graviton field note " + std::to_string(round)}});
    HttpResult after = c.Post("/v1/cubes/cache/search", query);
    ASSERT_EQ(after.status, 200);
    EXPECT_EQ(after.Header("x-cache"), "miss") << "round " << round;
    EXPECT_NE(after.body.find(id), std::string::npos) << "round " << round << ": the new memory is missing";
    EXPECT_EQ(after.Json().at("results").as_array().size(), static_cast<std::size_t>(round + 2));
  }
  // Deleting is a write too.
  std::string id = Add(c, "cache", json::value{{"text", "graviton field to delete"}});
  EXPECT_NE(c.Post("/v1/cubes/cache/search", query).body.find(id), std::string::npos);
  c.Request("DELETE", "/v1/cubes/cache/memories/" + id);
  EXPECT_EQ(c.Post("/v1/cubes/cache/search", query).body.find(id), std::string::npos);
  HttpResult metrics = HttpClient(server_->port()).Get("/metrics");
  EXPECT_NE(metrics.body.find("memd_cache_hits_total"), std::string::npos);
}

TEST_F(ServerApiTest, MultiCubeSearchAndContext) {
  HttpClient c = Alice();
  Add(c, "multi-a", json::value{{"text", "calculate_photon_matrix computes the photon matrix"}});
  Add(c, "multi-b", json::value{{"text", "the photon detector is calibrated weekly"}});
  HttpResult r = c.Post("/v1/search", json::value{{"projects", json::array{"multi-a", "multi-b"}}, {"query", "photon"}});
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Json().at("results").as_array().size(), 2u);
  HttpResult ctx = c.Post("/v1/cubes/multi-a/context", json::value{{"query", "photon matrix"}, {"token_budget", 200}});
  ASSERT_EQ(ctx.status, 200) << Describe(ctx);
  EXPECT_LE(ctx.Json().at("tokens").to_number<int>(), 200);
  EXPECT_NE(std::string(ctx.Json().at("text").as_string()).find("calculate_photon_matrix"), std::string::npos);
}

TEST_F(ServerApiTest, PreferencesSetGetListPromptDelete) {
  HttpClient c = Alice();
  HttpResult set = c.Request("PUT", "/v1/cubes/prefs/preferences/style/docstring",
                             R"({"value":"Google","description":"docstring style"})");
  ASSERT_EQ(set.status, 200) << Describe(set);
  EXPECT_EQ(c.Get("/v1/cubes/prefs/preferences/style/docstring").Json().at("value"), "Google");
  EXPECT_EQ(c.Get("/v1/cubes/prefs/preferences").Json().at("preferences").as_array().size(), 1u);
  HttpResult prompt = c.Get("/v1/cubes/prefs/preferences/prompt");
  ASSERT_EQ(prompt.status, 200);
  EXPECT_NE(std::string(prompt.Json().at("prompt").as_string()).find("Google"), std::string::npos);
  EXPECT_EQ(c.Request("DELETE", "/v1/cubes/prefs/preferences/style/docstring").status, 204);
  EXPECT_EQ(c.Get("/v1/cubes/prefs/preferences/style/docstring").status, 404);
}

TEST_F(ServerApiTest, ExportImportRoundTripAndForget) {
  HttpClient c = Alice();
  Add(c, "exp", json::value{{"text", "exported memory one"}});
  Add(c, "exp", json::value{{"text", "exported memory two"}});
  HttpResult exported = c.Get("/v1/cubes/exp/export");
  ASSERT_EQ(exported.status, 200) << Describe(exported);
  EXPECT_EQ(exported.Header("content-type"), "application/zstd");
  HttpResult imported =
      c.Request("POST", "/v1/cubes/exp-copy/import", exported.body, {{"Content-Type", "application/zstd"}});
  ASSERT_EQ(imported.status, 201) << Describe(imported);
  EXPECT_EQ(imported.Json().at("memories"), 2);
  // Importing into an existing cube is refused and changes nothing.
  HttpResult again = c.Request("POST", "/v1/cubes/exp-copy/import", exported.body, {{"Content-Type", "application/zstd"}});
  EXPECT_GE(again.status, 400);
  EXPECT_EQ(c.Get("/v1/cubes/exp-copy").Json().at("memories"), 2);
  // A damaged file is refused.
  std::string damaged = exported.body.substr(0, exported.body.size() / 2);
  HttpResult bad = c.Request("POST", "/v1/cubes/exp-bad/import", damaged, {{"Content-Type", "application/zstd"}});
  EXPECT_EQ(bad.status, 422) << Describe(bad);
  EXPECT_EQ(bad.ErrorCode(), "invalid_import");
  EXPECT_EQ(c.Get("/v1/cubes/exp-bad").status, 404);

  bool listed = false;
  const json::value cubes = c.Get("/v1/cubes").Json();
  for (const auto& cube : cubes.at("cubes").as_array()) listed |= cube.at("project") == "exp-copy";
  EXPECT_TRUE(listed);
  EXPECT_EQ(c.Request("DELETE", "/v1/cubes/exp-copy").status, 204);
  EXPECT_EQ(c.Get("/v1/cubes/exp-copy").status, 404);
}

TEST_F(ServerApiTest, ImportBodiesAboveTheDefaultLimitNeedAWriteCredential) {
  // Regression: the parser used to apply the 8 MiB default before the route's limit.
  const std::string big(9 * 1024 * 1024, 'x');
  HttpClient c = Alice();
  HttpResult authorized = c.Request("POST", "/v1/cubes/big-import/import", big, {{"Content-Type", "application/zstd"}});
  EXPECT_EQ(authorized.status, 422) << Describe(authorized);  // read in full, then refused as not an export
  EXPECT_EQ(authorized.body.find("/tmp/"), std::string::npos) << "the message leaks a server path";
  HttpClient anonymous(server_->port());
  HttpResult refused = anonymous.Request("POST", "/v1/cubes/big-import/import", big, {{"Content-Type", "application/zstd"}});
  // 413 is sent as soon as the header is read; a client still writing may see the reset first.
  EXPECT_TRUE(refused.status == 413 || (refused.status == 0 && !refused.error.empty())) << Describe(refused);
  EXPECT_EQ(anonymous.Get("/health").status, 200);
  EXPECT_EQ(c.Get("/v1/cubes/big-import").status, 404);
}

TEST_F(ServerApiTest, SearchHitsThatExpireCenturiesAheadAreCached) {
  // Regression: the cache deadline of a far-future expiry overflowed the steady clock.
  HttpClient c = Alice();
  Add(c, "far", json::value{{"text", "a memory that expires in the year 2999"}, {"expires_at", "2999-01-01T00:00:00Z"}});
  const json::value query{{"query", "expires year"}};
  HttpResult first = c.Post("/v1/cubes/far/search", query);
  ASSERT_EQ(first.status, 200) << Describe(first);
  EXPECT_EQ(first.Json().at("results").as_array().size(), 1u);
  EXPECT_EQ(c.Post("/v1/cubes/far/search", query).Header("x-cache"), "hit");
}

TEST_F(ServerApiTest, UnknownRoutesAndMethodsAreJsonErrors) {
  HttpClient c = Alice();
  HttpResult missing = c.Get("/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorCode(), "not_found");
  HttpResult method = c.Request("PUT", "/v1/cubes/x/search", "{}");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.Header("allow"), "POST");
  EXPECT_FALSE(method.Header("x-request-id").empty());
  HttpResult echoed = c.Request("GET", "/health", "", {{"X-Request-Id", "trace-me-123"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "trace-me-123");
}

}  // namespace
}  // namespace memd
