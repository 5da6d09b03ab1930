// Integration tests of how the server treats bad input and abusive clients over real HTTP:
// malformed or mistyped JSON, unknown fields and query parameters, invalid UTF-8, bad
// filters, wrong content types, oversized bodies and headers, deep nesting, slow and idle
// connections, the connection limit, and rate limits. After every refusal the server still
// answers and nothing was written.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::RawConnection;
using testutil::ServerProcess;
using testutil::TempDir;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string Describe(const HttpResult& r) { return "status " + std::to_string(r.status) + " " + r.error + "\n" + r.body; }

std::string ErrorField(const HttpResult& r) {
  auto v = r.Json();
  if (!v.is_object() || !v.as_object().contains("error")) return "<no error envelope>";
  const json::object& error = v.at("error").as_object();
  return error.contains("field") ? std::string(error.at("field").as_string()) : "<no field>";
}

std::string ErrorMessage(const HttpResult& r) {
  auto v = r.Json();
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  return std::string(v.at("error").at("message").as_string());
}

// Starts a server in dir with a config file holding config_text (plus extra flags and
// environment); fails the test if it does not start.
std::unique_ptr<ServerProcess> StartWithConfig(const std::string& dir, const std::string& config_text,
                                               std::vector<std::string> args = {},
                                               std::map<std::string, std::string> env = {}) {
  const std::string path = dir + "/memd.toml";
  Status written = WriteFileAtomic(path, config_text);
  EXPECT_TRUE(written.ok()) << written.ToString();
  args.insert(args.begin(), {"--config", path});
  auto server = std::make_unique<ServerProcess>(dir, args, env);
  EXPECT_TRUE(server->ok()) << server->startup_error();
  return server;
}

// Creates an API key for user (read and write) with the server's admin key.
std::string CreateKey(const ServerProcess& server, const std::string& user) {
  HttpClient admin(server.port(), server.admin_key());
  HttpResult r = admin.Post("/v1/keys", json::value{{"user", user}, {"scopes", json::array{"read", "write"}}});
  EXPECT_EQ(r.status, 201) << Describe(r);
  return r.status == 201 ? std::string(r.Json().at("secret").as_string()) : "";
}

// ---------------------------------------------------------------------------------------------
// Bad request content: one server with a 64 KiB body limit and one cube "in" holding one memory.

class ServerInputTest : public ::testing::Test {
 protected:
  struct State {
    TempDir dir;
    std::unique_ptr<ServerProcess> server;
    std::string key;
    std::string id;  // the one memory of cube "in"
  };

  static void SetUpTestSuite() {
    state_ = new State;
    ASSERT_FALSE(state_->dir.path().empty());
    state_->server = std::make_unique<ServerProcess>(state_->dir.path(), std::vector<std::string>{"--no-rate-limits"},
                                                     std::map<std::string, std::string>{{"MEMD_MAX_BODY_BYTES", "65536"}});
    ASSERT_TRUE(state_->server->ok()) << state_->server->startup_error();
    state_->key = CreateKey(*state_->server, "input");
    HttpResult added = Client().Post("/v1/cubes/in/memories", json::value{{"text", "the one memory of the input cube"}});
    ASSERT_EQ(added.status, 201) << Describe(added);
    state_->id = std::string(added.Json().at("id").as_string());
  }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
  }

  static HttpClient Client() { return HttpClient(state_->server->port(), state_->key); }
  static int Port() { return state_->server->port(); }

  // The server still answers, cube "in" still holds exactly its one unchanged memory, and no
  // other cube was created.
  void ExpectServingAndNothingWritten() {
    HttpClient c = Client();
    EXPECT_EQ(HttpClient(Port()).Get("/health").status, 200);
    HttpResult stats = c.Get("/v1/cubes/in");
    ASSERT_EQ(stats.status, 200) << Describe(stats);
    EXPECT_EQ(stats.Json().at("memories"), 1) << stats.body;
    HttpResult memory = c.Get("/v1/cubes/in/memories/" + state_->id);
    ASSERT_EQ(memory.status, 200) << Describe(memory);
    EXPECT_EQ(memory.Json().at("version"), 1);
    EXPECT_EQ(memory.Json().at("text"), "the one memory of the input cube");
    HttpResult cubes = c.Get("/v1/cubes");
    ASSERT_EQ(cubes.status, 200) << Describe(cubes);
    EXPECT_EQ(cubes.Json().at("cubes").as_array().size(), 1u) << cubes.body;
  }

  static State* state_;
};
ServerInputTest::State* ServerInputTest::state_ = nullptr;

