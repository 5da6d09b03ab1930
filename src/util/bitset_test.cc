#include "util/bitset.h"

#include <gtest/gtest.h>

#include <vector>

namespace memd {
namespace {

std::vector<std::size_t> Bits(const Bitset& b) {
  std::vector<std::size_t> out;
  b.ForEach([&](std::size_t i) { out.push_back(i); });
  return out;
}

TEST(BitsetTest, SetResetTestAndCount) {
  Bitset b(130);
  EXPECT_EQ(b.size(), 130u);
  EXPECT_EQ(b.Count(), 0u);
  b.Set(0);
  b.Set(64);
  b.Set(129);
  EXPECT_TRUE(b.Test(0));
  EXPECT_TRUE(b.Test(64));
  EXPECT_TRUE(b.Test(129));
  EXPECT_FALSE(b.Test(1));
  EXPECT_FALSE(b.Test(130));  // out of range reads as unset
  EXPECT_EQ(b.Count(), 3u);
  b.Reset(64);
  EXPECT_EQ(Bits(b), (std::vector<std::size_t>{0, 129}));
}

TEST(BitsetTest, ResizeWithValueSetsOnlyNewBits) {
  Bitset b(10);
  b.Set(3);
  b.Resize(70, true);
  EXPECT_EQ(b.Count(), 61u);  // bit 3 plus 60 new bits
  EXPECT_FALSE(b.Test(4));
  EXPECT_TRUE(b.Test(69));
  b.Resize(5);
  EXPECT_EQ(Bits(b), (std::vector<std::size_t>{3}));
  b.Resize(100);  // bits beyond the shrink point stay cleared when growing again
  EXPECT_EQ(Bits(b), (std::vector<std::size_t>{3}));
}

TEST(BitsetTest, SetAllAndFlipKeepTailClear) {
  Bitset b(67);
  b.SetAll();
  EXPECT_EQ(b.Count(), 67u);
  b.Flip();
  EXPECT_EQ(b.Count(), 0u);
  b.Set(66);
  b.Flip();
  EXPECT_EQ(b.Count(), 66u);
  EXPECT_FALSE(b.Test(66));
}

TEST(BitsetTest, SetAlgebra) {
  Bitset a(100), b(100);
  for (std::size_t i : {1, 5, 70, 99}) a.Set(i);
  for (std::size_t i : {5, 6, 99}) b.Set(i);
  Bitset and_ab = a;
  and_ab.And(b);
  EXPECT_EQ(Bits(and_ab), (std::vector<std::size_t>{5, 99}));
  Bitset or_ab = a;
  or_ab.Or(b);
  EXPECT_EQ(Bits(or_ab), (std::vector<std::size_t>{1, 5, 6, 70, 99}));
  Bitset a_not_b = a;
  a_not_b.AndNot(b);
  EXPECT_EQ(Bits(a_not_b), (std::vector<std::size_t>{1, 70}));
}

TEST(BitsetTest, EmptyBitsetIsHarmless) {
  Bitset b;
  b.SetAll();
  b.Flip();
  b.Resize(0, true);
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_TRUE(Bits(b).empty());
}

}  // namespace
}  // namespace memd
