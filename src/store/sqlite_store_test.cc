#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <stdexcept>

#include "store/sqlite_db.h"
#include "store/store_test_util.h"

namespace memd::store {
namespace {

using testing::kTestDimension;
using testing::MakeRow;
using testing::TempDir;
using testing::TestOptions;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(Durability::kNormal); }

  void Reopen(Durability durability) {
    store_.reset();
    auto store = SqliteStore::Open(TestOptions(dir_, durability));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto cube = store_->GetOrCreateCube("alice", "proj", "hash-v1", kTestDimension, 100);
    ASSERT_TRUE(cube.ok()) << cube.status().ToString();
    cube_ = cube->id;
  }

  // Inserts a row in its own transaction; returns its doc.
  std::int64_t Insert(MemoryRow row, std::int64_t cube = 0) {
    std::int64_t doc = 0;
    auto seq = store_->Write(cube != 0 ? cube : cube_, [&](WriteTxn& txn) -> Status {
      MEMD_RETURN_IF_ERROR(txn.Insert(row));
      doc = row.doc;
      return Status::OK();
    });
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return doc;
  }

  std::optional<MemoryRow> Get(const std::string& id, std::int64_t cube = 0) {
    auto row = store_->GetMemory(cube != 0 ? cube : cube_, id);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : std::nullopt;
  }

  std::int64_t CubeSeq() {
    auto cube = store_->FindCube("alice", "proj");
    EXPECT_TRUE(cube.ok() && cube->has_value());
    return (*cube)->seq;
  }

  // Changes since after_seq as doc -> live row? (nullopt for a purge).
  std::map<std::int64_t, std::optional<MemoryRow>> Changes(std::int64_t after_seq,
                                                           std::int64_t* seq = nullptr) {
    std::map<std::int64_t, std::optional<MemoryRow>> changes;
    std::int64_t last_doc = 0;
    auto result = store_->ScanChangedSince(cube_, after_seq, [&](ChangedDoc&& change) {
      EXPECT_GT(change.doc, last_doc) << "not in doc order";
      last_doc = change.doc;
      changes[change.doc] = std::move(change.row);
      return Status::OK();
    });
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (seq != nullptr) *seq = *result;
    return changes;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::int64_t cube_ = 0;
};

TEST_F(SqliteStoreTest, InsertedRowReadsBackWithEveryField) {
  MemoryRow row = MakeRow("01A", "hello world");
  row.memory.expires_at = 99999;
  std::int64_t doc = Insert(row);
  EXPECT_GT(doc, 0);
  auto stored = Get("01A");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->doc, doc);
  EXPECT_EQ(stored->cube_id, cube_);
  EXPECT_EQ(stored->memory, row.memory);
  EXPECT_EQ(stored->content_hash, row.content_hash);
  EXPECT_EQ(stored->embedding, row.embedding);
  EXPECT_EQ(stored->seq, 1);
}

TEST_F(SqliteStoreTest, RowWithoutSourceOrExpiryRoundTrips) {
  MemoryRow row = MakeRow("01A", "x");
  row.memory.source.reset();
  row.memory.tags.clear();
  row.memory.metadata = "{}";
  Insert(row);
  auto stored = Get("01A");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->memory, row.memory);
  EXPECT_FALSE(stored->memory.source.has_value());
  EXPECT_FALSE(stored->memory.expires_at.has_value());
}

TEST_F(SqliteStoreTest, MissingMemoryReadsAsNullopt) { EXPECT_FALSE(Get("nope").has_value()); }

TEST_F(SqliteStoreTest, ReplaceUpdatesRowAndHistoryKeepsOldVersion) {
  MemoryRow row = MakeRow("01A", "first");
  std::int64_t doc = Insert(row);
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> current, txn.GetById("01A"));
    if (!current) return Status::NotFound("01A");
    MEMD_RETURN_IF_ERROR(txn.AppendHistory(current->doc, HistoryRow{"create", current->memory}));
    MemoryRow updated = *current;
    updated.memory.text = "second";
    updated.memory.version = 2;
    updated.memory.tags = {"z"};
    return txn.Replace(updated);
  });
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 2);
  auto stored = Get("01A");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->doc, doc);
  EXPECT_EQ(stored->memory.text, "second");
  EXPECT_EQ(stored->memory.version, 2);
  EXPECT_EQ(stored->memory.tags, std::vector<std::string>{"z"});
  EXPECT_EQ(stored->seq, 2);
  auto history = store_->GetHistory(cube_, doc);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].operation, "create");
  EXPECT_EQ((*history)[0].memory, row.memory);
}

