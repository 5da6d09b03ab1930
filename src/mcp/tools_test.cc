// The tools: results, structured content, argument errors a model can act on, and isolation.
#include <gtest/gtest.h>

#include "mcp/mcp_test_util.h"
#include "util/json.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;
using testing::McpTest;

class ToolsTest : public McpTest {};

bool Contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST_F(ToolsTest, AResultCarriesStructuredContentAndTheSameJsonAsText) {
  json::value r = CallTool(alice_, "add_memory", json::object{{"text", "The CI runs ninja -j2."}, {"tags", json::array{"ci"}}});
  ASSERT_FALSE(r.at("isError").as_bool());
  const json::object& structured = r.at("structuredContent").as_object();
  EXPECT_EQ(structured.at("project").as_string(), "alpha");
  EXPECT_FALSE(structured.at("deduplicated").as_bool());
  const json::value& block = r.at("content").at(0);
  EXPECT_EQ(block.at("type").as_string(), "text");
  EXPECT_EQ(json::parse(block.at("text").as_string()), json::value(structured));
}

TEST_F(ToolsTest, AddSearchGetUpdateDeleteRestoreAndHistoryWorkTogether) {
  const std::string id(Structured(alice_, "add_memory",
                                  json::object{{"text", "Integration tests need the memd binary built first."},
                                               {"kind", "fact"},
                                               {"metadata", json::object{{"area", "tests"}}}})
                           .at("id")
                           .as_string());
  // The same memory again is deduplicated.
  json::object again =
      Structured(alice_, "add_memory",
                 json::object{{"text", "Integration tests need the memd binary built first."},
                              {"kind", "fact"},
                              {"metadata", json::object{{"area", "tests"}}}});
  EXPECT_TRUE(again.at("deduplicated").as_bool());
  EXPECT_EQ(again.at("id").as_string(), id);

  json::object found = Structured(alice_, "search_memories", json::object{{"query", "integration tests binary"}});
  ASSERT_EQ(found.at("results").as_array().size(), 1u);
  EXPECT_EQ(found.at("results").at(0).at("id").as_string(), id);
  EXPECT_EQ(found.at("results").at(0).at("project").as_string(), "alpha");

  json::object got = Structured(alice_, "get_memory", json::object{{"id", id}});
  EXPECT_EQ(got.at("metadata").at("area").as_string(), "tests");
  EXPECT_EQ(got.at("version").as_int64(), 1);

  json::object updated = Structured(alice_, "update_memory",
                                    json::object{{"id", id}, {"tags", json::array{"tests"}}, {"expected_version", 1}});
  EXPECT_EQ(updated.at("version").as_int64(), 2);
  EXPECT_EQ(updated.at("tags").at(0).as_string(), "tests");
  EXPECT_TRUE(Contains(ToolError(alice_, "update_memory", json::object{{"id", id}, {"text", "x"}, {"expected_version", 1}}),
                       "conflict"));

  EXPECT_TRUE(Structured(alice_, "delete_memory", json::object{{"id", id}}).at("deleted").as_bool());
  EXPECT_TRUE(Structured(alice_, "search_memories", json::object{{"query", "integration tests binary"}})
                  .at("results")
                  .as_array()
                  .empty());
  EXPECT_FALSE(Structured(alice_, "restore_memory", json::object{{"id", id}}).at("deleted").as_bool());

  json::object history = Structured(alice_, "memory_history", json::object{{"id", id}});
  std::vector<std::string> operations;
  for (const json::value& e : history.at("history").as_array()) operations.emplace_back(e.at("operation").as_string());
  EXPECT_EQ(operations, (std::vector<std::string>{"create", "update", "delete", "restore"}));
}

TEST_F(ToolsTest, ListPagesThroughMemoriesWithACursor) {
  for (int i = 0; i < 5; ++i) {
    Structured(alice_, "add_memory", json::object{{"text", "memory number " + std::to_string(i)}, {"kind", i < 3 ? "fact" : "note"}});
  }
  std::vector<std::string> seen;
  json::value cursor = nullptr;
  for (int pages = 0; pages < 10; ++pages) {
    json::object args{{"limit", 2}};
    if (!cursor.is_null()) args["cursor"] = cursor;
    json::object page = Structured(alice_, "list_memories", args);
    for (const json::value& m : page.at("memories").as_array()) seen.emplace_back(m.at("text").as_string());
    cursor = page.at("next_cursor");
    if (cursor.is_null()) break;
  }
  EXPECT_EQ(seen.size(), 5u);
  json::object facts = Structured(
      alice_, "list_memories", json::object{{"filter", json::object{{"field", "kind"}, {"op", "eq"}, {"value", "fact"}}}});
  EXPECT_EQ(facts.at("memories").as_array().size(), 3u);
}

