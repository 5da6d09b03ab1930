#include "util/mapped_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/file_util.h"
#include "util/temp_dir.h"

namespace memd {
namespace {

TempDir MakeTempDir() {
  auto dir = TempDir::Create("memd-mapped-file-test-");
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  return std::move(dir).value();
}

TEST(MappedFileTest, MapsTheWholeFileByteForByte) {
  TempDir dir = MakeTempDir();
  std::string content(3 * 4096 + 17, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31);
  ASSERT_TRUE(WriteFileAtomic(dir.Child("f"), content).ok());
  auto mapped = MappedFile::Open(dir.Child("f"));
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_EQ(mapped->bytes(), content);
  // Moving keeps the mapping valid; the moved-from object is empty.
  MappedFile moved = std::move(*mapped);
  EXPECT_EQ(moved.bytes(), content);
  EXPECT_TRUE(mapped->bytes().empty());
}

TEST(MappedFileTest, EmptyFileMapsToNoBytes) {
  TempDir dir = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(dir.Child("empty"), "").ok());
  auto mapped = MappedFile::Open(dir.Child("empty"));
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_TRUE(mapped->bytes().empty());
}

TEST(MappedFileTest, MissingFileIsIOErrorNamingThePath) {
  TempDir dir = MakeTempDir();
  auto mapped = MappedFile::Open(dir.Child("missing"));
  ASSERT_EQ(mapped.status().code(), StatusCode::kIOError);
  EXPECT_NE(mapped.status().message().find(dir.Child("missing")), std::string::npos);
}

TEST(MappedFileTest, AdviseHugePagesAcceptsAnyRange) {
  std::vector<char> small(100, 'x');
  AdviseHugePages(small.data(), small.size());  // smaller than a huge page: nothing to advise
  std::vector<char> large(5 << 20, 'y');
  AdviseHugePages(large.data(), large.size());
  EXPECT_EQ(large[(5 << 20) - 1], 'y');  // contents are untouched
}

}  // namespace
}  // namespace memd
