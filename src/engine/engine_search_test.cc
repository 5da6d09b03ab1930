// Engine: search modes, filters, explain, multi-cube search, isolation and context.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

using SearchTest = EngineTest;

TEST_F(SearchTest, FindsByIdentifierPartsAndWholeIdentifier) {
  std::string id = Add(alpha_, "def parseHttpRequest(raw): splits the request line and headers", "code");
  Add(alpha_, "The weather is nice today");
  EXPECT_EQ(SearchIds(alpha_, "parse http request", SearchMode::kLexical).front(), id);
  EXPECT_EQ(SearchIds(alpha_, "parse_http_request", SearchMode::kLexical).front(), id);
  EXPECT_EQ(SearchIds(alpha_, "parseHttpRequest", SearchMode::kHybrid).front(), id);
  EXPECT_EQ(SearchIds(alpha_, "parsing HTTP requests", SearchMode::kVector).front(), id);
}

TEST_F(SearchTest, ExplainReportsBothSignals) {
  std::string id = Add(alpha_, "graviton field equations in curved space");
  Add(alpha_, "unrelated cooking recipe with tomatoes");
  SearchRequest request;
  request.query = "graviton field";
  request.explain = true;
  auto hits = engine_->Search(alpha_.user, {alpha_.project}, request);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  const Hit& top = hits->front();
  EXPECT_EQ(top.memory.id, id);
  ASSERT_TRUE(top.explain.has_value());
  EXPECT_EQ(top.explain->lexical_rank, 1);
  EXPECT_EQ(top.explain->vector_rank, 1);
  EXPECT_GT(*top.explain->lexical_score, 0);
  EXPECT_FALSE(top.explain->fusion.empty());
  request.min_score = top.score + 1;
  EXPECT_TRUE(engine_->Search(alpha_.user, {alpha_.project}, request)->empty());
}

TEST_F(SearchTest, HybridCompletesTheSignalARankingMissed) {
  Add(alpha_, "graviton field equations in curved space");
  const std::string other = Add(alpha_, "unrelated cooking recipe with tomatoes");
  SearchRequest request;
  request.query = "graviton field";
  request.explain = true;
  auto hits = engine_->Search(alpha_.user, {alpha_.project}, request);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  // The recipe matches no query term: found by vector search only, its BM25 is completed
  // (0, without a lexical rank) and its fused score is its weighted cosine alone.
  const Hit& recipe = hits->back();
  ASSERT_EQ(recipe.memory.id, other);
  ASSERT_TRUE(recipe.explain.has_value());
  EXPECT_EQ(recipe.explain->lexical_score, 0.0);
  EXPECT_FALSE(recipe.explain->lexical_rank.has_value());
  ASSERT_TRUE(recipe.explain->vector_score.has_value());
  EXPECT_NEAR(recipe.score, RankingOptions{}.vector_weight * *recipe.explain->vector_score, 1e-9);
}

TEST_F(SearchTest, FilterRestrictsResultsAndRejectsBadFilters) {
  NewMemory py;
  py.text = "configure the logger";
  py.kind = "code";
  py.metadata = R"({"lang":"python","stars":5})";
  py.tags = {"logging"};
  NewMemory rs = py;
  rs.text = "configure the logger in rust";
  rs.metadata = R"({"lang":"rust","stars":2})";
  std::string py_id = engine_->Add(alpha_, py)->id;
  std::string rs_id = engine_->Add(alpha_, rs)->id;
  EXPECT_EQ(SearchIds(alpha_, "configure logger", SearchMode::kHybrid,
                      R"({"field":"metadata.lang","op":"eq","value":"rust"})"),
            std::vector<std::string>{rs_id});
  EXPECT_EQ(SearchIds(alpha_, "configure logger", SearchMode::kHybrid,
                      R"({"and":[{"field":"tags","op":"any","value":["logging"]},)"
                      R"({"field":"metadata.stars","op":"gte","value":3}]})"),
            std::vector<std::string>{py_id});
  SearchRequest bad;
  bad.query = "logger";
  bad.filter = R"({"and":[{"field":"kind","op":"eq","value":"code"},{"field":"kind","op":"gt","value":1}]})";
  auto r = engine_->Search(alpha_.user, {alpha_.project}, bad);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field().rfind("filter.and[1]", 0), 0u) << r.status().field();
}

TEST_F(SearchTest, MultiCubeSearchCoversOnlyNamedCubesOfTheUser) {
  std::string a = Add(alpha_, "calculate_photon_matrix computes the photon scattering matrix", "code");
  std::string b = Add(beta_, "graviton_field integrates the graviton field", "code");
  Add(bob_, "calculate_photon_matrix in bob's project");
  SearchRequest request;
  request.query = "photon matrix graviton field";
  auto hits = engine_->Search("alice", {"alpha", "beta"}, request);
  ASSERT_TRUE(hits.ok());
  std::set<std::string> ids;
  for (const auto& h : *hits) ids.insert(h.memory.id);
  EXPECT_EQ(ids, (std::set<std::string>{a, b}));
  EXPECT_EQ(engine_->Search("alice", {"alpha", "nope"}, request).status().code(), StatusCode::kNotFound);
}