TEST_F(ServerInputTest, MalformedJsonIs400InvalidJson) {
  HttpClient c = Client();
  const std::string bodies[] = {
      R"({"text": "unterminated)", R"({"text": "a")", R"({text: "a"})", R"({"text": "a",})", R"({"text": 'a'})",
      R"({"text": "a"} trailing)", R"({"text": "a"}{"text": "b"})", R"({"text": NaN})", "{\"text\": \"tab\there\"}",
      R"({"text": "a" /* comment */})", " ",
  };
  for (const std::string& body : bodies) {
    HttpResult r = c.Post("/v1/cubes/in/memories", body);
    EXPECT_EQ(r.status, 400) << body << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "invalid_json") << body;
    EXPECT_FALSE(ErrorMessage(r).empty());
  }
  HttpResult empty = c.Request("POST", "/v1/cubes/in/memories", "", {{"Content-Type", "application/json"}});
  EXPECT_EQ(empty.status, 400) << Describe(empty);
  EXPECT_EQ(empty.ErrorCode(), "invalid_json");
  HttpResult search = c.Post("/v1/cubes/in/search", std::string(R"({"query": )"));
  EXPECT_EQ(search.status, 400) << Describe(search);
  EXPECT_EQ(search.ErrorCode(), "invalid_json");
  HttpResult patch = c.Request("PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":)");
  EXPECT_EQ(patch.status, 400) << Describe(patch);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, JsonOfTheWrongTypeIs400) {
  HttpClient c = Client();
  struct Case {
    const char* target;
    const char* body;
    const char* field;  // nullptr: not checked
  };
  const Case cases[] = {
      {"/v1/cubes/in/memories", R"([{"text":"an array body"}])", nullptr},
      {"/v1/cubes/in/memories", R"("a string body")", nullptr},
      {"/v1/cubes/in/memories", "42", nullptr},
      {"/v1/cubes/in/memories", "null", nullptr},
      {"/v1/cubes/in/memories", R"({"text":42})", "text"},
      {"/v1/cubes/in/memories", R"({"text":["a"]})", "text"},
      {"/v1/cubes/in/memories", R"({"text":null})", "text"},
      {"/v1/cubes/in/memories", R"({"text":"a","tags":"not-an-array"})", "tags"},
      {"/v1/cubes/in/memories", R"({"text":"a","tags":[1]})", "tags[0]"},
      {"/v1/cubes/in/memories", R"({"text":"a","metadata":[1,2]})", "metadata"},
      {"/v1/cubes/in/memories", R"({"text":"a","kind":true})", "kind"},
      {"/v1/cubes/in/memories/batch", R"({"items":{"text":"a"}})", "items"},
      {"/v1/cubes/in/memories/batch", R"({"items":[{"text":"a"},{"text":7}]})", "items[1].text"},
      {"/v1/cubes/in/search", R"({"query":17})", "query"},
      {"/v1/cubes/in/search", R"({"query":"a","top_k":"ten"})", "top_k"},
      {"/v1/search", R"({"projects":"in","query":"a"})", "projects"},
      {"/v1/cubes/in/context", R"({"query":"a","token_budget":"many"})", "token_budget"},
  };
  for (const Case& k : cases) {
    HttpResult r = c.Post(k.target, std::string(k.body));
    EXPECT_EQ(r.status, 400) << k.target << " " << k.body << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "invalid_request") << k.target << " " << k.body;
    if (k.field != nullptr) {
      EXPECT_EQ(ErrorField(r), k.field) << k.body;
    }
  }
  HttpResult patch = c.Request("PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":1})");
  EXPECT_EQ(patch.status, 400) << Describe(patch);
  EXPECT_EQ(ErrorField(patch), "text");
  HttpResult key = HttpClient(Port(), state_->server->admin_key()).Post("/v1/keys", std::string(R"({"user":["input"]})"));
  EXPECT_EQ(key.status, 400) << Describe(key);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, UnknownFieldsAre400NamingTheField) {
  HttpClient c = Client();
  struct Case {
    std::string method;
    std::string target;
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {"POST", "/v1/cubes/in/memories", R"({"text":"a","colour":"blue"})", "colour"},
      {"POST", "/v1/cubes/in/memories", R"({"text":"a","Text":"b"})", "Text"},
      {"POST", "/v1/cubes/in/memories/batch", R"({"items":[{"text":"a","colour":"blue"}]})", "items[0].colour"},
      {"POST", "/v1/cubes/in/memories/batch", R"({"items":[],"atomic":true})", "atomic"},
      {"PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":"b","colour":"blue"})", "colour"},
      {"POST", "/v1/cubes/in/search", R"({"query":"a","topk":3})", "topk"},
      {"POST", "/v1/search", R"({"projects":["in"],"query":"a","colour":1})", "colour"},
      {"POST", "/v1/cubes/in/context", R"({"query":"a","budget":10})", "budget"},
      {"PUT", "/v1/cubes/in/preferences/style/x", R"({"value":1,"colour":"blue"})", "colour"},
  };
  for (const Case& k : cases) {
    HttpResult r = c.Request(k.method, k.target, k.body);
    EXPECT_EQ(r.status, 400) << k.method << " " << k.target << " " << k.body << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "invalid_request") << k.body;
    EXPECT_EQ(ErrorField(r), k.field) << k.body;
    const std::string leaf = std::string(k.field).substr(std::string(k.field).rfind('.') + 1);
    EXPECT_NE(ErrorMessage(r).find(leaf), std::string::npos) << "the message should name the field: " << ErrorMessage(r);
  }
  EXPECT_EQ(c.Get("/v1/cubes/in/preferences").Json().at("preferences").as_array().size(), 0u);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, InvalidUtf8InAJsonStringIs400) {
  HttpClient c = Client();
  const std::string bodies[] = {
      "{\"text\":\"bad byte \xff here\"}",
      "{\"text\":\"truncated \xe2\x82\"}",
      "{\"text\":\"overlong \xc0\xaf slash\"}",
      "{\"text\":\"surrogate \xed\xa0\x80 encoded\"}",
      "{\"te\xffxt\":\"bad key\"}",
      R"({"text":"lone surrogate \ud800 escape"})",
      "{\"text\":\"ok\",\"metadata\":{\"k\":\"\xfe\"}}",
  };
  for (const std::string& body : bodies) {
    HttpResult r = c.Post("/v1/cubes/in/memories", body);
    EXPECT_EQ(r.status, 400) << Describe(r);
    EXPECT_TRUE(r.Json().is_object()) << "the error must itself be valid JSON: " << r.body;
  }
  HttpResult search = c.Post("/v1/cubes/in/search", std::string("{\"query\":\"\xff\"}"));
  EXPECT_EQ(search.status, 400) << Describe(search);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, EmptyTextIs422) {
  HttpClient c = Client();
  for (const char* body : {R"({"text":""})", R"({"text":"   \n\t "})"}) {
    HttpResult r = c.Post("/v1/cubes/in/memories", std::string(body));
    EXPECT_EQ(r.status, 422) << body << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "invalid_argument") << body;
    EXPECT_EQ(ErrorField(r), "text") << body;
  }
  HttpResult batch = c.Post("/v1/cubes/in/memories/batch", std::string(R"({"items":[{"text":"fine"},{"text":""}]})"));
  EXPECT_EQ(batch.status, 422) << Describe(batch);
  HttpResult patch = c.Request("PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":""})");
  EXPECT_EQ(patch.status, 422) << Describe(patch);
  HttpResult other = c.Post("/v1/cubes/empty-text/memories", std::string(R"({"text":""})"));
  EXPECT_EQ(other.status, 422) << Describe(other);
  ExpectServingAndNothingWritten();  // the batch is atomic and no cube "empty-text" appeared
}

