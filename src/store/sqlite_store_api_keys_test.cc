// The api_keys table of SqliteStore: insert, lookup by secret hash, listing, revocation.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"
#include "util/hash.h"

namespace memd::store {
namespace {

using testing::TempDir;
using testing::TestOptions;

ApiKeyRow MakeKey(const std::string& id, const std::string& user, Timestamp created_at) {
  ApiKeyRow row;
  row.key.id = id;
  row.key.user = user;
  row.key.name = "agent of " + user;
  row.key.scopes = {Scope::kRead, Scope::kWrite};
  row.key.projects = {"alpha", "beta"};
  row.key.tier = "gold";
  row.key.created_at = created_at;
  row.secret_hash = Sha256("secret of " + id);
  return row;
}

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(TestOptions(dir_));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ApiKeyStoreTest, PutKeyIsFoundByItsSecretHashWithEveryField) {
  ApiKeyRow key = MakeKey("k_aaaaaaaaaaaa", "alice", 100);
  key.key.scopes = {Scope::kRead, Scope::kWrite, Scope::kAdmin};
  ASSERT_TRUE(store_->PutApiKey(key).ok());
  auto found = store_->FindApiKeyBySecretHash(key.secret_hash);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->key, key.key);
  EXPECT_EQ((*found)->secret_hash, key.secret_hash);
}

TEST_F(ApiKeyStoreTest, UnknownSecretHashIsNotFoundAsNullopt) {
  ASSERT_TRUE(store_->PutApiKey(MakeKey("k_aaaaaaaaaaaa", "alice", 100)).ok());
  auto found = store_->FindApiKeyBySecretHash(Sha256("another secret"));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(ApiKeyStoreTest, DuplicateIdOrSecretHashIsAlreadyExists) {
  ApiKeyRow first = MakeKey("k_aaaaaaaaaaaa", "alice", 100);
  ASSERT_TRUE(store_->PutApiKey(first).ok());
  ApiKeyRow same_id = MakeKey("k_aaaaaaaaaaaa", "bob", 200);
  same_id.secret_hash = Sha256("different");
  EXPECT_EQ(store_->PutApiKey(same_id).code(), StatusCode::kAlreadyExists);
  ApiKeyRow same_hash = MakeKey("k_bbbbbbbbbbbb", "bob", 200);
  same_hash.secret_hash = first.secret_hash;
  EXPECT_EQ(store_->PutApiKey(same_hash).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->CountApiKeys(), 1);
}

TEST_F(ApiKeyStoreTest, SecretHashMustBeASha256Digest) {
  ApiKeyRow key = MakeKey("k_aaaaaaaaaaaa", "alice", 100);
  key.secret_hash = "short";
  EXPECT_EQ(store_->PutApiKey(key).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->CountApiKeys(), 0);
}

TEST_F(ApiKeyStoreTest, ListIsOrderedByUserThenCreationAndCarriesNoHash) {
  ASSERT_TRUE(store_->PutApiKey(MakeKey("k_cccccccccccc", "bob", 50)).ok());
  ASSERT_TRUE(store_->PutApiKey(MakeKey("k_bbbbbbbbbbbb", "alice", 300)).ok());
  ASSERT_TRUE(store_->PutApiKey(MakeKey("k_aaaaaaaaaaaa", "alice", 200)).ok());
  auto all = store_->ListApiKeys("");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key.id, "k_aaaaaaaaaaaa");
  EXPECT_EQ((*all)[1].key.id, "k_bbbbbbbbbbbb");
  EXPECT_EQ((*all)[2].key.id, "k_cccccccccccc");
  for (const ApiKeyRow& row : *all) EXPECT_TRUE(row.secret_hash.empty()) << row.key.id;
  EXPECT_EQ((*all)[2].key, MakeKey("k_cccccccccccc", "bob", 50).key);

  auto bob = store_->ListApiKeys("bob");
  ASSERT_TRUE(bob.ok());
  ASSERT_EQ(bob->size(), 1u);
  EXPECT_EQ((*bob)[0].key.user, "bob");
  auto nobody = store_->ListApiKeys("carol");
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->empty());
}

TEST_F(ApiKeyStoreTest, RevokeSetsRevokedAtOnceAndUnknownIdIsNotFound) {
  ApiKeyRow key = MakeKey("k_aaaaaaaaaaaa", "alice", 100);
  ASSERT_TRUE(store_->PutApiKey(key).ok());
  ASSERT_TRUE(store_->RevokeApiKey("k_aaaaaaaaaaaa", 500).ok());
  ASSERT_TRUE(store_->RevokeApiKey("k_aaaaaaaaaaaa", 900).ok());  // again: fine, time kept
  auto found = store_->FindApiKeyBySecretHash(key.secret_hash);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->key.revoked_at, 500);

  Status unknown = store_->RevokeApiKey("k_zzzzzzzzzzzz", 500);
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("k_zzzzzzzzzzzz"), std::string::npos) << unknown.ToString();
  EXPECT_EQ(*store_->CountApiKeys(), 1);  // revoked keys still count
}

TEST_F(ApiKeyStoreTest, KeysSurviveReopenAndCubeDeletion) {
  ApiKeyRow key = MakeKey("k_aaaaaaaaaaaa", "alice", 100);
  ASSERT_TRUE(store_->PutApiKey(key).ok());
  auto cube = store_->GetOrCreateCube("alice", "alpha", "hash", testing::kTestDimension, 1);
  ASSERT_TRUE(cube.ok());
  ASSERT_TRUE(store_->DeleteCube(cube->id).ok());
  store_.reset();
  auto store = SqliteStore::Open(TestOptions(dir_));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto found = (*store)->FindApiKeyBySecretHash(key.secret_hash);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->key, key.key);
}

TEST_F(ApiKeyStoreTest, CorruptScopesAreReportedNamingTheKey) {
  ASSERT_TRUE(store_->PutApiKey(MakeKey("k_aaaaaaaaaaaa", "alice", 100)).ok());
  {
    auto db = Db::Open(store_->path(), SQLITE_OPEN_READWRITE, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE api_keys SET scopes = '[\"superuser\"]'").ok());
  }
  auto list = store_->ListApiKeys("");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kCorruption);
  EXPECT_NE(list.status().message().find("k_aaaaaaaaaaaa"), std::string::npos) << list.status().ToString();
  EXPECT_NE(list.status().message().find("superuser"), std::string::npos) << list.status().ToString();
}

}  // namespace
}  // namespace memd::store