TEST_F(SearchTest, CubesAreIsolatedForEveryOperation) {
  std::string a = Add(alpha_, "def calculate_photon_matrix(n): return photon matrix", "code");
  std::string b = Add(beta_, "def graviton_field(x): return graviton field", "code");
  std::string bob_id = Add(bob_, "bob's private graviton notes");
  for (auto mode : {SearchMode::kHybrid, SearchMode::kVector, SearchMode::kLexical}) {
    for (const auto& id : SearchIds(alpha_, "graviton field", mode)) EXPECT_EQ(id, a);
    for (const auto& id : SearchIds(beta_, "photon matrix", mode)) EXPECT_EQ(id, b);
  }
  EXPECT_EQ(engine_->Get(alpha_, b).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->Get(alpha_, bob_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->History(beta_, a).status().code(), StatusCode::kNotFound);
  MemoryPatch patch;
  patch.text = "hijacked";
  EXPECT_EQ(engine_->Update(beta_, a, patch).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->Delete(beta_, a).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->Purge(bob_, a).code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->Get(alpha_, a)->version, 1);
  auto context = engine_->Context(alpha_, ContextRequest{"graviton field", 500, "", true});
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->text.find("graviton_field"), std::string::npos);
  // Export of one cube carries nothing of the others.
  std::string file = dir_->path() + "/alpha.zst";
  ASSERT_TRUE(engine_->Export(alpha_, file).ok());
  CubeRef copy{"alice", "alpha-copy"};
  ASSERT_TRUE(engine_->Import(copy, file).ok());
  ListRequest all;
  all.include_deleted = true;
  auto exported = engine_->List(copy, all);
  ASSERT_TRUE(exported.ok());
  ASSERT_EQ(exported->memories.size(), 1u);
  EXPECT_EQ(exported->memories[0].id, a);
  // A caller-chosen id that exists in another cube is not an oracle: it is simply accepted.
  NewMemory m;
  m.text = "same id, other cube";
  m.id = a;
  EXPECT_TRUE(engine_->Add(beta_, m).ok());
}

TEST_F(SearchTest, Bm25ScoresDoNotDependOnOtherCubes) {
  std::string id = Add(alpha_, "quantum chromodynamics lattice simulation");
  Add(alpha_, "lattice gauge theory basics");
  SearchRequest request;
  request.query = "lattice simulation";
  request.mode = SearchMode::kLexical;
  auto before = engine_->Search(alpha_.user, {alpha_.project}, request);
  ASSERT_TRUE(before.ok());
  std::vector<NewMemory> noise(200);
  for (int i = 0; i < 200; ++i) noise[i].text = "lattice lattice simulation number " + std::to_string(i);
  ASSERT_TRUE(engine_->AddBatch(beta_, noise).ok());
  ASSERT_TRUE(engine_->AddBatch(bob_, noise).ok());
  auto after = engine_->Search(alpha_.user, {alpha_.project}, request);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(before->size(), after->size());
  for (std::size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*before)[i].memory.id, (*after)[i].memory.id);
    EXPECT_DOUBLE_EQ((*before)[i].score, (*after)[i].score);
  }
}

