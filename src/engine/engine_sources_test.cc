// Engine: ingested sources (ReplaceSource, RemoveSource, ListSources).
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

class SourcesTest : public EngineTest {
 protected:
  static NewMemory Chunk(const std::string& uri, const std::string& text, std::int64_t first_line) {
    NewMemory m;
    m.text = text;
    m.kind = "code";
    m.metadata = R"({"path":")" + uri + R"("})";
    m.source = SourceRef{uri, first_line, first_line + 9};
    return m;
  }
  static SourceState State(const std::string& uri, const std::string& hash) {
    SourceState s;
    s.uri = uri;
    s.size = 100;
    s.mtime_ns = 42;
    s.content_hash = hash;
    return s;
  }
  std::vector<Memory> LiveOf(const CubeRef& cube, const std::string& uri) {
    ListRequest request;
    request.limit = 1000;
    auto page = engine_->List(cube, request);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<Memory> out;
    for (auto& m : page->memories) {
      if (m.source && m.source->uri == uri) out.push_back(m);
    }
    return out;
  }
};

TEST_F(SourcesTest, ReplaceKeepsEqualChunksAddsNewOnesAndSoftDeletesTheRest) {
  const std::string uri = "/repo/src/parser.cc";
  auto first = engine_->ReplaceSource(
      alpha_, State(uri, "h1"),
      {Chunk(uri, "int parse_header() { return 1; }", 1), Chunk(uri, "int parse_body() { return 2; }", 11)});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, (ReplaceSourceResult{2, 0, 0}));
  auto before = LiveOf(alpha_, uri);
  ASSERT_EQ(before.size(), 2u);

  now_ += 1000;
  auto second = engine_->ReplaceSource(alpha_, State(uri, "h2"),
                                       {Chunk(uri, "int parse_header() { return 1; }", 1),
                                        Chunk(uri, "int parse_trailer() { return 3; }", 11)});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, (ReplaceSourceResult{1, 1, 1}));
  auto after = LiveOf(alpha_, uri);
  ASSERT_EQ(after.size(), 2u);
  // The kept chunk is untouched: same id, version 1.
  auto kept = std::find_if(after.begin(), after.end(),
                           [](const Memory& m) { return m.text.find("header") != std::string::npos; });
  ASSERT_NE(kept, after.end());
  EXPECT_EQ(kept->version, 1);
  EXPECT_TRUE(std::any_of(before.begin(), before.end(), [&](const Memory& m) { return m.id == kept->id; }));
  // The removed chunk is soft-deleted with history, so it can be restored.
  auto removed = std::find_if(before.begin(), before.end(),
                              [](const Memory& m) { return m.text.find("body") != std::string::npos; });
  auto history = engine_->History(alpha_, removed->id);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].operation, "delete");
  EXPECT_TRUE((*history)[1].memory.deleted);
  // Search sees exactly the new set.
  EXPECT_TRUE(SearchIds(alpha_, "body", SearchMode::kLexical).empty());
  EXPECT_EQ(SearchIds(alpha_, "trailer", SearchMode::kLexical).size(), 1u);
}

TEST_F(SourcesTest, StateIsStoredWithChunkCountAndListedByPrefix) {
  ASSERT_TRUE(
      engine_->ReplaceSource(alpha_, State("/repo/a.py", "ha"), {Chunk("/repo/a.py", "def a(): pass", 1)})
          .ok());
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State("/repo/b/c.py", "hc"), {}).ok());
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State("/repository/x.py", "hx"), {}).ok());
  ASSERT_TRUE(engine_->ReplaceSource(beta_, State("/repo/other.py", "ho"), {}).ok());

  auto listed = engine_->ListSources(alpha_, "/repo/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].uri, "/repo/a.py");
  EXPECT_EQ((*listed)[0].chunks, 1);
  EXPECT_EQ((*listed)[0].content_hash, "ha");
  EXPECT_EQ((*listed)[0].mtime_ns, 42);
  EXPECT_EQ((*listed)[0].ingested_at, now_.load());
  EXPECT_EQ((*listed)[1].uri, "/repo/b/c.py");
  EXPECT_EQ((*listed)[1].chunks, 0);
  auto all = engine_->ListSources(alpha_);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  // Another cube's sources are invisible; a missing cube has none.
  auto none = engine_->ListSources(CubeRef{"carol", "nothing"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SourcesTest, PrefixWithLikeWildcardsMatchesLiterally) {
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State("/r_%/a.c", "h"), {}).ok());
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State("/rx%/b.c", "h"), {}).ok());
  auto listed = engine_->ListSources(alpha_, "/r_%/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].uri, "/r_%/a.c");
}

