#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/text.h"

namespace memd::text {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string_view> views;
  SplitWords(text, &views);
  return {views.begin(), views.end()};
}

std::vector<std::string> Parts(std::string_view word) {
  std::vector<std::string> parts;
  SplitIdentifier(word, &parts);
  return parts;
}

using Strings = std::vector<std::string>;

TEST(SplitWordsTest, SplitsOnPunctuationAndKeepsUnderscoresAndCase) {
  EXPECT_EQ(Words("Hello, world! parse_http_request(x); don't stop-words 3.14"),
            (Strings{"Hello", "world", "parse_http_request", "x", "don", "t", "stop", "words", "3", "14"}));
  EXPECT_EQ(Words(""), Strings{});
  EXPECT_EQ(Words("  ... --- "), Strings{});
  EXPECT_EQ(Words("a"), Strings{"a"});
}

TEST(SplitWordsTest, ViewsPointIntoTheInput) {
  const std::string text = "alpha beta";
  std::vector<std::string_view> views;
  SplitWords(text, &views);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[1].data(), text.data() + 6);
}

TEST(SplitWordsTest, ClearsTheOutputFirst) {
  std::vector<std::string_view> views{"stale"};
  SplitWords("fresh", &views);
  EXPECT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0], "fresh");
}

TEST(SplitWordsTest, UnicodeLettersDigitsAndMarks) {
  // Straße, naïve written with a combining diaeresis, Cyrillic, Greek, Arabic-Indic digits.
  EXPECT_EQ(Words("Stra\xC3\x9F"
                  "e nai\xCC\x88ve \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 "
                  "\xCE\xB1\xCE\xB2\xCE\xB3 \xD9\xA3\xD9\xA4"),
            (Strings{"Stra\xC3\x9F"
                     "e",
                     "nai\xCC\x88ve", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
                     "\xCE\xB1\xCE\xB2\xCE\xB3", "\xD9\xA3\xD9\xA4"}));
}

TEST(SplitWordsTest, UnicodePunctuationSymbolsAndSpacesSplit) {
  // em dash, NBSP, ideographic full stop, emoji, right single quote.
  EXPECT_EQ(Words("a\xE2\x80\x94"
                  "b\xC2\xA0"
                  "c\xE3\x80\x82"
                  "d\xF0\x9F\x98\x80"
                  "e\xE2\x80\x99"
                  "f"),
            (Strings{"a", "b", "c", "d", "e", "f"}));
}

TEST(SplitWordsTest, EachIdeographIsAWord) {
  // 日本語のテキスト: three Han characters and Hiragana の are single words; Katakana stays a run.
  EXPECT_EQ(
      Words(
          "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88"),
      (Strings{"\xE6\x97\xA5", "\xE6\x9C\xAC", "\xE8\xAA\x9E", "\xE3\x81\xAE",
               "\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88"}));
  // A variation selector (a mark) stays with its ideograph; Latin after it starts a word.
  EXPECT_EQ(Words("\xE8\x91\x9B\xF3\xA0\x84\x80"
                  "abc"),
            (Strings{"\xE8\x91\x9B\xF3\xA0\x84\x80", "abc"}));
  // Hangul syllables have spaces between words and stay whole.
  EXPECT_EQ(Words("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xEB\x8B\xA8\xEC\x96\xB4"),
            (Strings{"\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", "\xEB\x8B\xA8\xEC\x96\xB4"}));
}

TEST(SplitWordsTest, JoinersStayInsideWordsOnly) {
  // Persian "می‌خواهم" uses ZWNJ inside a word.
  const std::string persian = "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85";
  EXPECT_EQ(Words(persian), Strings{persian});
  EXPECT_EQ(Words("\xE2\x80\x8D"
                  "ab\xE2\x80\x8D"),
            Strings{"ab"});
  EXPECT_EQ(Words("ab\xE2\x80\x8D cd"), (Strings{"ab", "cd"}));
}

TEST(SplitWordsTest, IllFormedBytesSeparateWords) {
  EXPECT_EQ(Words("ab\xFF"
                  "cd\xC3"),
            (Strings{"ab", "cd"}));
  EXPECT_EQ(Words("\xED\xA0\x80x"), Strings{"x"});
}

