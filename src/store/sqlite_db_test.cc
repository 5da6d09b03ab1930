#include "store/sqlite_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "store/store_test_util.h"

namespace memd::store {
namespace {

using testing::TempDir;

std::unique_ptr<Db> OpenDb(const std::string& path) {
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(SqliteDbTest, CachedStatementIsReusedAndNestedUseGetsItsOwn) {
  TempDir dir;
  auto db = OpenDb(dir.File("t.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1), (2), (3);").ok());
  const char* sql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
  {
    auto outer = db->Prepare(sql);
    ASSERT_TRUE(outer.ok());
    outer->BindInt(1, 2);
    ASSERT_TRUE(*outer->Step());
    EXPECT_EQ(outer->Int(0), 2);
    // The cached statement is leased: a nested Prepare gets an independent one.
    auto inner = db->Prepare(sql);
    ASSERT_TRUE(inner.ok());
    inner->BindInt(1, 1);
    ASSERT_TRUE(*inner->Step());
    EXPECT_EQ(inner->Int(0), 1);
    ASSERT_TRUE(*outer->Step());
    EXPECT_EQ(outer->Int(0), 3);
  }
  // Released and reset: the cached statement runs again from the start.
  auto again = db->Prepare(sql);
  ASSERT_TRUE(again.ok());
  again->BindInt(1, 3);
  ASSERT_TRUE(*again->Step());
  EXPECT_EQ(again->Int(0), 3);
  EXPECT_FALSE(*again->Step());
}

TEST(SqliteDbTest, EmptyTextBindsAsEmptyStringNotNull) {
  TempDir dir;
  auto db = OpenDb(dir.File("t.db"));
  auto stmt = db->Prepare("SELECT ?1 IS NULL, length(?1), length(?2)");
  ASSERT_TRUE(stmt.ok());
  stmt->BindText(1, std::string_view());
  stmt->BindBlob(2, std::string_view());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Int(0), 0);
  EXPECT_EQ(stmt->Int(1), 0);
  EXPECT_EQ(stmt->Int(2), 0);
}

TEST(SqliteDbTest, UniqueViolationIsAlreadyExistsNamingThePath) {
  TempDir dir;
  auto db = OpenDb(dir.File("t.db"));
  ASSERT_TRUE(
      db->Exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT UNIQUE); INSERT INTO t VALUES(1, 'a');").ok());
  auto stmt = db->Prepare("INSERT INTO t(y) VALUES(?1)");
  ASSERT_TRUE(stmt.ok());
  std::string value = "a";
  stmt->BindText(1, value);
  Status status = stmt->Run();
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find(dir.File("t.db")), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("UNIQUE"), std::string::npos) << status.ToString();
}

TEST(SqliteDbTest, BindErrorIsReportedByStep) {
  TempDir dir;
  auto db = OpenDb(dir.File("t.db"));
  auto stmt = db->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  stmt->BindInt(5, 1);  // out of range
  auto step = stmt->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.status().message().find("binding parameter 5"), std::string::npos)
      << step.status().ToString();
}

TEST(SqliteDbTest, SyntaxErrorIsInternalWithSqliteMessage) {
  TempDir dir;
  auto db = OpenDb(dir.File("t.db"));
  auto stmt = db->Prepare("SELEKT 1");
  ASSERT_FALSE(stmt.ok());
  EXPECT_EQ(stmt.status().code(), StatusCode::kInternal);
  EXPECT_NE(stmt.status().message().find("syntax error"), std::string::npos) << stmt.status().ToString();
}

TEST(SqliteDbTest, OpenInMissingDirectoryIsIOErrorNamingThePath) {
  TempDir dir;
  std::string path = dir.File("no/such/dir/t.db");
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIOError);
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().ToString();
}

TEST(SqliteDbTest, ReadingAFileThatIsNotSqliteIsCorruption) {
  TempDir dir;
  std::string path = dir.File("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(8192, 'x');
  }
  auto db = OpenDb(path);
  auto version = db->QueryInt("PRAGMA user_version");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), StatusCode::kCorruption);
  EXPECT_NE(version.status().message().find(path), std::string::npos) << version.status().ToString();
}

TEST(SqliteDbTest, ErrorCodesMapToStatusCodes) {
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY, "", "p", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_CORRUPT, "", "p", "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(SqliteStatus(SQLITE_NOTADB, "", "p", "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(SqliteStatus(SQLITE_IOERR_FSYNC, "", "p", "x").code(), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatus(SQLITE_FULL, "", "p", "x").code(), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_UNIQUE, "", "p", "x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_FOREIGNKEY, "", "p", "x").code(), StatusCode::kInternal);
  EXPECT_EQ(SqliteStatus(SQLITE_NOMEM, "", "p", "x").code(), StatusCode::kResourceExhausted);
  Status status = SqliteStatus(SQLITE_IOERR, "disk I/O error", "/data/memd.db", "committing");
  EXPECT_NE(status.message().find("committing: disk I/O error (database /data/memd.db)"), std::string::npos)
      << status.ToString();
}

TEST(SqliteDbTest, ReadTransactionSeesOneSnapshot) {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto writer = OpenDb(path);
  ASSERT_TRUE(writer->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES(1);").ok());
  auto reader = OpenDb(path);
  {
    ReadTransaction txn(*reader);
    ASSERT_TRUE(txn.Begin().ok());
    EXPECT_EQ(*reader->QueryInt("SELECT count(*) FROM t"), 1);
    ASSERT_TRUE(writer->Exec("INSERT INTO t VALUES(2)").ok());
    EXPECT_EQ(*reader->QueryInt("SELECT count(*) FROM t"), 1);  // still the old snapshot
  }
  EXPECT_FALSE(reader->in_transaction());
  EXPECT_EQ(*reader->QueryInt("SELECT count(*) FROM t"), 2);
}

}  // namespace
}  // namespace memd::store