TEST_F(SourcesTest, RemoveSourceDeletesItsChunksAndState) {
  const std::string uri = "/repo/gone.go";
  ASSERT_TRUE(engine_
                  ->ReplaceSource(alpha_, State(uri, "h"),
                                  {Chunk(uri, "func Gone() {}", 1), Chunk(uri, "func Away() {}", 11)})
                  .ok());
  const std::string other = "/repo/stays.go";
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State(other, "h"), {Chunk(other, "func Stays() {}", 1)}).ok());
  auto removed = engine_->RemoveSource(alpha_, uri);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(LiveOf(alpha_, uri).empty());
  EXPECT_EQ(LiveOf(alpha_, other).size(), 1u);
  auto listed = engine_->ListSources(alpha_);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].uri, other);
  EXPECT_EQ(engine_->RemoveSource(alpha_, uri).status().code(), StatusCode::kNotFound);
}

TEST_F(SourcesTest, BadChunkChangesNothing) {
  const std::string uri = "/repo/x.rs";
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State(uri, "h1"), {Chunk(uri, "fn x() {}", 1)}).ok());
  auto version = engine_->CubeVersion(alpha_);
  ASSERT_TRUE(version.ok());
  NewMemory wrong = Chunk("/repo/elsewhere.rs", "fn y() {}", 1);
  auto replaced = engine_->ReplaceSource(alpha_, State(uri, "h2"), {Chunk(uri, "fn z() {}", 1), wrong});
  ASSERT_EQ(replaced.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(replaced.status().field(), "chunks[1].source");
  NewMemory empty = Chunk(uri, "", 1);
  EXPECT_EQ(engine_->ReplaceSource(alpha_, State(uri, "h2"), {empty}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(*engine_->CubeVersion(alpha_), *version);
  auto live = LiveOf(alpha_, uri);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].text, "fn x() {}");
  EXPECT_EQ((*engine_->ListSources(alpha_))[0].content_hash, "h1");
}

TEST_F(SourcesTest, ReplacingWithTheSameChunksWritesNoMemory) {
  const std::string uri = "/repo/same.java";
  std::vector<NewMemory> chunks = {Chunk(uri, "class Same {}", 1)};
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State(uri, "h"), chunks).ok());
  auto version = engine_->CubeVersion(alpha_);
  auto again = engine_->ReplaceSource(alpha_, State(uri, "h"), chunks);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, (ReplaceSourceResult{0, 1, 0}));
  EXPECT_EQ(*engine_->CubeVersion(alpha_), *version);
}

TEST_F(SourcesTest, ReplaceSourcesAppliesSeveralSourcesInOneWriteOrNone) {
  const std::string a = "/repo/a.go", b = "/repo/b.go";
  auto results = engine_->ReplaceSources(
      alpha_, {SourceUpdate{State(a, "ha"), {Chunk(a, "func Alpha() {}", 1)}},
               SourceUpdate{State(b, "hb"), {Chunk(b, "func Beta() {}", 1), Chunk(b, "func Gamma() {}", 11)}}});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0], (ReplaceSourceResult{1, 0, 0}));
  EXPECT_EQ((*results)[1], (ReplaceSourceResult{2, 0, 0}));
  EXPECT_EQ(engine_->ListSources(alpha_)->size(), 2u);
  auto version = engine_->CubeVersion(alpha_);
  ASSERT_TRUE(version.ok());

  // One bad source refuses the whole batch, naming it.
  auto bad = engine_->ReplaceSources(alpha_, {SourceUpdate{State(a, "ha2"), {Chunk(a, "func Delta() {}", 1)}},
                                              SourceUpdate{State(b, "hb2"), {Chunk(a, "func Wrong() {}", 1)}}});
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "sources[1].chunks[0].source");
  auto twice = engine_->ReplaceSources(alpha_, {SourceUpdate{State(a, "x"), {}}, SourceUpdate{State(a, "y"), {}}});
  EXPECT_EQ(twice.status().field(), "sources[1].uri");
  EXPECT_EQ(engine_->ReplaceSources(alpha_, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LiveOf(alpha_, a).size(), 1u);
  EXPECT_EQ(LiveOf(alpha_, a)[0].text, "func Alpha() {}");
  EXPECT_EQ(*engine_->CubeVersion(alpha_), *version);
}

TEST_F(SourcesTest, SourcesSurviveReopenAndGoWithTheCube) {
  const std::string uri = "/repo/keep.c";
  ASSERT_TRUE(engine_->ReplaceSource(alpha_, State(uri, "h"), {Chunk(uri, "int keep(void);", 1)}).ok());
  Reopen();
  auto listed = engine_->ListSources(alpha_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(SearchIds(alpha_, "keep", SearchMode::kLexical).size(), 1u);
  ASSERT_TRUE(engine_->ForgetProject(alpha_).ok());
  EXPECT_TRUE(engine_->ListSources(alpha_)->empty());
}

}  // namespace
}  // namespace memd::testing