TEST_F(SqliteStoreTest, ReplaceOfUnknownDocOrChangedIdIsNotFound) {
  MemoryRow row = MakeRow("01A", "first");
  row.doc = Insert(row);
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) {
    MemoryRow renamed = row;
    renamed.memory.id = "01B";
    return txn.Replace(renamed);
  });
  EXPECT_EQ(seq.status().code(), StatusCode::kNotFound);
  seq = store_->Write(cube_, [&](WriteTxn& txn) {
    MemoryRow ghost = row;
    ghost.doc += 1000;
    return txn.Replace(ghost);
  });
  EXPECT_EQ(seq.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CubeSeq(), 1);
}

TEST_F(SqliteStoreTest, InsertWithWrongEmbeddingSizeIsInvalidArgument) {
  MemoryRow row = MakeRow("01A", "x");
  row.embedding.push_back(1.0f);
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) { return txn.Insert(row); });
  EXPECT_EQ(seq.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Get("01A").has_value());
}

TEST_F(SqliteStoreTest, IdIsUniqueWithinCubeButMayRepeatInAnotherCube) {
  Insert(MakeRow("01A", "x"));
  auto duplicate = store_->Write(cube_, [&](WriteTxn& txn) {
    MemoryRow row = MakeRow("01A", "y");
    return txn.Insert(row);
  });
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(duplicate.status().message().find("01A"), std::string::npos);

  auto other = store_->GetOrCreateCube("bob", "proj", "hash-v1", kTestDimension, 100);
  ASSERT_TRUE(other.ok());
  ASSERT_NE(other->id, cube_);
  std::int64_t doc = Insert(MakeRow("01A", "bob's"), other->id);
  EXPECT_GT(doc, 0);
  EXPECT_EQ(Get("01A", other->id)->memory.text, "bob's");
  EXPECT_EQ(Get("01A")->memory.text, "x");
}

TEST_F(SqliteStoreTest, SequenceAdvancesOncePerChangingWriteAndNotForReadOnlyWrites) {
  EXPECT_EQ(CubeSeq(), 0);
  Insert(MakeRow("01A", "a"));
  EXPECT_EQ(CubeSeq(), 1);
  // A write that only reads: no bump, returns the current sequence.
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    EXPECT_EQ(txn.seq(), 2);
    return txn.GetById("01A").status();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1);
  EXPECT_EQ(CubeSeq(), 1);
  // Many changes in one write: one bump, all rows carry it.
  seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    for (const char* id : {"01B", "01C", "01D"}) {
      MemoryRow row = MakeRow(id, id);
      MEMD_RETURN_IF_ERROR(txn.Insert(row));
      EXPECT_EQ(row.seq, 2);
    }
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 2);
  EXPECT_EQ(Get("01D")->seq, 2);
  // A failing write: rolled back, no bump; the next change gets the next number.
  seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    MemoryRow row = MakeRow("01E", "e");
    MEMD_RETURN_IF_ERROR(txn.Insert(row));
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(seq.status().code(), StatusCode::kConflict);
  EXPECT_FALSE(Get("01E").has_value());
  EXPECT_EQ(CubeSeq(), 2);
  Insert(MakeRow("01F", "f"));
  EXPECT_EQ(CubeSeq(), 3);
}

TEST_F(SqliteStoreTest, PreferenceAndIdempotencyWritesAdvanceTheSequence) {
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) {
    return txn.PutPreference(Preference{"style", "quotes", "\"double\"", "d", 5});
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1);
  seq = store_->Write(cube_, [&](WriteTxn& txn) { return txn.PutIdempotency({"k", "h", "r", 1}); });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 2);
  // A failed delete changed nothing.
  seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    Status status = txn.DeletePreference("style", "missing");
    EXPECT_EQ(status.code(), StatusCode::kNotFound);
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 2);
}