TEST_F(ToolsTest, ReadsOfAProjectWithNoMemoryYetAreEmptyNotErrors) {
  EXPECT_TRUE(Structured(alice_, "search_memories", json::object{{"query", "anything"}}).at("results").as_array().empty());
  EXPECT_TRUE(Structured(alice_, "list_memories", json::object()).at("memories").as_array().empty());
  EXPECT_TRUE(Structured(alice_, "list_preferences", json::object()).at("preferences").as_array().empty());
  json::object context = Structured(alice_, "get_context", json::object{{"query", "anything"}});
  EXPECT_EQ(context.at("text").as_string(), "");
  EXPECT_EQ(context.at("tokens").as_int64(), 0);
  // A search over several projects covers the ones that exist.
  Structured(alice_, "add_memory", json::object{{"text", "beta uses meson"}, {"project", "beta"}});
  json::object both = Structured(alice_, "search_memories",
                                 json::object{{"query", "meson"}, {"projects", json::array{"alpha", "beta"}}});
  ASSERT_EQ(both.at("results").as_array().size(), 1u);
  EXPECT_EQ(both.at("results").at(0).at("project").as_string(), "beta");
}

TEST_F(ToolsTest, PreferencesAreSetListedUsedInContextAndDeleted) {
  json::object set = Structured(alice_, "set_preference",
                                json::object{{"category", "style"}, {"key", "docstrings"}, {"value", "Google style"}});
  EXPECT_EQ(set.at("value").as_string(), "Google style");
  Structured(alice_, "set_preference", json::object{{"category", "review"}, {"key", "max_lines"}, {"value", 400}});
  json::object list = Structured(alice_, "list_preferences", json::object{{"category", "style"}});
  ASSERT_EQ(list.at("preferences").as_array().size(), 1u);
  json::object context = Structured(alice_, "get_context", json::object{{"query", "write a function"}});
  EXPECT_TRUE(Contains(std::string(context.at("text").as_string()), "Google style"));
  EXPECT_EQ(context.at("preferences").as_int64(), 2);
  EXPECT_TRUE(Structured(alice_, "delete_preference", json::object{{"category", "style"}, {"key", "docstrings"}})
                  .at("deleted")
                  .as_bool());
  EXPECT_EQ(Structured(alice_, "list_preferences", json::object()).at("preferences").as_array().size(), 1u);
}

TEST_F(ToolsTest, ListProjectsNamesTheCurrentProjectAndOnlyTheCallersCubes) {
  Structured(alice_, "add_memory", json::object{{"text", "a"}});
  Structured(alice_, "add_memory", json::object{{"text", "b"}, {"project", "beta"}});
  Structured(bob_, "add_memory", json::object{{"text", "bob's"}, {"project", "secret"}});
  json::object projects = Structured(alice_, "list_projects", json::object());
  EXPECT_EQ(projects.at("current_project").as_string(), "alpha");
  std::vector<std::string> names;
  for (const json::value& p : projects.at("projects").as_array()) names.emplace_back(p.at("project").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "beta"}));
}

