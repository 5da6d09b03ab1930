#include "ingest/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace memd::ingest {
namespace {

TEST(GlobTest, StarMatchesWithinOneComponent) {
  EXPECT_TRUE(GlobMatch("*.cc", "main.cc"));
  EXPECT_TRUE(GlobMatch("*.cc", ".cc"));
  EXPECT_FALSE(GlobMatch("*.cc", "src/main.cc"));
  EXPECT_TRUE(GlobMatch("src/*.cc", "src/main.cc"));
  EXPECT_FALSE(GlobMatch("src/*.cc", "src/a/main.cc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYYcZ"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_FALSE(GlobMatch("*", "a/b"));
}

TEST(GlobTest, QuestionMarkMatchesOneCharacterButNotSlash) {
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_FALSE(GlobMatch("a?c", "a/c"));
}

TEST(GlobTest, DoubleStarSpansDirectories) {
  EXPECT_TRUE(GlobMatch("**/foo", "foo"));
  EXPECT_TRUE(GlobMatch("**/foo", "a/b/foo"));
  EXPECT_FALSE(GlobMatch("**/foo", "a/b/foox"));
  EXPECT_TRUE(GlobMatch("a/**", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**", "a/b/c/d"));
  EXPECT_FALSE(GlobMatch("a/**", "a"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatch("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(GlobMatch("**/*.py", "x/y/z.py"));
  EXPECT_TRUE(GlobMatch("**", "x/y/z"));
  // Not a whole component: the same as a single star.
  EXPECT_TRUE(GlobMatch("a**b", "aXb"));
  EXPECT_FALSE(GlobMatch("a**b", "a/b"));
}

TEST(GlobTest, BracketSetsRangesNegationAndClasses) {
  EXPECT_TRUE(GlobMatch("[abc].txt", "b.txt"));
  EXPECT_FALSE(GlobMatch("[abc].txt", "d.txt"));
  EXPECT_TRUE(GlobMatch("[a-c]x", "bx"));
  EXPECT_FALSE(GlobMatch("[a-c]x", "dx"));
  EXPECT_TRUE(GlobMatch("[!a-c]x", "dx"));
  EXPECT_TRUE(GlobMatch("[^a-c]x", "dx"));
  EXPECT_FALSE(GlobMatch("[!a-c]x", "ax"));
  EXPECT_TRUE(GlobMatch("[]]", "]"));
  EXPECT_TRUE(GlobMatch("[a-]", "-"));
  EXPECT_TRUE(GlobMatch("file[[:digit:]]", "file7"));
  EXPECT_FALSE(GlobMatch("file[[:digit:]]", "filex"));
  EXPECT_FALSE(GlobMatch("a[/]b", "a/b"));
  // Unclosed set: never matches.
  EXPECT_FALSE(GlobMatch("[abc", "a"));
  EXPECT_FALSE(GlobMatch("[abc", "[abc"));
}

TEST(GlobTest, BackslashEscapesSpecialCharacters) {
  EXPECT_TRUE(GlobMatch("\\*.txt", "*.txt"));
  EXPECT_FALSE(GlobMatch("\\*.txt", "a.txt"));
  EXPECT_TRUE(GlobMatch("what\\?", "what?"));
  EXPECT_FALSE(GlobMatch("what\\?", "whatX"));
  EXPECT_TRUE(GlobMatch("\\#notes", "#notes"));
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));
  EXPECT_FALSE(GlobMatch("trailing\\", "trailing"));
}

TEST(GlobTest, ManyStarsOnLongTextFinishQuickly) {
  // Git's abort rules keep this polynomial; a naive matcher takes exponential time.
  const std::string text(200, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_FALSE(GlobMatch("**/*a*a*a*a*a*a*a*a*b", "x/y/" + text));
}

}  // namespace
}  // namespace memd::ingest
