#include "mcp/session_store.h"

#include <gtest/gtest.h>

#include <set>

namespace memd::mcp {
namespace {

using Clock = std::chrono::steady_clock;

class SessionStoreTest : public ::testing::Test {
 protected:
  SessionStore::Options Options(std::size_t max = 100) {
    SessionStore::Options options;
    options.max_sessions = max;
    options.idle_timeout = std::chrono::seconds(60);
    options.clock = [this] { return now_; };
    return options;
  }
  Clock::time_point now_ = Clock::time_point() + std::chrono::hours(1);
};

TEST_F(SessionStoreTest, IdsAreUniqueVisibleAsciiAndBoundToTheirOwner) {
  SessionStore store(Options());
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto id = store.Create("alice", Session{});
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(id->size(), 32u);
    for (char c : *id) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 50u);
  const std::string id = *ids.begin();
  EXPECT_TRUE(store.Get(id, "alice").has_value());
  EXPECT_FALSE(store.Get(id, "bob").has_value());
  EXPECT_FALSE(store.Remove(id, "bob"));
  EXPECT_TRUE(store.Get(id, "alice").has_value());
  EXPECT_FALSE(store.Get("unknown", "alice").has_value());
}

TEST_F(SessionStoreTest, PutStoresStateThatGetReturns) {
  SessionStore store(Options());
  Session s;
  s.protocol_version = "2025-11-25";
  auto id = store.Create("alice", s);
  ASSERT_TRUE(id.ok());
  s.initialized = true;
  s.log_level = "error";
  store.Put(*id, "alice", s);
  auto got = store.Get(*id, "alice");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->initialized);
  EXPECT_EQ(got->log_level, "error");
  EXPECT_TRUE(store.Remove(*id, "alice"));
  EXPECT_FALSE(store.Get(*id, "alice").has_value());
}

TEST_F(SessionStoreTest, IdleSessionsExpireAndUseKeepsThemAlive) {
  SessionStore store(Options());
  auto used = store.Create("a", Session{});
  auto idle = store.Create("a", Session{});
  now_ += std::chrono::seconds(40);
  EXPECT_TRUE(store.Get(*used, "a").has_value());
  now_ += std::chrono::seconds(40);
  EXPECT_TRUE(store.Get(*used, "a").has_value());
  EXPECT_FALSE(store.Get(*idle, "a").has_value());
}

TEST_F(SessionStoreTest, AFullStoreDropsTheLeastRecentlyUsedSession) {
  SessionStore store(Options(3));
  auto first = store.Create("a", Session{});
  now_ += std::chrono::seconds(1);
  auto second = store.Create("a", Session{});
  now_ += std::chrono::seconds(1);
  auto third = store.Create("a", Session{});
  now_ += std::chrono::seconds(1);
  EXPECT_TRUE(store.Get(*first, "a").has_value());  // now the second is the oldest
  auto fourth = store.Create("a", Session{});
  EXPECT_EQ(store.size(), 3u);
  EXPECT_TRUE(store.Get(*first, "a").has_value());
  EXPECT_FALSE(store.Get(*second, "a").has_value());
  EXPECT_TRUE(store.Get(*third, "a").has_value());
  EXPECT_TRUE(store.Get(*fourth, "a").has_value());
}

}  // namespace
}  // namespace memd::mcp
