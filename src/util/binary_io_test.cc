#include "util/binary_io.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/file_util.h"
#include "util/temp_dir.h"

namespace memd {
namespace {

TEST(BinaryIoTest, RoundTripsScalarsStringsAndVectors) {
  auto dir = TempDir::Create("memd-binary-io-test-");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->Child("snap.bin");
  const std::vector<float> floats{1.5f, -2.0f, 3.25f};
  {
    BinaryWriter out(path);
    ASSERT_TRUE(out.status().ok());
    out.Put<std::uint32_t>(0xDEADBEEF);
    out.Put<double>(2.5);
    out.PutString("hello");
    out.PutString("");
    out.PutVector<float>(floats);
    ASSERT_TRUE(out.Finish().ok());
  }
  BinaryReader in(path);
  ASSERT_TRUE(in.status().ok());
  std::uint32_t u = 0;
  double d = 0;
  std::string s1, s2;
  std::vector<float> v;
  ASSERT_TRUE(in.Get(&u).ok());
  ASSERT_TRUE(in.Get(&d).ok());
  ASSERT_TRUE(in.GetString(&s1).ok());
  ASSERT_TRUE(in.GetString(&s2).ok());
  ASSERT_TRUE(in.GetVector(&v).ok());
  EXPECT_EQ(u, 0xDEADBEEF);
  EXPECT_EQ(d, 2.5);
  EXPECT_EQ(s1, "hello");
  EXPECT_EQ(s2, "");
  EXPECT_EQ(v, floats);
  EXPECT_TRUE(in.AtEnd());
}

TEST(BinaryIoTest, TruncatedInputIsCorruptionNotCrash) {
  std::string bytes;
  const std::uint64_t huge = ~std::uint64_t{0};
  bytes.append(reinterpret_cast<const char*>(&huge), sizeof(huge));  // string length 2^64-1
  BinaryReader in(bytes, "snapshot");
  std::string s;
  Status status = in.GetString(&s);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("snapshot"), std::string::npos);

  BinaryReader vec_in(bytes, "snapshot");
  std::vector<double> v;
  EXPECT_EQ(vec_in.GetVector(&v).code(), StatusCode::kCorruption);  // no giant allocation

  BinaryReader short_in(std::string_view("abc"), "short");
  std::uint64_t x;
  EXPECT_EQ(short_in.Get(&x).code(), StatusCode::kCorruption);
}

TEST(BinaryIoTest, MissingFilesReportIoErrors) {
  auto dir = TempDir::Create("memd-binary-io-test-");
  ASSERT_TRUE(dir.ok());
  BinaryReader in(dir->Child("missing"));
  EXPECT_EQ(in.status().code(), StatusCode::kIOError);
  BinaryWriter out(dir->Child("no/such/dir"));
  EXPECT_EQ(out.status().code(), StatusCode::kIOError);
  out.Put<int>(1);  // ignored after an error
  EXPECT_EQ(out.Finish().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace memd
