// Integration tests of the server's access control over real HTTP: tenant isolation (a user's
// key never reads, changes or even detects another user's memories, cubes, preferences or
// keys), scopes, project-limited keys, revocation, malformed credentials, access tokens
// (JWT) and acting for another user.
#include <gtest/gtest.h>
#include <zstd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "server_process.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::ServerProcess;
using testutil::TempDir;

constexpr char kJwtSecret[] = "memd-security-test-secret-0123456789abcdef";
// Distinctive words: each user's text, which must never reach the other user.
constexpr char kAliceMarker[] = "calculate_photon_matrix";
constexpr char kBobMarker[] = "graviton_field";
// A well-formed memory id (a ULID) that names no memory.
constexpr char kUnknownId[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

std::string Describe(const HttpResult& r) { return "status " + std::to_string(r.status) + " " + r.error + "\n" + r.body; }

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string ZstdDecompress(const std::string& compressed) {
  std::string out;
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_initDStream(stream);
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  std::vector<char> chunk(ZSTD_DStreamOutSize());
  for (;;) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    std::size_t r = ZSTD_decompressStream(stream, &output, &input);
    if (ZSTD_isError(r)) {
      out = "<not zstd: " + std::string(ZSTD_getErrorName(r)) + ">";
      break;
    }
    out.append(chunk.data(), output.pos);
    if (input.pos == input.size && output.pos < output.size) break;
  }
  ZSTD_freeDStream(stream);
  return out;
}

// An access token signed with secret; alg and the header are as SignAccessToken writes them.
std::string Token(const std::string& sub, std::int64_t exp_offset_seconds, const std::string& type = "access",
                  const std::string& secret = kJwtSecret) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return auth::SignAccessToken(auth::JwtClaims{sub, type, now - 10, now + exp_offset_seconds}, secret);
}

struct Key {
  std::string id;
  std::string secret;
};

// One server (auth on, rate limits off, JWT secret set) with two users: alice and bob both
// have a project "shared"; bob also has "bob-secret"; alice has "p1" and "p2".
class ServerSecurityTest : public ::testing::Test {
 protected:
  struct State {
    TempDir dir;
    std::unique_ptr<ServerProcess> server;
    Key admin, alice, alice_read, alice_write, alice_p1, bob;
    std::string alice_shared_id, bob_shared_id, bob_secret_id, alice_p2_id;
  };

  static void SetUpTestSuite() {
    state_ = new State;
    ASSERT_FALSE(state_->dir.path().empty());
    state_->server = std::make_unique<ServerProcess>(state_->dir.path(), std::vector<std::string>{"--no-rate-limits"},
                                                     std::map<std::string, std::string>{{"MEMD_JWT_SECRET", kJwtSecret}});
    ASSERT_TRUE(state_->server->ok()) << state_->server->startup_error();
    state_->admin.secret = state_->server->admin_key();
    state_->alice = CreateKey("alice", {"read", "write"});
    state_->alice_read = CreateKey("alice", {"read"});
    state_->alice_write = CreateKey("alice", {"write"});
    state_->alice_p1 = CreateKey("alice", {"read", "write"}, {"p1"});
    state_->bob = CreateKey("bob", {"read", "write"});

    HttpClient alice(Port(), state_->alice.secret);
    HttpClient bob(Port(), state_->bob.secret);
    state_->alice_shared_id = AddMemory(alice, "shared", std::string(kAliceMarker) + " computes the photon matrix of the detector");
    AddMemory(alice, "p1", "notes of project one about the photon detector");
    state_->alice_p2_id = AddMemory(alice, "p2", "notes of project two about the photon detector");
    state_->bob_shared_id = AddMemory(bob, "shared", std::string(kBobMarker) + " equations of the detector lab");
    state_->bob_secret_id = AddMemory(bob, "bob-secret", std::string(kBobMarker) + " secret notes about the detector");
    ASSERT_EQ(alice.Request("PUT", "/v1/cubes/shared/preferences/style/docstring", R"({"value":"Google"})").status, 200);
    for (const char* project : {"shared", "bob-secret"}) {
      HttpResult pref = bob.Request("PUT", std::string("/v1/cubes/") + project + "/preferences/style/bob_pref",
                                    R"({"value":"graviton_field style","description":"graviton_field notes"})");
      ASSERT_EQ(pref.status, 200) << Describe(pref);
    }
  }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
  }

  static int Port() { return state_->server->port(); }

  static Key CreateKey(const std::string& user, const std::vector<std::string>& scopes,
                       const std::vector<std::string>& projects = {}) {
    HttpClient admin(Port(), state_->admin.secret);
    json::array scope_array(scopes.begin(), scopes.end());
    json::array project_array(projects.begin(), projects.end());
    HttpResult r = admin.Post("/v1/keys", json::value{{"user", user}, {"scopes", scope_array}, {"projects", project_array}});
    EXPECT_EQ(r.status, 201) << Describe(r);
    if (r.status != 201) return {};
    return Key{std::string(r.Json().at("id").as_string()), std::string(r.Json().at("secret").as_string())};
  }

  static std::string AddMemory(HttpClient& c, const std::string& project, const std::string& text) {
    HttpResult r = c.Post("/v1/cubes/" + project + "/memories", json::value{{"text", text}});
    EXPECT_EQ(r.status, 201) << Describe(r);
    return r.status == 201 ? std::string(r.Json().at("id").as_string()) : "";
  }

  // A request with credential as the bearer token; the body of the answer must not hold
  // `forbidden` (the other user's distinctive text).
  static HttpResult Call(const std::string& credential, const std::string& method, const std::string& target,
                         const std::string& body = {}, const char* forbidden = kBobMarker) {
    HttpClient c(Port(), credential);
    HttpResult r = c.Request(method, target, body);
    EXPECT_EQ(r.body.find(forbidden), std::string::npos)
        << method << " " << target << " leaked '" << forbidden << "': " << r.body;
    return r;
  }
  static HttpResult AsAlice(const std::string& method, const std::string& target, const std::string& body = {}) {
    return Call(state_->alice.secret, method, target, body);
  }

  // Bob's two memories are untouched: live, version 1, original text.
  static void ExpectBobIntact() {
    const std::vector<std::pair<std::string, std::string>> memories = {{"shared", state_->bob_shared_id},
                                                                        {"bob-secret", state_->bob_secret_id}};
    for (const auto& [project, id] : memories) {
      HttpResult r = Call(state_->bob.secret, "GET", "/v1/cubes/" + project + "/memories/" + id, {}, kAliceMarker);
      ASSERT_EQ(r.status, 200) << project << ": " << Describe(r);
      EXPECT_EQ(r.Json().at("version"), 1) << r.body;
      EXPECT_NE(r.body.find(kBobMarker), std::string::npos);
    }
    HttpResult stats = Call(state_->bob.secret, "GET", "/v1/cubes/bob-secret", {}, kAliceMarker);
    ASSERT_EQ(stats.status, 200) << Describe(stats);
    EXPECT_EQ(stats.Json().at("memories"), 1);
    EXPECT_EQ(stats.Json().at("preferences"), 1);
  }

  static State* state_;
};
ServerSecurityTest::State* ServerSecurityTest::state_ = nullptr;

