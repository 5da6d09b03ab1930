// Engine: the memory lifecycle (add, dedup, idempotency, get, list, update, delete,
// restore, history, purge, TTL).
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

using MemoryLifecycleTest = EngineTest;

TEST_F(MemoryLifecycleTest, AddThenGetReturnsStoredFields) {
  NewMemory m;
  m.text = "The build uses  CMake\tand Ninja.";
  m.kind = "fact";
  m.metadata = R"({"b":1,"a":{"y":2,"x":1}})";
  m.tags = {"build", "cmake", "build"};
  m.source = SourceRef{"CMakeLists.txt", 1, 10};
  auto added = engine_->Add(alpha_, m);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_FALSE(added->deduplicated);
  EXPECT_EQ(added->id.size(), 26u);

  auto got = engine_->Get(alpha_, added->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->text, m.text);
  EXPECT_EQ(got->metadata, R"({"a":{"x":1,"y":2},"b":1})");
  EXPECT_EQ(got->tags, (std::vector<std::string>{"build", "cmake"}));
  ASSERT_TRUE(got->source.has_value());
  EXPECT_EQ(got->source->line_end, 10);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->created_at, now_.load());
}

TEST_F(MemoryLifecycleTest, IdsAreTimeOrderedAndUnique) {
  std::string previous;
  for (int i = 0; i < 50; ++i) {
    std::string id = Add(alpha_, "memory number " + std::to_string(i));
    EXPECT_GT(id, previous);
    previous = id;
  }
}

TEST_F(MemoryLifecycleTest, DuplicateTextAndMetadataIsDeduplicated) {
  std::string first = Add(alpha_, "Docstrings use the Google style.");
  NewMemory again;
  again.text = "  Docstrings   use the Google style. ";  // same after whitespace normalisation
  again.kind = "fact";
  auto r = engine_->Add(alpha_, again);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->deduplicated);
  EXPECT_EQ(r->id, first);
  NewMemory other_meta = again;
  other_meta.metadata = R"({"lang":"py"})";
  auto r2 = engine_->Add(alpha_, other_meta);
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2->deduplicated);
}

TEST_F(MemoryLifecycleTest, NfcAndNfdTextsAreDuplicates) {
  std::string nfc = Add(alpha_, "caf\xc3\xa9 au lait");
  NewMemory nfd;
  nfd.text = "cafe\xcc\x81 au lait";
  nfd.kind = "fact";
  auto r = engine_->Add(alpha_, nfd);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->deduplicated);
  EXPECT_EQ(r->id, nfc);
}

TEST_F(MemoryLifecycleTest, DedupIsPerCube) {
  std::string a = Add(alpha_, "shared sentence");
  NewMemory m;
  m.text = "shared sentence";
  auto r = engine_->Add(beta_, m);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->deduplicated);
  EXPECT_NE(r->id, a);
}

TEST_F(MemoryLifecycleTest, IdempotencyKeyReplaysWithoutWriting) {
  NewMemory m;
  m.text = "idempotent add";
  WriteOptions w{"key-1"};
  auto first = engine_->Add(alpha_, m, w);
  ASSERT_TRUE(first.ok());
  auto stats_before = engine_->Stats(alpha_);
  auto replay = engine_->Add(alpha_, m, w);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, *first);
  EXPECT_FALSE(replay->deduplicated);  // the first response, verbatim
  auto stats_after = engine_->Stats(alpha_);
  EXPECT_EQ(stats_after->memories, stats_before->memories);
  EXPECT_EQ(stats_after->change_sequence, stats_before->change_sequence);

  NewMemory different;
  different.text = "another text";
  auto clash = engine_->Add(alpha_, different, w);
  EXPECT_EQ(clash.status().code(), StatusCode::kConflict);
}