TEST_F(ServerInputTest, AnInvalidFilterIs422NamingThePathInTheFilter) {
  HttpClient c = Client();
  struct Case {
    const char* filter;
    const char* field;
  };
  const Case cases[] = {
      {R"({"field":"kind","op":"equals","value":"x"})", "filter.op"},
      {R"({"field":"kind","value":"x"})", "filter.op"},
      {R"({"and":[{"field":"kind","op":"eq","value":"x"},{"field":"kind","op":"BAD","value":"x"}]})", "filter.and[1].op"},
      {R"({"not":{"field":"tags","op":"eq","value":["a"]}})", "filter.not.op"},
  };
  for (const Case& k : cases) {
    const std::string filter(k.filter);
    HttpResult search = c.Post("/v1/cubes/in/search", R"({"query":"memory","filter":)" + filter + "}");
    EXPECT_EQ(search.status, 422) << filter << "\n" << Describe(search);
    EXPECT_EQ(search.ErrorCode(), "invalid_filter") << filter;
    EXPECT_EQ(ErrorField(search), k.field) << filter;
    HttpResult multi = c.Post("/v1/search", R"({"projects":["in"],"query":"memory","filter":)" + filter + "}");
    EXPECT_EQ(multi.status, 422) << filter << "\n" << Describe(multi);
    EXPECT_EQ(multi.ErrorCode(), "invalid_filter");
    EXPECT_EQ(ErrorField(multi), k.field) << filter;
    HttpResult context = c.Post("/v1/cubes/in/context", R"({"query":"memory","filter":)" + filter + "}");
    EXPECT_EQ(context.status, 422) << filter << "\n" << Describe(context);
    EXPECT_EQ(context.ErrorCode(), "invalid_filter");
  }
  // The same for list's filter query parameter (percent-encoded JSON).
  HttpResult list = c.Get("/v1/cubes/in/memories?filter=%7B%22field%22%3A%22kind%22%2C%22op%22%3A%22equals%22%2C%22value%22%3A%22x%22%7D");
  EXPECT_EQ(list.status, 422) << Describe(list);
  EXPECT_EQ(list.ErrorCode(), "invalid_filter");
  EXPECT_EQ(ErrorField(list), "filter.op");
  HttpResult not_json = c.Get("/v1/cubes/in/memories?filter=%7Bnope");
  EXPECT_EQ(not_json.status, 422) << Describe(not_json);
  EXPECT_EQ(not_json.ErrorCode(), "invalid_filter");
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, AWrongContentTypeIs415) {
  HttpClient c = Client();
  const std::string body = R"({"text":"sent with the wrong content type"})";
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "multipart/form-data",
                           "application/zstd"}) {
    HttpResult r = c.Request("POST", "/v1/cubes/in/memories", body, {{"Content-Type", type}});
    EXPECT_EQ(r.status, 415) << type << "\n" << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "unsupported_media_type") << type;
  }
  // No Content-Type at all.
  HttpResult none = c.Request("POST", "/v1/cubes/in/memories", body, {{"Content-Type", ""}});
  EXPECT_EQ(none.status, 415) << Describe(none);
  HttpResult put = c.Request("PUT", "/v1/cubes/in/preferences/style/x", R"({"value":1})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(put.status, 415) << Describe(put);
  HttpResult import = c.Request("POST", "/v1/cubes/imported/import", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(import.status, 415) << Describe(import);
  // Parameters of the media type are fine.
  HttpResult search = c.Request("POST", "/v1/cubes/in/search", R"({"query":"memory"})",
                                {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(search.status, 200) << Describe(search);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, ABodyOverTheLimitIs413AndTheServerKeepsServing) {
  HttpClient c = Client();
  const std::string big = R"({"text":")" + std::string(100 * 1024, 'a') + R"("})";
  // Over a raw socket: the server answers after the header and hangs up, so sending the
  // rest of the body may fail, which a normal client reports as an error.
  RawConnection declared(Port());
  declared.Send("POST /v1/cubes/in/memories HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + state_->key +
                "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" +
                big);
  HttpResult r = declared.ReadResponse(milliseconds(5000));
  EXPECT_EQ(r.status, 413) << Describe(r);
  EXPECT_EQ(r.ErrorCode(), "payload_too_large");
  EXPECT_TRUE(declared.WaitClosed(milliseconds(2000)));
  // Just under the limit passes the HTTP layer (the engine's own text limit may refuse it).
  HttpResult under = c.Post("/v1/cubes/in/search", R"({"query":")" + std::string(60 * 1024, 'b') + R"("})");
  EXPECT_NE(under.status, 413) << Describe(under);
  EXPECT_NE(under.status, 0) << Describe(under);

  // A chunked body has no Content-Length: the limit applies while reading.
  RawConnection raw(Port());
  ASSERT_TRUE(raw.connected());
  raw.Send("POST /v1/cubes/in/memories HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + state_->key +
           "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(16 * 1024, 'c');
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", chunk.size());
  raw.Send(std::string(size_line) + "{\"text\":\"" + chunk.substr(9) + "\r\n");
  for (int i = 0; i < 6; ++i) {
    if (!raw.Send(std::string(size_line) + chunk + "\r\n")) break;
  }
  raw.Send("2\r\n\"}\r\n0\r\n\r\n");
  HttpResult chunked = raw.ReadResponse(milliseconds(5000));
  EXPECT_EQ(chunked.status, 413) << Describe(chunked);
  EXPECT_EQ(chunked.ErrorCode(), "payload_too_large");

  // Imports have their own, larger limit.
  HttpResult import = c.Request("POST", "/v1/cubes/imported/import", std::string(100 * 1024, 'z'),
                                {{"Content-Type", "application/zstd"}});
  EXPECT_NE(import.status, 413) << Describe(import);
  EXPECT_EQ(import.status, 422) << Describe(import);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, DeeplyNestedJsonIs400) {
  HttpClient c = Client();
  std::string objects = R"({"text":"nested","metadata":)";
  for (int i = 0; i < 98; ++i) objects += R"({"a":)";
  objects += "1";
  objects += std::string(98, '}') + "}";  // 100 levels of objects
  HttpResult r = c.Post("/v1/cubes/in/memories", objects);
  EXPECT_EQ(r.status, 400) << Describe(r);
  EXPECT_EQ(r.ErrorCode(), "invalid_json");
  EXPECT_NE(ErrorMessage(r).find("nesting"), std::string::npos) << ErrorMessage(r);

  const std::string arrays = R"({"text":"nested","tags":)" + std::string(99, '[') + std::string(99, ']') + "}";
  HttpResult a = c.Post("/v1/cubes/in/memories", arrays);
  EXPECT_EQ(a.status, 400) << Describe(a);
  EXPECT_EQ(a.ErrorCode(), "invalid_json");
  // Much deeper still: no stack exhaustion.
  const std::string very_deep = std::string(30000, '[') + std::string(30000, ']');  // under the body limit
  HttpResult deep = c.Post("/v1/cubes/in/search", very_deep);
  EXPECT_EQ(deep.status, 400) << Describe(deep);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, AnOversizedHeaderIs431) {
  HttpClient c = Client();
  // Beast's client refuses to write such a field, so this one goes over a raw socket.
  RawConnection raw(Port());
  ASSERT_TRUE(raw.connected());
  raw.Send("GET /v1/cubes/in HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + state_->key +
           "\r\nX-Filler: " + std::string(64 * 1024, 'h') + "\r\n\r\n");
  HttpResult r = raw.ReadResponse(milliseconds(5000));
  EXPECT_EQ(r.status, 431) << Describe(r);
  EXPECT_EQ(r.ErrorCode(), "header_too_large");
  EXPECT_TRUE(raw.WaitClosed(milliseconds(2000)));
  // Many fields that are each small add up the same way.
  std::string fields;
  for (int i = 0; i < 200; ++i) fields += "X-Filler-" + std::to_string(i) + ": " + std::string(200, 'm') + "\r\n";
  RawConnection many_fields(Port());
  many_fields.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + "\r\n");  // may fail midway: the server hangs up
  HttpResult many = many_fields.ReadResponse(milliseconds(5000));
  EXPECT_EQ(many.status, 431) << Describe(many);
  HttpResult long_target = c.Get("/v1/cubes/in/memories?cursor=" + std::string(10 * 1024, 'x'));
  EXPECT_EQ(long_target.status, 414) << Describe(long_target);
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, UnknownOrMalformedQueryParametersAre400) {
  HttpClient c = Client();
  struct Case {
    const char* method;
    std::string target;
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {"GET", "/v1/cubes/in/memories?colour=blue", "", "colour"},
      {"GET", "/v1/cubes/in?verbose=1", "", "verbose"},
      {"GET", "/v1/cubes?all=true", "", "all"},
      {"GET", "/v1/cubes/in/memories/" + state_->id + "?fields=text", "", "fields"},
      {"POST", "/v1/cubes/in/memories?dry_run=true", R"({"text":"must not be written"})", "dry_run"},
      {"POST", "/v1/cubes/in/search?top_k=5", R"({"query":"memory"})", "top_k"},
      {"DELETE", "/v1/cubes/in/memories/" + state_->id + "?force=1", "", "force"},
      {"DELETE", "/v1/cubes/in?force=1", "", "force"},
      {"GET", "/v1/cubes/in/memories?limit=abc", "", "limit"},
      {"GET", "/v1/cubes/in/memories?limit=0", "", "limit"},
      {"GET", "/v1/cubes/in/memories?limit=99999999999999999999999", "", "limit"},  // no integer overflow
      {"GET", "/v1/cubes/in/memories?include_deleted=yes", "", "include_deleted"},
      {"GET", "/v1/cubes/in/memories?limit=1&limit=2", "", "limit"},
  };
  for (const Case& k : cases) {
    HttpResult r = c.Request(k.method, k.target, k.body);
    EXPECT_TRUE(r.status == 400 || (r.status == 422 && std::string(k.field) == "limit"))
        << k.method << " " << k.target << "\n" << Describe(r);
    EXPECT_EQ(ErrorField(r), k.field) << k.target;
  }
  HttpResult escape = c.Get("/v1/cubes/in/memories?limit=%zz");
  EXPECT_EQ(escape.status, 400) << Describe(escape);
  EXPECT_EQ(escape.ErrorCode(), "invalid_query");
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, AMalformedIfMatchIs400AndChangesNothing) {
  HttpClient c = Client();
  for (const char* if_match : {"garbage", "v1", "\"1\"", "\"v\"", "\"vx\"", "\"v1", "W/v1", "\"v99999999999999999999\""}) {
    HttpResult r = c.Request("PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":"changed"})",
                             {{"If-Match", if_match}});
    EXPECT_EQ(r.status, 400) << "If-Match: " << if_match << "\n" << Describe(r);
    EXPECT_EQ(ErrorField(r), "If-Match") << if_match;
  }
  // A well-formed but stale tag is a different error (412).
  HttpResult stale = c.Request("PATCH", "/v1/cubes/in/memories/" + state_->id, R"({"text":"changed"})",
                               {{"If-Match", "\"v7\""}});
  EXPECT_EQ(stale.status, 412) << Describe(stale);
  // A malformed Idempotency-Key is refused before anything is written.
  HttpResult idem = c.Request("POST", "/v1/cubes/in/memories", R"({"text":"idempotent"})",
                              {{"Idempotency-Key", std::string(300, 'k')}});
  EXPECT_EQ(idem.status, 400) << Describe(idem);
  EXPECT_EQ(ErrorField(idem), "Idempotency-Key");
  ExpectServingAndNothingWritten();
}

TEST_F(ServerInputTest, BadPathParametersAreRefusedWithoutWriting) {
  HttpClient c = Client();
  for (const char* project : {"..", "%2e%2e", "a%2Fb", "a%00b", "bad%zzescape", "x%20y", "%C3%A9t%C3%A9"}) {
    HttpResult r = c.Post(std::string("/v1/cubes/") + project + "/memories", std::string(R"({"text":"wherever"})"));
    EXPECT_GE(r.status, 400) << project << "\n" << Describe(r);
    EXPECT_LT(r.status, 500) << project << "\n" << Describe(r);
  }
  HttpResult long_name = c.Post("/v1/cubes/" + std::string(300, 'p') + "/memories", std::string(R"({"text":"x"})"));
  EXPECT_EQ(long_name.status, 422) << Describe(long_name);
  ExpectServingAndNothingWritten();
}

// ---------------------------------------------------------------------------------------------
// Slow and idle clients: a server with half-second header, body and idle timeouts.

class ServerInputTimeoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    server_ = StartWithConfig(dir_->path(),
                              "[limits]\n"
                              "header_timeout_ms = 500\n"
                              "body_timeout_ms = 500\n"
                              "idle_timeout_ms = 500\n",
                              {"--no-rate-limits"})
                  .release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(server_ != nullptr && server_->ok()); }

  // Sends data one byte every 100 ms until the server closes the connection (or all is
  // sent). Returns how long the server took to close it, or nullopt if it never did.
  static std::optional<milliseconds> TrickleUntilClosed(RawConnection& c, const std::string& data) {
    const auto start = Clock::now();
    for (char ch : data) {
      if (!c.Send(std::string(1, ch)) || c.WaitClosed(milliseconds(100))) {
        return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      }
    }
    return std::nullopt;
  }

  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* ServerInputTimeoutTest::dir_ = nullptr;
