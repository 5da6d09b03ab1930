#include "server/result_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace memd::server {
namespace {

using std::chrono::milliseconds;
using TimePoint = ResultCache::TimePoint;

struct FakeClock {
  TimePoint now = TimePoint() + std::chrono::hours(1);
  ResultCache::Clock Fn() {
    return [this] { return now; };
  }
};

constexpr std::size_t kBig = 1 << 30;

TEST(ResultCacheTest, HitAfterPutAndMissOtherwise) {
  FakeClock clock;
  ResultCache cache(100, kBig, milliseconds(1000), clock.Fn());
  EXPECT_TRUE(cache.enabled());
  EXPECT_EQ(cache.Get("k"), std::nullopt);
  cache.Put("k", "v1");
  EXPECT_EQ(cache.Get("k"), "v1");
  cache.Put("k", "v2");  // replaces
  EXPECT_EQ(cache.Get("k"), "v2");
  EXPECT_EQ(cache.Get("other"), std::nullopt);
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.bytes(), 1 + 2 + ResultCache::kEntryOverheadBytes);
}

TEST(ResultCacheTest, EvictsTheLeastRecentlyUsedEntryWhenFull) {
  FakeClock clock;
  ResultCache cache(3, kBig, milliseconds(1000), clock.Fn(), /*shards=*/1);
  cache.Put("a", "1");
  cache.Put("b", "2");
  cache.Put("c", "3");
  ASSERT_EQ(cache.Get("a"), "1");  // a is now the most recent; b the least
  cache.Put("d", "4");
  EXPECT_EQ(cache.Get("b"), std::nullopt);
  EXPECT_EQ(cache.Get("a"), "1");
  EXPECT_EQ(cache.Get("c"), "3");
  EXPECT_EQ(cache.Get("d"), "4");
  EXPECT_EQ(cache.entries(), 3u);
}

TEST(ResultCacheTest, EvictsByBytes) {
  FakeClock clock;
  const std::size_t entry = 1 + 100 + ResultCache::kEntryOverheadBytes;
  ResultCache cache(100, 2 * entry + 10, milliseconds(1000), clock.Fn(), /*shards=*/1);
  cache.Put("a", std::string(100, 'a'));
  cache.Put("b", std::string(100, 'b'));
  EXPECT_EQ(cache.bytes(), 2 * entry);
  cache.Put("c", std::string(100, 'c'));
  EXPECT_EQ(cache.Get("a"), std::nullopt);
  EXPECT_TRUE(cache.Get("b").has_value());
  EXPECT_TRUE(cache.Get("c").has_value());
  EXPECT_EQ(cache.bytes(), 2 * entry);
  // A larger value pushes out as many entries as needed.
  cache.Put("d", std::string(150, 'd'));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.Get("d"), std::string(150, 'd'));
}

TEST(ResultCacheTest, OversizeValueIsNotStoredAndDropsTheOldValue) {
  FakeClock clock;
  ResultCache cache(100, 1000, milliseconds(1000), clock.Fn(), /*shards=*/1);
  cache.Put("k", "small");
  cache.Put("k", std::string(1000, 'x'));
  EXPECT_EQ(cache.Get("k"), std::nullopt);  // the old value would be stale
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  // With 4 shards, the limit per shard is a quarter of max_bytes.
  ResultCache sharded(100, 1000, milliseconds(1000), clock.Fn(), /*shards=*/4);
  sharded.Put("k", std::string(200, 'x'));  // 201 + overhead > 250
  EXPECT_EQ(sharded.Get("k"), std::nullopt);
  sharded.Put("k", std::string(100, 'x'));
  EXPECT_TRUE(sharded.Get("k").has_value());
}

TEST(ResultCacheTest, EntriesExpireAfterTheTtl) {
  FakeClock clock;
  ResultCache cache(100, kBig, milliseconds(1000), clock.Fn());
  cache.Put("k", "v");
  clock.now += milliseconds(999);
  EXPECT_EQ(cache.Get("k"), "v");  // a hit does not extend the life of an entry
  clock.now += milliseconds(1);
  EXPECT_EQ(cache.Get("k"), std::nullopt);
  EXPECT_EQ(cache.entries(), 0u);  // removed when seen
}

TEST(ResultCacheTest, PerEntryDeadlineShortensButNeverExtendsTheTtl) {
  FakeClock clock;
  ResultCache cache(100, kBig, milliseconds(1000), clock.Fn());
  cache.Put("short", "v", clock.now + milliseconds(100));
  cache.Put("long", "v", clock.now + milliseconds(5000));
  cache.Put("past", "v", clock.now - milliseconds(1));
  EXPECT_EQ(cache.Get("past"), std::nullopt);
  EXPECT_EQ(cache.entries(), 2u);
  clock.now += milliseconds(100);
  EXPECT_EQ(cache.Get("short"), std::nullopt);
  EXPECT_EQ(cache.Get("long"), "v");
  clock.now += milliseconds(900);
  EXPECT_EQ(cache.Get("long"), std::nullopt);  // capped by the ttl
}

TEST(ResultCacheTest, PutWithAPastDeadlineRemovesTheOldValue) {
  FakeClock clock;
  ResultCache cache(100, kBig, milliseconds(1000), clock.Fn());
  cache.Put("k", "old");
  cache.Put("k", "new", clock.now);
  EXPECT_EQ(cache.Get("k"), std::nullopt);
}

TEST(ResultCacheTest, ZeroEntriesOrZeroTtlDisablesTheCache) {
  FakeClock clock;
  std::vector<std::unique_ptr<ResultCache>> caches;
  caches.push_back(std::make_unique<ResultCache>(0, kBig, milliseconds(1000), clock.Fn()));
  caches.push_back(std::make_unique<ResultCache>(100, kBig, milliseconds(0), clock.Fn()));
  for (auto& cache : caches) {
    EXPECT_FALSE(cache->enabled());
    cache->Put("k", "v");
    EXPECT_EQ(cache->Get("k"), std::nullopt);
    EXPECT_EQ(cache->entries(), 0u);
    EXPECT_EQ(cache->misses(), 1u);
  }
}

TEST(ResultCacheTest, ShardedCacheStaysWithinItsLimits) {
  FakeClock clock;
  ResultCache cache(64, 64 * 1024, milliseconds(1000), clock.Fn());
  for (int i = 0; i < 5000; ++i) cache.Put("key-" + std::to_string(i), std::string(i % 700, 'v'));
  EXPECT_LE(cache.entries(), 64u);
  EXPECT_LE(cache.bytes(), 64u * 1024);
  EXPECT_GT(cache.entries(), 0u);
  cache.Clear();
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResultCacheConcurrencyTest, ConcurrentGetsAndPutsKeepCountsAndLimitsConsistent) {
  ResultCache cache(256, 256 * 1024, milliseconds(60'000));
  constexpr int kThreads = 8;
  constexpr int kOps = 4000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        std::string key = "q" + std::to_string((i * 7 + t) % 500);
        if (auto v = cache.Get(key)) {
          EXPECT_EQ(*v, "result of " + key);  // never another key's value
        } else {
          cache.Put(key, "result of " + key);
        }
        if (i % 1000 == 0) {
          EXPECT_LE(cache.entries(), 256u);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(cache.hits() + cache.misses(), static_cast<std::uint64_t>(kThreads) * kOps);
  EXPECT_GT(cache.hits(), 0u);
  EXPECT_LE(cache.entries(), 256u);
  EXPECT_LE(cache.bytes(), 256u * 1024);
}

}  // namespace
}  // namespace memd::server
