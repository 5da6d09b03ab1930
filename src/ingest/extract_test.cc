#include "ingest/extract.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "ingest/extract_test_util.h"
#include "util/time_format.h"

namespace memd::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::MakePdf;

TEST(PdfExtractTest, ExtractsTheTextOfEveryPage) {
  const std::string pdf = MakePdf({{"Hello PDF world", "second line"}, {"Page two talks about turbines"}}, "My Title");
  auto r = ExtractPdf(pdf);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->pages.size(), 2u);
  EXPECT_THAT(r->pages[0], HasSubstr("Hello PDF world"));
  EXPECT_THAT(r->pages[0], HasSubstr("second line"));
  EXPECT_THAT(r->pages[1], HasSubstr("turbines"));
  EXPECT_EQ(r->title, "My Title");
}

TEST(PdfExtractTest, DamagedInputIsAnErrorNotACrash) {
  EXPECT_EQ(ExtractPdf("not a pdf at all").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractPdf("").status().code(), StatusCode::kInvalidArgument);
  std::string pdf = MakePdf({{"text"}});
  pdf.resize(pdf.size() / 3);  // truncated
  const auto r = ExtractPdf(pdf);
  // Poppler may recover some of a truncated file; it must not crash either way.
  if (r.ok()) {
    EXPECT_LE(r->pages.size(), 1u);
  }
}

TEST(HtmlExtractTest, KeepsTitleHeadingsAndTextDropsScriptsStylesAndNavigation) {
  const std::string html = R"(<!doctype html>
<html><head><title>Turbine Guide</title><style>p { color: red }</style></head>
<body>
<header><a href="/">Home</a> | <a href="/about">About us</a></header>
<nav><ul><li>Menu item</li></ul></nav>
<h1>Turbine Guide</h1>
<p>Wind turbines convert <b>kinetic</b>
   energy into electricity.</p>
<script>var tracking = "SECRET";</script>
<h2>Maintenance</h2>
<ul><li>Check the blades</li><li>Grease the bearings</li></ul>
<pre>line 1
  indented line 2</pre>
<aside>Related: buy now</aside>
<div hidden>hidden text</div>
<footer>Copyright</footer>
</body></html>)";
  const HtmlText t = ExtractHtml(html);
  EXPECT_EQ(t.title, "Turbine Guide");
  EXPECT_EQ(t.text,
            "# Turbine Guide\n\n"
            "Wind turbines convert kinetic energy into electricity.\n\n"
            "## Maintenance\n\n"
            "- Check the blades\n"
            "- Grease the bearings\n\n"
            "```\nline 1\n  indented line 2\n```\n");
  for (const char* dropped : {"SECRET", "color", "Menu item", "About us", "buy now", "hidden text", "Copyright"}) {
    EXPECT_THAT(t.text, Not(HasSubstr(dropped))) << dropped;
  }
  // Each line knows its source line.
  ASSERT_EQ(t.source_lines.size(), 13u);
  EXPECT_EQ(t.source_lines[2], 7);   // the paragraph starts on line 7
  EXPECT_EQ(t.source_lines[4], 10);  // ## Maintenance
}

TEST(HtmlExtractTest, PrefersMainOrTheOnlyArticle) {
  const HtmlText main = ExtractHtml(
      "<html><body><div>Sidebar junk</div><main><h2>Real</h2><p>Content here.</p></main></body></html>");
  EXPECT_THAT(main.text, HasSubstr("Content here."));
  EXPECT_THAT(main.text, Not(HasSubstr("Sidebar")));
  const HtmlText article = ExtractHtml(
      "<html><body><div>Promo</div><article><header><h1>Post</h1></header><p>Body text.</p></article></body></html>");
  EXPECT_EQ(article.text, "# Post\n\nBody text.\n");
  EXPECT_TRUE(ExtractHtml("").text.empty());
}

TEST(ConversationTest, ReadsJsonlMessagesWithRoleContentAndTimestamp) {
  const std::string jsonl =
      "{\"role\": \"user\", \"content\": \"How do I rotate logs?\", \"timestamp\": \"2024-03-01T10:00:00Z\"}\n"
      "\n"
      "{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"Use logrotate.\"}], "
      "\"timestamp\": 1709287260}\n"
      "{\"speaker\": \"Bob\", \"text\": \"Thanks!\", \"timestamp\": 1709287320000}\n";
  auto messages = ParseConversation(jsonl);
  ASSERT_TRUE(messages.has_value());
  ASSERT_EQ(messages->size(), 3u);
  EXPECT_EQ((*messages)[0].role, "user");
  EXPECT_EQ((*messages)[0].content, "How do I rotate logs?");
  EXPECT_EQ((*messages)[0].line, 1);
  EXPECT_EQ(*(*messages)[0].timestamp, *ParseRfc3339("2024-03-01T10:00:00Z"));
  EXPECT_EQ((*messages)[1].content, "Use logrotate.");
  EXPECT_EQ(*(*messages)[1].timestamp, 1709287260000);
  EXPECT_EQ((*messages)[1].line, 3);
  EXPECT_EQ((*messages)[2].role, "Bob");
  EXPECT_EQ(*(*messages)[2].timestamp, 1709287320000);
  EXPECT_EQ((*messages)[2].index, 2);
}

TEST(ConversationTest, ReadsOpenAiAndExportShapes) {
  auto openai = ParseConversation(
      R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]})");
  ASSERT_TRUE(openai.has_value());
  ASSERT_EQ(openai->size(), 2u);
  EXPECT_EQ((*openai)[1].role, "user");
  auto many = ParseConversation(
      R"([{"chat_messages": [{"sender": "human", "text": "A", "created_at": "2024-01-02 03:04:05"}]},
          {"chat_messages": [{"sender": "assistant", "text": "B"}]}])");
  ASSERT_TRUE(many.has_value());
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ((*many)[1].conversation, 1);
  EXPECT_EQ(*(*many)[0].timestamp, *ParseRfc3339("2024-01-02T03:04:05Z"));
  auto author = ParseConversation(
      R"([{"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["one", "two"]}}])");
  ASSERT_TRUE(author.has_value());
  EXPECT_EQ((*author)[0].role, "user");
  EXPECT_EQ((*author)[0].content, "one\n\ntwo");
}

TEST(ConversationTest, OtherJsonIsNotAConversation) {
  EXPECT_FALSE(ParseConversation(R"({"name": "pkg", "version": "1.0.0", "dependencies": {}})").has_value());
  EXPECT_FALSE(ParseConversation(R"([1, 2, 3])").has_value());
  EXPECT_FALSE(ParseConversation(R"([{"text": "no roles"}, {"text": "at all"}])").has_value());
  EXPECT_FALSE(ParseConversation("not json").has_value());
  EXPECT_FALSE(ParseConversation("{\"role\": \"user\", \"content\": \"x\"}\n{broken\n").has_value());
  EXPECT_FALSE(ParseConversation("").has_value());
}

}  // namespace
}  // namespace memd::ingest