ServerProcess* ServerInputTimeoutTest::server_ = nullptr;

TEST_F(ServerInputTimeoutTest, AClientSendingItsHeaderTooSlowlyIsDisconnected) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  // 60 bytes at 10 per second would take 6 s; the header deadline is 0.5 s.
  const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(20, 's') + "\r\n\r\n";
  auto closed_after = TrickleUntilClosed(c, request);
  ASSERT_TRUE(closed_after.has_value()) << "the server answered a header that took 6 s: " << c.received();
  EXPECT_GE(closed_after->count(), 400);
  EXPECT_LT(closed_after->count(), 2000);
  EXPECT_EQ(c.received().find("200 OK"), std::string::npos) << c.received();
  EXPECT_EQ(HttpClient(server_->port()).Get("/health").status, 200);
}

TEST_F(ServerInputTimeoutTest, AConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  const auto start = Clock::now();
  ASSERT_TRUE(c.WaitClosed(milliseconds(3000)));
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  EXPECT_GE(waited, 400);
  EXPECT_LT(waited, 2000);
}

TEST_F(ServerInputTimeoutTest, AClientSendingItsBodyTooSlowlyIsDisconnected) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /v1/cubes/slow/memories HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 60\r\n\r\n"));
  auto closed_after = TrickleUntilClosed(c, R"({"text":")" + std::string(49, 'b') + R"("})");
  ASSERT_TRUE(closed_after.has_value()) << c.received();
  EXPECT_LT(closed_after->count(), 2000);
  EXPECT_EQ(HttpClient(server_->port()).Get("/health").status, 200);
}

