#include "store/schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"
#include "util/hash.h"

namespace memd::store {
namespace {

using testing::MakeRow;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::TestOptions;

std::unique_ptr<Db> RawDb(const std::string& path) {
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

std::int64_t QueryInt(Db& db, const std::string& sql) {
  auto value = db.QueryInt(sql);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? *value : -1;
}

bool HasObject(Db& db, const std::string& name) {
  return QueryInt(db, "SELECT count(*) FROM sqlite_master WHERE name = '" + name + "'") == 1;
}

TEST(SchemaTest, NewDatabaseIsAtCurrentVersionInWalModeWithMemdHeader) {
  TempDir dir;
  auto options = TestOptions(dir);
  ASSERT_TRUE(SqliteStore::Open(options).ok());
  auto db = RawDb(options.path);
  EXPECT_EQ(QueryInt(*db, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(QueryInt(*db, "PRAGMA application_id"), kApplicationId);
  auto mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && *mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  for (const char* name :
       {"meta", "cubes", "memories", "history", "preferences", "tombstones", "idempotency", "api_keys",
        "memories_by_cube", "memories_by_hash", "memories_by_seq", "memories_by_expiry", "idempotency_by_age",
        "api_keys_by_user"}) {
    EXPECT_TRUE(HasObject(*db, name)) << name;
  }
}

TEST(SchemaTest, ReopeningACurrentDatabaseKeepsItsData) {
  TempDir dir;
  auto options = TestOptions(dir);
  std::int64_t cube_id = 0;
  {
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok());
    cube_id = (*store)->GetOrCreateCube("u", "p", "hash", testing::kTestDimension, 1)->id;
  }
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto cube = (*store)->FindCube("u", "p");
  ASSERT_TRUE(cube.ok() && cube->has_value());
  EXPECT_EQ((*cube)->id, cube_id);
}

TEST(SchemaTest, DatabaseFromNewerMemdIsRefusedAndLeftByteForByteUnchanged) {
  TempDir dir;
  auto options = TestOptions(dir);
  ASSERT_TRUE(SqliteStore::Open(options).ok());
  {
    auto db = RawDb(options.path);
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  ASSERT_FALSE(std::filesystem::exists(options.path + "-wal"));
  std::string before = ReadFileBytes(options.path);
  ASSERT_FALSE(before.empty());

  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            "database " + options.path +
                " was written by a newer memd (schema 99, this build understands up to " +
                std::to_string(kSchemaVersion) + "); upgrade memd");
  EXPECT_EQ(ReadFileBytes(options.path), before);
}

TEST(SchemaTest, NewerRollbackJournalDatabaseIsNotSwitchedToWal) {
  TempDir dir;
  std::string path = dir.File("memd.db");
  {
    auto db = RawDb(path);
    ASSERT_TRUE(db->Exec("CREATE TABLE future(x); PRAGMA user_version = 7;").ok());
  }
  std::string before = ReadFileBytes(path);
  SqliteStoreOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFileBytes(path), before);  // header bytes 18-19 would change with WAL
}

TEST(SchemaTest, OlderBuildRefusesCurrentDatabase) {
  TempDir dir;
  auto options = TestOptions(dir);
  ASSERT_TRUE(SqliteStore::Open(options).ok());
  auto store = SqliteStore::OpenForTest(options, 1);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("schema " + std::to_string(kSchemaVersion) + ", this build understands up to 1"), std::string::npos)
      << store.status().ToString();
}

TEST(SchemaTest, SqliteFileNotCreatedByMemdIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.File("other.db");
  {
    auto db = RawDb(path);
    ASSERT_TRUE(db->Exec("CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER);").ok());
  }
  std::string before = ReadFileBytes(path);
  SqliteStoreOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("not created by memd"), std::string::npos)
      << store.status().ToString();
  EXPECT_EQ(ReadFileBytes(path), before);
}

TEST(SchemaTest, FileThatIsNotADatabaseIsCorruptionNamingThePath) {
  TempDir dir;
  std::string path = dir.File("memd.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, '\x42');
  }
  SqliteStoreOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
}

TEST(SchemaTest, MissingDirectoryIsIOErrorNamingThePath) {
  TempDir dir;
  SqliteStoreOptions options;
  options.path = dir.File("missing/memd.db");
  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError);
  EXPECT_NE(store.status().message().find(options.path), std::string::npos) << store.status().ToString();
}