TEST_F(ServerSecurityTest, ByIdRoutesAnswerAnotherUsersIdExactlyLikeAnUnknownId) {
  struct Route {
    const char* method;
    const char* suffix;
    const char* body;
  };
  const Route routes[] = {{"GET", "", ""},          {"PATCH", "", R"({"text":"hijacked by alice"})"},
                          {"GET", "/history", ""},  {"DELETE", "", ""},
                          {"POST", "/restore", ""}, {"POST", "/purge", ""}};
  // "shared": alice has a cube of that name; "bob-secret": she has none.
  for (const char* project : {"shared", "bob-secret"}) {
    for (const std::string& bob_id : {state_->bob_shared_id, state_->bob_secret_id}) {
      for (const Route& route : routes) {
        const std::string base = std::string("/v1/cubes/") + project + "/memories/";
        HttpResult theirs = AsAlice(route.method, base + bob_id + route.suffix, route.body);
        HttpResult unknown = AsAlice(route.method, base + kUnknownId + route.suffix, route.body);
        SCOPED_TRACE(std::string(route.method) + " " + base + "{id}" + route.suffix);
        EXPECT_EQ(theirs.status, 404) << Describe(theirs);
        EXPECT_EQ(theirs.ErrorCode(), "not_found");
        EXPECT_EQ(theirs.status, unknown.status);
        EXPECT_EQ(ReplaceAll(theirs.body, bob_id, "{id}"), ReplaceAll(unknown.body, kUnknownId, "{id}"));
        EXPECT_EQ(theirs.Header("etag"), "");
      }
    }
  }
  ExpectBobIntact();
}

