#include "util/hash.h"

#include <gtest/gtest.h>

namespace memd {
namespace {

TEST(HashTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), kSha256Bytes);
}

TEST(HashTest, HexEncodeIsLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
  EXPECT_EQ(HexEncode(""), "");
}

TEST(HashTest, Hash64IsXxh3AndDependsOnSeed) {
  // XXH3_64bits of empty input with seed 0 (from the xxHash test vectors).
  EXPECT_EQ(Hash64(""), 0x2D06800538D394C2ULL);
  EXPECT_EQ(Hash64("memd"), Hash64("memd"));
  EXPECT_NE(Hash64("memd"), Hash64("memd", 1));
  EXPECT_NE(Hash64("memd"), Hash64("memD"));
}

}  // namespace
}  // namespace memd