TEST(SchemaTest, Version1DatabaseMigratesWithDataIntactAndGainsIdempotency) {
  TempDir dir;
  auto options = TestOptions(dir);
  std::int64_t cube_id = 0;
  std::int64_t doc = 0;
  MemoryRow original = MakeRow("01HV1", "written by schema 1");
  original.memory.expires_at = 5000;
  {
    auto store = SqliteStore::OpenForTest(options, 1);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto cube = (*store)->GetOrCreateCube("u", "p", "hash", testing::kTestDimension, 1);
    ASSERT_TRUE(cube.ok()) << cube.status().ToString();
    cube_id = cube->id;
    auto seq = (*store)->Write(cube_id, [&](WriteTxn& txn) -> Status {
      MemoryRow row = original;
      MEMD_RETURN_IF_ERROR(txn.Insert(row));
      doc = row.doc;
      MEMD_RETURN_IF_ERROR(txn.AppendHistory(doc, HistoryRow{"create", row.memory}));
      return txn.PutPreference(Preference{"style", "docstring", "\"Google\"", "", 7});
    });
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    auto raw = RawDb(options.path);
    EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), 1);
    EXPECT_FALSE(HasObject(*raw, "idempotency"));
    EXPECT_FALSE(HasObject(*raw, "memories_by_expiry"));
  }

  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto raw = RawDb(options.path);
    EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), kSchemaVersion);
    EXPECT_TRUE(HasObject(*raw, "idempotency"));
    EXPECT_TRUE(HasObject(*raw, "memories_by_expiry"));
  }
  auto row = (*store)->GetMemory(cube_id, "01HV1");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->memory, original.memory);
  EXPECT_EQ((*row)->embedding, original.embedding);
  EXPECT_EQ((*row)->content_hash, original.content_hash);
  EXPECT_EQ((*row)->seq, 1);
  auto history = (*store)->GetHistory(cube_id, doc);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].operation, "create");
  auto preference = (*store)->GetPreference(cube_id, "style", "docstring");
  ASSERT_TRUE(preference.ok() && preference->has_value());
  EXPECT_EQ((*preference)->value, "\"Google\"");
  auto expired = (*store)->ExpiredDocs(cube_id, 6000);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, std::vector<std::int64_t>{doc});

  std::optional<IdempotencyRow> seen;
  auto seq = (*store)->Write(cube_id, [&](WriteTxn& txn) -> Status {
    MEMD_RETURN_IF_ERROR(txn.PutIdempotency(IdempotencyRow{"key-1", "abc", "{\"ok\":true}", 100}));
    MEMD_ASSIGN_OR_RETURN(seen, txn.GetIdempotency("key-1"));
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->request_hash, "abc");
  EXPECT_EQ(seen->response, "{\"ok\":true}");
}