TEST_F(ServerSecurityTest, ReadRoutesDoNotRevealWhetherAnotherUsersCubeExists) {
  // Every answer about bob's project "bob-secret" equals the answer about a project nobody
  // has, apart from the project name.
  struct Route {
    const char* method;
    const char* path;  // {p}: the project
    const char* body;
  };
  const Route routes[] = {
      {"GET", "/v1/cubes/{p}", ""},
      {"GET", "/v1/cubes/{p}/memories", ""},
      {"POST", "/v1/cubes/{p}/search", R"({"query":"graviton_field secret notes"})"},
      {"POST", "/v1/search", R"({"projects":["shared","{p}"],"query":"graviton_field secret notes"})"},
      {"POST", "/v1/cubes/{p}/context", R"({"query":"graviton_field secret notes"})"},
      {"GET", "/v1/cubes/{p}/export", ""},
      {"GET", "/v1/cubes/{p}/preferences", ""},
      {"GET", "/v1/cubes/{p}/preferences/prompt", ""},
      {"GET", "/v1/cubes/{p}/preferences/style/bob_pref", ""},
      {"DELETE", "/v1/cubes/{p}/preferences/style/bob_pref", ""},
      {"DELETE", "/v1/cubes/{p}", ""},
  };
  for (const Route& route : routes) {
    SCOPED_TRACE(std::string(route.method) + " " + route.path);
    HttpResult theirs = AsAlice(route.method, ReplaceAll(route.path, "{p}", "bob-secret"),
                                ReplaceAll(route.body, "{p}", "bob-secret"));
    HttpResult nobodys = AsAlice(route.method, ReplaceAll(route.path, "{p}", "nobody-has-this"),
                                 ReplaceAll(route.body, "{p}", "nobody-has-this"));
    EXPECT_TRUE(theirs.status == 200 || theirs.status == 404) << Describe(theirs);
    EXPECT_EQ(theirs.status, nobodys.status) << Describe(theirs) << "\nvs\n" << Describe(nobodys);
    EXPECT_EQ(ReplaceAll(theirs.body, "bob-secret", "{p}"), ReplaceAll(nobodys.body, "nobody-has-this", "{p}"));
  }
  // Alice's list of cubes holds only hers.
  HttpResult cubes = AsAlice("GET", "/v1/cubes");
  ASSERT_EQ(cubes.status, 200) << Describe(cubes);
  const json::value cube_list = cubes.Json();
  for (const auto& cube : cube_list.at("cubes").as_array()) {
    EXPECT_NE(cube.at("project"), "bob-secret");
    if (cube.as_object().contains("user")) {
      EXPECT_EQ(cube.at("user"), "alice");
    }
  }
  EXPECT_EQ(cubes.body.find("bob"), std::string::npos) << cubes.body;
  ExpectBobIntact();
}

TEST_F(ServerSecurityTest, AProjectNameBothUsersHaveShowsEachOnlyTheirOwnData) {
  HttpResult list = AsAlice("GET", "/v1/cubes/shared/memories");
  ASSERT_EQ(list.status, 200) << Describe(list);
  ASSERT_EQ(list.Json().at("memories").as_array().size(), 1u) << list.body;
  EXPECT_NE(list.body.find(kAliceMarker), std::string::npos);

  HttpResult stats = AsAlice("GET", "/v1/cubes/shared");
  ASSERT_EQ(stats.status, 200) << Describe(stats);
  EXPECT_EQ(stats.Json().at("memories"), 1);
  EXPECT_EQ(stats.Json().at("preferences"), 1);

  for (const std::string query : {"graviton_field equations", "detector"}) {
    HttpResult search = AsAlice("POST", "/v1/cubes/shared/search", json::serialize(json::value{{"query", query}, {"top_k", 50}}));
    ASSERT_EQ(search.status, 200) << Describe(search);
    EXPECT_EQ(search.body.find(state_->bob_shared_id), std::string::npos);
    HttpResult multi = AsAlice("POST", "/v1/search",
                               json::serialize(json::value{{"projects", json::array{"shared", "p1", "p2"}}, {"query", query}}));
    ASSERT_EQ(multi.status, 200) << Describe(multi);
    EXPECT_EQ(multi.body.find(state_->bob_shared_id), std::string::npos);
    HttpResult context = AsAlice("POST", "/v1/cubes/shared/context",
                                 json::serialize(json::value{{"query", query}, {"include_preferences", true}}));
    ASSERT_EQ(context.status, 200) << Describe(context);
    EXPECT_EQ(context.body.find(state_->bob_shared_id), std::string::npos);
  }
  HttpResult detector = AsAlice("POST", "/v1/cubes/shared/search", R"({"query":"detector"})");
  EXPECT_NE(detector.body.find(state_->alice_shared_id), std::string::npos) << "alice's own memory should be found";

  HttpResult prefs = AsAlice("GET", "/v1/cubes/shared/preferences");
  ASSERT_EQ(prefs.status, 200) << Describe(prefs);
  ASSERT_EQ(prefs.Json().at("preferences").as_array().size(), 1u) << prefs.body;
  EXPECT_EQ(prefs.body.find("bob_pref"), std::string::npos);
  HttpResult prompt = AsAlice("GET", "/v1/cubes/shared/preferences/prompt");
  ASSERT_EQ(prompt.status, 200) << Describe(prompt);
  EXPECT_EQ(prompt.body.find("bob_pref"), std::string::npos);
  HttpResult bob_pref = AsAlice("GET", "/v1/cubes/shared/preferences/style/bob_pref");
  EXPECT_EQ(bob_pref.status, 404) << Describe(bob_pref);

  HttpResult exported = AsAlice("GET", "/v1/cubes/shared/export");
  ASSERT_EQ(exported.status, 200) << Describe(exported);
  const std::string lines = ZstdDecompress(exported.body);
  EXPECT_NE(lines.find(kAliceMarker), std::string::npos) << lines;
  EXPECT_EQ(lines.find(kBobMarker), std::string::npos) << lines;
  EXPECT_EQ(lines.find("bob_pref"), std::string::npos) << lines;

  // And the other way round.
  HttpResult bobs = Call(state_->bob.secret, "GET", "/v1/cubes/shared/memories", {}, kAliceMarker);
  ASSERT_EQ(bobs.status, 200) << Describe(bobs);
  EXPECT_EQ(bobs.Json().at("memories").as_array().size(), 1u);
  HttpResult bob_search =
      Call(state_->bob.secret, "POST", "/v1/search", R"({"projects":["shared","bob-secret"],"query":"photon matrix detector"})",
           kAliceMarker);
  EXPECT_EQ(bob_search.status, 200) << Describe(bob_search);
  HttpResult bob_export = Call(state_->bob.secret, "GET", "/v1/cubes/shared/export", {}, kAliceMarker);
  ASSERT_EQ(bob_export.status, 200);
  EXPECT_EQ(ZstdDecompress(bob_export.body).find(kAliceMarker), std::string::npos);
}

