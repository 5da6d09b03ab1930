// The protocol core: lifecycle, version negotiation, JSON-RPC rules, batches, scopes,
// prompts and logging.
#include "mcp/server.h"

#include <gtest/gtest.h>

#include <set>

#include "mcp/jsonrpc.h"
#include "mcp/mcp_test_util.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;
using testing::McpTest;

class ServerTest : public McpTest {};

TEST_F(ServerTest, InitializeEchoesASupportedVersionAndDeclaresCapabilities) {
  for (const char* version : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
    Session session;
    json::value result = Initialize(session, alice_, version);
    EXPECT_EQ(result.at("protocolVersion").as_string(), version);
    EXPECT_EQ(session.protocol_version, version);
    EXPECT_TRUE(session.initialized);
    const json::object& caps = result.at("capabilities").as_object();
    EXPECT_TRUE(caps.contains("tools"));
    EXPECT_TRUE(caps.contains("resources"));
    EXPECT_TRUE(caps.contains("prompts"));
    EXPECT_TRUE(caps.contains("logging"));
    EXPECT_EQ(result.at("serverInfo").at("name").as_string(), "memd");
    EXPECT_NE(std::string(result.at("instructions").as_string()).find("'alpha'"), std::string::npos);
  }
}

TEST_F(ServerTest, InitializeAnswersAnUnknownVersionWithTheLatest) {
  Session session;
  json::value result = Initialize(session, alice_, "1999-01-01");
  EXPECT_EQ(result.at("protocolVersion").as_string(), "2025-11-25");
}