TEST(SchemaTest, Version2DatabaseMigratesWithDataIntactAndGainsApiKeys) {
  TempDir dir;
  auto options = TestOptions(dir);
  std::int64_t cube_id = 0;
  std::int64_t doc = 0;
  MemoryRow original = MakeRow("01HV2", "written by schema 2");
  {
    auto store = SqliteStore::OpenForTest(options, 2);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto cube = (*store)->GetOrCreateCube("u", "p", "hash", testing::kTestDimension, 1);
    ASSERT_TRUE(cube.ok()) << cube.status().ToString();
    cube_id = cube->id;
    auto seq = (*store)->Write(cube_id, [&](WriteTxn& txn) -> Status {
      MemoryRow row = original;
      MEMD_RETURN_IF_ERROR(txn.Insert(row));
      doc = row.doc;
      MEMD_RETURN_IF_ERROR(txn.AppendHistory(doc, HistoryRow{"update", row.memory}));
      MEMD_RETURN_IF_ERROR(txn.PutIdempotency(IdempotencyRow{"key-2", "def", "{\"v\":2}", 100}));
      return txn.PutPreference(Preference{"style", "tabs", "false", "", 8});
    });
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    auto raw = RawDb(options.path);
    EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), 2);
    EXPECT_FALSE(HasObject(*raw, "api_keys"));
  }

  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto raw = RawDb(options.path);
    EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), kSchemaVersion);
    EXPECT_TRUE(HasObject(*raw, "sources"));
    EXPECT_TRUE(HasObject(*raw, "memories_by_source"));
    EXPECT_TRUE(HasObject(*raw, "api_keys"));
    EXPECT_TRUE(HasObject(*raw, "api_keys_by_user"));
    EXPECT_TRUE(HasObject(*raw, "memories_by_cube"));
  }
  auto row = (*store)->GetMemory(cube_id, "01HV2");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->memory, original.memory);
  EXPECT_EQ((*row)->embedding, original.embedding);
  EXPECT_EQ((*row)->seq, 1);
  auto history = (*store)->GetHistory(cube_id, doc);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].operation, "update");
  auto preference = (*store)->GetPreference(cube_id, "style", "tabs");
  ASSERT_TRUE(preference.ok() && preference->has_value());
  EXPECT_EQ((*preference)->value, "false");
  std::optional<IdempotencyRow> seen;
  ASSERT_TRUE((*store)
                  ->Write(cube_id,
                          [&](WriteTxn& txn) -> Status {
                            MEMD_ASSIGN_OR_RETURN(seen, txn.GetIdempotency("key-2"));
                            return Status::OK();
                          })
                  .ok());
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->response, "{\"v\":2}");

  EXPECT_EQ(*(*store)->CountApiKeys(), 0);
  ApiKeyRow key;
  key.key.id = "k_aaaaaaaaaaaa";
  key.key.user = "u";
  key.key.scopes = {Scope::kRead};
  key.secret_hash = std::string(kSha256Bytes, 'h');
  ASSERT_TRUE((*store)->PutApiKey(key).ok());
  EXPECT_EQ(*(*store)->CountApiKeys(), 1);
}

// The plan of a query: the detail column of EXPLAIN QUERY PLAN, one line per step.
std::string QueryPlan(Db& db, const std::string& sql) {
  auto stmt = db.Prepare("EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  std::string plan;
  while (stmt.ok()) {
    auto row = stmt->Step();
    if (!row.ok() || !*row) break;
    plan += std::string(stmt->Text(3)) + "\n";
  }
  return plan;
}

TEST(SchemaTest, CubeAndApiKeyQueriesUseIndexesWithoutSorting) {
  TempDir dir;
  auto options = TestOptions(dir);
  ASSERT_TRUE(SqliteStore::Open(options).ok());
  auto db = RawDb(options.path);
  // ScanAll reads a whole cube in doc order: only memories_by_cube (cube_id, doc) gives that
  // order; with any other index the cube would be sorted, embeddings and all, in memory.
  std::string scan = QueryPlan(*db, "SELECT doc, embedding FROM memories WHERE cube_id = 1 ORDER BY doc");
  EXPECT_NE(scan.find("USING INDEX memories_by_cube"), std::string::npos) << scan;
  EXPECT_EQ(scan.find("TEMP B-TREE"), std::string::npos) << scan;
  for (const char* sql : {"SELECT count(*) FROM memories WHERE cube_id = 1",
                          "DELETE FROM memories WHERE cube_id = 1",
                          "SELECT id FROM api_keys WHERE secret_hash = x'00'",
                          "SELECT id FROM api_keys WHERE user = 'u' ORDER BY user, created_at, id"}) {
    std::string plan = QueryPlan(*db, sql);
    EXPECT_NE(plan.find("INDEX"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
  }
}

}  // namespace
}  // namespace memd::store