TEST_F(ServerSecurityTest, NeitherTheSearchCacheNorIdempotencyKeysCrossUsers) {
  // Bob fills the cache; alice's identical request must not be answered from it.
  const std::string search = R"({"query":"graviton_field equations detector lab","top_k":20})";
  // (top_k differs: a one-project multi-search may share the single search's cache entry.)
  const std::string multi = R"({"projects":["shared"],"query":"graviton_field equations detector lab","top_k":19})";
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Call(state_->bob.secret, "POST", "/v1/cubes/shared/search", search, kAliceMarker).status, 200);
    EXPECT_EQ(Call(state_->bob.secret, "POST", "/v1/search", multi, kAliceMarker).status, 200);
  }
  HttpResult single = AsAlice("POST", "/v1/cubes/shared/search", search);
  ASSERT_EQ(single.status, 200) << Describe(single);
  EXPECT_NE(single.Header("x-cache"), "hit");
  EXPECT_EQ(single.body.find(state_->bob_shared_id), std::string::npos);
  HttpResult several = AsAlice("POST", "/v1/search", multi);
  ASSERT_EQ(several.status, 200) << Describe(several);
  EXPECT_NE(several.Header("x-cache"), "hit");
  EXPECT_EQ(several.body.find(state_->bob_shared_id), std::string::npos);

  // Bob's idempotency key neither replays bob's answer to alice nor tells her it was used.
  const std::map<std::string, std::string> key{{"Idempotency-Key", "cross-user-key-1"}};
  HttpResult bobs = HttpClient(Port(), state_->bob.secret)
                        .Request("POST", "/v1/cubes/idem-x/memories", R"({"text":"graviton_field idempotent"})", key);
  ASSERT_EQ(bobs.status, 201) << Describe(bobs);
  HttpResult same = HttpClient(Port(), state_->alice.secret)
                        .Request("POST", "/v1/cubes/idem-x/memories", R"({"text":"graviton_field idempotent"})", key);
  EXPECT_EQ(same.status, 201) << Describe(same);
  EXPECT_NE(same.Json().at("id"), bobs.Json().at("id"));
  HttpResult other = HttpClient(Port(), state_->alice.secret)
                         .Request("POST", "/v1/cubes/idem-y/memories", R"({"text":"another text entirely"})", key);
  EXPECT_EQ(other.status, 201) << Describe(other);
  EXPECT_EQ(Call(state_->bob.secret, "GET", "/v1/cubes/idem-x", {}, kAliceMarker).Json().at("memories"), 1);
  for (const char* project : {"idem-x", "idem-y"}) {
    EXPECT_EQ(AsAlice("DELETE", std::string("/v1/cubes/") + project).status, 204);
  }
  EXPECT_EQ(Call(state_->bob.secret, "DELETE", "/v1/cubes/idem-x", {}, kAliceMarker).status, 204);
}

TEST_F(ServerSecurityTest, AnotherUsersDataCannotBeChangedThroughTheirProjectNames) {
  // Writes into "bob-secret" with alice's key land in alice's own cube of that name (or fail),
  // never in bob's.
  HttpResult del = AsAlice("DELETE", "/v1/cubes/bob-secret");
  EXPECT_EQ(del.status, 404) << Describe(del);
  HttpResult forget = AsAlice("DELETE", "/v1/users/bob");
  EXPECT_EQ(forget.status, 403) << Describe(forget);
  EXPECT_EQ(forget.ErrorCode(), "permission_denied");
  HttpResult del_pref = AsAlice("DELETE", "/v1/cubes/shared/preferences/style/bob_pref");
  EXPECT_EQ(del_pref.status, 404) << Describe(del_pref);
  ExpectBobIntact();
  HttpResult bob_shared_pref = Call(state_->bob.secret, "GET", "/v1/cubes/shared/preferences/style/bob_pref", {}, kAliceMarker);
  EXPECT_EQ(bob_shared_pref.status, 200) << Describe(bob_shared_pref);
}

