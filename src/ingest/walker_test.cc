#include "ingest/walker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "ingest/ingest_test_util.h"

namespace memd::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::FixtureTree;

struct WalkResult {
  std::vector<std::string> files;                // relative paths, in walk order
  std::map<std::string, SkipReason> skipped;     // relative path -> reason
  std::map<std::string, std::string> details;
  std::vector<WalkedFile> walked;
};

WalkResult RunWalk(const std::string& root, const WalkOptions& options = {}, const std::atomic<bool>* cancel = nullptr) {
  WalkResult r;
  const Status s = WalkDirectory(
      root, options,
      [&](WalkedFile f) {
        r.files.push_back(f.relative_path);
        r.walked.push_back(std::move(f));
      },
      [&](WalkSkip s) {
        r.skipped[s.relative_path] = s.reason;
        r.details[s.relative_path] = s.detail;
      },
      cancel);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return r;
}

TEST(WalkerTest, YieldsFilesInSortedDepthFirstOrderWithSizeAndMtime) {
  FixtureTree t;
  t.Write("b.txt", "bb");
  t.Write("a/z.cc", "int z;");
  t.Write("a/y.cc", "int y;");
  t.Write("c.md", "# c");
  t.SetMtime("b.txt", 1700000000);
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre("a/y.cc", "a/z.cc", "b.txt", "c.md"));
  EXPECT_THAT(r.skipped, IsEmpty());
  const WalkedFile& b = r.walked[2];
  EXPECT_EQ(b.path, t.root() + "/b.txt");
  EXPECT_EQ(b.size, 2);
  EXPECT_EQ(b.mtime_ns, 1700000000LL * 1000000000LL);
}

