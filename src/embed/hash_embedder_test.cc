#include "embed/hash_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace memd::embed {
namespace {

std::unique_ptr<Embedder> Make(int dimension = 256) {
  auto e = MakeHashEmbedder(dimension);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

std::vector<float> EmbedText(const Embedder& e, std::string_view text) {
  std::vector<float> out(static_cast<std::size_t>(e.dimension()));
  std::string_view texts[] = {text};
  Status st = e.Embed(texts, out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double{a[i]} * b[i];
  return s;
}

double Norm(const std::vector<float>& v) { return std::sqrt(Cosine(v, v)); }

// Sum of v[i] * (i + 1) for the golden text below (dimension 64).
constexpr double kGoldenChecksum = -12.179323278367519;

TEST(HashEmbedderTest, VectorsHaveUnitLength) {
  auto e = Make();
  std::string long_text;
  for (int i = 0; i < 5000; ++i) long_text += "word" + std::to_string(i % 97) + " ";
  for (std::string_view text : {std::string_view("hello world"), std::string_view("parseHttpRequest(req, res)"),
                                std::string_view("Ｆｕｌｌwidth Ünïcödé 中文文本 emoji 🎉"), std::string_view(long_text)}) {
    auto v = EmbedText(*e, text);
    EXPECT_NEAR(Norm(v), 1.0, 1e-5) << text.substr(0, 40);
    for (float x : v) ASSERT_TRUE(std::isfinite(x));
  }
}

TEST(HashEmbedderTest, SameTextGivesSameVectorAcrossInstancesAndBatches) {
  auto a = Make(), b = Make();
  const std::string_view text = "The cache stores recent queries for the search engine";
  auto va = EmbedText(*a, text);
  EXPECT_EQ(va, EmbedText(*a, text));
  EXPECT_EQ(va, EmbedText(*b, text));
  // A batch gives the same vectors as single calls.
  std::string_view texts[] = {"first text", text, ""};
  std::vector<float> out(3 * 256);
  ASSERT_TRUE(a->Embed(texts, out).ok());
  EXPECT_EQ(std::vector<float>(out.begin() + 256, out.begin() + 512), va);
  EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + 256), EmbedText(*a, "first text"));
}

TEST(HashEmbedderTest, VectorsAreStableAcrossVersions) {
  // Golden values: if this fails, the vectors of "hash-v1" changed and every stored cube
  // would silently mix two embeddings. Bump the name instead (see HashEmbedderName).
  auto v = EmbedText(*Make(64), "Memory server for AI agents: store and search notes");
  double checksum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) checksum += v[i] * static_cast<double>(i + 1);
  EXPECT_NEAR(checksum, kGoldenChecksum, 1e-5) << std::to_string(checksum);
}

TEST(HashEmbedderTest, SimilarTextsAreCloserThanUnrelatedOnes) {
  auto e = Make();
  auto a = EmbedText(*e, "The database connection pool ran out of connections under load");
  auto b = EmbedText(*e, "Connection pooling for the database was exhausted during heavy load");
  auto c = EmbedText(*e, "My grandmother bakes apple pie every Sunday afternoon");
  EXPECT_GT(Cosine(a, b), Cosine(a, c) + 0.2);
  EXPECT_GT(Cosine(a, b), 0.3);
  EXPECT_LT(std::abs(Cosine(a, c)), 0.2);
  // Inflection and typos still match through stems and n-grams.
  auto d = EmbedText(*e, "configuring the servers");
  auto f = EmbedText(*e, "server configuration");
  auto g = EmbedText(*e, "server confguration");  // typo
  auto h = EmbedText(*e, "banana smoothie recipe");
  EXPECT_GT(Cosine(d, f), Cosine(d, h) + 0.2);
  EXPECT_GT(Cosine(f, g), Cosine(f, h) + 0.3);
}

TEST(HashEmbedderTest, IdentifierSpellingsAreClose) {
  auto e = Make();
  auto camel = EmbedText(*e, "parseHttpRequest");
  auto snake = EmbedText(*e, "parse_http_request");
  auto words = EmbedText(*e, "parse HTTP request");
  auto other = EmbedText(*e, "renderHtmlTemplate");
  EXPECT_GT(Cosine(camel, snake), 0.99);
  EXPECT_GT(Cosine(camel, words), 0.8);
  EXPECT_LT(Cosine(camel, other), 0.3);
}

TEST(HashEmbedderTest, TextsWithoutFeaturesGetOneFixedUnitVector) {
  auto e = Make();
  auto empty = EmbedText(*e, "");
  EXPECT_NEAR(Norm(empty), 1.0, 1e-5);
  for (std::string_view text : {"   ", "!!! ... ???", "the of and", "\xff\xfe"}) {
    EXPECT_EQ(EmbedText(*e, text), empty) << text;
  }
  auto real = EmbedText(*e, "vector search");
  EXPECT_LT(std::abs(Cosine(real, empty)), 0.3);
}