TEST_F(ServerSecurityTest, AReadOnlyKeyCannotWriteAndAWriteKeyCannotCreateKeys) {
  const std::string& reader = state_->alice_read.secret;
  HttpResult ok = Call(reader, "GET", "/v1/cubes/shared/memories");
  EXPECT_EQ(ok.status, 200) << Describe(ok);
  const std::string id = state_->alice_shared_id;
  struct Write {
    const char* method;
    std::string target;
    const char* body;
  };
  const Write writes[] = {
      {"POST", "/v1/cubes/shared/memories", R"({"text":"written by a read-only key"})"},
      {"POST", "/v1/cubes/shared/memories/batch", R"({"items":[{"text":"written by a read-only key"}]})"},
      {"PATCH", "/v1/cubes/shared/memories/" + id, R"({"text":"changed by a read-only key"})"},
      {"DELETE", "/v1/cubes/shared/memories/" + id, ""},
      {"POST", "/v1/cubes/shared/memories/" + id + "/restore", ""},
      {"POST", "/v1/cubes/shared/memories/" + id + "/purge", ""},
      {"PUT", "/v1/cubes/shared/preferences/style/docstring", R"({"value":"NumPy"})"},
      {"DELETE", "/v1/cubes/shared/preferences/style/docstring", ""},
      {"DELETE", "/v1/cubes/shared", ""},
      {"DELETE", "/v1/users/alice", ""},
      {"POST", "/v1/keys", R"({"user":"alice","scopes":["admin"]})"},
  };
  for (const Write& w : writes) {
    HttpResult r = Call(reader, w.method, w.target, w.body);
    EXPECT_EQ(r.status, 403) << w.method << " " << w.target << ": " << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "permission_denied") << w.method << " " << w.target;
  }
  HttpResult import = HttpClient(Port(), reader).Request("POST", "/v1/cubes/imported/import", "not zstd",
                                                         {{"Content-Type", "application/zstd"}});
  EXPECT_EQ(import.status, 403) << Describe(import);

  // A write-only key may write but not read.
  HttpResult write_only_read = Call(state_->alice_write.secret, "GET", "/v1/cubes/shared/memories");
  EXPECT_EQ(write_only_read.status, 403) << Describe(write_only_read);
  // A read-and-write key may not create keys (that needs admin).
  HttpResult create = Call(state_->alice.secret, "POST", "/v1/keys", R"({"user":"alice","scopes":["read"]})");
  EXPECT_EQ(create.status, 403) << Describe(create);
  EXPECT_EQ(create.ErrorCode(), "permission_denied");
  HttpResult escalate = Call(state_->alice.secret, "POST", "/v1/keys", R"({"user":"bob","scopes":["admin"]})");
  EXPECT_EQ(escalate.status, 403) << Describe(escalate);

  // Nothing changed.
  HttpResult stats = AsAlice("GET", "/v1/cubes/shared");
  EXPECT_EQ(stats.Json().at("memories"), 1) << stats.body;
  HttpResult memory = AsAlice("GET", "/v1/cubes/shared/memories/" + id);
  EXPECT_EQ(memory.Json().at("version"), 1) << memory.body;
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/shared/preferences/style/docstring").Json().at("value"), "Google");
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/imported").status, 404);
}

TEST_F(ServerSecurityTest, AKeyLimitedToProjectsCannotTouchOthersNorForgetTheUser) {
  const std::string& limited = state_->alice_p1.secret;
  EXPECT_EQ(Call(limited, "GET", "/v1/cubes/p1/memories").status, 200);
  EXPECT_EQ(Call(limited, "POST", "/v1/cubes/p1/search", R"({"query":"photon"})").status, 200);
  EXPECT_EQ(Call(limited, "POST", "/v1/search", R"({"projects":["p1"],"query":"photon"})").status, 200);

  struct Request {
    const char* method;
    std::string target;
    const char* body;
  };
  const Request denied[] = {
      {"GET", "/v1/cubes/p2", ""},
      {"GET", "/v1/cubes/p2/memories", ""},
      {"GET", "/v1/cubes/p2/memories/" + state_->alice_p2_id, ""},
      {"GET", "/v1/cubes/p2/memories/" + state_->alice_p2_id + "/history", ""},
      {"PATCH", "/v1/cubes/p2/memories/" + state_->alice_p2_id, R"({"text":"changed from p1"})"},
      {"DELETE", "/v1/cubes/p2/memories/" + state_->alice_p2_id, ""},
      {"POST", "/v1/cubes/p2/memories/" + state_->alice_p2_id + "/purge", ""},
      {"POST", "/v1/cubes/p2/memories", R"({"text":"added from p1"})"},
      {"POST", "/v1/cubes/p2/search", R"({"query":"photon"})"},
      {"POST", "/v1/search", R"({"projects":["p1","p2"],"query":"photon"})"},
      {"POST", "/v1/cubes/p2/context", R"({"query":"photon"})"},
      {"GET", "/v1/cubes/p2/export", ""},
      {"GET", "/v1/cubes/p2/preferences", ""},
      {"PUT", "/v1/cubes/p2/preferences/style/x", R"({"value":1})"},
      {"DELETE", "/v1/cubes/p2", ""},
      {"GET", "/v1/cubes/shared/memories", ""},
      {"DELETE", "/v1/users/alice", ""},
  };
  for (const Request& r : denied) {
    HttpResult res = Call(limited, r.method, r.target, r.body);
    EXPECT_EQ(res.status, 403) << r.method << " " << r.target << ": " << Describe(res);
    EXPECT_EQ(res.ErrorCode(), "permission_denied") << r.method << " " << r.target;
    EXPECT_EQ(res.body.find("project two"), std::string::npos) << res.body;
  }
  HttpResult cubes = Call(limited, "GET", "/v1/cubes");
  ASSERT_EQ(cubes.status, 200) << Describe(cubes);
  ASSERT_EQ(cubes.Json().at("cubes").as_array().size(), 1u) << cubes.body;
  EXPECT_EQ(cubes.Json().at("cubes").as_array()[0].at("project"), "p1");

  HttpResult p2 = AsAlice("GET", "/v1/cubes/p2/memories/" + state_->alice_p2_id);
  ASSERT_EQ(p2.status, 200) << Describe(p2);
  EXPECT_EQ(p2.Json().at("version"), 1);
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/p2").Json().at("memories"), 1);
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/shared").Json().at("memories"), 1);
}

