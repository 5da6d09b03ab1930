#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace memd::auth {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsWithoutPadding) {
  // RFC 4648 section 10, with '=' padding removed.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");  // the two url-safe characters
}

TEST(Base64UrlTest, DecodeInvertsEncodeForEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string bytes = all.substr(0, n);
    auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64UrlTest, DecodeRejectsPaddingForeignCharactersBadLengthAndNonZeroTrailingBits) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v+g").has_value());  // '+' is standard base64, not base64url
  EXPECT_FALSE(Base64UrlDecode("Zm9v/g").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());  // 4n + 1 characters
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());     // "Zg" with a trailing bit set
  EXPECT_TRUE(Base64UrlDecode("Zg").has_value());
}

}  // namespace
}  // namespace memd::auth
