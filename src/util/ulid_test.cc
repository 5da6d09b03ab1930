#include "util/ulid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace memd {
namespace {

TEST(UlidTest, NextReturnsValidIdEncodingTheTimestamp) {
  UlidGenerator gen;
  const Timestamp now = 1700000000123;
  const std::string id = gen.Next(now);
  EXPECT_EQ(id.size(), kUlidLength);
  EXPECT_TRUE(IsValidUlid(id)) << id;
  EXPECT_EQ(UlidTimestamp(id), now);
}

TEST(UlidTest, KnownTimestampEncoding) {
  // From the ULID spec: 1469918176385 ms encodes as "01ARYZ6S41".
  EXPECT_EQ(UlidLowerBound(1469918176385), "01ARYZ6S410000000000000000");
  EXPECT_EQ(UlidTimestamp("01ARYZ6S41TSV4RRFFQ69G5FAV"), 1469918176385);
  EXPECT_EQ(UlidLowerBound(0), "00000000000000000000000000");
  EXPECT_EQ(UlidLowerBound(-5), "00000000000000000000000000");
  EXPECT_EQ(UlidTimestamp(UlidLowerBound(kMaxUlidTimestamp)), kMaxUlidTimestamp);
  EXPECT_EQ(UlidLowerBound(kMaxUlidTimestamp).substr(0, 10), "7ZZZZZZZZZ");
}

TEST(UlidTest, IdsWithinOneMillisecondIncrease) {
  UlidGenerator gen;
  std::string prev = gen.Next(1000);
  for (int i = 0; i < 1000; ++i) {
    std::string next = gen.Next(1000);
    ASSERT_LT(prev, next);
    ASSERT_EQ(UlidTimestamp(next), 1000);
    prev = next;
  }
}

TEST(UlidTest, ClockGoingBackwardsKeepsLastTimestamp) {
  UlidGenerator gen;
  const std::string a = gen.Next(5000);
  const std::string b = gen.Next(4000);
  EXPECT_LT(a, b);
  EXPECT_EQ(UlidTimestamp(b), 5000);
  const std::string c = gen.Next(6000);
  EXPECT_LT(b, c);
  EXPECT_EQ(UlidTimestamp(c), 6000);
}

TEST(UlidTest, RandomPartCarriesIntoHighBits) {
  UlidGenerator gen;
  gen.SetLastForTest(42, 0x0001, ~std::uint64_t{0});
  const std::string id = gen.Next(42);
  EXPECT_EQ(UlidTimestamp(id), 42);
  // random becomes 2 << 64 = 2^65: base32 digit 13 from the right (bits 65..69) is 1.
  EXPECT_EQ(id.substr(10), "0010000000000000");
}

TEST(UlidTest, RandomOverflowAdvancesTimestamp) {
  UlidGenerator gen;
  gen.SetLastForTest(42, 0xFFFF, ~std::uint64_t{0});
  const std::string max_in_ms = UlidLowerBound(42).substr(0, 10) + "ZZZZZZZZZZZZZZZZ";
  const std::string id = gen.Next(42);
  EXPECT_LT(max_in_ms, id);
  EXPECT_EQ(UlidTimestamp(id), 43);
}

TEST(UlidTest, FreshMillisecondsDrawDifferentRandomParts) {
  UlidGenerator gen;
  std::set<std::string> randoms;
  for (Timestamp t = 1; t <= 50; ++t) randoms.insert(gen.Next(t).substr(10));
  EXPECT_EQ(randoms.size(), 50u);
}

TEST(UlidTest, ConcurrentCallersGetUniqueIncreasingIdsPerThread) {
  UlidGenerator gen;
  constexpr int kThreads = 4, kPerThread = 2000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(gen.Next(7777 + i / 100));
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& list : ids) {
    for (std::size_t i = 1; i < list.size(); ++i) ASSERT_LT(list[i - 1], list[i]);
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(UlidTest, ValidationRejectsMalformedIds) {
  EXPECT_TRUE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(IsValidUlid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
  EXPECT_FALSE(IsValidUlid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));   // above 128 bits
  EXPECT_FALSE(IsValidUlid("01aryz6s41tsv4rrffq69g5fav"));   // lower case
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FA"));    // 25 chars
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAVX"));  // 27 chars
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAI"));   // I is not Crockford
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAL"));
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAO"));
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAU"));
  EXPECT_FALSE(IsValidUlid(""));
  EXPECT_EQ(UlidTimestamp("not-a-ulid"), -1);
}

}  // namespace
}  // namespace memd
