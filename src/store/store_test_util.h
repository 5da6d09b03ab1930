// Helpers shared by the store's unit tests: a temporary directory and row builders.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace memd::store::testing {

// A fresh directory under TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/memd_store_XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    char* made = mkdtemp(buffer.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed for " << pattern;
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline constexpr int kTestDimension = 4;

// A row ready for WriteTxn::Insert: the hash is derived from the text so equal texts dedup.
inline MemoryRow MakeRow(const std::string& id, const std::string& text, Timestamp now = 1000) {
  MemoryRow row;
  row.memory.id = id;
  row.memory.text = text;
  row.memory.kind = "note";
  row.memory.metadata = R"({"k":"v"})";
  row.memory.tags = {"alpha", "b\"eta", "\xc3\xa9t\xc3\xa9"};
  row.memory.source = SourceRef{"file:///tmp/a.md", 3, 7};
  row.memory.created_at = now;
  row.memory.updated_at = now;
  row.memory.version = 1;
  row.content_hash = std::string(32, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) row.content_hash[i % 32] ^= text[i];
  row.content_hash[31] = '\xff';  // binary, with a NUL inside
  row.embedding.assign(kTestDimension, 0.5f);
  row.embedding[0] = static_cast<float>(text.size());
  return row;
}

inline SqliteStoreOptions TestOptions(const TempDir& dir, Durability durability = Durability::kNormal) {
  SqliteStoreOptions options;
  options.path = dir.File("memd.db");
  options.durability = durability;
  options.read_connections = 2;
  return options;
}

}  // namespace memd::store::testing