TEST(SplitIdentifierTest, CamelPascalAndSnakeCaseAgree) {
  const Strings expected{"parse", "http", "request"};
  EXPECT_EQ(Parts("parseHttpRequest"), expected);
  EXPECT_EQ(Parts("ParseHttpRequest"), expected);
  EXPECT_EQ(Parts("parse_http_request"), expected);
  EXPECT_EQ(Parts("PARSE_HTTP_REQUEST"), expected);
  EXPECT_EQ(Parts("__parse__http_request_"), expected);
}

TEST(SplitIdentifierTest, AcronymRunsEndBeforeTheNextWord) {
  EXPECT_EQ(Parts("HTTPServer"), (Strings{"http", "server"}));
  EXPECT_EQ(Parts("getHTTPResponseCode"), (Strings{"get", "http", "response", "code"}));
  EXPECT_EQ(Parts("XMLHttpRequest"), (Strings{"xml", "http", "request"}));
  EXPECT_EQ(Parts("parseURL"), (Strings{"parse", "url"}));
}

TEST(SplitIdentifierTest, AcronymPluralsStayWhole) {
  EXPECT_EQ(Parts("URLs"), Strings{});
  EXPECT_EQ(Parts("IDsList"), (Strings{"ids", "list"}));
  EXPECT_EQ(Parts("allURLs"), (Strings{"all", "urls"}));
  EXPECT_EQ(Parts("HTTPSession"), (Strings{"http", "session"}));
}

TEST(SplitIdentifierTest, LetterDigitBoundaries) {
  EXPECT_EQ(Parts("utf8proc"), (Strings{"utf", "8", "proc"}));
  EXPECT_EQ(Parts("HTTP2Server"), (Strings{"http", "2", "server"}));
  EXPECT_EQ(Parts("x86_64"), (Strings{"x", "86", "64"}));
  EXPECT_EQ(Parts("sha256sum"), (Strings{"sha", "256", "sum"}));
}

TEST(SplitIdentifierTest, SinglePartWordsYieldNothing) {
  EXPECT_EQ(Parts("request"), Strings{});
  EXPECT_EQ(Parts("Request"), Strings{});
  EXPECT_EQ(Parts("HTTP"), Strings{});
  EXPECT_EQ(Parts("2024"), Strings{});
  EXPECT_EQ(Parts("__init__"), Strings{});
  EXPECT_EQ(Parts("_"), Strings{});
  EXPECT_EQ(Parts(""), Strings{});
}

TEST(SplitIdentifierTest, UnicodeIdentifiers) {
  // Cyrillic camelCase: "получитьДанные" -> получить, данные.
  EXPECT_EQ(Parts("\xD0\xBF\xD0\xBE\xD0\xBB\xD1\x83\xD1\x87\xD0\xB8\xD1\x82\xD1\x8C"
                  "\xD0\x94\xD0\xB0\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB5"),
            (Strings{"\xD0\xBF\xD0\xBE\xD0\xBB\xD1\x83\xD1\x87\xD0\xB8\xD1\x82\xD1\x8C",
                     "\xD0\xB4\xD0\xB0\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB5"}));
  // Combining marks stay with their letter: "cafe\u0301Bar" -> café, bar (folded, composed).
  EXPECT_EQ(Parts("cafe\xCC\x81"
                  "Bar"),
            (Strings{"caf\xC3\xA9", "bar"}));
  // Full-width camelCase folds to ASCII parts: "ｇｅｔＩｄ".
  EXPECT_EQ(Parts("\xEF\xBD\x87\xEF\xBD\x85\xEF\xBD\x94\xEF\xBC\xA9\xEF\xBD\x84"), (Strings{"get", "id"}));
}

TEST(SplitIdentifierTest, SpansKeepOriginalCaseAndOffsets) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  SplitIdentifierSpans("_getX2", &spans);
  EXPECT_EQ(spans, (std::vector<std::pair<std::size_t, std::size_t>>{{1, 4}, {4, 5}, {5, 6}}));
  SplitIdentifierSpans("word", &spans);
  EXPECT_EQ(spans, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 4}}));
  SplitIdentifierSpans("__", &spans);
  EXPECT_TRUE(spans.empty());
}

}  // namespace
}  // namespace memd::text
