#include "ingest/file_chunks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace memd::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

SourceFile File(const std::string& rel, const std::string& bytes) {
  SourceFile f;
  f.uri = "/repo/" + rel;
  f.relative_path = rel;
  f.bytes = bytes;
  f.content_hash = "abc123";
  return f;
}

TEST(FileChunksTest, CodeChunksCarryHeaderKindSourceAndMetadata) {
  const std::string code = "int Add(int a, int b) {\n  return a + b;\n}\n";
  IngestOptions options;
  options.tags = {"repo"};
  const FileChunks fc = BuildFileChunks(File("src/math.cc", code), options);
  ASSERT_FALSE(fc.skip.has_value());
  ASSERT_EQ(fc.chunks.size(), 1u);
  const NewMemory& m = fc.chunks[0];
  EXPECT_EQ(m.text, "File: src/math.cc | Symbol: Add\n" + code.substr(0, code.size() - 1));
  EXPECT_EQ(m.kind, "code");
  EXPECT_EQ(m.metadata,
            R"({"chunk":0,"content_hash":"abc123","language":"cpp","path":"src/math.cc","symbol":"Add"})");
  ASSERT_TRUE(m.source.has_value());
  EXPECT_EQ(m.source->uri, "/repo/src/math.cc");
  EXPECT_EQ(m.source->line_start, 1);
  EXPECT_EQ(m.source->line_end, 3);
  EXPECT_EQ(m.tags, std::vector<std::string>{"repo"});
  EXPECT_EQ(fc.language, "cpp");
}

TEST(FileChunksTest, BinaryContentAndUtf16AreSkippedWithAReason) {
  IngestOptions options;
  FileChunks fc = BuildFileChunks(File("data", std::string("abc\0def", 7)), options);
  ASSERT_TRUE(fc.skip.has_value());
  EXPECT_EQ(*fc.skip, SkipReason::kBinary);
  EXPECT_EQ(fc.skip_detail, "holds NUL bytes");
  fc = BuildFileChunks(File("ctl", std::string(100, '\x01')), options);
  EXPECT_EQ(*fc.skip, SkipReason::kBinary);
  fc = BuildFileChunks(File("u16.txt", std::string("\xFF\xFEh\0i\0", 6)), options);
  EXPECT_EQ(*fc.skip, SkipReason::kNotUtf8);
}

TEST(FileChunksTest, InvalidUtf8IsDecodedAsWindows1252OrSkipped) {
  IngestOptions options;
  FileChunks fc = BuildFileChunks(File("a.txt", "price: 5\x80 \x93quoted\x94\n"), options);
  ASSERT_FALSE(fc.skip.has_value());
  EXPECT_TRUE(fc.transcoded);
  ASSERT_EQ(fc.chunks.size(), 1u);
  EXPECT_THAT(fc.chunks[0].text, HasSubstr("price: 5€ “quoted”"));
  EXPECT_THAT(fc.chunks[0].metadata, HasSubstr(R"("encoding":"windows-1252")"));
  options.non_utf8 = NonUtf8Policy::kSkip;
  fc = BuildFileChunks(File("a.txt", "caf\xe9"), options);
  EXPECT_EQ(*fc.skip, SkipReason::kNotUtf8);
}

TEST(FileChunksTest, ByteOrderMarkIsDroppedAndEmptyFilesGiveNoChunks) {
  IngestOptions options;
  FileChunks fc = BuildFileChunks(File("a.md", "\xEF\xBB\xBF# Title\n\nText.\n"), options);
  ASSERT_EQ(fc.chunks.size(), 1u);
  EXPECT_EQ(fc.chunks[0].text, "File: a.md | Section: Title\n# Title\n\nText.");
  EXPECT_FALSE(fc.transcoded);
  fc = BuildFileChunks(File("empty.txt", ""), options);
  EXPECT_FALSE(fc.skip.has_value());
  EXPECT_TRUE(fc.chunks.empty());
}

TEST(FileChunksTest, UrlSourcesUseTheirTypeNameAndAUrlHeader) {
  IngestOptions options;
  const std::string html = "<html><h2>Intro</h2><p>Hello there.</p></html>";
  SourceFile f = File("https://example.com/docs", html);  // f.bytes views html
  f.uri = f.relative_path;
  f.type_name = "page.html";
  const FileChunks fc = BuildFileChunks(f, options);
  ASSERT_EQ(fc.chunks.size(), 1u);
  EXPECT_THAT(fc.chunks[0].text, StartsWith("URL: https://example.com/docs | Section: Intro\n"));
  EXPECT_EQ(fc.chunks[0].kind, "document");
}

TEST(FileChunksTest, FingerprintChangesWithWhatShapesChunks) {
  IngestOptions a;
  IngestOptions b;
  EXPECT_EQ(ChunkingFingerprint(a, "x.cc"), ChunkingFingerprint(b, "x.cc"));
  EXPECT_NE(ChunkingFingerprint(a, "x.cc"), ChunkingFingerprint(a, "y.cc"));
  b.chunking.max_bytes = 1000;
  EXPECT_NE(ChunkingFingerprint(a, "x.cc"), ChunkingFingerprint(b, "x.cc"));
  b = a;
  b.tags = {"t"};
  EXPECT_NE(ChunkingFingerprint(a, "x.cc"), ChunkingFingerprint(b, "x.cc"));
  b = a;
  b.walk.max_file_bytes = 5;  // does not shape chunks
  EXPECT_EQ(ChunkingFingerprint(a, "x.cc"), ChunkingFingerprint(b, "x.cc"));
  EXPECT_EQ(ChunkingFingerprint(a, "x.cc").size(), 16u);
}

TEST(FileChunksTest, Windows1252MapsEveryByte) {
  EXPECT_EQ(DecodeWindows1252("a\x80\x81\x9f\xa0\xff"), "a€\xc2\x81Ÿ\xc2\xa0ÿ");
  EXPECT_EQ(ContextHeader("a/b.py", "Symbol", ""), "File: a/b.py\n");
  EXPECT_EQ(ContextHeader("a/b.py", "Symbol", "f"), "File: a/b.py | Symbol: f\n");
}

}  // namespace
}  // namespace memd::ingest