TEST_F(SqliteStoreTest, ScanChangedSinceReportsUpdatesAndPurgesInDocOrder) {
  std::int64_t a = Insert(MakeRow("01A", "a"));  // seq 1
  std::int64_t b = Insert(MakeRow("01B", "b"));  // seq 2
  std::int64_t c = Insert(MakeRow("01C", "c"));  // seq 3
  std::int64_t seq_before = 0;
  EXPECT_EQ(Changes(0, &seq_before).size(), 3u);
  EXPECT_EQ(seq_before, 3);

  auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {  // seq 4
    MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> row, txn.GetById("01C"));
    row->memory.deleted = true;
    row->memory.version = 2;
    MEMD_RETURN_IF_ERROR(txn.Replace(*row));
    return txn.Purge(a);
  });
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 4);

  std::int64_t now_seq = 0;
  auto changes = Changes(3, &now_seq);
  EXPECT_EQ(now_seq, 4);
  ASSERT_EQ(changes.size(), 2u);
  ASSERT_TRUE(changes.count(a));
  EXPECT_FALSE(changes[a].has_value());  // purge tombstone
  ASSERT_TRUE(changes.count(c) && changes[c].has_value());
  EXPECT_TRUE(changes[c]->memory.deleted);
  EXPECT_EQ(changes[c]->embedding.size(), static_cast<std::size_t>(kTestDimension));
  EXPECT_FALSE(changes.count(b));

  // From the start: b, c as rows and a as a tombstone.
  changes = Changes(0);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_FALSE(changes[a].has_value());
  EXPECT_TRUE(changes[b].has_value());
  EXPECT_TRUE(Changes(4).empty());
}

TEST_F(SqliteStoreTest, PurgeRemovesRowAndHistoryAndUnknownDocIsNotFound) {
  MemoryRow row = MakeRow("01A", "a");
  std::int64_t doc = Insert(row);
  ASSERT_TRUE(store_
                  ->Write(cube_,
                          [&](WriteTxn& txn) {
                            return txn.AppendHistory(doc, HistoryRow{"create", row.memory});
                          })
                  .ok());
  ASSERT_TRUE(store_->Write(cube_, [&](WriteTxn& txn) { return txn.Purge(doc); }).ok());
  EXPECT_FALSE(Get("01A").has_value());
  EXPECT_TRUE(store_->GetHistory(cube_, doc)->empty());
  auto again = store_->Write(cube_, [&](WriteTxn& txn) { return txn.Purge(doc); });
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  // The id is free again, but the doc number is never reused.
  std::int64_t new_doc = Insert(MakeRow("01A", "a again"));
  EXPECT_GT(new_doc, doc);
}

TEST_F(SqliteStoreTest, OtherCubesDocsAreInvisibleToWriteTxn) {
  auto other = store_->GetOrCreateCube("bob", "proj", "hash-v1", kTestDimension, 100);
  ASSERT_TRUE(other.ok());
  MemoryRow row = MakeRow("01B", "bob's secret");
  std::int64_t bob_doc = Insert(row, other->id);
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    EXPECT_FALSE(txn.GetById("01B")->has_value());
    EXPECT_FALSE(txn.FindLiveByHash(row.content_hash)->has_value());
    EXPECT_EQ(txn.Purge(bob_doc).code(), StatusCode::kNotFound);
    EXPECT_EQ(txn.AppendHistory(bob_doc, HistoryRow{"create", row.memory}).code(), StatusCode::kNotFound);
    MemoryRow stolen = row;
    stolen.doc = bob_doc;
    EXPECT_EQ(txn.Replace(stolen).code(), StatusCode::kNotFound);
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(Get("01B", other->id)->memory.text, "bob's secret");
}

TEST_F(SqliteStoreTest, DedupLookupFindsOnlyLiveRows) {
  MemoryRow row = MakeRow("01A", "same text");
  Insert(row);
  auto find = [&]() {
    std::optional<MemoryRow> found;
    auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
      MEMD_ASSIGN_OR_RETURN(found, txn.FindLiveByHash(row.content_hash));
      return Status::OK();
    });
    EXPECT_TRUE(seq.ok());
    return found;
  };
  ASSERT_TRUE(find().has_value());
  EXPECT_EQ(find()->memory.id, "01A");
  ASSERT_TRUE(store_
                  ->Write(cube_,
                          [&](WriteTxn& txn) -> Status {
                            MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> current, txn.GetById("01A"));
                            current->memory.deleted = true;
                            return txn.Replace(*current);
                          })
                  .ok());
  EXPECT_FALSE(find().has_value());
}