TEST_F(ServerTest, InitializeWithoutAProtocolVersionIsInvalidParams) {
  Session session;
  json::value r = Send(session, alice_, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_EQ(r.at("error").at("code").as_int64(), kInvalidParams);
  EXPECT_FALSE(session.started());
}

TEST_F(ServerTest, ASecondInitializeIsRefused) {
  Session session;
  Initialize(session, alice_);
  json::value r = Send(session, alice_,
                       R"({"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  EXPECT_EQ(r.at("error").at("code").as_int64(), kInvalidRequest);
  EXPECT_EQ(session.protocol_version, "2025-11-25");
}

TEST_F(ServerTest, RequestsBeforeInitializeAreRefusedButPingIsAnswered) {
  Session session;
  json::value ping = Send(session, alice_, R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
  EXPECT_EQ(json::serialize(ping), R"({"jsonrpc":"2.0","id":"p","result":{}})");
  json::value list = Send(session, alice_, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(list.at("error").at("code").as_int64(), kInvalidRequest);
}

TEST_F(ServerTest, UnknownMethodsAreMethodNotFoundWithTheIdEchoed) {
  Session session;
  Initialize(session, alice_);
  json::value numeric = Send(session, alice_, R"({"jsonrpc":"2.0","id":5,"method":"foo/bar"})");
  EXPECT_EQ(numeric.at("error").at("code").as_int64(), kMethodNotFound);
  EXPECT_TRUE(numeric.at("id").is_int64());
  json::value text = Send(session, alice_, R"({"jsonrpc":"2.0","id":"server-discover-probe-1","method":"server/discover"})");
  EXPECT_EQ(text.at("error").at("code").as_int64(), kMethodNotFound);
  EXPECT_EQ(text.at("id").as_string(), "server-discover-probe-1");
  for (const char* method : {"resources/subscribe", "completion/complete"}) {
    json::value r = Send(session, alice_, std::string(R"({"jsonrpc":"2.0","id":1,"method":")") + method + R"("})");
    EXPECT_EQ(r.at("error").at("code").as_int64(), kMethodNotFound) << method;
  }
}

TEST_F(ServerTest, TextThatIsNotJsonIsAParseErrorWithANullId) {
  Session session;
  Outcome outcome;
  json::value r = Send(session, alice_, R"({"jsonrpc":"2.0","id":1,"method":)", &outcome);
  EXPECT_EQ(r.at("error").at("code").as_int64(), kParseError);
  EXPECT_TRUE(r.at("id").is_null());
  EXPECT_TRUE(outcome.malformed);
}

TEST_F(ServerTest, NotificationsAndResponsesGetNoReply) {
  Session session;
  Initialize(session, alice_);
  Outcome outcome;
  EXPECT_TRUE(Send(session, alice_, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})",
                   &outcome)
                  .is_null());
  EXPECT_FALSE(outcome.malformed);
  EXPECT_TRUE(Send(session, alice_, R"({"jsonrpc":"2.0","id":3,"result":{}})").is_null());
  // A notification with malformed params is still not answered.
  EXPECT_TRUE(Send(session, alice_, R"({"jsonrpc":"2.0","method":"notifications/progress","params":[1]})").is_null());
}

TEST_F(ServerTest, BatchesAreRefusedFrom2025_06_18On) {
  Session session;
  Initialize(session, alice_, "2025-06-18");
  Outcome outcome;
  json::value r = Send(session, alice_, R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", &outcome);
  EXPECT_TRUE(outcome.malformed);
  EXPECT_EQ(r.at("error").at("code").as_int64(), kInvalidRequest);
  EXPECT_TRUE(r.at("id").is_null());
}

TEST_F(ServerTest, BatchesOf2025_03_26AnswerEachRequestInOneArray) {
  Session session;
  Initialize(session, alice_, "2025-03-26");
  json::value r = Send(session, alice_,
                       R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                           {"jsonrpc":"2.0","method":"notifications/initialized"},
                           {"jsonrpc":"2.0","id":"two","method":"nope"},
                           {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}},
                           {"bad":true}])");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.as_array().size(), 4u);
  EXPECT_EQ(r.at(0).at("id").as_int64(), 1);
  EXPECT_TRUE(r.at(0).as_object().contains("result"));
  EXPECT_EQ(r.at(1).at("error").at("code").as_int64(), kMethodNotFound);
  EXPECT_EQ(r.at(2).at("error").at("code").as_int64(), kInvalidRequest);  // initialize in a batch
  EXPECT_EQ(r.at(3).at("error").at("code").as_int64(), kInvalidRequest);
  // Only notifications: nothing to send.
  EXPECT_TRUE(Send(session, alice_, R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])").is_null());
  EXPECT_EQ(Send(session, alice_, "[]").at("error").at("code").as_int64(), kInvalidRequest);
}

TEST_F(ServerTest, ToolsListDescribesEveryToolForAModel) {
  Session session;
  Initialize(session, alice_);
  json::value r = Send(session, alice_, R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}})");
  const json::array& tools = r.at("result").at("tools").as_array();
  EXPECT_GE(tools.size(), 13u);
  std::set<std::string> names;
  for (const json::value& t : tools) {
    const std::string name(t.at("name").as_string());
    names.insert(name);
    EXPECT_TRUE(!name.empty() && name.size() <= 128 &&
                name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
                    std::string::npos)
        << name;
    EXPECT_GT(t.at("description").as_string().size(), 40u) << name;
    EXPECT_EQ(t.at("inputSchema").at("type").as_string(), "object") << name;
    EXPECT_EQ(t.at("outputSchema").at("type").as_string(), "object") << name;
    const json::object& annotations = t.at("annotations").as_object();
    for (const char* hint : {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}) {
      EXPECT_TRUE(annotations.at(hint).is_bool()) << name << " " << hint;
    }
    // A read-only tool is never destructive.
    if (annotations.at("readOnlyHint").as_bool()) {
      EXPECT_FALSE(annotations.at("destructiveHint").as_bool()) << name;
    }
  }
  for (const char* expected : {"add_memory", "search_memories", "get_memory", "update_memory", "delete_memory",
                               "restore_memory", "list_memories", "memory_history", "set_preference",
                               "list_preferences", "delete_preference", "get_context", "list_projects"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
  EXPECT_EQ(names.size(), tools.size()) << "tool names must be unique";
  json::value paged = Send(session, alice_, R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"x"}})");
  EXPECT_EQ(paged.at("error").at("code").as_int64(), kInvalidParams);
}

