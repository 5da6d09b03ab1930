#include <gtest/gtest.h>

#include <string>

#include "text/text.h"

namespace memd::text {
namespace {

TEST(Utf8ValidityTest, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("hello"));
  EXPECT_TRUE(
      IsValidUtf8("Stra\xC3\x9F"
                  "e \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"));  // Straße 日本 😀
}

TEST(Utf8ValidityTest, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("a\xE0\x80\x80"));     // overlong in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x82\x82\xAC"));  // overlong euro sign
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // high surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xB0\x80"));      // low surrogate U+DC00
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("abc\xE6\x97"));       // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xFE\xFF"));          // never valid bytes
}

TEST(TruncateUtf8Test, NeverSplitsASequence) {
  const std::string s =
      "ab\xE2\x82\xAC"
      "c";  // ab€c
  EXPECT_EQ(TruncateUtf8(s, 100), s);
  EXPECT_EQ(TruncateUtf8(s, 6), s);
  EXPECT_EQ(TruncateUtf8(s, 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(TruncateUtf8(s, 4), "ab");
  EXPECT_EQ(TruncateUtf8(s, 3), "ab");
  EXPECT_EQ(TruncateUtf8(s, 2), "ab");
  EXPECT_EQ(TruncateUtf8(s, 0), "");
  EXPECT_EQ(TruncateUtf8("\xF0\x9F\x98\x80", 3), "");
}

TEST(TruncateUtf8Test, IllFormedInputIsCutAtTheLimit) {
  EXPECT_EQ(TruncateUtf8("\x80\x80\x80\x80\x80", 4), "\x80\x80\x80\x80");
}

TEST(NormalizeForHashTest, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(NormalizeForHash("  hello \t\n world  "), "hello world");
  EXPECT_EQ(NormalizeForHash("a\r\n\r\nb"), "a b");
  EXPECT_EQ(NormalizeForHash(""), "");
  EXPECT_EQ(NormalizeForHash(" \t "), "");
}

TEST(NormalizeForHashTest, CollapsesUnicodeWhitespace) {
  // NBSP, ideographic space, em space, line separator, NEL.
  EXPECT_EQ(NormalizeForHash("a\xC2\xA0\xE3\x80\x80"
                             "b\xE2\x80\x83\xE2\x80\xA8"
                             "c\xC2\x85"),
            "a b c");
  // Zero-width space is not whitespace (not in White_Space): kept.
  EXPECT_EQ(NormalizeForHash("a\xE2\x80\x8B"
                             "b"),
            "a\xE2\x80\x8B"
            "b");
}

TEST(NormalizeForHashTest, NfcAndNfdGiveTheSameKey) {
  const std::string nfc = "caf\xC3\xA9 cr\xC3\xA8me";    // é, è precomposed
  const std::string nfd = "cafe\xCC\x81 cre\xCC\x80me";  // e + combining acute/grave
  EXPECT_NE(nfc, nfd);
  EXPECT_EQ(NormalizeForHash(nfd), nfc);
  EXPECT_EQ(NormalizeForHash(nfc), NormalizeForHash(nfd));
  // Hangul jamo compose to the syllable.
  EXPECT_EQ(NormalizeForHash("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "\xED\x95\x9C");  // 한
}

TEST(NormalizeForHashTest, KeepsCaseAndCompatibilityCharacters) {
  // NFC, not NFKC: the dedup key distinguishes "ﬁ" (ligature) and full-width forms.
  EXPECT_EQ(NormalizeForHash("Hello"), "Hello");
  EXPECT_EQ(NormalizeForHash("\xEF\xAC\x81"), "\xEF\xAC\x81");
}

TEST(NormalizeForHashTest, IllFormedInputOnlyCollapsesWhitespace) {
  EXPECT_EQ(NormalizeForHash(" a\xFF  b "), "a\xFF b");
}

TEST(CaseFoldTest, AsciiLowerCases) {
  EXPECT_EQ(CaseFold("Hello WORLD 42_x"), "hello world 42_x");
  EXPECT_EQ(CaseFold(""), "");
}

TEST(CaseFoldTest, GermanSharpSFoldsToSs) {
  EXPECT_EQ(CaseFold("Stra\xC3\x9F"
                     "e"),
            "strasse");
  EXPECT_EQ(CaseFold("STRASSE"), CaseFold("stra\xC3\x9F"
                                          "e"));
  EXPECT_EQ(CaseFold("\xE1\xBA\x9E"), "ss");  // capital sharp s
}

TEST(CaseFoldTest, TurkishIIsFoldedWithoutLocale) {
  EXPECT_EQ(CaseFold("I"), "i");
  EXPECT_EQ(CaseFold("\xC4\xB0stanbul"), "i\xCC\x87stanbul");  // İ -> i + combining dot above
  EXPECT_EQ(CaseFold("\xC4\xB1"), "\xC4\xB1");                 // dotless ı stays
}

TEST(CaseFoldTest, FullWidthAndCompatibilityFormsFoldLikeAscii) {
  EXPECT_EQ(CaseFold("\xEF\xBC\xA6\xEF\xBD\x8F\xEF\xBD\x8F"), "foo");  // Ｆｏｏ
  EXPECT_EQ(CaseFold("\xEF\xBC\x91\xEF\xBC\x92"), "12");               // １２
  EXPECT_EQ(CaseFold("\xEF\xAC\x81le"), "file");                       // ﬁ ligature
  EXPECT_EQ(CaseFold("\xE2\x85\xA0\xE2\x85\xA1"), "iii");              // Ⅰ Ⅱ roman numerals
}

TEST(CaseFoldTest, ComposesAndDropsIgnorables) {
  EXPECT_EQ(CaseFold("CAFE\xCC\x81"), "caf\xC3\xA9");  // NFD input, composed output
  EXPECT_EQ(CaseFold("\xC3\x89"
                     "COLE"),
            "\xC3\xA9"
            "cole");
  EXPECT_EQ(CaseFold("soft\xC2\xADhyphen"), "softhyphen");                      // U+00AD dropped
  EXPECT_EQ(CaseFold("\xCE\xA3\xCE\x91\xCE\xA3"), "\xCF\x83\xCE\xB1\xCF\x83");  // ΣΑΣ -> σασ
}

TEST(CaseFoldTest, IllFormedInputGetsAsciiLowerCaseOnly) {
  EXPECT_EQ(CaseFold("AB\xFF"
                     "C"),
            "ab\xFF"
            "c");
}

TEST(CaseFoldTest, CaseFoldIntoReusesTheBuffer) {
  std::string out = "previous content that is long";
  CaseFoldInto("XY", &out);
  EXPECT_EQ(out, "xy");
  CaseFoldInto("\xC3\x84", &out);  // Ä
  EXPECT_EQ(out, "\xC3\xA4");
  CaseFoldInto(std::string(5000, 'Q') + "\xC3\x84", &out);  // larger than the scratch buffer
  EXPECT_EQ(out, std::string(5000, 'q') + "\xC3\xA4");
}

}  // namespace
}  // namespace memd::text
