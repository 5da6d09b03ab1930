#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace memd {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;

TEST(Utf8Test, AcceptsAsciiAndEveryEncodingLength) {
  EXPECT_EQ(FindInvalidUtf8(""), kNpos);
  EXPECT_EQ(FindInvalidUtf8("plain ascii text that is longer than eight bytes"), kNpos);
  EXPECT_EQ(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), kNpos);  // é € 😀
  EXPECT_EQ(FindInvalidUtf8(std::string("nul\0inside", 10)), kNpos);
  EXPECT_EQ(FindInvalidUtf8("\xF4\x8F\xBF\xBF"), kNpos);  // U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xED\x9F\xBF"), kNpos);      // U+D7FF, just below the surrogates
  EXPECT_EQ(FindInvalidUtf8("\xEE\x80\x80"), kNpos);      // U+E000, just above them
}

TEST(Utf8Test, RejectsOverlongForms) {
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);  // '/' in two bytes
  EXPECT_EQ(FindInvalidUtf8("\xC1\xBF"), 0u);
  EXPECT_EQ(FindInvalidUtf8("\xE0\x80\xAF"), 0u);      // '/' in three bytes
  EXPECT_EQ(FindInvalidUtf8("\xE0\x9F\xBF"), 0u);      // U+07FF in three bytes
  EXPECT_EQ(FindInvalidUtf8("\xF0\x80\x80\xAF"), 0u);  // '/' in four bytes
  EXPECT_EQ(FindInvalidUtf8("\xF0\x8F\xBF\xBF"), 0u);  // U+FFFF in four bytes
}

TEST(Utf8Test, RejectsSurrogatesAndOutOfRange) {
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);      // U+D800
  EXPECT_EQ(FindInvalidUtf8("\xED\xBF\xBF"), 0u);      // U+DFFF
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(FindInvalidUtf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(FindInvalidUtf8("\xFF"), 0u);
}

TEST(Utf8Test, ReportsOffsetOfTruncatedOrStraySequences) {
  EXPECT_EQ(FindInvalidUtf8("abc\xE2\x82"), 3u);      // cut at the end
  EXPECT_EQ(FindInvalidUtf8("abcdefghij\xC3"), 10u);  // after the 8-byte fast path
  EXPECT_EQ(FindInvalidUtf8("ab\x80"
                            "cd"),
            2u);                                           // stray continuation
  EXPECT_EQ(FindInvalidUtf8("\xC3\xA9\xE2\x28\xA1"), 2u);  // bad second byte
  EXPECT_EQ(FindInvalidUtf8("\xF0\x9F\x98"
                            "a"),
            0u);  // bad fourth byte
}

TEST(Utf8Test, DecodeReturnsCodePointAndLength) {
  char32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("A", 0, &cp), 1u);
  EXPECT_EQ(cp, U'A');
  EXPECT_EQ(DecodeUtf8("x\xC3\xA9", 1, &cp), 2u);
  EXPECT_EQ(cp, U'\u00E9');
  EXPECT_EQ(DecodeUtf8("\xE2\x82\xAC", 0, &cp), 3u);
  EXPECT_EQ(cp, U'\u20AC');
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", 0, &cp), 4u);
  EXPECT_EQ(cp, U'\U0001F600');
  EXPECT_EQ(DecodeUtf8("\xE2\x82", 0, &cp), 0u);
}

}  // namespace
}  // namespace memd