TEST_F(ServerSecurityTest, ARevokedKeyIsRefused) {
  Key key = CreateKey("alice", {"read"});
  EXPECT_EQ(Call(key.secret, "GET", "/v1/cubes").status, 200);
  HttpResult revoke = Call(key.secret, "DELETE", "/v1/keys/" + key.id);  // a user may revoke their own key
  ASSERT_EQ(revoke.status, 204) << Describe(revoke);
  HttpResult after = Call(key.secret, "GET", "/v1/cubes");
  EXPECT_EQ(after.status, 401) << Describe(after);
  EXPECT_EQ(after.ErrorCode(), "unauthenticated");
  EXPECT_EQ(after.Header("www-authenticate"), "Bearer realm=\"memd\"");

  // Revoked by the admin, too.
  Key other = CreateKey("alice", {"read"});
  EXPECT_EQ(Call(other.secret, "GET", "/v1/cubes").status, 200);
  EXPECT_EQ(Call(state_->admin.secret, "DELETE", "/v1/keys/" + other.id).status, 204);
  EXPECT_EQ(Call(other.secret, "GET", "/v1/cubes").status, 401);
  HttpResult list = AsAlice("GET", "/v1/keys");
  bool found = false;
  const json::value keys = list.Json();
  for (const auto& k : keys.at("keys").as_array()) {
    if (k.at("id").as_string() == other.id) {
      found = true;
      EXPECT_FALSE(k.at("revoked_at").is_null());
    }
  }
  EXPECT_TRUE(found) << list.body;
}

TEST_F(ServerSecurityTest, MissingOrMalformedCredentialsAre401WithAChallenge) {
  HttpClient anonymous(Port());
  for (const char* target : {"/v1/cubes", "/v1/cubes/shared/memories", "/v1/keys"}) {
    HttpResult r = anonymous.Get(target);
    EXPECT_EQ(r.status, 401) << target << ": " << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "unauthenticated");
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"memd\"") << target;
    EXPECT_EQ(r.body.find(kAliceMarker), std::string::npos);
  }
  HttpResult post = anonymous.Post("/v1/cubes/shared/memories", std::string(R"({"text":"anonymous write"})"));
  EXPECT_EQ(post.status, 401) << Describe(post);

  const std::string alice = state_->alice.secret;
  const std::string malformed[] = {
      "Basic YWxpY2U6c2VjcmV0",
      "Token " + alice,
      alice,                                    // no scheme
      "Bearer",                                 // no credential
      "Bearer  " + alice,                       // two spaces
      "Bearer " + alice + "x",                  // one character too many
      "Bearer " + alice.substr(0, alice.size() - 1),
      "Bearer memd_k_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "Bearer memd_",
      "Bearer " + std::string(10000, 'a'),
  };
  for (const std::string& header : malformed) {
    HttpResult r = anonymous.Request("GET", "/v1/cubes/shared/memories", "", {{"Authorization", header}});
    EXPECT_EQ(r.status, 401) << "Authorization: " << header.substr(0, 80) << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "unauthenticated");
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"memd\"");
    EXPECT_EQ(r.body.find(kAliceMarker), std::string::npos);
  }
  HttpResult bad_api_key = anonymous.Request("GET", "/v1/cubes", "", {{"X-API-Key", "memd_not_a_key"}});
  EXPECT_EQ(bad_api_key.status, 401) << Describe(bad_api_key);
  HttpResult good_api_key = anonymous.Request("GET", "/v1/cubes", "", {{"X-API-Key", alice}});
  EXPECT_EQ(good_api_key.status, 200) << Describe(good_api_key);
}

