#include <gtest/gtest.h>

#include <string>

#include "ingest/ingest_test_util.h"
#include "memd/ingest.h"

namespace memd {
namespace {

using ingest::testing::FixtureTree;

class ConfinePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.Write("docs/a.md", "x");
    outside_.Write("secret.txt", "x");
    root_.Symlink(outside_.root(), "docs/escape");
    root_.Symlink("a.md", "docs/alias.md");
  }
  Result<std::string> Confine(const std::string& path) { return ConfinePath(path, {root_.root()}); }

  FixtureTree root_;
  FixtureTree outside_;
};

TEST_F(ConfinePathTest, AcceptsPathsInsideARootAndReturnsTheCanonicalPath) {
  auto r = Confine("docs/a.md");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, root_.Path("docs/a.md"));
  r = Confine(root_.Path("docs/./x/../a.md"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, root_.Path("docs/a.md"));
  r = Confine(root_.root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, root_.root());
  r = Confine("docs/alias.md");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, root_.Path("docs/a.md")) << "a link inside the root resolves to its target";
}

TEST_F(ConfinePathTest, RefusesDotDotAndAbsolutePathsOutsideTheRoots) {
  EXPECT_EQ(Confine("../" + outside_.root()).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Confine("docs/../../../../../etc/passwd").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Confine("/etc/passwd").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Confine(outside_.Path("secret.txt")).status().code(), StatusCode::kPermissionDenied);
  // A sibling whose name extends the root's is not inside it.
  EXPECT_EQ(Confine(root_.root() + "x/file").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ConfinePathTest, RefusesSymlinksThatLeadOutside) {
  EXPECT_EQ(Confine("docs/escape/secret.txt").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Confine("docs/escape").status().code(), StatusCode::kPermissionDenied);
  // A missing file behind the link is refused the same way: existence outside is not revealed.
  EXPECT_EQ(Confine("docs/escape/missing.txt").status().code(), StatusCode::kPermissionDenied);
  root_.Symlink(outside_.Path("missing"), "dangling");
  EXPECT_EQ(Confine("dangling").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ConfinePathTest, MissingPathInsideARootIsNotFound) {
  EXPECT_EQ(Confine("docs/missing.md").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Confine("nodir/missing.md").status().code(), StatusCode::kNotFound);
}

TEST_F(ConfinePathTest, ChecksEveryRootAndRootsGivenThroughSymlinks) {
  FixtureTree links;
  links.Symlink(root_.root(), "root_link");
  auto r = ConfinePath(links.Path("root_link") + "/docs/a.md", {outside_.root(), links.Path("root_link")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, root_.Path("docs/a.md"));
  r = ConfinePath(outside_.Path("secret.txt"), {root_.root(), outside_.root()});
  EXPECT_TRUE(r.ok());
}

TEST_F(ConfinePathTest, RejectsMalformedInput) {
  EXPECT_EQ(Confine("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Confine(std::string("docs/a.md\0x", 11)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConfinePath("a", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConfinePath("a", {"relative/root"}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace memd