TEST(WalkerTest, HonoursNestedGitignoreWithNegationAndAnchoring) {
  FixtureTree t;
  t.Write(".gitignore", "# logs\n*.log\n!keep.log\nsecret/\n");
  t.Write("sub/.gitignore", "!debug.log\n/local.txt\n");
  t.Write("a.log", "x");
  t.Write("keep.log", "x");
  t.Write("sub/debug.log", "x");
  t.Write("sub/other.log", "x");
  t.Write("sub/local.txt", "x");
  t.Write("sub/deeper/local.txt", "x");
  t.Write("local.txt", "x");
  t.Write("secret/key.txt", "x");
  t.Write("src/main.cc", "int main() {}");
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre(".gitignore", "keep.log", "local.txt", "src/main.cc", "sub/.gitignore",
                                   "sub/debug.log", "sub/deeper/local.txt"));
  EXPECT_EQ(r.skipped.at("a.log"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("sub/other.log"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("sub/local.txt"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("secret"), SkipReason::kIgnored);
  EXPECT_FALSE(r.skipped.contains("secret/key.txt")) << "an ignored directory is reported once, not entered";
}

TEST(WalkerTest, MemdignoreWinsOverGitignoreOfTheSameDirectory) {
  FixtureTree t;
  t.Write(".gitignore", "*.tmp\n");
  t.Write(".memdignore", "!wanted.tmp\nnotes/\n");
  t.Write("wanted.tmp", "x");
  t.Write("other.tmp", "x");
  t.Write("notes/a.md", "x");
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre(".gitignore", ".memdignore", "wanted.tmp"));
  EXPECT_EQ(r.skipped.at("other.tmp"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("notes"), SkipReason::kIgnored);
}

TEST(WalkerTest, IgnoreFilesCanBeTurnedOff) {
  FixtureTree t;
  t.Write(".gitignore", "*.log\n");
  t.Write("a.log", "x");
  WalkOptions options;
  options.use_ignore_files = false;
  EXPECT_THAT(RunWalk(t.root(), options).files, ElementsAre(".gitignore", "a.log"));
}

TEST(WalkerTest, AppliesGitignoreFilesAboveTheRootInsideAWorkTree) {
  FixtureTree t;
  t.Mkdir(".git/info");
  t.Write(".git/info/exclude", "*.excluded\n");
  t.Write(".gitignore", "*.gen\n/proj/sub/local.txt\n");
  t.Write("proj/.gitignore", "!keep.gen\n");
  t.Write("proj/sub/a.gen", "x");
  t.Write("proj/sub/keep.gen", "x");
  t.Write("proj/sub/local.txt", "x");
  t.Write("proj/sub/b.excluded", "x");
  t.Write("proj/sub/main.py", "x");
  const WalkResult r = RunWalk(t.Path("proj/sub"));
  EXPECT_THAT(r.files, ElementsAre("keep.gen", "main.py"));
  EXPECT_EQ(r.skipped.at("a.gen"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("local.txt"), SkipReason::kIgnored);
  EXPECT_EQ(r.skipped.at("b.excluded"), SkipReason::kIgnored);
}

TEST(WalkerTest, LeavesOutDefaultExcludesUnlessTurnedOff) {
  FixtureTree t;
  t.Write(".git/config", "x");
  t.Write("node_modules/lib/index.js", "x");
  t.Write("web/__pycache__/m.cpython.pyc", "x");
  t.Write("build/gen.cc", "x");
  t.Write("vendor/dep.go", "x");
  t.Write("package-lock.json", "{}");
  t.Write("static/app.min.js", "x");
  t.Write("src/app.js", "x");
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre("src/app.js"));
  for (const char* p : {".git", "node_modules", "web/__pycache__", "build", "vendor", "package-lock.json",
                        "static/app.min.js"}) {
    ASSERT_TRUE(r.skipped.contains(p)) << p;
    EXPECT_EQ(r.skipped.at(p), SkipReason::kDefaultExcluded) << p;
  }
  WalkOptions options;
  options.use_default_excludes = false;
  EXPECT_EQ(RunWalk(t.root(), options).files.size(), 7u) << "all but the .pyc, which is binary";
}

TEST(WalkerTest, IncludeAndExcludeGlobs) {
  FixtureTree t;
  t.Write("src/a.py", "x");
  t.Write("src/gen/b.py", "x");
  t.Write("src/c.cc", "x");
  t.Write("docs/guide.md", "x");
  t.Write("README.md", "x");
  WalkOptions options;
  options.include_globs = {"*.py", "docs/"};
  options.exclude_globs = {"src/gen/"};
  const WalkResult r = RunWalk(t.root(), options);
  EXPECT_THAT(r.files, ElementsAre("docs/guide.md", "src/a.py"));
  EXPECT_EQ(r.skipped.at("src/gen"), SkipReason::kExcludedByGlob);
  EXPECT_EQ(r.skipped.at("src/c.cc"), SkipReason::kExcludedByGlob);
  EXPECT_EQ(r.skipped.at("README.md"), SkipReason::kExcludedByGlob);
  EXPECT_EQ(r.details.at("README.md"), "matches no include glob");
}

TEST(WalkerTest, SkipsBinaryExtensionsAndFilesOverTheSizeLimit) {
  FixtureTree t;
  t.Write("logo.png", "\x89PNG");
  t.Write("big.txt", std::string(5000, 'a'));
  t.Write("small.txt", "a");
  t.Write("doc.html", std::string(5000, 'a'));
  WalkOptions options;
  options.max_file_bytes = 4096;
  options.max_document_bytes = 8192;
  const WalkResult r = RunWalk(t.root(), options);
  EXPECT_THAT(r.files, ElementsAre("doc.html", "small.txt"));
  EXPECT_EQ(r.skipped.at("logo.png"), SkipReason::kBinary);
  EXPECT_EQ(r.skipped.at("big.txt"), SkipReason::kTooLarge);
  EXPECT_EQ(r.details.at("big.txt"), "4.9 KiB, over max_file_bytes (4.0 KiB)");
}

TEST(WalkerTest, DetectsSymlinkLoopsAndNeverLeavesTheRootByDefault) {
  FixtureTree outside;
  outside.Write("secret.txt", "outside");
  FixtureTree t;
  t.Write("src/main.cc", "int main() {}");
  t.Symlink("..", "src/up");                         // an ancestor: loop
  t.Symlink("self", "self");                         // ELOOP
  t.Symlink(outside.root(), "out_dir");              // escapes
  t.Symlink(outside.Path("secret.txt"), "out_file"); // escapes
  t.Symlink("src/main.cc", "alias.cc");              // inside: walked under its own name
  t.Symlink("missing.txt", "dangling");
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre("src/main.cc"));
  EXPECT_EQ(r.skipped.at("src/up"), SkipReason::kSymlinkLoop);
  EXPECT_EQ(r.skipped.at("self"), SkipReason::kSymlinkLoop);
  EXPECT_EQ(r.skipped.at("out_dir"), SkipReason::kSymlinkEscapesRoot);
  EXPECT_EQ(r.skipped.at("out_file"), SkipReason::kSymlinkEscapesRoot);
  EXPECT_EQ(r.skipped.at("alias.cc"), SkipReason::kSymlinkInsideRoot);
  EXPECT_EQ(r.skipped.at("dangling"), SkipReason::kUnreadable);
}

TEST(WalkerTest, FollowsLinksOutOfTheRootOnlyWhenAskedAndStillDetectsLoops) {
  FixtureTree outside;
  outside.Write("lib/util.py", "x");
  outside.Symlink(outside.Path("lib"), "lib/again");  // a loop within the outside tree
  FixtureTree t;
  t.Write("main.py", "x");
  t.Symlink(outside.Path("lib"), "lib");
  t.Symlink(outside.Path("lib/util.py"), "util_link.py");
  WalkOptions options;
  options.follow_symlinks_outside_root = true;
  const WalkResult r = RunWalk(t.root(), options);
  EXPECT_THAT(r.files, ElementsAre("lib/util.py", "main.py", "util_link.py"));
  EXPECT_EQ(r.skipped.at("lib/again"), SkipReason::kSymlinkLoop);
  EXPECT_EQ(r.walked[0].path, t.root() + "/lib/util.py") << "uris keep the path under the root";
  EXPECT_FALSE(r.walked[0].via_symlink) << "the file itself is no link";
  EXPECT_TRUE(r.walked[2].via_symlink);
}

TEST(WalkerTest, ReportsSpecialFilesAsUnsupported) {
  FixtureTree t;
  ASSERT_EQ(mkfifo(t.Path("pipe").c_str(), 0600), 0);
  t.Write("a.txt", "x");
  const WalkResult r = RunWalk(t.root());
  EXPECT_THAT(r.files, ElementsAre("a.txt"));
  EXPECT_EQ(r.skipped.at("pipe"), SkipReason::kUnsupportedType);
}

TEST(WalkerTest, ReportsUnreadableDirectories) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any directory";
  FixtureTree t;
  t.Write("locked/a.txt", "x");
  t.Write("b.txt", "x");
  ASSERT_EQ(chmod(t.Path("locked").c_str(), 0), 0);
  const WalkResult r = RunWalk(t.root());
  chmod(t.Path("locked").c_str(), 0700);
  EXPECT_THAT(r.files, ElementsAre("b.txt"));
  EXPECT_EQ(r.skipped.at("locked"), SkipReason::kUnreadable);
}

TEST(WalkerTest, StopsWhenCancelled) {
  FixtureTree t;
  t.Write("a.txt", "x");
  t.Write("b.txt", "x");
  std::atomic<bool> cancel{true};
  EXPECT_THAT(RunWalk(t.root(), {}, &cancel).files, IsEmpty());
}

TEST(WalkerTest, RootThatIsNotADirectoryIsAnError) {
  FixtureTree t;
  t.Write("file.txt", "x");
  const Status s = WalkDirectory(t.Path("file.txt"), {}, [](WalkedFile) {}, [](WalkSkip) {});
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(WalkDirectory("relative", {}, [](WalkedFile) {}, [](WalkSkip) {}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace memd::ingest