TEST_F(MemoryLifecycleTest, BatchIsAllOrNothing) {
  std::vector<NewMemory> batch(3);
  batch[0].text = "first";
  batch[1].text = "";  // invalid
  batch[2].text = "third";
  auto r = engine_->AddBatch(alpha_, batch);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "items[1].text");
  EXPECT_EQ(engine_->Stats(alpha_).status().code(), StatusCode::kNotFound);  // nothing, not even the cube

  batch[1].text = "second";
  batch[2].id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  ASSERT_TRUE(engine_->AddBatch(alpha_, batch).ok());
  std::vector<NewMemory> clash(2);
  clash[0].text = "fresh one";
  clash[1].text = "reuses an id";
  clash[1].id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  auto r2 = engine_->AddBatch(alpha_, clash);
  EXPECT_EQ(r2.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(SearchIds(alpha_, "fresh one", SearchMode::kLexical).empty());
  ListRequest list;
  auto page = engine_->List(alpha_, list);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->memories.size(), 3u);
}

TEST_F(MemoryLifecycleTest, InvalidInputIsRejectedWithField) {
  NewMemory m;
  m.text = std::string("bad \xff utf8");
  EXPECT_EQ(engine_->Add(alpha_, m).status().field(), "text");
  m.text = "ok";
  m.metadata = "[1,2]";
  EXPECT_EQ(engine_->Add(alpha_, m).status().field(), "metadata");
  m.metadata = "{}";
  m.kind = "";
  EXPECT_EQ(engine_->Add(alpha_, m).status().field(), "kind");
  m.kind = "fact";
  m.id = "not-a-ulid";
  EXPECT_EQ(engine_->Add(alpha_, m).status().field(), "id");
  m.id.reset();
  m.expires_at = now_.load() - 1;
  EXPECT_EQ(engine_->Add(alpha_, m).status().field(), "expires_at");
  EXPECT_EQ(engine_->Add(CubeRef{"bad user", "p"}, MemoryText("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->ListCubes("").value().size(), 0u);
}

TEST_F(MemoryLifecycleTest, UpdateKeepsHistoryAndReindexes) {
  std::string id = Add(alpha_, "the cache uses LRU eviction");
  MemoryPatch patch;
  patch.text = "the cache uses ARC eviction";
  patch.tags = std::vector<std::string>{"cache"};
  auto updated = engine_->Update(alpha_, id, patch);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(SearchIds(alpha_, "ARC", SearchMode::kLexical), std::vector<std::string>{id});
  EXPECT_TRUE(SearchIds(alpha_, "LRU", SearchMode::kLexical).empty());

  auto history = engine_->History(alpha_, id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].operation, "create");
  EXPECT_EQ((*history)[0].memory.text, "the cache uses LRU eviction");
  EXPECT_EQ((*history)[1].operation, "update");
  EXPECT_EQ((*history)[1].memory.version, 2);
}

TEST_F(MemoryLifecycleTest, UpdateWithStaleVersionConflicts) {
  std::string id = Add(alpha_, "versioned");
  MemoryPatch patch;
  patch.kind = "note";
  patch.expected_version = 5;
  EXPECT_EQ(engine_->Update(alpha_, id, patch).status().code(), StatusCode::kConflict);
  patch.expected_version = 1;
  EXPECT_TRUE(engine_->Update(alpha_, id, patch).ok());
  EXPECT_EQ(engine_->Update(alpha_, id, MemoryPatch{}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MemoryLifecycleTest, DeleteHidesRestoreBringsBack) {
  std::string id = Add(alpha_, "photon torpedo calibration");
  ASSERT_TRUE(engine_->Delete(alpha_, id).ok());
  EXPECT_TRUE(SearchIds(alpha_, "photon torpedo").empty());
  auto got = engine_->Get(alpha_, id);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->deleted);
  EXPECT_EQ(engine_->Delete(alpha_, id).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->Restore(alpha_, id).ok());
  EXPECT_EQ(SearchIds(alpha_, "photon torpedo"), std::vector<std::string>{id});
  auto history = engine_->History(alpha_, id);
  ASSERT_TRUE(history.ok());
  std::vector<std::string> ops;
  for (const auto& h : *history) ops.push_back(h.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"create", "delete", "restore"}));
  EXPECT_EQ(engine_->Restore(alpha_, id).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(MemoryLifecycleTest, PurgeRemovesEverything) {
  std::string id = Add(alpha_, "secret to purge");
  MemoryPatch patch;
  patch.text = "secret to purge, edited";
  ASSERT_TRUE(engine_->Update(alpha_, id, patch).ok());
  ASSERT_TRUE(engine_->Purge(alpha_, id).ok());
  EXPECT_EQ(engine_->Get(alpha_, id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->History(alpha_, id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(SearchIds(alpha_, "secret purge").empty());
  EXPECT_EQ(engine_->Purge(alpha_, id).code(), StatusCode::kNotFound);
}

TEST_F(MemoryLifecycleTest, ExpiredMemoriesAreHiddenThenPurged) {
  NewMemory m;
  m.text = "temporary token abc123";
  m.expires_at = now_.load() + 1000;
  auto r = engine_->Add(alpha_, m);
  ASSERT_TRUE(r.ok());
  std::string keep = Add(alpha_, "permanent token abc123");
  EXPECT_EQ(SearchIds(alpha_, "token abc123").size(), 2u);
  now_ += 1001;
  EXPECT_EQ(SearchIds(alpha_, "token abc123"), std::vector<std::string>{keep});
  EXPECT_EQ(engine_->Get(alpha_, r->id).status().code(), StatusCode::kNotFound);
  auto page = engine_->List(alpha_, ListRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->memories.size(), 1u);
  auto purged = engine_->PurgeExpired();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(engine_->Stats(alpha_)->memories, 1);
}

TEST_F(MemoryLifecycleTest, ListPagesWithCursorAndFilter) {
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    NewMemory m;
    m.text = "item " + std::to_string(i);
    m.kind = i % 2 == 0 ? "even" : "odd";
    ids.push_back(engine_->Add(alpha_, m)->id);
  }
  ListRequest request;
  request.limit = 10;
  std::vector<std::string> seen;
  for (;;) {
    auto page = engine_->List(alpha_, request);
    ASSERT_TRUE(page.ok());
    for (const auto& m : page->memories) seen.push_back(m.id);
    if (page->next_cursor.empty()) break;
    request.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, ids);
  ListRequest even;
  even.limit = 100;
  even.filter = R"({"field":"kind","op":"eq","value":"even"})";
  EXPECT_EQ(engine_->List(alpha_, even)->memories.size(), 13u);
  even.filter = R"({"field":"kind","op":"bogus","value":"even"})";
  EXPECT_EQ(engine_->List(alpha_, even).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MemoryLifecycleTest, DataSurvivesReopen) {
  std::string id = Add(alpha_, "durable fact about graviton fields");
  ASSERT_TRUE(engine_->SetPreference(alpha_, "style", "docstring", "\"Google\"").ok());
  Reopen();
  EXPECT_EQ(engine_->Get(alpha_, id)->text, "durable fact about graviton fields");
  EXPECT_EQ(SearchIds(alpha_, "graviton"), std::vector<std::string>{id});
  EXPECT_EQ(engine_->GetPreference(alpha_, "style", "docstring")->value, "\"Google\"");
}

}  // namespace
}  // namespace memd::testing

namespace memd::testing {
namespace {

using CubeVersionTest = EngineTest;

TEST_F(CubeVersionTest, ChangesOnEveryWriteAndNeverRepeatsAfterRecreation) {
  EXPECT_EQ(engine_->CubeVersion(alpha_).status().code(), StatusCode::kNotFound);
  std::string id = Add(alpha_, "the first memory");
  auto v1 = engine_->CubeVersion(alpha_);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*engine_->CubeVersion(alpha_), *v1);  // reading does not change it
  MemoryPatch patch;
  patch.text = "the first memory, edited";
  ASSERT_TRUE(engine_->Update(alpha_, id, patch).ok());
  auto v2 = engine_->CubeVersion(alpha_);
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(*v2, *v1);
  ASSERT_TRUE(engine_->Delete(alpha_, id).ok());
  auto v3 = engine_->CubeVersion(alpha_);
  EXPECT_NE(*v3, *v2);

  ASSERT_TRUE(engine_->ForgetProject(alpha_).ok());
  Add(alpha_, "the first memory");
  auto v4 = engine_->CubeVersion(alpha_);
  ASSERT_TRUE(v4.ok());
  EXPECT_NE(*v4, *v1);
  EXPECT_NE(*v4, *v2);
  EXPECT_NE(*v4, *v3);
}

}  // namespace
}  // namespace memd::testing
