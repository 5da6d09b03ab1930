#include "cli/input.h"

#include <gtest/gtest.h>

namespace memd::cli {
namespace {

TEST(InputTest, ParseJsonLinesKeepsPhysicalLineNumbersAndSkipsBlankLines) {
  auto lines = ParseJsonLines("{\"a\":1}\n\n  \r\n[2]\r\n\"x\"");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ((*lines)[0].line, 1u);
  EXPECT_EQ((*lines)[1].line, 4u);
  EXPECT_EQ((*lines)[2].line, 5u);
  EXPECT_EQ((*lines)[2].value.as_string(), "x");
}

TEST(InputTest, ParseJsonLinesNamesTheFirstBadLine) {
  auto lines = ParseJsonLines("{}\n{}\n{\"text\": \n{}\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lines.status().field(), "line 3");
  EXPECT_EQ(lines.status().message().rfind("line 3: ", 0), 0u) << lines.status().message();
}

TEST(InputTest, ParseJsonLinesRejectsInvalidUtf8) {
  auto lines = ParseJsonLines("{}\n{}\n{\"text\":\"a\xff\"}\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().field(), "line 3");
}

TEST(InputTest, AtLinePrefixesTheMessageAndNestsTheField) {
  Status s = AtLine(Status::InvalidArgument("text is empty", "text"), 7);
  EXPECT_EQ(s.message(), "line 7: text is empty");
  EXPECT_EQ(s.field(), "line 7.text");
  Status t = AtLine(Status::InvalidArgument("line 7: bad", "line 7"), 7);
  EXPECT_EQ(t.message(), "line 7: bad");
  EXPECT_EQ(t.field(), "line 7");
  EXPECT_EQ(AtLine(Status::NotFound("no cube"), 2).field(), "line 2");
}

}  // namespace
}  // namespace memd::cli
