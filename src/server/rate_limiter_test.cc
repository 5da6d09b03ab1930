#include "server/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace memd::server {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A manual clock; the limiter reads it through a copy of Fn(), so tests advance it in place.
struct FakeClock {
  TimePoint now = TimePoint() + std::chrono::hours(1);
  RateLimiter::Clock Fn() {
    return [this] { return now; };
  }
  void Advance(std::chrono::milliseconds d) { now += d; }
};

std::vector<RateTier> Tiers() {
  return {{"default", 60, 3}, {"pro", 600, 10}, {"unlimited", 0, 0}};
}

TEST(RateLimiterTest, AllowsTheBurstThenRefusesWithRetryAfter) {
  FakeClock clock;
  RateLimiter limiter(Tiers(), {"ip", 6, 1}, clock.Fn());
  for (int i = 0; i < 3; ++i) {
    RateLimiter::Decision d = limiter.CheckKey("k1", "default");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.retry_after, seconds(0));
    EXPECT_DOUBLE_EQ(d.remaining, 2 - i);
  }
  RateLimiter::Decision refused = limiter.CheckKey("k1", "default");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(1));  // 60/min: one token per second
  EXPECT_DOUBLE_EQ(refused.remaining, 0);

  // Per IP: 6/min, burst 1 -> one token every 10 s.
  EXPECT_TRUE(limiter.CheckIp("10.0.0.1").allowed);
  EXPECT_EQ(limiter.CheckIp("10.0.0.1").retry_after, seconds(10));
  clock.Advance(std::chrono::milliseconds(5000));
  EXPECT_EQ(limiter.CheckIp("10.0.0.1").retry_after, seconds(5));
  clock.Advance(std::chrono::milliseconds(4500));
  EXPECT_EQ(limiter.CheckIp("10.0.0.1").retry_after, seconds(1));  // 0.5 s rounds up to 1
}

TEST(RateLimiterTest, RefillsOverTimeUpToTheBurstOnly) {
  FakeClock clock;
  RateLimiter limiter(Tiers(), {"ip", 0, 0}, clock.Fn());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.CheckKey("k", "default").allowed);
  ASSERT_FALSE(limiter.CheckKey("k", "default").allowed);
  clock.Advance(std::chrono::milliseconds(1500));  // 1.5 tokens
  EXPECT_TRUE(limiter.CheckKey("k", "default").allowed);
  RateLimiter::Decision d = limiter.CheckKey("k", "default");
  EXPECT_FALSE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 0.5);
  EXPECT_EQ(d.retry_after, seconds(1));
  clock.Advance(std::chrono::minutes(10));  // refills to the burst (3), not 600
  int allowed = 0;
  while (limiter.CheckKey("k", "default").allowed) ++allowed;
  EXPECT_EQ(allowed, 3);
}

TEST(RateLimiterTest, TiersDifferAndUnknownTierFallsBackToDefault) {
  FakeClock clock;
  RateLimiter limiter(Tiers(), {"ip", 0, 0}, clock.Fn());
  auto count_allowed = [&](std::string_view key, std::string_view tier) {
    int n = 0;
    for (int i = 0; i < 100; ++i) n += limiter.CheckKey(key, tier).allowed ? 1 : 0;
    return n;
  };
  EXPECT_EQ(count_allowed("a", "default"), 3);
  EXPECT_EQ(count_allowed("b", "pro"), 10);
  EXPECT_EQ(count_allowed("c", "no-such-tier"), 3);
  EXPECT_EQ(count_allowed("d", "unlimited"), 100);
  EXPECT_TRUE(std::isinf(limiter.CheckKey("d", "unlimited").remaining));
  // A pro key refills 10x faster: after 1 s it has 10 tokens again (capped at 10).
  clock.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(count_allowed("b", "pro"), 10);
  EXPECT_EQ(count_allowed("a", "default"), 1);
}

TEST(RateLimiterTest, WithoutADefaultTierUnknownTiersUseThePerIpLimit) {
  FakeClock clock;
  RateLimiter limiter({{"pro", 600, 10}}, {"ip", 60, 2}, clock.Fn());
  EXPECT_TRUE(limiter.CheckKey("k", "typo").allowed);
  EXPECT_TRUE(limiter.CheckKey("k", "typo").allowed);
  EXPECT_FALSE(limiter.CheckKey("k", "typo").allowed);
}