TEST_F(SqliteStoreTest, DedupLookupComparesTheWholeHashNotJustItsIndexedPrefix) {
  MemoryRow first = MakeRow("01A", "a");
  MemoryRow second = MakeRow("01B", "b");
  first.content_hash = std::string(8, 'p') + std::string(24, '1');
  second.content_hash = std::string(8, 'p') + std::string(24, '2');
  Insert(first);
  Insert(second);
  std::optional<MemoryRow> found;
  ASSERT_TRUE(store_
                  ->Write(cube_,
                          [&](WriteTxn& txn) -> Status {
                            MEMD_ASSIGN_OR_RETURN(found, txn.FindLiveByHash(second.content_hash));
                            return Status::OK();
                          })
                  .ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->memory.id, "01B");
}

TEST_F(SqliteStoreTest, GetMemoriesByDocReadsInRequestOrderWithoutEmbeddingsAndOnlyFromTheCube) {
  const std::int64_t first = Insert(MakeRow("01A", "first"));
  const std::int64_t second = Insert(MakeRow("01B", "second"));
  auto other = store_->GetOrCreateCube("bob", "proj", "hash-v1", kTestDimension, 100);
  ASSERT_TRUE(other.ok());
  const std::int64_t bobs = Insert(MakeRow("01C", "bob's secret"), other->id);

  const std::vector<std::int64_t> docs = {second, bobs, first, 987654};
  auto rows = store_->GetMemoriesByDoc(cube_, docs);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  ASSERT_TRUE((*rows)[0].has_value());
  EXPECT_EQ((*rows)[0]->memory.text, "second");
  EXPECT_EQ((*rows)[0]->doc, second);
  EXPECT_TRUE((*rows)[0]->embedding.empty());
  EXPECT_FALSE((*rows)[1].has_value()) << "another cube's doc must read as absent";
  ASSERT_TRUE((*rows)[2].has_value());
  EXPECT_EQ((*rows)[2]->memory.id, "01A");
  EXPECT_FALSE((*rows)[3].has_value());
}

TEST_F(SqliteStoreTest, ListMemoriesPagesByIdAndSkipsDeletedUnlessAsked) {
  for (const char* id : {"01D", "01B", "01A", "01C", "01E"}) Insert(MakeRow(id, id));
  ASSERT_TRUE(store_
                  ->Write(cube_,
                          [&](WriteTxn& txn) -> Status {
                            MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> current, txn.GetById("01C"));
                            current->memory.deleted = true;
                            return txn.Replace(*current);
                          })
                  .ok());
  auto page = store_->ListMemories(cube_, "", 2, false);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].memory.id, "01A");
  EXPECT_EQ((*page)[1].memory.id, "01B");
  EXPECT_TRUE((*page)[0].embedding.empty());
  page = store_->ListMemories(cube_, "01B", 10, false);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].memory.id, "01D");
  page = store_->ListMemories(cube_, "01B", 10, true);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].memory.id, "01C");
  EXPECT_TRUE(store_->ListMemories(cube_, "", 0, true)->empty());
}

