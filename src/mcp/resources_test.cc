#include "mcp/resources.h"

#include <gtest/gtest.h>

#include <set>

#include "mcp/jsonrpc.h"
#include "mcp/mcp_test_util.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;
using testing::McpTest;

class ResourcesTest : public McpTest {};

TEST(ResourceUriTest, RoundTripsMemoryAndPreferenceUris) {
  auto memory = ParseResourceUri(MemoryUri("team@corp", "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(memory->project, "team@corp");
  EXPECT_EQ(memory->memory_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(MemoryUri("team@corp", "X"), "memory://team%40corp/memories/X");
  auto preferences = ParseResourceUri(PreferencesUri("alpha"));
  ASSERT_TRUE(preferences.ok());
  EXPECT_EQ(preferences->project, "alpha");
  EXPECT_TRUE(preferences->memory_id.empty());
}

TEST(ResourceUriTest, RejectsOtherUris) {
  for (const char* uri : {"file:///etc/passwd", "memory://", "memory:///memories/x", "memory://a/b", "memory://a/memories/",
                          "memory://a/memories/x/y", "memory://a%2fb/preferences", "memory://a/preferences/x"}) {
    auto parsed = ParseResourceUri(uri);
    EXPECT_FALSE(parsed.ok()) << uri;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().field(), "uri");
    }
  }
}

TEST_F(ResourcesTest, ListVisitsEveryProjectsPreferencesAndMemoriesOncePageByPage) {
  std::set<std::string> expected;
  for (const char* project : {"alpha", "beta"}) {
    expected.insert(PreferencesUri(project));
    for (int i = 0; i < 3; ++i) {
      json::object added = Structured(alice_, "add_memory",
                                      json::object{{"text", std::string(project) + " memory " + std::to_string(i)},
                                                   {"project", project}});
      expected.insert(MemoryUri(project, std::string(added.at("id").as_string())));
    }
  }
  Structured(bob_, "add_memory", json::object{{"text", "bob's"}});
  for (int page_size : {1, 2, 3, 4, 100}) {
    std::set<std::string> seen;
    std::string cursor;
    for (int pages = 0; pages < 50; ++pages) {
      auto page = ListResources(*engine_, alice_, cursor, page_size);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_LE(page->at("resources").as_array().size(), static_cast<std::size_t>(page_size));
      for (const json::value& r : page->at("resources").as_array()) {
        EXPECT_TRUE(seen.insert(std::string(r.at("uri").as_string())).second) << "listed twice: " << r.at("uri");
        EXPECT_FALSE(r.at("name").as_string().empty());
      }
      if (!page->contains("nextCursor")) break;
      cursor = std::string(page->at("nextCursor").as_string());
    }
    EXPECT_EQ(seen, expected) << "page size " << page_size;
  }
  EXPECT_FALSE(ListResources(*engine_, alice_, "nope/x", 10).ok());
}

TEST_F(ResourcesTest, ReadReturnsTheMemoryOrThePreferencesAsJson) {
  const std::string id(Structured(alice_, "add_memory", json::object{{"text", "read me"}}).at("id").as_string());
  Structured(alice_, "set_preference", json::object{{"category", "c"}, {"key", "k"}, {"value", true}});
  Session session;
  Initialize(session, alice_);
  json::value read = Send(session, alice_,
                          R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":")" + MemoryUri("alpha", id) +
                              R"("}})");
  const json::value& content = read.at("result").at("contents").at(0);
  EXPECT_EQ(content.at("mimeType").as_string(), "application/json");
  EXPECT_EQ(json::parse(content.at("text").as_string()).at("text").as_string(), "read me");
  json::value prefs = Send(session, alice_,
                           R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"memory://alpha/preferences"}})");
  json::value body = json::parse(prefs.at("result").at("contents").at(0).at("text").as_string());
  EXPECT_EQ(body.at("preferences").at(0).at("value").as_bool(), true);
  json::value templates = Send(session, alice_, R"({"jsonrpc":"2.0","id":3,"method":"resources/templates/list"})");
  EXPECT_EQ(templates.at("result").at("resourceTemplates").as_array().size(), 2u);
}

TEST_F(ResourcesTest, AnotherUsersMemoryIsNotFoundAndBadUrisAreInvalidParams) {
  const std::string id(Structured(alice_, "add_memory", json::object{{"text", "private"}}).at("id").as_string());
  Session session;
  Initialize(session, bob_);
  json::value read = Send(session, bob_,
                          R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":")" + MemoryUri("alpha", id) +
                              R"("}})");
  EXPECT_EQ(read.at("error").at("code").as_int64(), kResourceNotFound);
  EXPECT_EQ(read.at("error").at("message").as_string().find("private"), std::string::npos);
  json::value listed = Send(session, bob_, R"({"jsonrpc":"2.0","id":2,"method":"resources/list"})");
  EXPECT_TRUE(listed.at("result").at("resources").as_array().empty());
  json::value bad = Send(session, bob_,
                         R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"file:///etc/passwd"}})");
  EXPECT_EQ(bad.at("error").at("code").as_int64(), kInvalidParams);
  json::value missing = Send(session, bob_, R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{}})");
  EXPECT_EQ(missing.at("error").at("code").as_int64(), kInvalidParams);
}

}  // namespace
}  // namespace memd::mcp
