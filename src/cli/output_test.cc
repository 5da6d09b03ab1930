#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace memd::cli {
namespace {

TEST(OutputTest, HumanErrorNamesTheField) {
  std::ostringstream out, err;
  Output output(out, err, false);
  output.Error(Status::InvalidArgument("bad op", "filter.op"));
  EXPECT_EQ(err.str(), "memd: error: bad op (at filter.op)\n");
  EXPECT_EQ(out.str(), "");
}

TEST(OutputTest, JsonErrorIsOneDocumentWithCodeMessageAndField) {
  std::ostringstream out, err;
  Output output(out, err, true);
  output.Error(Status::InvalidArgument("bad op", "filter.op"));
  EXPECT_EQ(err.str(), "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"bad op\",\"field\":\"filter.op\"}}\n");
  std::ostringstream err2;
  Output output2(out, err2, true);
  output2.Error(Status::NotFound("gone"));
  EXPECT_EQ(err2.str(), "{\"error\":{\"code\":\"not_found\",\"message\":\"gone\"}}\n");
}

TEST(OutputTest, NoteIsSilentInJsonMode) {
  std::ostringstream out, err;
  Output(out, err, true).Note("hint");
  EXPECT_EQ(err.str(), "");
  Output(out, err, false).Note("hint");
  EXPECT_EQ(err.str(), "hint\n");
}

TEST(OutputTest, FormatTimeDropsMilliseconds) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(1'700'000'000'123), "2023-11-14T22:13:20Z");
}

TEST(OutputTest, DisplayWidthCountsWideCharactersTwice) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("h\xC3\xA9"), 2u);          // é
  EXPECT_EQ(DisplayWidth("\xE6\x97\xA5\xE6\x9C\xAC"), 4u);  // 日本
}

TEST(OutputTest, PreviewKeepsShortSingleLinesWhole) { EXPECT_EQ(Preview("hello world", 20), "hello world"); }

TEST(OutputTest, PreviewCutsLongLinesAndMarksTheCut) {
  EXPECT_EQ(Preview("abcdefghij", 5), "abcd\xE2\x80\xA6");
  EXPECT_EQ(Preview("abcde", 5), "abcde");
}

TEST(OutputTest, PreviewShowsOnlyTheFirstLine) {
  EXPECT_EQ(Preview("first\nsecond", 40), "first\xE2\x80\xA6");
  EXPECT_EQ(Preview("only\n\n", 40), "only");
  EXPECT_EQ(Preview("a\tb", 40), "a b");
}

TEST(OutputTest, PreviewNeverSplitsAUtf8Sequence) {
  std::string p = Preview("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3);  // éééé
  EXPECT_EQ(p, "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
}

TEST(OutputTest, TableAlignsColumnsByDisplayWidth) {
  Table table({"ID", "TEXT"});
  table.AddRow({"a", "first"});
  table.AddRow({"\xC3\xA9\xC3\xA9\xC3\xA9", "second"});
  EXPECT_EQ(table.Render(0), "ID   TEXT\na    first\n\xC3\xA9\xC3\xA9\xC3\xA9  second\n");
}

TEST(OutputTest, TableCutsTheLastColumnToTheTerminal) {
  Table table({"ID", "TEXT"});
  table.AddRow({"a", std::string(100, 'x')});
  std::string rendered = table.Render(40);
  std::string row = rendered.substr(rendered.find('\n') + 1);
  EXPECT_EQ(DisplayWidth(row.substr(0, row.size() - 1)), 40u);
}

}  // namespace
}  // namespace memd::cli