TEST_F(SearchTest, ContextStaysWithinBudgetAndCitesIds) {
  ASSERT_TRUE(engine_->SetPreference(alpha_, "style", "docstring", "\"Google\"", "docstring format").ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(Add(alpha_, "the deployment pipeline step " + std::to_string(i) +
                                  " runs integration tests against the staging database before release"));
  }
  Add(alpha_,
      "the deployment pipeline step 0 runs integration tests against the staging database before release ");
  for (int budget : {64, 200, 1000}) {
    auto block = engine_->Context(alpha_, ContextRequest{"deployment pipeline", budget, "", true});
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    EXPECT_LE(block->tokens, budget);
    EXPECT_LE(EstimateTokens(block->text), budget);
    for (const auto& id : block->memory_ids) EXPECT_NE(block->text.find("[" + id + "]"), std::string::npos);
    std::set<std::string> unique(block->memory_ids.begin(), block->memory_ids.end());
    EXPECT_EQ(unique.size(), block->memory_ids.size());
    if (budget == 1000) {
      EXPECT_NE(block->text.find("style.docstring: Google"), std::string::npos);
      EXPECT_GT(block->memory_ids.size(), 5u);
    }
  }
  EXPECT_EQ(engine_->Context(alpha_, ContextRequest{"x", 10, "", true}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SearchTest, PreferencesRoundTripAndFormatDeterministically) {
  ASSERT_TRUE(engine_->SetPreference(alpha_, "style", "quotes", "\"double\"").ok());
  ASSERT_TRUE(engine_->SetPreference(alpha_, "style", "docstring", "\"Google\"", "for Python").ok());
  ASSERT_TRUE(engine_->SetPreference(alpha_, "limits", "line_length", "100").ok());
  EXPECT_EQ(engine_->SetPreference(alpha_, "style", "bad", "{not json").status().code(),
            StatusCode::kInvalidArgument);
  auto prompt = engine_->FormatPreferencesForPrompt(alpha_);
  ASSERT_TRUE(prompt.ok());
  EXPECT_EQ(*prompt,
            "Project preferences (follow these):\n"
            "- limits.line_length: 100\n"
            "- style.docstring: Google (for Python)\n"
            "- style.quotes: double\n");
  EXPECT_EQ(engine_->ListPreferences(alpha_, "style")->size(), 2u);
  ASSERT_TRUE(engine_->DeletePreference(alpha_, "style", "quotes").ok());
  EXPECT_EQ(engine_->GetPreference(alpha_, "style", "quotes").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetPreference(beta_, "style", "docstring").status().code(), StatusCode::kNotFound);
}

TEST_F(SearchTest, ForgetRemovesCubesAndSnapshots) {
  Add(alpha_, "alpha memory");
  Add(beta_, "beta memory");
  Add(bob_, "bob memory");
  ASSERT_TRUE(engine_->Snapshot(alpha_).ok());
  ASSERT_TRUE(engine_->ForgetProject(alpha_).ok());
  EXPECT_EQ(engine_->Stats(alpha_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListCubes("alice")->size(), 1u);
  ASSERT_TRUE(engine_->ForgetUser("alice").ok());
  EXPECT_TRUE(engine_->ListCubes("alice")->empty());
  EXPECT_EQ(engine_->ListCubes("")->size(), 1u);
  // A new cube with the old name starts empty.
  Add(alpha_, "fresh start");
  EXPECT_EQ(engine_->Stats(alpha_)->memories, 1);
  EXPECT_TRUE(SearchIds(alpha_, "alpha memory", SearchMode::kLexical).empty());
}

TEST_F(SearchTest, ExportImportReproducesTheCube) {
  std::string id = Add(alpha_, "exported fact one");
  Add(alpha_, "exported fact two");
  MemoryPatch patch;
  patch.text = "exported fact one, revised";
  ASSERT_TRUE(engine_->Update(alpha_, id, patch).ok());
  std::string deleted = Add(alpha_, "deleted but restorable");
  ASSERT_TRUE(engine_->Delete(alpha_, deleted).ok());
  ASSERT_TRUE(engine_->SetPreference(alpha_, "style", "docstring", "\"Google\"").ok());
  std::string file = dir_->path() + "/alpha.jsonl.zst";
  ASSERT_TRUE(engine_->Export(alpha_, file).ok());
  CubeRef copy{"alice", "copy"};
  ASSERT_TRUE(engine_->Import(copy, file).ok());
  EXPECT_EQ(engine_->Import(copy, file).code(), StatusCode::kAlreadyExists);

  ListRequest all;
  all.include_deleted = true;
  auto original = engine_->List(alpha_, all);
  auto imported = engine_->List(copy, all);
  ASSERT_TRUE(original.ok() && imported.ok());
  EXPECT_EQ(original->memories, imported->memories);
  EXPECT_EQ(engine_->History(alpha_, id)->size(), engine_->History(copy, id)->size());
  EXPECT_EQ(engine_->History(copy, id)->front().memory.text, "exported fact one");
  auto prefs_a = engine_->ListPreferences(alpha_, "");
  auto prefs_b = engine_->ListPreferences(copy, "");
  EXPECT_EQ(*prefs_a, *prefs_b);
  EXPECT_EQ(SearchIds(copy, "revised", SearchMode::kLexical), std::vector<std::string>{id});
  EXPECT_TRUE(engine_->Restore(copy, deleted).ok());

  std::string second = dir_->path() + "/copy.jsonl.zst";
  ASSERT_TRUE(engine_->Export(CubeRef{"alice", "alpha"}, second).ok());
  CubeRef copy2{"alice", "copy2"};
  ASSERT_TRUE(engine_->Import(copy2, second).ok());
  EXPECT_EQ(engine_->List(copy2, all)->memories, original->memories);
}

TEST_F(SearchTest, ImportOfDamagedFileWritesNothing) {
  Add(alpha_, "something");
  std::string file = dir_->path() + "/a.zst";
  ASSERT_TRUE(engine_->Export(alpha_, file).ok());
  {
    std::FILE* f = std::fopen(file.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    ASSERT_EQ(::ftruncate(fileno(f), size / 2), 0);
    std::fclose(f);
  }
  CubeRef copy{"alice", "copy"};
  EXPECT_FALSE(engine_->Import(copy, file).ok());
  EXPECT_EQ(engine_->Stats(copy).status().code(), StatusCode::kNotFound);
}

TEST_F(SearchTest, CubeRefusesAnotherEmbedder) {
  Add(alpha_, "made with the default embedder");
  EngineOptions options = Options();
  options.embedder = std::shared_ptr<const Embedder>(NewHashEmbedder(128));
  Reopen(options);
  auto r = engine_->Search(alpha_.user, {alpha_.project}, Query("embedder"));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("hash"), std::string::npos);
  NewMemory m;
  m.text = "would mix vectors";
  EXPECT_EQ(engine_->Add(alpha_, m).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace memd::testing