TEST(HashEmbedderTest, IllFormedUtf8IsEmbeddedSafely) {
  auto e = Make();
  auto v = EmbedText(*e, "valid \xc3\x28 text \xe2\x82 more \xf0\x9f\x98");
  EXPECT_NEAR(Norm(v), 1.0, 1e-5);
  EXPECT_GT(Cosine(v, EmbedText(*e, "valid text more")), 0.5);
}

TEST(HashEmbedderTest, InputIsTruncatedAtMaxInputBytes) {
  HashEmbedderOptions options;
  options.max_input_bytes = 64;
  auto made = MakeHashEmbedder(options);
  ASSERT_TRUE(made.ok());
  auto& e = *made.value();
  EXPECT_EQ(e.max_input_bytes(), 64u);
  std::string text(60, 'a');
  text += " ééé tail words that are cut";  // byte 64 falls inside an 'é'
  EXPECT_EQ(EmbedText(e, text), EmbedText(e, text.substr(0, 63)));
  EXPECT_EQ(Make()->max_input_bytes(), 32u * 1024);
}

TEST(HashEmbedderTest, DimensionMustBeAMultipleOf8From64To4096) {
  for (int d : {64, 72, 256, 384, 4096}) {
    auto e = MakeHashEmbedder(d);
    ASSERT_TRUE(e.ok()) << d;
    EXPECT_EQ(e.value()->dimension(), d);
    EXPECT_EQ(EmbedText(*e.value(), "some text").size(), static_cast<std::size_t>(d));
  }
  for (int d : {0, -8, 56, 100, 4104}) {
    auto e = MakeHashEmbedder(d);
    ASSERT_FALSE(e.ok()) << d;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(NewHashEmbedder(d), nullptr);
  }
  ASSERT_NE(NewHashEmbedder(), nullptr);
  EXPECT_EQ(NewHashEmbedder()->dimension(), 256);
}

TEST(HashEmbedderTest, BadOptionsAreInvalidArgument) {
  auto bad = [](auto mutate) {
    HashEmbedderOptions o;
    mutate(o);
    return MakeHashEmbedder(o).status().code();
  };
  EXPECT_EQ(bad([](auto& o) { o.word_weight = -1; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](auto& o) { o.ngram_weight = NAN; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](auto& o) { o.word_weight = o.identifier_weight = o.bigram_weight = o.ngram_weight = 0; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](auto& o) { o.ngram_min = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](auto& o) { o.ngram_min = 6; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](auto& o) { o.max_input_bytes = 0; }), StatusCode::kInvalidArgument);
}

TEST(HashEmbedderTest, NameIdentifiesTheVectors) {
  EXPECT_EQ(Make()->name(), "hash-v1");
  EXPECT_EQ(Make(128)->name(), "hash-v1");  // the cube records the dimension separately
  HashEmbedderOptions tuned;
  tuned.ngram_weight = 0.3f;
  const std::string name = HashEmbedderName(tuned);
  EXPECT_EQ(name.rfind("hash-v1-", 0), 0u);
  EXPECT_EQ(name.size(), 8u + 16u);
  EXPECT_EQ(name, HashEmbedderName(tuned));
  tuned.ngram_weight = 0.31f;
  EXPECT_NE(name, HashEmbedderName(tuned));
  // Non-default weights change the vectors.
  auto made = MakeHashEmbedder(tuned);
  ASSERT_TRUE(made.ok());
  EXPECT_NE(EmbedText(*made.value(), "weights matter"), EmbedText(*Make(), "weights matter"));
}

TEST(HashEmbedderTest, WrongOutputSizeIsInvalidArgument) {
  auto e = Make(64);
  std::string_view texts[] = {"a", "b"};
  std::vector<float> out(64);
  EXPECT_EQ(e->Embed(texts, out).code(), StatusCode::kInvalidArgument);
}

TEST(HashEmbedderTest, ConcurrentEmbeddingMatchesSequential) {
  auto e = Make();
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) {
    texts.push_back("note " + std::to_string(i) + " about getUserById and the retry_policy of service " +
                    std::to_string(i % 7));
  }
  std::vector<std::vector<float>> expected;
  for (const auto& t : texts) expected.push_back(EmbedText(*e, t));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < texts.size(); ++i) {
        std::vector<float> out(256);
        std::string_view one[] = {texts[(i + t * 50) % texts.size()]};
        if (!e->Embed(one, out).ok() || out != expected[(i + t * 50) % texts.size()]) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace memd::embed
