#include "store/row_codec.h"

#include <gtest/gtest.h>

#include <cstring>

namespace memd::store {
namespace {

TEST(RowCodecTest, TagsRoundTripThroughJsonIncludingEscapes) {
  std::vector<std::string> tags = {"plain", "quote\"back\\slash", "new\nline", "\xc3\xa9t\xc3\xa9", ""};
  std::string json = EncodeTags(tags);
  EXPECT_EQ(json.front(), '[');
  std::vector<std::string> decoded;
  ASSERT_TRUE(DecodeTags(json, &decoded).ok());
  EXPECT_EQ(decoded, tags);
}

TEST(RowCodecTest, EmptyTagsEncodeAsEmptyArray) {
  EXPECT_EQ(EncodeTags({}), "[]");
  std::vector<std::string> decoded = {"stale"};
  ASSERT_TRUE(DecodeTags("[]", &decoded).ok());
  EXPECT_TRUE(decoded.empty());
}

TEST(RowCodecTest, MalformedTagsAreCorruption) {
  std::vector<std::string> decoded;
  EXPECT_EQ(DecodeTags("not json", &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTags("{\"a\":1}", &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTags("[\"a\", 2]", &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTags("", &decoded).code(), StatusCode::kCorruption);
}

TEST(RowCodecTest, EmbeddingIsFloat32LittleEndian) {
  std::vector<float> embedding = {1.0f, -2.5f, 0.0f};
  std::string scratch;
  std::string_view bytes = EmbeddingBytes(embedding, &scratch);
  ASSERT_EQ(bytes.size(), 12u);
  // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F.
  EXPECT_EQ(static_cast<unsigned char>(bytes[2]), 0x80);
  EXPECT_EQ(static_cast<unsigned char>(bytes[3]), 0x3F);
  std::vector<float> decoded;
  ASSERT_TRUE(DecodeEmbedding(bytes, &decoded).ok());
  EXPECT_EQ(decoded, embedding);
}

TEST(RowCodecTest, EmbeddingWithPartialFloatIsCorruption) {
  std::vector<float> decoded;
  Status status = DecodeEmbedding(std::string_view("abcde", 5), &decoded);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("5 bytes"), std::string::npos);
}

}  // namespace
}  // namespace memd::store
