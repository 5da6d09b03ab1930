// Integration tests of the OpenAPI document (docs/openapi.json, served at /openapi.json):
// it is what the server serves, it is sound OpenAPI 3.1, it lists exactly the routes the
// server registers, and its security and x-memd-scope say what the server enforces.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "memd/engine.h"
#include "server/api.h"
#include "server/openapi_document.h"
#include "server_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::ServerProcess;

using RouteSet = std::set<std::pair<std::string, std::string>>;  // (METHOD, path pattern)

// One operation of the document.
struct Operation {
  std::string method;  // upper case
  std::string path;
  const json::object* op = nullptr;
  const json::object* path_item = nullptr;
};

std::string Describe(const HttpResult& r) { return "status " + std::to_string(r.status) + " " + r.error + "\n" + r.body; }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::vector<Operation> OperationsOf(const json::object& doc) {
  static const char* kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::vector<Operation> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const char* method : kMethods) {
      if (const json::value* op = item.as_object().if_contains(method)) {
        out.push_back(Operation{Upper(method), std::string(path), &op->as_object(), &item.as_object()});
      }
    }
  }
  return out;
}

RouteSet DocumentedRoutes(const json::object& doc) {
  RouteSet out;
  for (const Operation& op : OperationsOf(doc)) out.emplace(op.method, op.path);
  return out;
}

// The routes memd::server::Api registers, from an Api over an engine in a fresh directory.
RouteSet RegisteredRoutes(const std::string& dir) {
  EngineOptions engine_options;
  engine_options.data_dir = dir;
  auto engine = Engine::Open(engine_options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  if (!engine.ok()) return {};
  server::ApiOptions api_options;
  api_options.data_dir = dir;
  api_options.worker_threads = 1;
  RouteSet out;
  {
    server::Api api(**engine, api_options);
    for (auto& route : api.Routes()) out.insert(std::move(route));
  }
  return out;
}

// "GET /x" lines of the routes in a but not in b.
std::string Missing(const RouteSet& a, const RouteSet& b) {
  std::string out;
  for (const auto& route : a) {
    if (!b.count(route)) out += "  " + route.first + " " + route.second + "\n";
  }
  return out;
}

// Resolves a local reference "#/a/b/c" (JSON Pointer without escapes, which the document
// does not need); null if it does not resolve.
const json::value* Resolve(const json::value& doc, std::string_view ref) {
  if (ref.substr(0, 2) != "#/") return nullptr;
  const json::value* at = &doc;
  std::string_view rest = ref.substr(2);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view token = rest.substr(0, slash);
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(token);
    if (at == nullptr) return nullptr;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return at;
}

// Every "$ref" string anywhere under v that does not resolve within doc.
void CollectBrokenRefs(const json::value& doc, const json::value& v, std::vector<std::string>* broken) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if (key == "$ref" && child.is_string()) {
        if (Resolve(doc, child.as_string()) == nullptr) broken->emplace_back(child.as_string());
      } else {
        CollectBrokenRefs(doc, child, broken);
      }
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) CollectBrokenRefs(doc, child, broken);
  }
}

// A parameter object, following one $ref.
const json::object& ParameterOf(const json::value& doc, const json::value& p) {
  if (const json::value* ref = p.as_object().if_contains("$ref")) return Resolve(doc, ref->as_string())->as_object();
  return p.as_object();
}

// The names of the in:path parameters of an operation (path-level and operation-level).
std::set<std::string> PathParameters(const json::value& doc, const Operation& op) {
  std::set<std::string> out;
  for (const json::object* holder : {op.path_item, op.op}) {
    if (const json::value* params = holder->if_contains("parameters")) {
      for (const auto& p : params->as_array()) {
        const json::object& param = ParameterOf(doc, p);
        if (param.at("in") == "path") out.emplace(param.at("name").as_string());
      }
    }
  }
  return out;
}

// The {names} of a path template.
std::set<std::string> TemplateNames(const std::string& path) {
  std::set<std::string> out;
  std::size_t open = path.find('{');
  while (open != std::string::npos) {
    const std::size_t close = path.find('}', open);
    out.insert(path.substr(open + 1, close - open - 1));
    open = path.find('{', close);
  }
  return out;
}

// A concrete request target for a path template (syntactically valid values).
std::string Instantiate(std::string path) {
  const std::pair<const char*, const char*> kValues[] = {
      {"{project}", "proj"},  {"{id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"{category}", "style"},
      {"{key}", "docstring"}, {"{user}", "someone"},                   {"{key_id}", "k_aaaaaaaaaaaa"}};
  for (const auto& [name, value] : kValues) {
    for (std::size_t at = path.find(name); at != std::string::npos; at = path.find(name)) {
      path.replace(at, std::string_view(name).size(), value);
    }
  }
  return path;
}

bool IsPublic(const Operation& op) {
  const json::value* security = op.op->if_contains("security");
  return security != nullptr && security->as_array().empty();
}

class ServerOpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/memd-openapi-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    server_ = new ServerProcess(*dir_, {"--no-rate-limits"});
    ASSERT_TRUE(server_->ok()) << server_->startup_error();
    ASSERT_FALSE(server_->admin_key().empty());
    served_ = new HttpResult(HttpClient(server_->port()).Get("/openapi.json"));
  }
  static void TearDownTestSuite() {
    delete served_;
    delete server_;
    RemoveAll(*dir_).IgnoreError();
    delete dir_;
  }

  // The served document, parsed; fails the test if it is not a JSON object.
  static json::value Document() {
    json::value doc = served_->Json();
    EXPECT_TRUE(doc.is_object()) << "GET /openapi.json is not a JSON object: " << Describe(*served_);
    return doc.is_object() ? doc : json::value(json::object{{"paths", json::object()}});
  }

  // A credential of the server's user "scoped" with exactly these scopes.
  static std::string KeyWith(const json::array& scopes) {
    HttpClient admin(server_->port(), server_->admin_key());
    HttpResult r = admin.Post("/v1/keys", json::value{{"user", "scoped"}, {"scopes", scopes}});
    EXPECT_EQ(r.status, 201) << Describe(r);
    const json::value v = r.Json();
    return v.is_object() && v.as_object().contains("secret") ? std::string(v.at("secret").as_string()) : "";
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static HttpResult* served_;
};
std::string* ServerOpenApiTest::dir_ = nullptr;
ServerProcess* ServerOpenApiTest::server_ = nullptr;
HttpResult* ServerOpenApiTest::served_ = nullptr;

