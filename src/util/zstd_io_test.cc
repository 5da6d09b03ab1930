#include "util/zstd_io.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "util/file_util.h"
#include "util/temp_dir.h"

namespace memd {
namespace {

class ZstdIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-zstd-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_.emplace(std::move(dir).value());
  }

  std::string Path(std::string_view name) const { return dir_->Child(name); }

  void WriteFile(const std::string& path, const std::vector<std::string>& chunks) {
    auto writer = ZstdFileWriter::Create(path);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (const auto& chunk : chunks) ASSERT_TRUE((*writer)->Write(chunk).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }

  // Reads every line; returns the error status if reading fails.
  Status ReadAll(const std::string& path, std::vector<std::string>* lines) {
    MEMD_ASSIGN_OR_RETURN(auto reader, ZstdLineReader::Open(path));
    std::string line;
    for (;;) {
      MEMD_ASSIGN_OR_RETURN(bool more, reader->NextLine(&line));
      if (!more) break;
      lines->push_back(line);
      EXPECT_EQ(reader->line_number(), lines->size());
    }
    return Status::OK();
  }

  std::optional<TempDir> dir_;
};

TEST_F(ZstdIoTest, LinesRoundTripAcrossWriteBoundaries) {
  const std::string path = Path("a.jsonl.zst");
  WriteFile(path, {"{\"a\":1}\n{\"b\"", ":2}\n", "\n", "last line without newline"});
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "", "last line without newline"}));
}

TEST_F(ZstdIoTest, EmptyStreamHasNoLines) {
  const std::string path = Path("empty.zst");
  WriteFile(path, {});
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  EXPECT_TRUE(lines.empty());
}

TEST_F(ZstdIoTest, StripsCarriageReturnBeforeNewline) {
  const std::string path = Path("crlf.zst");
  WriteFile(path, {"one\r\ntwo\r\n"});
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"}));
}

TEST_F(ZstdIoTest, HandlesMultiMegabyteLinesAndManyShortOnes) {
  const std::string path = Path("long.zst");
  std::string long_line(5 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < long_line.size(); i += 997) long_line[i] = static_cast<char>('a' + i % 26);
  std::vector<std::string> expected;
  std::string payload;
  for (int i = 0; i < 20000; ++i) {
    expected.push_back("short " + std::to_string(i));
    payload += expected.back() + "\n";
  }
  expected.push_back(long_line);
  expected.push_back("tail");
  WriteFile(path, {payload, long_line, "\ntail\n"});
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  ASSERT_EQ(lines.size(), expected.size());
  EXPECT_TRUE(lines == expected);
}

TEST_F(ZstdIoTest, ReadsConcatenatedFrames) {
  const std::string a = Path("a.zst"), b = Path("b.zst");
  WriteFile(a, {"first\n"});
  WriteFile(b, {"second\n"});
  const std::string both = *ReadFile(a) + *ReadFile(b);
  ASSERT_TRUE(WriteFileAtomic(Path("both.zst"), both).ok());
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(Path("both.zst"), &lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second"}));
}

TEST_F(ZstdIoTest, TruncatedFileIsCorruption) {
  const std::string path = Path("t.zst");
  std::string payload;
  for (int i = 0; i < 1000; ++i) payload += "line number " + std::to_string(i) + "\n";
  WriteFile(path, {payload});
  std::string bytes = *ReadFile(path);
  ASSERT_TRUE(WriteFileAtomic(path, bytes.substr(0, bytes.size() - 6)).ok());
  std::vector<std::string> lines;
  Status s = ReadAll(path, &lines);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
}

TEST_F(ZstdIoTest, UnfinishedWriterLeavesDetectablyTruncatedFile) {
  const std::string path = Path("unfinished.zst");
  {
    auto writer = ZstdFileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(std::string(300000, 'q') + "\n").ok());
  }
  std::vector<std::string> lines;
  EXPECT_EQ(ReadAll(path, &lines).code(), StatusCode::kCorruption);
}

TEST_F(ZstdIoTest, FlippedByteIsCorruptionAndErrorIsSticky) {
  const std::string path = Path("flip.zst");
  WriteFile(path, {"hello world\nsecond line\n"});
  std::string bytes = *ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x5A;
  ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
  auto reader = ZstdLineReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string line;
  Result<bool> r = true;
  while (r.ok() && *r) r = (*reader)->NextLine(&line);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ((*reader)->NextLine(&line).status().code(), StatusCode::kCorruption);
}

TEST_F(ZstdIoTest, NonZstdAndEmptyFilesAreCorruption) {
  ASSERT_TRUE(WriteFileAtomic(Path("plain.txt"), "just text\n").ok());
  std::vector<std::string> lines;
  EXPECT_EQ(ReadAll(Path("plain.txt"), &lines).code(), StatusCode::kCorruption);
  ASSERT_TRUE(WriteFileAtomic(Path("zero"), "").ok());
  Status s = ReadAll(Path("zero"), &lines);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("empty"), std::string::npos);
}

TEST_F(ZstdIoTest, LineLongerThanLimitIsResourceExhausted) {
  const std::string path = Path("cap.zst");
  WriteFile(path, {"ok\n", std::string(5000, 'y'), "\n"});
  auto reader = ZstdLineReader::Open(path, /*max_line_bytes=*/1000);
  ASSERT_TRUE(reader.ok());
  std::string line;
  ASSERT_TRUE(*(*reader)->NextLine(&line));
  EXPECT_EQ(line, "ok");
  auto r = (*reader)->NextLine(&line);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
}

TEST_F(ZstdIoTest, OpenAndCreateReportIoErrors) {
  EXPECT_EQ(ZstdLineReader::Open(Path("missing.zst")).status().code(), StatusCode::kIOError);
  EXPECT_EQ(ZstdFileWriter::Create(Path("no/such/dir.zst")).status().code(), StatusCode::kIOError);
  EXPECT_EQ(ZstdFileWriter::Create(Path("x.zst"), 1000).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ZstdIoTest, WriterRejectsUseAfterFinish) {
  auto writer = ZstdFileWriter::Create(Path("f.zst"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write("abc").ok());
  EXPECT_EQ((*writer)->bytes_in(), 3u);
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ((*writer)->Write("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*writer)->Finish().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ZstdIoTest, OutputIsStandardZstdWithChecksum) {
  const std::string path = Path("std.zst");
  WriteFile(path, {"payload\n"});
  const std::string bytes = *ReadFile(path);
  char out[64];
  const std::size_t n = ZSTD_decompress(out, sizeof(out), bytes.data(), bytes.size());
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  EXPECT_EQ(std::string(out, n), "payload\n");
  // Byte 4, after the magic number, is the frame header descriptor; bit 2 is Content_Checksum_flag.
  ASSERT_GT(bytes.size(), 5u);
  EXPECT_TRUE(static_cast<unsigned char>(bytes[4]) & 0x04);
}

}  // namespace
}  // namespace memd