TEST_F(ServerSecurityTest, AccessTokensWorkOnlyWhenValid) {
  const std::string valid = Token("alice", 600);
  HttpResult list = Call(valid, "GET", "/v1/cubes/shared/memories");
  ASSERT_EQ(list.status, 200) << Describe(list);
  EXPECT_NE(list.body.find(kAliceMarker), std::string::npos);
  HttpResult write = Call(valid, "POST", "/v1/cubes/token-made/memories", R"({"text":"written with a token"})");
  EXPECT_EQ(write.status, 201) << Describe(write);
  HttpResult keys = Call(valid, "POST", "/v1/keys", R"({"user":"alice","scopes":["admin"]})");
  EXPECT_EQ(keys.status, 403) << Describe(keys);
  // A token is bound to its subject like a key.
  HttpResult bobs = Call(valid, "GET", "/v1/cubes/bob-secret/memories/" + state_->bob_secret_id);
  EXPECT_EQ(bobs.status, 404) << Describe(bobs);
  HttpResult as_bob = Call(valid, "GET", "/v1/cubes/shared/memories?user=bob");
  EXPECT_EQ(as_bob.status, 403) << Describe(as_bob);

  const std::string header = auth::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  const std::string claims_alice = std::string(valid.substr(valid.find('.') + 1, valid.rfind('.') - valid.find('.') - 1));
  const std::string signature = valid.substr(valid.rfind('.') + 1);
  const std::string hs512 = auth::Base64UrlEncode(R"({"alg":"HS512","typ":"JWT"})");
  const std::string admin_claims = auth::Base64UrlEncode(
      R"({"sub":"admin","type":"access","iat":1,"exp":99999999999,"scope":"admin"})");
  struct Bad {
    const char* what;
    std::string token;
  };
  const Bad bad[] = {
      {"expired", Token("alice", -3600)},
      {"forged with another secret", Token("alice", 600, "access", "another-secret-0123456789abcdef-0123456789")},
      {"refresh token", Token("alice", 600, "refresh")},
      {"alg none, no signature", header + "." + claims_alice + "."},
      {"alg none, copied signature", header + "." + claims_alice + "." + signature},
      {"alg HS512 with an HS256 signature", hs512 + "." + claims_alice + "." + signature},
      {"claims swapped under a valid signature", valid.substr(0, valid.find('.')) + "." + admin_claims + "." + signature},
      {"truncated signature", valid.substr(0, valid.size() - 2)},
      {"garbage", "garbage"},
      {"garbage with dots", "a.b.c"},
      {"empty parts", ".."},
  };
  for (const Bad& b : bad) {
    HttpResult r = Call(b.token, "GET", "/v1/cubes/shared/memories");
    EXPECT_EQ(r.status, 401) << b.what << ": " << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "unauthenticated") << b.what;
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"memd\"") << b.what;
    EXPECT_EQ(r.body.find(kAliceMarker), std::string::npos) << b.what;
  }
  // Bob's token sees bob's data only.
  HttpResult bob = Call(Token("bob", 600), "GET", "/v1/cubes/shared/memories", {}, kAliceMarker);
  ASSERT_EQ(bob.status, 200) << Describe(bob);
  EXPECT_NE(bob.body.find(kBobMarker), std::string::npos);
}