TEST_F(SqliteStoreTest, ScanAllStreamsEveryRowInDocOrderWithTheSnapshotSequence) {
  std::vector<std::int64_t> docs;
  for (const char* id : {"01C", "01A", "01B"}) docs.push_back(Insert(MakeRow(id, id)));
  std::vector<std::int64_t> seen;
  auto seq = store_->ScanAll(cube_, [&](MemoryRow&& row) {
    seen.push_back(row.doc);
    EXPECT_EQ(row.embedding.size(), static_cast<std::size_t>(kTestDimension));
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 3);
  EXPECT_EQ(seen, docs);
  // A failing callback stops the scan and its error is returned.
  int calls = 0;
  seq = store_->ScanAll(cube_, [&](MemoryRow&&) {
    ++calls;
    return Status::ResourceExhausted("enough");
  });
  EXPECT_EQ(seq.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(store_->ScanAll(12345, [](MemoryRow&&) { return Status::OK(); }).status().code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ScanAllCallbackMayReadTheStoreAgain) {
  Insert(MakeRow("01A", "a"));
  Insert(MakeRow("01B", "b"));
  int found = 0;
  auto seq = store_->ScanAll(cube_, [&](MemoryRow&& row) -> Status {
    MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> again, store_->GetMemory(cube_, row.memory.id));
    found += again.has_value() ? 1 : 0;
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(found, 2);
}

TEST_F(SqliteStoreTest, ScanAllSeesASnapshotWhileWritesContinue) {
  for (int i = 0; i < 5; ++i) Insert(MakeRow("01A" + std::to_string(i), std::to_string(i)));
  int rows = 0;
  auto seq = store_->ScanAll(cube_, [&](MemoryRow&&) -> Status {
    if (rows++ == 0) {
      // Commits while the scan holds its snapshot: neither the row nor the seq shows up.
      Insert(MakeRow("01Z", "late"));
    }
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(rows, 5);
  EXPECT_EQ(*seq, 5);
  EXPECT_EQ(CubeSeq(), 6);
}

TEST_F(SqliteStoreTest, ExpiredDocsAndCounts) {
  MemoryRow soon = MakeRow("01A", "a");
  soon.memory.expires_at = 500;
  MemoryRow later = MakeRow("01B", "b");
  later.memory.expires_at = 5000;
  MemoryRow never = MakeRow("01C", "c");
  never.memory.deleted = true;
  std::int64_t soon_doc = Insert(soon);
  std::int64_t later_doc = Insert(later);
  Insert(never);
  EXPECT_EQ(*store_->ExpiredDocs(cube_, 499), std::vector<std::int64_t>{});
  EXPECT_EQ(*store_->ExpiredDocs(cube_, 500), std::vector<std::int64_t>{soon_doc});
  EXPECT_EQ(*store_->ExpiredDocs(cube_, 9000), (std::vector<std::int64_t>{soon_doc, later_doc}));
  auto counts = store_->CountMemories(cube_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->first, 2);
  EXPECT_EQ(counts->second, 1);
}

TEST_F(SqliteStoreTest, PreferencesUpsertListAndDelete) {
  ASSERT_TRUE(
      store_
          ->Write(
              cube_,
              [&](WriteTxn& txn) -> Status {
                MEMD_RETURN_IF_ERROR(txn.PutPreference(Preference{"style", "quotes", "\"single\"", "", 1}));
                MEMD_RETURN_IF_ERROR(
                    txn.PutPreference(Preference{"style", "quotes", "\"double\"", "why", 2}));
                MEMD_RETURN_IF_ERROR(
                    txn.PutPreference(Preference{"style", "docstring", "\"Google\"", "", 3}));
                return txn.PutPreference(Preference{"build", "tool", "\"ninja\"", "", 4});
              })
          .ok());
  auto quotes = store_->GetPreference(cube_, "style", "quotes");
  ASSERT_TRUE(quotes.ok() && quotes->has_value());
  EXPECT_EQ(**quotes, (Preference{"style", "quotes", "\"double\"", "why", 2}));
  auto style = store_->ListPreferences(cube_, "style");
  ASSERT_TRUE(style.ok());
  ASSERT_EQ(style->size(), 2u);
  EXPECT_EQ((*style)[0].key, "docstring");
  EXPECT_EQ(store_->ListPreferences(cube_, "")->size(), 3u);
  ASSERT_TRUE(
      store_->Write(cube_, [&](WriteTxn& txn) { return txn.DeletePreference("style", "quotes"); }).ok());
  EXPECT_FALSE(store_->GetPreference(cube_, "style", "quotes")->has_value());
}

TEST_F(SqliteStoreTest, IdempotencyKeysOlderThanRetentionAreDroppedWhenANewOneIsStored) {
  ASSERT_TRUE(
      store_
          ->Write(cube_,
                  [&](WriteTxn& txn) -> Status {
                    MEMD_RETURN_IF_ERROR(txn.PutIdempotency({"old", "h1", std::string("r\0sp", 4), 1000}));
                    return txn.PutIdempotency({"recent", "h2", "r2", 1000 + kIdempotencyRetentionMs - 1});
                  })
          .ok());
  std::optional<IdempotencyRow> old_row, recent_row;
  ASSERT_TRUE(
      store_
          ->Write(
              cube_,
              [&](WriteTxn& txn) -> Status {
                MEMD_ASSIGN_OR_RETURN(old_row, txn.GetIdempotency("old"));
                EXPECT_TRUE(old_row.has_value());
                EXPECT_EQ(old_row->response, std::string("r\0sp", 4));
                MEMD_RETURN_IF_ERROR(txn.PutIdempotency({"new", "h3", "r3", 1001 + kIdempotencyRetentionMs}));
                MEMD_ASSIGN_OR_RETURN(old_row, txn.GetIdempotency("old"));
                MEMD_ASSIGN_OR_RETURN(recent_row, txn.GetIdempotency("recent"));
                return Status::OK();
              })
          .ok());
  EXPECT_FALSE(old_row.has_value());
  ASSERT_TRUE(recent_row.has_value());
  EXPECT_EQ(recent_row->request_hash, "h2");
}

TEST_F(SqliteStoreTest, DeleteCubeRemovesEverythingAndLeavesOtherCubes) {
  auto other = store_->GetOrCreateCube("bob", "proj", "hash-v1", kTestDimension, 100);
  ASSERT_TRUE(other.ok());
  Insert(MakeRow("01K", "keep"), other->id);
  MemoryRow row = MakeRow("01A", "a");
  std::int64_t doc = Insert(row);
  std::int64_t purged = Insert(MakeRow("01P", "p"));
  ASSERT_TRUE(store_
                  ->Write(cube_,
                          [&](WriteTxn& txn) -> Status {
                            MEMD_RETURN_IF_ERROR(txn.AppendHistory(doc, HistoryRow{"create", row.memory}));
                            MEMD_RETURN_IF_ERROR(txn.Purge(purged));
                            MEMD_RETURN_IF_ERROR(txn.PutPreference(Preference{"a", "b", "1", "", 1}));
                            return txn.PutIdempotency({"k", "h", "r", 1});
                          })
                  .ok());

  ASSERT_TRUE(store_->DeleteCube(cube_).ok());
  EXPECT_FALSE(store_->FindCube("alice", "proj")->has_value());
  EXPECT_EQ(store_->DeleteCube(cube_).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Write(cube_, [](WriteTxn&) { return Status::OK(); }).status().code(),
            StatusCode::kNotFound);
  ASSERT_EQ(store_->ListCubes("")->size(), 1u);
  EXPECT_EQ(Get("01K", other->id)->memory.text, "keep");
  store_.reset();

  auto db = Db::Open(TestOptions(dir_).path, SQLITE_OPEN_READWRITE, 1000);
  ASSERT_TRUE(db.ok());
  for (const char* table : {"memories", "history", "preferences", "tombstones", "idempotency"}) {
    auto count = (*db)->QueryInt(std::string("SELECT count(*) FROM ") + table +
                                 " WHERE cube_id = " + std::to_string(cube_));
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 0) << table;
  }
  // Cube ids are not reused either.
  auto store = SqliteStore::Open(TestOptions(dir_));
  ASSERT_TRUE(store.ok());
  auto again = (*store)->GetOrCreateCube("alice", "proj", "hash-v2", kTestDimension, 200);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->id, other->id);
  EXPECT_EQ(again->seq, 0);
}

TEST_F(SqliteStoreTest, GetOrCreateCubeKeepsTheRecordedEmbedder) {
  auto first = store_->GetOrCreateCube("alice", "proj", "other-embedder", 768, 999);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, cube_);
  EXPECT_EQ(first->embedder, "hash-v1");
  EXPECT_EQ(first->dimension, kTestDimension);
  EXPECT_EQ(first->created_at, 100);
}

TEST_F(SqliteStoreTest, ListCubesOrdersByUserThenProject) {
  ASSERT_TRUE(store_->GetOrCreateCube("bob", "b", "e", 4, 1).ok());
  ASSERT_TRUE(store_->GetOrCreateCube("alice", "a", "e", 4, 1).ok());
  auto all = store_->ListCubes("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].project, "a");
  EXPECT_EQ((*all)[1].project, "proj");
  EXPECT_EQ((*all)[2].user, "bob");
  auto alice = store_->ListCubes("alice");
  ASSERT_EQ(alice->size(), 2u);
}

TEST_F(SqliteStoreTest, OnCommitRunsAfterCommitWithTheSequence) {
  std::vector<std::int64_t> committed;
  for (int i = 0; i < 3; ++i) {
    auto seq = store_->Write(
        cube_,
        [&](WriteTxn& txn) {
          MemoryRow row = MakeRow("01A" + std::to_string(i), "x");
          return txn.Insert(row);
        },
        [&](std::int64_t seq) {
          // Already durable and visible to readers.
          EXPECT_TRUE(Get("01A" + std::to_string(i)).has_value());
          committed.push_back(seq);
        });
    ASSERT_TRUE(seq.ok());
  }
  EXPECT_EQ(committed, (std::vector<std::int64_t>{1, 2, 3}));
  bool called = false;
  auto failed = store_->Write(
      cube_, [](WriteTxn&) { return Status::Conflict("no"); }, [&](std::int64_t) { called = true; });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(called);
}

// Regression: a write that changes nothing returns the cube's current sequence, which may be
// another process's commit that this process has not read yet. Reporting it to on_commit
// let the engine mark that sequence applied with no changes, so the other process's write
// never reached this process's index.
TEST_F(SqliteStoreTest, OnCommitDoesNotRunForAWriteThatChangedNothing) {
  auto insert = [](WriteTxn& txn) {
    MemoryRow row = MakeRow("01B0", "x");
    return txn.Insert(row);
  };
  ASSERT_TRUE(store_->Write(cube_, insert).ok());
  bool called = false;
  auto unchanged = store_->Write(
      cube_, [](WriteTxn&) { return Status::OK(); }, [&](std::int64_t) { called = true; });
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(*unchanged, 1);
  EXPECT_FALSE(called);
}

TEST_F(SqliteStoreTest, WriteFromInsideAWriteIsRefusedInsteadOfDeadlocking) {
  Status inner;
  auto seq = store_->Write(cube_, [&](WriteTxn&) -> Status {
    inner = store_->Write(cube_, [](WriteTxn&) { return Status::OK(); }).status();
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(inner.code(), StatusCode::kInternal);
}

TEST_F(SqliteStoreTest, ExceptionInWriteFnBecomesInternalAndRollsBack) {
  auto seq = store_->Write(cube_, [&](WriteTxn& txn) -> Status {
    MemoryRow row = MakeRow("01A", "x");
    MEMD_RETURN_IF_ERROR(txn.Insert(row));
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(seq.status().code(), StatusCode::kInternal);
  EXPECT_NE(seq.status().message().find("boom"), std::string::npos);
  EXPECT_FALSE(Get("01A").has_value());
  Insert(MakeRow("01B", "still works"));
  EXPECT_EQ(CubeSeq(), 1);
}

TEST_F(SqliteStoreTest, DurabilitySettingIsAppliedToTheWriteConnection) {
  auto normal = store_->WriterSynchronousForTest();
  ASSERT_TRUE(normal.ok());
  EXPECT_EQ(*normal, 1);
  Reopen(Durability::kFull);
  auto full = store_->WriterSynchronousForTest();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, 2);
}

TEST_F(SqliteStoreTest, InvalidOptionsAreRejected) {
  SqliteStoreOptions options = TestOptions(dir_);
  options.read_connections = 0;
  EXPECT_EQ(SqliteStore::Open(options).status().code(), StatusCode::kInvalidArgument);
  options = TestOptions(dir_);
  options.path = "";
  EXPECT_EQ(SqliteStore::Open(options).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  MemoryRow row = MakeRow("01A", "persist me");
  Insert(row);
  Reopen(Durability::kFull);
  auto stored = Get("01A");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->memory, row.memory);
  EXPECT_EQ(CubeSeq(), 1);
}

}  // namespace
}  // namespace memd::store
