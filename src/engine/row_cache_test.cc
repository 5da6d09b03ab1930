#include "engine/row_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memd::engine {
namespace {

Memory Row(const std::string& text) {
  Memory m;
  m.id = "01JABCDEFGHJKMNPQRSTVWXYZ0";
  m.text = text;
  m.kind = "fact";
  m.metadata = "{}";
  return m;
}

TEST(RowCacheTest, ReturnsWhatWasPutForTheSameOwnerOnly) {
  RowCache cache(1 << 20);
  auto stored = cache.Put(/*owner=*/1, /*doc=*/7, Row("seven"), cache.epoch());
  ASSERT_NE(stored, nullptr);
  auto hit = cache.Get(1, 7);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->text, "seven");
  EXPECT_EQ(cache.Get(2, 7), nullptr) << "another cube instance must not see the row";
  EXPECT_EQ(cache.Get(1, 8), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.bytes(), RowCacheCharge(Row("seven")));
}

TEST(RowCacheTest, InvalidateErasesTheDocAndRefusesRowsReadBeforeIt) {
  RowCache cache(1 << 20);
  cache.Put(1, 7, Row("old"), cache.epoch());
  const std::uint64_t before = cache.epoch();  // a reader starts reading the store here
  const std::vector<std::int64_t> changed = {7};
  cache.Invalidate(changed);  // a change of doc 7 is applied meanwhile
  EXPECT_EQ(cache.Get(1, 7), nullptr);
  auto returned = cache.Put(1, 7, Row("read before the change"), before);
  ASSERT_NE(returned, nullptr) << "the caller still gets its row";
  EXPECT_EQ(returned->text, "read before the change");
  EXPECT_EQ(cache.Get(1, 7), nullptr) << "but it is not cached: it may predate the change";
  cache.Put(1, 7, Row("new"), cache.epoch());
  ASSERT_NE(cache.Get(1, 7), nullptr);
  EXPECT_EQ(cache.Get(1, 7)->text, "new");
}

TEST(RowCacheTest, EvictsLeastRecentlyUsedRowsBeyondItsCapacity) {
  const std::size_t charge = RowCacheCharge(Row("x"));
  // Two rows per shard: after 1,000 puts the total stays within the capacity, the newest
  // row is kept and the oldest is gone.
  RowCache cache(RowCache::kShards * charge * 2);
  for (std::int64_t doc = 0; doc < 1000; ++doc) cache.Put(1, doc, Row("x"), cache.epoch());
  EXPECT_LE(cache.bytes(), RowCache::kShards * charge * 2);
  EXPECT_GT(cache.bytes(), 0u);
  EXPECT_NE(cache.Get(1, 999), nullptr);
  EXPECT_EQ(cache.Get(1, 0), nullptr);
}

TEST(RowCacheTest, EraseOwnerDropsOnlyThatOwnersRows) {
  RowCache cache(1 << 20);
  cache.Put(1, 1, Row("a"), cache.epoch());
  cache.Put(2, 2, Row("b"), cache.epoch());
  cache.EraseOwner(1);
  EXPECT_EQ(cache.Get(1, 1), nullptr);
  EXPECT_NE(cache.Get(2, 2), nullptr);
  EXPECT_EQ(cache.bytes(), RowCacheCharge(Row("b")));
}

TEST(RowCacheTest, ZeroCapacityDisablesIt) {
  RowCache cache(0);
  EXPECT_FALSE(cache.enabled());
  auto returned = cache.Put(1, 1, Row("a"), cache.epoch());
  ASSERT_NE(returned, nullptr);
  EXPECT_EQ(cache.Get(1, 1), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace memd::engine