TEST_F(ServerSecurityTest, OnlyAnAdminMayActForAnotherUser) {
  struct Request {
    const char* method;
    std::string target;
    const char* body;
  };
  const Request requests[] = {
      {"GET", "/v1/cubes?user=bob", ""},
      {"GET", "/v1/cubes/shared?user=bob", ""},
      {"GET", "/v1/cubes/shared/memories?user=bob", ""},
      {"GET", "/v1/cubes/shared/memories/" + state_->bob_shared_id + "?user=bob", ""},
      {"GET", "/v1/cubes/shared/memories/" + state_->bob_shared_id + "/history?user=bob", ""},
      {"PATCH", "/v1/cubes/shared/memories/" + state_->bob_shared_id + "?user=bob", R"({"text":"x"})"},
      {"DELETE", "/v1/cubes/shared/memories/" + state_->bob_shared_id + "?user=bob", ""},
      {"POST", "/v1/cubes/shared/memories?user=bob", R"({"text":"planted by alice"})"},
      {"POST", "/v1/cubes/shared/search?user=bob", R"({"query":"graviton_field"})"},
      {"POST", "/v1/search?user=bob", R"({"projects":["shared"],"query":"graviton_field"})"},
      {"POST", "/v1/cubes/shared/context?user=bob", R"({"query":"graviton_field"})"},
      {"GET", "/v1/cubes/shared/export?user=bob", ""},
      {"GET", "/v1/cubes/shared/preferences?user=bob", ""},
      {"GET", "/v1/cubes/shared/preferences/prompt?user=bob", ""},
      {"PUT", "/v1/cubes/shared/preferences/style/x?user=bob", R"({"value":1})"},
      {"DELETE", "/v1/cubes/bob-secret?user=bob", ""},
      {"GET", "/v1/keys?user=bob", ""},
  };
  for (const Request& r : requests) {
    HttpResult res = AsAlice(r.method, r.target, r.body);
    EXPECT_EQ(res.status, 403) << r.method << " " << r.target << ": " << Describe(res);
    EXPECT_EQ(res.ErrorCode(), "permission_denied") << r.method << " " << r.target;
    EXPECT_EQ(res.body.find(state_->bob.id), std::string::npos);
  }
  ExpectBobIntact();
  EXPECT_EQ(Call(state_->bob.secret, "GET", "/v1/cubes/shared", {}, kAliceMarker).Json().at("memories"), 1);

  // ?user= naming oneself is allowed.
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/shared/memories?user=alice").status, 200);

  // An admin acts for bob.
  const std::string& admin = state_->admin.secret;
  HttpResult read = Call(admin, "GET", "/v1/cubes/bob-secret/memories?user=bob", {}, kAliceMarker);
  ASSERT_EQ(read.status, 200) << Describe(read);
  EXPECT_NE(read.body.find(state_->bob_secret_id), std::string::npos);
  HttpResult added = Call(admin, "POST", "/v1/cubes/admin-made/memories?user=bob", R"({"text":"added by the admin for bob"})", kAliceMarker);
  ASSERT_EQ(added.status, 201) << Describe(added);
  const std::string id(added.Json().at("id").as_string());
  HttpResult seen = Call(state_->bob.secret, "GET", "/v1/cubes/admin-made/memories/" + id, {}, kAliceMarker);
  EXPECT_EQ(seen.status, 200) << Describe(seen);
  EXPECT_EQ(AsAlice("GET", "/v1/cubes/admin-made/memories/" + id).status, 404);
  HttpResult search = Call(admin, "POST", "/v1/search?user=bob", R"({"projects":["shared","bob-secret"],"query":"graviton_field"})",
                           kAliceMarker);
  ASSERT_EQ(search.status, 200) << Describe(search);
  EXPECT_EQ(search.Json().at("results").as_array().size(), 2u) << search.body;
  HttpResult keys = Call(admin, "GET", "/v1/keys?user=bob", {}, kAliceMarker);
  ASSERT_EQ(keys.status, 200) << Describe(keys);
  EXPECT_NE(keys.body.find(state_->bob.id), std::string::npos);
  EXPECT_EQ(keys.body.find(state_->alice.id), std::string::npos);
  HttpResult purged = Call(admin, "DELETE", "/v1/cubes/admin-made?user=bob", {}, kAliceMarker);
  EXPECT_EQ(purged.status, 204) << Describe(purged);
}

TEST_F(ServerSecurityTest, ANonAdminCannotListOrRevokeAnotherUsersKeys) {
  HttpResult mine = AsAlice("GET", "/v1/keys");
  ASSERT_EQ(mine.status, 200) << Describe(mine);
  ASSERT_FALSE(mine.Json().at("keys").as_array().empty());
  const json::value keys = mine.Json();
  for (const auto& key : keys.at("keys").as_array()) EXPECT_EQ(key.at("user"), "alice") << mine.body;
  EXPECT_EQ(mine.body.find(state_->bob.id), std::string::npos);
  EXPECT_EQ(mine.body.find("memd_"), std::string::npos) << "a listing must never show secrets: " << mine.body;

  const std::string unknown_id = "k_aaaaaaaaaaaa";
  HttpResult theirs = AsAlice("DELETE", "/v1/keys/" + state_->bob.id);
  HttpResult unknown = AsAlice("DELETE", "/v1/keys/" + unknown_id);
  EXPECT_EQ(theirs.status, 404) << Describe(theirs);
  EXPECT_EQ(theirs.ErrorCode(), "not_found");
  EXPECT_EQ(ReplaceAll(theirs.body, state_->bob.id, "{id}"), ReplaceAll(unknown.body, unknown_id, "{id}"));
  // Not even the admin's key.
  const json::value admin_keys = Call(state_->admin.secret, "GET", "/v1/keys?user=admin").Json();
  ASSERT_TRUE(admin_keys.is_object()) << "the admin could not list its keys";
  const std::string admin_key_id(admin_keys.at("keys").as_array().at(0).at("id").as_string());
  HttpResult admins = AsAlice("DELETE", "/v1/keys/" + admin_key_id);
  EXPECT_EQ(admins.status, 404) << Describe(admins);

  // Bob's key still works.
  EXPECT_EQ(Call(state_->bob.secret, "GET", "/v1/cubes", {}, kAliceMarker).status, 200);
  EXPECT_EQ(Call(state_->admin.secret, "GET", "/v1/cubes").status, 200);
}

}  // namespace
}  // namespace memd