TEST_F(ServerTest, UnknownToolIsInvalidParams) {
  json::value r = CallTool(alice_, "test_error_handling", json::object());
  EXPECT_EQ(r.at("error").at("code").as_int64(), kInvalidParams);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("test_error_handling"), std::string::npos);
}

TEST_F(ServerTest, AToolNeedingAMissingScopeIsRefusedAndReportsTheScope) {
  Identity reader = alice_;
  reader.scopes = {Scope::kRead};
  Outcome outcome;
  json::value r = CallTool(reader, "add_memory", json::object{{"text", "x"}}, &outcome);
  EXPECT_EQ(r.at("error").at("code").as_int64(), kForbidden);
  ASSERT_TRUE(outcome.missing_scope.has_value());
  EXPECT_EQ(*outcome.missing_scope, Scope::kWrite);
  // Reading still works, and nothing was written.
  EXPECT_TRUE(Structured(reader, "list_memories", json::object()).at("memories").as_array().empty());

  Identity writer = alice_;
  writer.scopes = {Scope::kWrite};
  Outcome read_outcome;
  CallTool(writer, "search_memories", json::object{{"query", "x"}}, &read_outcome);
  ASSERT_TRUE(read_outcome.missing_scope.has_value());
  EXPECT_EQ(*read_outcome.missing_scope, Scope::kRead);
  Session session;
  Initialize(session, writer);
  Outcome resource_outcome;
  Send(session, writer, R"({"jsonrpc":"2.0","id":1,"method":"resources/list"})", &resource_outcome);
  EXPECT_EQ(resource_outcome.missing_scope, Scope::kRead);
}

TEST_F(ServerTest, AnIdentityWithoutAValidUserIsRefusedEverything) {
  Identity nobody;
  nobody.user = "";
  Session session;
  json::value r = Send(session, nobody,
                       R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  EXPECT_EQ(r.at("error").at("code").as_int64(), kInternalError);
}

TEST_F(ServerTest, PromptsRecallWhatTheProjectRemembers) {
  Structured(alice_, "add_memory", json::object{{"text", "Release builds use -O2 and LTO."}});
  Session session;
  Initialize(session, alice_);
  json::value list = Send(session, alice_, R"({"jsonrpc":"2.0","id":1,"method":"prompts/list"})");
  ASSERT_EQ(list.at("result").at("prompts").as_array().size(), 2u);
  json::value recall = Send(
      session, alice_,
      R"({"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"recall","arguments":{"task":"release builds"}}})");
  const std::string text(recall.at("result").at("messages").at(0).at("content").at("text").as_string());
  EXPECT_NE(text.find("-O2 and LTO"), std::string::npos) << text;
  json::value remember =
      Send(session, alice_, R"({"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"remember"}})");
  EXPECT_EQ(remember.at("result").at("messages").at(0).at("role").as_string(), "user");
  json::value missing =
      Send(session, alice_, R"({"jsonrpc":"2.0","id":4,"method":"prompts/get","params":{"name":"recall"}})");
  EXPECT_EQ(missing.at("error").at("code").as_int64(), kInvalidParams);
  json::value unknown =
      Send(session, alice_, R"({"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"nope"}})");
  EXPECT_EQ(unknown.at("error").at("code").as_int64(), kInvalidParams);
}

TEST_F(ServerTest, LoggingSetLevelAcceptsTheEightLevelsOnly) {
  Session session;
  Initialize(session, alice_);
  json::value ok = Send(session, alice_,
                        R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"warning"}})");
  EXPECT_EQ(json::serialize(ok.at("result")), "{}");
  EXPECT_EQ(session.log_level, "warning");
  json::value bad = Send(session, alice_,
                         R"({"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"loud"}})");
  EXPECT_EQ(bad.at("error").at("code").as_int64(), kInvalidParams);
}

}  // namespace
}  // namespace memd::mcp