TEST(RateLimiterTest, KeysAndIpsHaveSeparateBuckets) {
  FakeClock clock;
  RateLimiter limiter(Tiers(), {"ip", 60, 1}, clock.Fn());
  // The same string as a key and as an IP are two different buckets.
  EXPECT_TRUE(limiter.CheckIp("1.2.3.4").allowed);
  EXPECT_FALSE(limiter.CheckIp("1.2.3.4").allowed);
  EXPECT_TRUE(limiter.CheckKey("1.2.3.4", "default").allowed);
  EXPECT_TRUE(limiter.CheckIp("5.6.7.8").allowed);  // other IPs are unaffected
  EXPECT_EQ(limiter.tracked_buckets(), 3u);
}

TEST(RateLimiterTest, BurstBelowOneIsTakenAsOne) {
  FakeClock clock;
  RateLimiter limiter({{"default", 60, 0.2}}, {"ip", 0, 0}, clock.Fn());
  EXPECT_TRUE(limiter.CheckKey("k", "default").allowed);
  EXPECT_FALSE(limiter.CheckKey("k", "default").allowed);
}

TEST(RateLimiterTest, IdleBucketsThatRefilledAreSweptAway) {
  FakeClock clock;
  RateLimiter limiter(Tiers(), {"ip", 60, 10}, clock.Fn());
  for (int i = 0; i < 1600; ++i) ASSERT_TRUE(limiter.CheckIp("old-" + std::to_string(i)).allowed);
  EXPECT_EQ(limiter.tracked_buckets(), 1600u);
  clock.Advance(std::chrono::hours(1));  // every old bucket is full again
  // Traffic from 500 other addresses (which stay below full) triggers sweeps in every shard.
  for (int i = 0; i < 20000; ++i) limiter.CheckIp("new-" + std::to_string(i % 500));
  EXPECT_EQ(limiter.tracked_buckets(), 500u);
}

TEST(RateLimiterTest, HardCapEvictsTheLeastRecentlyUsedBucket) {
  FakeClock clock;
  // 160 buckets per table: 10 per shard. The clock never moves, so nothing refills.
  RateLimiter limiter(Tiers(), {"ip", 60, 1}, clock.Fn(), 160);
  ASSERT_TRUE(limiter.CheckIp("hot").allowed);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(limiter.CheckIp("cold-" + std::to_string(i)).allowed);
    // "hot" is used every few requests, so it is never the least recently used of its
    // shard and keeps its (empty) bucket; FIFO or random eviction would reset it.
    if (i % 4 == 0) {
      ASSERT_FALSE(limiter.CheckIp("hot").allowed) << i;
    }
  }
  EXPECT_LE(limiter.tracked_buckets(), 160u);
  EXPECT_GT(limiter.tracked_buckets(), 100u);
}

TEST(RateLimiterTest, ValidateTiersReportsConfigurationMistakes) {
  EXPECT_TRUE(RateLimiter::ValidateTiers(Tiers()).ok());
  EXPECT_EQ(RateLimiter::ValidateTiers({{"pro", 1, 1}}).code(), StatusCode::kInvalidArgument);  // no default
  EXPECT_EQ(RateLimiter::ValidateTiers({{"default", 1, 1}, {"default", 2, 2}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::ValidateTiers({{"default", -1, 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::ValidateTiers({{"default", 1, std::nan("")}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::ValidateTiers({{"", 1, 1}, {"default", 1, 1}}).code(), StatusCode::kInvalidArgument);
}

TEST(RateLimiterConcurrencyTest, ConcurrentChecksNeverOverspendABucket) {
  // The clock is frozen, so across all threads exactly `burst` requests of a key pass.
  const TimePoint frozen = std::chrono::steady_clock::now();
  RateLimiter limiter({{"default", 60, 50}}, {"ip", 60, 20}, [frozen] { return frozen; }, 1000);
  constexpr int kThreads = 8;
  std::atomic<int> shared_allowed{0}, ip_allowed{0}, own_allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (limiter.CheckKey("shared", "default").allowed) shared_allowed.fetch_add(1);
        if (limiter.CheckIp("9.9.9.9").allowed) ip_allowed.fetch_add(1);
        if (limiter.CheckKey("own-" + std::to_string(t), "default").allowed) own_allowed.fetch_add(1);
        limiter.CheckIp("churn-" + std::to_string(t) + "-" + std::to_string(i));  // forces evictions
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared_allowed.load(), 50);
  EXPECT_EQ(ip_allowed.load(), 20);
  EXPECT_EQ(own_allowed.load(), 50 * kThreads);
  EXPECT_LE(limiter.tracked_buckets(), 2000u);
}

}  // namespace
}  // namespace memd::server
