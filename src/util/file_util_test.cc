#include "util/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "util/temp_dir.h"

namespace memd {
namespace {

TempDir MakeTempDir() {
  auto dir = TempDir::Create("memd-file-util-test-");
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  return std::move(dir).value();
}

TEST(FileUtilTest, WriteFileAtomicThenReadFileRoundTrips) {
  TempDir dir = MakeTempDir();
  const std::string path = dir.Child("data.bin");
  const std::string content("binary\0content\n", 15);
  ASSERT_TRUE(WriteFileAtomic(path, content).ok());
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, content);
}

TEST(FileUtilTest, WriteFileAtomicReplacesAndLeavesNoTempFiles) {
  TempDir dir = MakeTempDir();
  const std::string path = dir.Child("state.json");
  ASSERT_TRUE(WriteFileAtomic(path, "old content that is longer").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "new").ok());
  EXPECT_EQ(*ReadFile(path), "new");
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "state.json");
  }
  EXPECT_EQ(entries, 1);
}

TEST(FileUtilTest, WriteFileAtomicFailureNamesPathAndKeepsNothing) {
  TempDir dir = MakeTempDir();
  const std::string path = dir.Child("missing-dir/file");
  Status s = WriteFileAtomic(path, "x");
  ASSERT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find(dir.Child("missing-dir/file")), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s.message();
}

TEST(FileUtilTest, ReadFileReportsMissingFileAndDirectories) {
  TempDir dir = MakeTempDir();
  auto missing = ReadFile(dir.Child("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError);
  EXPECT_NE(missing.status().message().find("nope: No such file or directory"), std::string::npos)
      << missing.status().message();
  EXPECT_FALSE(ReadFile(dir.path()).ok());
}

TEST(FileUtilTest, ReadFileReadsEmptyAndLargeFiles) {
  TempDir dir = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(dir.Child("empty"), "").ok());
  EXPECT_EQ(*ReadFile(dir.Child("empty")), "");
  std::string large(3 * 1024 * 1024 + 17, 'z');
  large[12345] = 'a';
  ASSERT_TRUE(WriteFileAtomic(dir.Child("large"), large).ok());
  EXPECT_EQ(*ReadFile(dir.Child("large")), large);
}

TEST(FileUtilTest, CreateDirectoriesMakesParentsAndIsIdempotent) {
  TempDir dir = MakeTempDir();
  const std::string nested = dir.Child("a/b/c");
  ASSERT_TRUE(CreateDirectories(nested).ok());
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_TRUE(CreateDirectories(nested).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Child("file"), "x").ok());
  Status s = CreateDirectories(dir.Child("file"));
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find(dir.Child("file") + ": "), std::string::npos) << s.message();
}

TEST(FileUtilTest, RemoveAllRemovesTreesAndAcceptsMissingPaths) {
  TempDir dir = MakeTempDir();
  ASSERT_TRUE(CreateDirectories(dir.Child("t/u")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Child("t/u/f"), "x").ok());
  EXPECT_TRUE(RemoveAll(dir.Child("t")).ok());
  EXPECT_FALSE(PathExists(dir.Child("t")));
  EXPECT_TRUE(RemoveAll(dir.Child("never-existed")).ok());
}

TEST(FileUtilTest, RenameFileMovesAcrossDirectoriesAndReplaces) {
  TempDir dir = MakeTempDir();
  ASSERT_TRUE(CreateDirectories(dir.Child("sub")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Child("a"), "A").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Child("sub/b"), "B").ok());
  ASSERT_TRUE(RenameFile(dir.Child("a"), dir.Child("sub/b")).ok());
  EXPECT_FALSE(PathExists(dir.Child("a")));
  EXPECT_EQ(*ReadFile(dir.Child("sub/b")), "A");
  Status s = RenameFile(dir.Child("a"), dir.Child("c"));
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos);
}

TEST(FileUtilTest, FsyncDirectoryFailsOnMissingDirectory) {
  TempDir dir = MakeTempDir();
  EXPECT_TRUE(FsyncDirectory(dir.path()).ok());
  EXPECT_EQ(FsyncDirectory(dir.Child("missing")).code(), StatusCode::kIOError);
}

TEST(FileUtilTest, ParentDirectoryHandlesEdgeCases) {
  EXPECT_EQ(ParentDirectory("a/b/c"), "a/b");
  EXPECT_EQ(ParentDirectory("c"), ".");
  EXPECT_EQ(ParentDirectory("/c"), "/");
}

TEST(TempDirTest, RemovesItselfAndMovesOwnership) {
  std::string path;
  {
    TempDir dir = MakeTempDir();
    path = dir.path();
    ASSERT_TRUE(WriteFileAtomic(dir.Child("f"), "x").ok());
    TempDir moved = std::move(dir);
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(PathExists(path));
  }
  EXPECT_FALSE(PathExists(path));
}

}  // namespace
}  // namespace memd