TEST_F(ServerOpenApiTest, ServesAnOpenApi310DocumentWithoutCredentials) {
  ASSERT_EQ(served_->status, 200) << Describe(*served_);
  EXPECT_EQ(served_->Header("content-type"), "application/json");
  const json::value doc = Document();
  ASSERT_TRUE(doc.as_object().contains("openapi"));
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
  EXPECT_EQ(served_->body, server::kOpenApiDocument) << "the binary and the test embed different documents";
}

TEST_F(ServerOpenApiTest, ServedDocumentIsDocsOpenApiJson) {
  // __FILE__ is this file's absolute path under CMake; docs/ is beside tests/.
  std::string source = __FILE__;
  source = source.substr(0, source.rfind('/')) + "/../docs/openapi.json";
  auto text = ReadFile(source);
  if (!text.ok()) GTEST_SKIP() << "source tree not available: " << text.status().ToString();
  EXPECT_TRUE(served_->body == *text) << source << " differs from GET /openapi.json; rebuild memd";
}

TEST_F(ServerOpenApiTest, DocumentsExactlyTheRegisteredRoutes) {
  const RouteSet documented = DocumentedRoutes(Document().as_object());
  const RouteSet registered = RegisteredRoutes(*dir_ + "/routes-engine");
  ASSERT_FALSE(registered.empty());
  EXPECT_TRUE(documented == registered) << "registered but not in docs/openapi.json:\n"
                                    << Missing(registered, documented)
                                    << "in docs/openapi.json but not registered:\n"
                                    << Missing(documented, registered);
}

TEST_F(ServerOpenApiTest, ReferencesResolveAndPathParametersAreDeclared) {
  const json::value doc = Document();
  std::vector<std::string> broken;
  CollectBrokenRefs(doc, doc, &broken);
  EXPECT_TRUE(broken.empty()) << "unresolved $ref: " << json::serialize(json::value_from(broken));

  std::set<std::string> operation_ids;
  for (const Operation& op : OperationsOf(doc.as_object())) {
    SCOPED_TRACE(op.method + " " + op.path);
    EXPECT_EQ(PathParameters(doc, op), TemplateNames(op.path));
    ASSERT_TRUE(op.op->contains("operationId"));
    EXPECT_TRUE(operation_ids.insert(std::string(op.op->at("operationId").as_string())).second) << "duplicate operationId";
    const json::object& responses = op.op->at("responses").as_object();
    EXPECT_TRUE(responses.contains("500"));
    if (!IsPublic(op)) {
      EXPECT_TRUE(responses.contains("401"));
      EXPECT_TRUE(responses.contains("403"));
      EXPECT_TRUE(op.op->contains("x-memd-scope"));
    }
  }
}

TEST_F(ServerOpenApiTest, DocumentedSecurityIsWhatTheServerEnforces) {
  const json::value doc = Document();
  HttpClient anonymous(server_->port());
  for (const Operation& op : OperationsOf(doc.as_object())) {
    SCOPED_TRACE(op.method + " " + op.path);
    HttpResult r = anonymous.Request(op.method, Instantiate(op.path));
    ASSERT_NE(r.status, 0) << r.error;
    if (IsPublic(op)) {
      EXPECT_NE(r.status, 401) << Describe(r);
    } else {
      EXPECT_EQ(r.status, 401) << Describe(r);
      EXPECT_EQ(r.ErrorCode(), "unauthenticated");
      EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"memd\"");
    }
  }
}

TEST_F(ServerOpenApiTest, DocumentedScopesAreWhatTheServerEnforces) {
  const json::value doc = Document();
  // For each scope, a credential holding every scope but that one (admin implies the others).
  HttpClient lacking_read(server_->port(), KeyWith(json::array{"write"}));
  HttpClient lacking_write(server_->port(), KeyWith(json::array{"read"}));
  HttpClient lacking_admin(server_->port(), KeyWith(json::array{"read", "write"}));
  for (const Operation& op : OperationsOf(doc.as_object())) {
    if (IsPublic(op)) continue;
    SCOPED_TRACE(op.method + " " + op.path);
    const std::string scope(op.op->at("x-memd-scope").as_string());
    HttpClient* client = scope == "read" ? &lacking_read : scope == "write" ? &lacking_write : &lacking_admin;
    ASSERT_TRUE(scope == "read" || scope == "write" || scope == "admin") << scope;
    HttpResult r = client->Request(op.method, Instantiate(op.path));
    EXPECT_EQ(r.status, 403) << Describe(r);
    EXPECT_EQ(r.ErrorCode(), "permission_denied");
    EXPECT_NE(r.body.find("'" + scope + "' scope"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace memd
