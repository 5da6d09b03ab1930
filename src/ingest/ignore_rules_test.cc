#include "ingest/ignore_rules.h"

#include <gtest/gtest.h>

namespace memd::ingest {
namespace {

using Verdict = IgnoreList::Verdict;

TEST(IgnoreRulesTest, ParsesCommentsBlanksNegationAndDirectoryOnly) {
  IgnorePattern p;
  EXPECT_FALSE(ParseIgnoreLine("", &p));
  EXPECT_FALSE(ParseIgnoreLine("   ", &p));
  EXPECT_FALSE(ParseIgnoreLine("# comment", &p));
  ASSERT_TRUE(ParseIgnoreLine("!keep.log", &p));
  EXPECT_TRUE(p.negated);
  EXPECT_EQ(p.glob, "keep.log");
  ASSERT_TRUE(ParseIgnoreLine("logs/", &p));
  EXPECT_TRUE(p.directory_only);
  EXPECT_FALSE(p.anchored);
  ASSERT_TRUE(ParseIgnoreLine("/build", &p));
  EXPECT_TRUE(p.anchored);
  EXPECT_EQ(p.glob, "build");
  ASSERT_TRUE(ParseIgnoreLine("doc/*.txt\r", &p));
  EXPECT_TRUE(p.anchored);
  EXPECT_EQ(p.glob, "doc/*.txt");
  ASSERT_TRUE(ParseIgnoreLine("trailing   ", &p));
  EXPECT_EQ(p.glob, "trailing");
  ASSERT_TRUE(ParseIgnoreLine("space\\ ", &p));
  EXPECT_EQ(p.glob, "space\\ ");
}

TEST(IgnoreRulesTest, UnanchoredPatternMatchesNameAtAnyDepth) {
  const IgnoreList list = IgnoreList::FromText("", "*.log\nbuild/\n");
  EXPECT_EQ(list.Match("a.log", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("x/y/a.log", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("x/build", true), Verdict::kIgnore);
  EXPECT_EQ(list.Match("x/build", false), Verdict::kNone) << "build/ matches directories only";
  EXPECT_EQ(list.Match("a.txt", false), Verdict::kNone);
}

TEST(IgnoreRulesTest, AnchoredPatternMatchesRelativeToItsFile) {
  const IgnoreList list = IgnoreList::FromText("sub", "/gen\ndoc/*.txt\n");
  EXPECT_EQ(list.Match("sub/gen", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("sub/x/gen", false), Verdict::kNone);
  EXPECT_EQ(list.Match("gen", false), Verdict::kNone) << "outside the file's directory";
  EXPECT_EQ(list.Match("sub/doc/a.txt", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("sub/x/doc/a.txt", false), Verdict::kNone);
  EXPECT_EQ(list.Match("subway/gen", false), Verdict::kNone);
}

TEST(IgnoreRulesTest, LastMatchingPatternWinsAndNegationReincludes) {
  const IgnoreList list = IgnoreList::FromText("", "*.log\n!important.log\n");
  EXPECT_EQ(list.Match("debug.log", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("important.log", false), Verdict::kInclude);
  const IgnoreList reversed = IgnoreList::FromText("", "!important.log\n*.log\n");
  EXPECT_EQ(reversed.Match("important.log", false), Verdict::kIgnore);
}

TEST(IgnoreRulesTest, DoubleStarAndEscapes) {
  const IgnoreList list = IgnoreList::FromText("", "**/tmp/**\n\\#hash\n\\!bang\na/**/z\n");
  EXPECT_EQ(list.Match("x/tmp/y", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("tmp/y/z", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("#hash", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("!bang", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("a/z", false), Verdict::kIgnore);
  EXPECT_EQ(list.Match("a/b/c/z", false), Verdict::kIgnore);
}

TEST(IgnoreRulesTest, GlobsTreatHashAsPatternAndMatchParents) {
  const IgnoreList list = IgnoreList::FromGlobs({"#x", "docs/", "src/**/*.py"});
  EXPECT_EQ(list.Match("#x", false), Verdict::kIgnore);
  EXPECT_TRUE(list.MatchesSelfOrParent("docs/a/b.md", false));
  EXPECT_TRUE(list.MatchesSelfOrParent("src/a/b.py", false));
  EXPECT_FALSE(list.MatchesSelfOrParent("src/a/b.cc", false));
  EXPECT_FALSE(list.MatchesSelfOrParent("docs", false)) << "a file named docs is not the directory";
}

TEST(IgnoreRulesTest, DefaultExcludesCoverCommonNoise) {
  const IgnoreList& d = DefaultExcludes();
  for (const char* dir : {".git", "node_modules", "a/__pycache__", "build", "x/dist", "target", "out", "vendor",
                          "third_party", ".venv", "cmake-build-debug"}) {
    EXPECT_EQ(d.Match(dir, true), Verdict::kIgnore) << dir;
  }
  for (const char* file : {"package-lock.json", "web/yarn.lock", "Cargo.lock", "poetry.lock", "app.min.js",
                           "site/style.min.css", ".DS_Store"}) {
    EXPECT_EQ(d.Match(file, false), Verdict::kIgnore) << file;
  }
  for (const char* file : {"src/main.cc", "build.gradle", "README.md", "app.js", "output.txt"}) {
    EXPECT_EQ(d.Match(file, false), Verdict::kNone) << file;
  }
}

}  // namespace
}  // namespace memd::ingest
