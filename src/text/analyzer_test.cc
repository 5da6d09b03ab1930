#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "text/text.h"

namespace memd::text {
namespace {

using Strings = std::vector<std::string>;

Strings Analyze(std::string_view text) {
  Strings terms;
  Analyzer().Analyze(text, &terms);
  return terms;
}

bool Contains(const Strings& terms, std::string_view term) {
  return std::find(terms.begin(), terms.end(), term) != terms.end();
}

TEST(StopWordTest, CommonFunctionWordsAreStopWords) {
  for (const char* word :
       {"the", "a", "an", "of", "and", "is", "to", "in", "it", "themselves", "s", "t", "don"}) {
    EXPECT_TRUE(IsStopWord(word)) << word;
  }
}

TEST(StopWordTest, TechnicalAndContentWordsSurvive) {
  for (const char* word : {"up", "down", "out", "before", "after", "over", "off", "may", "us", "can", "c",
                           "r", "go", "server", "null", "", "The", "thee", "themselvesx"}) {
    EXPECT_FALSE(IsStopWord(word)) << word;
  }
}

TEST(AnalyzerTest, StemsFoldsAndDropsStopWords) {
  EXPECT_EQ(Analyze("The server is Running and handling requests"),
            (Strings{"server", "run", "handl", "request"}));
}

TEST(AnalyzerTest, StemmingConflatesInflections) {
  EXPECT_EQ(Analyze("running runs run"), (Strings{"run", "run", "run"}));
  EXPECT_EQ(Analyze("requests request requested"), (Strings{"request", "request", "request"}));
  EXPECT_EQ(Analyze("connection connections connected"), (Strings{"connect", "connect", "connect"}));
}

TEST(AnalyzerTest, IdentifiersYieldWholeFormAndStemmedParts) {
  EXPECT_EQ(Analyze("parseHttpRequests"), (Strings{"parsehttprequests", "pars", "http", "request"}));
  EXPECT_EQ(Analyze("parse_http_requests"), (Strings{"parse_http_requests", "pars", "http", "request"}));
  // Stop-word parts are dropped, the whole form is not.
  EXPECT_EQ(Analyze("isEnabled"), (Strings{"isenabled", "enabl"}));
  EXPECT_EQ(Analyze("utf8proc"), (Strings{"utf8proc", "utf", "8", "proc"}));
}

TEST(AnalyzerTest, UnderscoreFramedWordIsItsPart) { EXPECT_EQ(Analyze("__init__ _"), Strings{"init"}); }

TEST(AnalyzerTest, NumbersAndSingleCharactersAreKept) {
  EXPECT_EQ(Analyze("vitamin C in 2024, R 4"), (Strings{"vitamin", "c", "2024", "r", "4"}));
  // Full-width digits fold to ASCII and are not stemmed.
  EXPECT_EQ(Analyze("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x94"), Strings{"2024"});
}

TEST(AnalyzerTest, UnicodeWordsFoldAlike) {
  EXPECT_EQ(Analyze("STRASSE"), Analyze("Stra\xC3\x9F"
                                        "e"));
  EXPECT_EQ(Analyze("\xEF\xBC\xA6\xEF\xBD\x8F\xEF\xBD\x8F"), Analyze("FOO"));  // Ｆｏｏ
  EXPECT_EQ(Analyze("CAFE\xCC\x81"), Analyze("caf\xC3\xA9"));                  // NFD vs NFC
  // Han characters are single-character terms.
  EXPECT_EQ(Analyze("\xE6\x97\xA5\xE6\x9C\xAC"), (Strings{"\xE6\x97\xA5", "\xE6\x9C\xAC"}));
}

TEST(AnalyzerTest, QueryAndDocumentFormsMeet) {
  const Strings doc = Analyze("def parse_http_request(raw): return HTTPRequest.from_bytes(raw)");
  for (const std::string& term : Analyze("parse HTTP requests")) EXPECT_TRUE(Contains(doc, term)) << term;
  EXPECT_TRUE(Contains(doc, "parse_http_request"));
  EXPECT_TRUE(Contains(doc, "httprequest"));
  EXPECT_TRUE(Contains(doc, "from_bytes"));  // whole identifiers are not stemmed
}

TEST(AnalyzerTest, CodeSnippet) {
  const Strings terms = Analyze(
      "std::unique_ptr<HttpServer> server = MakeServer(config.listen_port);\n"
      "// Retries failed connections 3 times");
  EXPECT_EQ(terms, (Strings{"std",    "unique_ptr", "uniqu", "ptr",     "httpserver", "http",        "server",
                            "server", "makeserver", "make",  "server",  "config",     "listen_port", "listen",
                            "port",   "retri",      "fail",  "connect", "3",          "time"}));
}

TEST(AnalyzerTest, LongWordsAreCutAndNotSplit) {
  std::string blob;
  for (int i = 0; i < 50; ++i) blob += "aB3";  // 150 bytes of mixed-case base64-like text
  const Strings terms = Analyze("x " + blob + " y");
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[1].size(), kMaxTermBytes);
  EXPECT_EQ(terms[1].substr(0, 6), "ab3ab3");
  // Cut at a character boundary: 43 three-byte characters are 129 bytes -> 42 fit.
  std::string cjk_word;
  for (int i = 0; i < 43; ++i) cjk_word += "\xE3\x83\x86";  // Katakana テ (one long word)
  const Strings cjk = Analyze(cjk_word);
  ASSERT_EQ(cjk.size(), 1u);
  EXPECT_EQ(cjk[0].size(), 126u);
}

TEST(AnalyzerTest, ReusesAndTrimsTheCallersVector) {
  Strings terms{"stale1", "stale2", "stale3", "stale4"};
  Analyzer().Analyze("fresh words", &terms);
  EXPECT_EQ(terms, (Strings{"fresh", "word"}));
  Analyzer().Analyze("", &terms);
  EXPECT_TRUE(terms.empty());
}

TEST(AnalyzerTest, IllFormedInputDoesNotCrash) {
  EXPECT_EQ(Analyze("good\xFF\xFE"
                    "bad\xC3"),
            (Strings{"good", "bad"}));
}

TEST(AnalyzerTest, WordMemoNeverChangesTerms) {
  // More distinct words than the per-thread memo holds, so slots are evicted and reused.
  std::vector<std::string> words;
  for (int i = 0; i < 12000; ++i) {
    words.push_back("Connect" + std::to_string(i % 97) + "ing");
    words.push_back("walking" + std::to_string(i));
    words.push_back(i % 2 ? "The" : "running");
  }
  // Analyse word by word in reverse order (a different memo history), then the whole text.
  std::vector<Strings> per_word(words.size());
  for (std::size_t i = words.size(); i-- > 0;) per_word[i] = Analyze(words[i]);
  Strings expected;
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    expected.insert(expected.end(), per_word[i].begin(), per_word[i].end());
    text += words[i] + " ";
  }
  EXPECT_EQ(Analyze(text), expected);
  Strings cold;
  std::thread([&] { cold = Analyze(text); }).join();  // a new thread starts with an empty memo
  EXPECT_EQ(cold, expected);
  EXPECT_EQ(per_word[1], (Strings{"walking0", "walk", "0"}));
  EXPECT_EQ(per_word[2], Strings{"run"});
}

TEST(AnalyzerTest, ThreadsGetTheSameTerms) {
  const std::string text =
      "Concurrent analyzers share nothing but produce identical terms for parseHttpRequest";
  const Strings expected = Analyze(text);
  std::vector<Strings> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) results[t] = Analyze(text);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace memd::text
