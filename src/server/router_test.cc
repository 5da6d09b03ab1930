#include "server/router.h"

#include <gtest/gtest.h>

#include <string>

namespace memd::server {
namespace {

Router<int> ExampleRouter() {
  Router<int> router;
  router.Add("GET", "/health", 1);
  router.Add("GET", "/v1/cubes/{project}", 2);
  router.Add("DELETE", "/v1/cubes/{project}", 3);
  router.Add("GET", "/v1/cubes/{project}/preferences/{category}", 4);
  router.Add("GET", "/v1/cubes/{project}/preferences/prompt", 5);
  router.Add("POST", "/v1/cubes/{project}/memories/{id}/restore", 6);
  return router;
}

TEST(RouterTest, MatchesLiteralRoutesAndDecodesParameters) {
  const Router<int> router = ExampleRouter();
  auto health = router.Find("GET", "/health");
  ASSERT_NE(health.route, nullptr);
  EXPECT_EQ(health.route->handler, 1);
  EXPECT_TRUE(health.params.empty());

  auto restore = router.Find("POST", "/v1/cubes/my%20notes/memories/01ABC/restore");
  ASSERT_NE(restore.route, nullptr);
  EXPECT_EQ(restore.route->handler, 6);
  EXPECT_EQ(restore.route->pattern, "/v1/cubes/{project}/memories/{id}/restore");
  EXPECT_EQ(restore.params, (PathParams{{"project", "my notes"}, {"id", "01ABC"}}));
}

TEST(RouterTest, LiteralSegmentsWinOverParameters) {
  const Router<int> router = ExampleRouter();
  auto prompt = router.Find("GET", "/v1/cubes/a/preferences/prompt");
  ASSERT_NE(prompt.route, nullptr);
  EXPECT_EQ(prompt.route->handler, 5);
  EXPECT_EQ(prompt.params, (PathParams{{"project", "a"}}));
  auto category = router.Find("GET", "/v1/cubes/a/preferences/style");
  ASSERT_NE(category.route, nullptr);
  EXPECT_EQ(category.route->handler, 4);
  EXPECT_EQ(category.params.at("category"), "style");
}

TEST(RouterTest, OtherMethodOnAKnownPathListsTheAllowedMethods) {
  const Router<int> router = ExampleRouter();
  auto match = router.Find("PUT", "/v1/cubes/a");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.path_exists);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "DELETE"}));
  EXPECT_TRUE(match.params.empty());
}

TEST(RouterTest, UnknownMalformedOrTooDeepPathsMatchNothing) {
  const Router<int> router = ExampleRouter();
  for (const std::string& path :
       {std::string("/nope"), std::string("/v1/cubes/a/"), std::string("/v1/cubes/%2F"),
        std::string("/v1/cubes/%zz"), std::string("/v1/cubes/a%2"), std::string("/v1/cubes/%00"),
        std::string("/v1/cubes/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q"), std::string("")}) {
    SCOPED_TRACE(path);
    auto match = router.Find("GET", path);
    EXPECT_EQ(match.route, nullptr);
    EXPECT_FALSE(match.path_exists);
  }
}

TEST(RouterTest, EmptySegmentsBetweenSlashesAreIgnored) {
  const Router<int> router = ExampleRouter();
  auto match = router.Find("GET", "//v1//cubes/a");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->handler, 2);
}

TEST(RouterTest, ShortPatternsStillMatchAfterManyMoreRoutesAreAdded) {
  // Patterns short enough for the small-string buffer move when the route list grows.
  Router<int> router;
  router.Add("GET", "/a/{x}", 0);
  for (int i = 1; i < 100; ++i) router.Add("GET", "/r" + std::to_string(i), i);
  auto first = router.Find("GET", "/a/1");
  ASSERT_NE(first.route, nullptr);
  EXPECT_EQ(first.route->handler, 0);
  EXPECT_EQ(first.params.at("x"), "1");
  auto last = router.Find("GET", "/r99");
  ASSERT_NE(last.route, nullptr);
  EXPECT_EQ(last.route->handler, 99);
}

}  // namespace
}  // namespace memd::server