TEST_F(ServerInputTimeoutTest, AnIdleKeepAliveConnectionIsClosed) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  HttpResult first = c.Get("/health");
  ASSERT_EQ(first.status, 200) << Describe(first);
  EXPECT_NE(first.Header("connection"), "close");
  HttpResult second = c.Get("/health");  // the connection is reusable at first
  ASSERT_EQ(second.status, 200) << Describe(second);
  const auto start = Clock::now();
  ASSERT_TRUE(c.WaitClosed(milliseconds(3000))) << "an idle connection stayed open";
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  EXPECT_GE(waited, 400);
  EXPECT_LT(waited, 2000);
}

// ---------------------------------------------------------------------------------------------
// The connection limit: a server that allows 4 connections.

TEST(ServerInputConnectionLimitTest, AConnectionOverTheLimitGets503AndTheServerRecovers) {
  TempDir dir;
  auto server = StartWithConfig(dir.path(), "[limits]\nmax_connections = 4\n", {"--no-rate-limits"});
  ASSERT_TRUE(server->ok());
  std::vector<RawConnection> held;
  for (int i = 0; i < 4; ++i) {
    held.emplace_back(server->port());
    ASSERT_TRUE(held.back().connected());
    HttpResult r = held.back().Get("/health");
    ASSERT_EQ(r.status, 200) << "connection " << i << ": " << Describe(r);
  }
  RawConnection fifth(server->port());
  ASSERT_TRUE(fifth.connected());
  HttpResult refused = fifth.Get("/health");
  EXPECT_EQ(refused.status, 503) << Describe(refused);
  EXPECT_EQ(refused.ErrorCode(), "unavailable");
  EXPECT_GE(std::atoi(refused.Header("retry-after").c_str()), 1);
  EXPECT_TRUE(fifth.WaitClosed(milliseconds(2000)));
  EXPECT_EQ(HttpClient(server->port()).Get("/health").status, 503);

  // The held connections still work.
  for (auto& c : held) EXPECT_EQ(c.Get("/health").status, 200);

  // Closing one makes room again.
  held.pop_back();
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    RawConnection next(server->port());
    status = next.Get("/health").status;
    if (status != 200) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

// ---------------------------------------------------------------------------------------------
// Rate limits: the default tier allows bursts of 5 and 1 request per second; an address may
// fail authentication 3 times in a burst.

class ServerRateLimitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    server_ = StartWithConfig(dir_->path(),
                              "[rate_limits]\n"
                              "per_ip_per_minute = 60\n"
                              "per_ip_burst = 3\n"
                              "\n"
                              "[[rate_limits.tiers]]\n"
                              "name = \"default\"\n"
                              "requests_per_minute = 60\n"
                              "burst = 5\n")
                  .release();
    if (!server_->ok()) return;
    alice_ = new std::string(CreateKey(*server_, "alice"));
    bob_ = new std::string(CreateKey(*server_, "bob"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    delete alice_;
    delete bob_;
  }
  void SetUp() override { ASSERT_TRUE(server_ != nullptr && server_->ok() && alice_ != nullptr); }

  static void ExpectRateLimited(const HttpResult& r) {
    EXPECT_EQ(r.status, 429) << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "rate_limited");
    EXPECT_GE(std::atoi(r.Header("retry-after").c_str()), 1) << "Retry-After: '" << r.Header("retry-after") << "'";
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string* alice_;
  static std::string* bob_;
};
TempDir* ServerRateLimitTest::dir_ = nullptr;
ServerProcess* ServerRateLimitTest::server_ = nullptr;
std::string* ServerRateLimitTest::alice_ = nullptr;
std::string* ServerRateLimitTest::bob_ = nullptr;

TEST_F(ServerRateLimitTest, AKeyOverItsTierGets429WithRetryAfterAndRecovers) {
  HttpClient alice(server_->port(), *alice_);
  for (int i = 0; i < 5; ++i) {
    HttpResult r = alice.Get("/v1/cubes");
    ASSERT_EQ(r.status, 200) << "request " << i << " of the burst: " << Describe(r);
  }
  // The bucket is empty now; at most one token can have refilled meanwhile.
  HttpResult limited = alice.Get("/v1/cubes");
  if (limited.status == 200) limited = alice.Get("/v1/cubes");
  ExpectRateLimited(limited);
  EXPECT_LE(std::atoi(limited.Header("retry-after").c_str()), 2);
  // Writes are refused too, and nothing is written.
  HttpResult write = alice.Post("/v1/cubes/limited/memories", std::string(R"({"text":"over the limit"})"));
  EXPECT_EQ(write.status, 429) << Describe(write);

  // Another key has its own bucket.
  EXPECT_EQ(HttpClient(server_->port(), *bob_).Get("/v1/cubes").status, 200);

  // One token per second: after Retry-After the key works again.
  std::this_thread::sleep_for(std::chrono::seconds(std::atoi(limited.Header("retry-after").c_str())) + milliseconds(50));
  HttpResult recovered = alice.Get("/v1/cubes/limited");
  EXPECT_EQ(recovered.status, 404) << "recovered, and the refused write left no cube: " << Describe(recovered);
}

TEST_F(ServerRateLimitTest, RepeatedBadCredentialsFromOneAddressGet429) {
  HttpClient guesser(server_->port(), "memd_k_guessguessgue_guessguessguessguessguessguessguessguessguessguessguess");
  for (int i = 0; i < 3; ++i) {
    HttpResult r = guesser.Get("/v1/cubes");
    ASSERT_EQ(r.status, 401) << "attempt " << i << ": " << Describe(r);
  }
  HttpResult limited = guesser.Get("/v1/cubes");
  if (limited.status == 401) limited = guesser.Get("/v1/cubes");  // at most one token refilled
  ExpectRateLimited(limited);
  // Every unauthenticated request from the address is refused now, garbage tokens included.
  HttpResult anonymous = HttpClient(server_->port(), "not-a-token").Get("/v1/cubes");
  EXPECT_EQ(anonymous.status, 429) << Describe(anonymous);

  // A valid key is limited by its own tier, not by the address.
  EXPECT_EQ(HttpClient(server_->port(), *bob_).Get("/v1/cubes").status, 200);

  std::this_thread::sleep_for(std::chrono::seconds(std::atoi(limited.Header("retry-after").c_str())) + milliseconds(50));
  EXPECT_EQ(guesser.Get("/v1/cubes").status, 401);
}

}  // namespace
}  // namespace memd
