#include "mcp/project_name.h"

#include <gtest/gtest.h>

#include "util/file_util.h"
#include "util/temp_dir.h"

namespace memd::mcp {
namespace {

TEST(ProjectNameTest, SanitizeKeepsValidNamesAndReplacesRunsOfOtherBytes) {
  EXPECT_EQ(SanitizeProjectName("memd"), "memd");
  EXPECT_EQ(SanitizeProjectName("my project (old)"), "my-project-old-");
  EXPECT_EQ(SanitizeProjectName("caf\xc3\xa9"), "caf-");
  EXPECT_EQ(SanitizeProjectName("..hidden"), "hidden");
  EXPECT_EQ(SanitizeProjectName("a.b_c@d-e"), "a.b_c@d-e");
  EXPECT_EQ(SanitizeProjectName(""), "");
  EXPECT_EQ(SanitizeProjectName(std::string(300, 'x')).size(), 128u);
}

TEST(ProjectNameTest, UsesTheGitRepositoryContainingTheDirectory) {
  auto dir = TempDir::Create("memd-project-name-");
  ASSERT_TRUE(dir.ok());
  const std::string repo = dir->Child("My Repo");
  ASSERT_TRUE(CreateDirectories(repo + "/.git").ok());
  ASSERT_TRUE(CreateDirectories(repo + "/src/deep").ok());
  EXPECT_EQ(ProjectForDirectory(repo + "/src/deep"), "My-Repo");
  EXPECT_EQ(ProjectForDirectory(repo + "/src/deep/"), "My-Repo");
  EXPECT_EQ(ProjectForDirectory(repo), "My-Repo");
  // A worktree or submodule has a .git file rather than a directory.
  const std::string sub = repo + "/src/module";
  ASSERT_TRUE(CreateDirectories(sub).ok());
  ASSERT_TRUE(WriteFileAtomic(sub + "/.git", "gitdir: ../../.git/modules/module\n").ok());
  EXPECT_EQ(ProjectForDirectory(sub), "module");
  EXPECT_EQ(RepositoryRoot(repo + "/src/deep/../deep"), repo);
  EXPECT_EQ(RepositoryRoot(sub + "/"), sub);
}

TEST(ProjectNameTest, OutsideARepositoryUsesTheDirectoryName) {
  auto dir = TempDir::Create("memd-project-name-");
  ASSERT_TRUE(dir.ok());
  const std::string plain = dir->Child("notes.d");
  ASSERT_TRUE(CreateDirectories(plain).ok());
  EXPECT_EQ(ProjectForDirectory(plain), "notes.d");
  EXPECT_EQ(ProjectForDirectory("/"), "default");
}

}  // namespace
}  // namespace memd::mcp