TEST_F(ToolsTest, BadArgumentsComeBackAsErrorsThatSayWhatToFix) {
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"txt", "x"}}), "unknown argument 'txt'"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"kind", "fact"}}), "missing required argument 'text'"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", ""}}), "text"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", "x"}, {"tags", "ci"}}), "tags"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", "x"}, {"metadata", "m"}}), "metadata"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", "x"}, {"project", "no/slash"}}), "project"));
  std::string top_k = ToolError(alice_, "search_memories", json::object{{"query", "x"}, {"top_k", 0}});
  EXPECT_TRUE(Contains(top_k, "top_k")) << top_k;
  EXPECT_TRUE(Contains(top_k, "Fix the arguments")) << top_k;
  EXPECT_TRUE(Contains(ToolError(alice_, "search_memories", json::object{{"query", "x"}, {"mode", "fuzzy"}}), "mode"));
  Structured(alice_, "add_memory", json::object{{"text", "something"}});
  std::string filter = ToolError(
      alice_, "search_memories",
      json::object{{"query", "x"}, {"filter", json::object{{"field", "colour"}, {"op", "eq"}, {"value", 1}}}});
  EXPECT_TRUE(Contains(filter, "filter")) << filter;
  EXPECT_TRUE(Contains(ToolError(alice_, "get_memory", json::object{{"id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}), "not_found"));
  EXPECT_TRUE(Contains(ToolError(alice_, "update_memory", json::object{{"id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}),
                       "nothing to update"));
  EXPECT_TRUE(Contains(ToolError(alice_, "get_context", json::object{{"query", "x"}, {"token_budget", 1}}), "token_budget"));
  EXPECT_TRUE(Contains(ToolError(alice_, "list_memories", json::object{{"limit", 5000}}), "limit"));
  EXPECT_TRUE(Contains(ToolError(alice_, "list_projects", json::object{{"x", 1}}), "takes no arguments"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", "x"}, {"idempotency_key", "has space"}}),
                       "idempotency_key"));
  json::value not_object = CallTool(alice_, "list_memories", json::array{1});
  EXPECT_TRUE(not_object.at("isError").as_bool());
}

TEST_F(ToolsTest, AnIdempotencyKeyMakesARetryReturnTheFirstResult) {
  json::object first = Structured(alice_, "add_memory", json::object{{"text", "retry me"}, {"idempotency_key", "k-1"}});
  json::object second = Structured(alice_, "add_memory", json::object{{"text", "retry me"}, {"idempotency_key", "k-1"}});
  EXPECT_EQ(first.at("id"), second.at("id"));
  EXPECT_TRUE(Contains(ToolError(alice_, "add_memory", json::object{{"text", "other"}, {"idempotency_key", "k-1"}}),
                       "conflict"));
}

TEST_F(ToolsTest, AUserCannotReachAnotherUsersMemoryThroughAnyTool) {
  const std::string id(Structured(alice_, "add_memory", json::object{{"text", "alice's deploy password hint"}})
                           .at("id")
                           .as_string());
  // bob uses the same project name: a different cube.
  EXPECT_TRUE(Contains(ToolError(bob_, "get_memory", json::object{{"id", id}}), "not_found"));
  EXPECT_TRUE(Contains(ToolError(bob_, "update_memory", json::object{{"id", id}, {"text", "x"}}), "not_found"));
  EXPECT_TRUE(Contains(ToolError(bob_, "delete_memory", json::object{{"id", id}}), "not_found"));
  EXPECT_TRUE(Contains(ToolError(bob_, "memory_history", json::object{{"id", id}}), "not_found"));
  EXPECT_TRUE(Structured(bob_, "search_memories", json::object{{"query", "deploy password"}}).at("results").as_array().empty());
  EXPECT_TRUE(Structured(bob_, "list_memories", json::object()).at("memories").as_array().empty());
  EXPECT_EQ(Structured(bob_, "get_context", json::object{{"query", "deploy password"}}).at("text").as_string(), "");
  EXPECT_TRUE(Structured(bob_, "list_projects", json::object()).at("projects").as_array().empty());
  // alice's memory is untouched.
  EXPECT_EQ(Structured(alice_, "get_memory", json::object{{"id", id}}).at("version").as_int64(), 1);
}

TEST_F(ToolsTest, AnIdentityLimitedToProjectsCannotUseOthers) {
  Identity limited = alice_;
  limited.projects = {"alpha"};
  Structured(alice_, "add_memory", json::object{{"text", "beta secret"}, {"project", "beta"}});
  std::string denied = ToolError(limited, "search_memories", json::object{{"query", "secret"}, {"project", "beta"}});
  EXPECT_TRUE(Contains(denied, "permission_denied")) << denied;
  EXPECT_TRUE(Contains(ToolError(limited, "search_memories", json::object{{"query", "secret"}, {"projects", json::array{"alpha", "beta"}}}),
                       "permission_denied"));
  EXPECT_TRUE(Contains(ToolError(limited, "add_memory", json::object{{"text", "x"}, {"project", "beta"}}),
                       "permission_denied"));
  json::object projects = Structured(limited, "list_projects", json::object());
  for (const json::value& p : projects.at("projects").as_array()) EXPECT_EQ(p.at("project").as_string(), "alpha");
}

}  // namespace
}  // namespace memd::mcp
