// Fixture trees for ingest tests: a temporary directory with helpers to write files, make
// directories and symlinks.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "util/file_util.h"
#include "util/temp_dir.h"

namespace memd::ingest::testing {

class FixtureTree {
 public:
  FixtureTree() {
    auto dir = TempDir::Create("memd-ingest-test-");
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    char buf[PATH_MAX];
    root_ = realpath(dir_->path().c_str(), buf) ? std::string(buf) : dir_->path();
  }

  // The canonical path of the tree's root.
  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  // Writes rel (creating parent directories).
  void Write(const std::string& rel, const std::string& content) {
    const std::string path = Path(rel);
    ASSERT_TRUE(CreateDirectories(ParentDirectory(path)).ok());
    // A plain write: fixtures need no durability, and fsync would make tests slow.
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    ASSERT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
    ASSERT_EQ(std::fclose(f), 0);
  }
  void Mkdir(const std::string& rel) { ASSERT_TRUE(CreateDirectories(Path(rel)).ok()); }
  // Creates a symlink at rel pointing to target (verbatim: relative or absolute).
  void Symlink(const std::string& target, const std::string& rel) {
    ASSERT_TRUE(CreateDirectories(ParentDirectory(Path(rel))).ok());
    ASSERT_EQ(symlink(target.c_str(), Path(rel).c_str()), 0) << rel;
  }
  void Remove(const std::string& rel) { ASSERT_TRUE(RemoveAll(Path(rel)).ok()); }
  // Sets the modification time of rel (seconds since the epoch).
  void SetMtime(const std::string& rel, long seconds) {
    struct timeval tv[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(utimes(Path(rel).c_str(), tv), 0);
  }

 private:
  std::unique_ptr<TempDir> dir_;
  std::string root_;
};

}  // namespace memd::ingest::testing
