// The credentials section of Engine: API key creation, listing, revocation, authentication.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "engine/credentials_cache.h"
#include "engine/credentials_codec.h"
#include "engine/engine_test_util.h"

namespace memd {
namespace {

using testing::EngineTest;

class EngineCredentialsTest : public EngineTest {
 protected:
  CreatedApiKey Create(const std::string& user, std::vector<Scope> scopes = {Scope::kRead},
                       std::vector<std::string> projects = {}) {
    NewApiKey request;
    request.user = user;
    request.name = "test key";
    request.scopes = std::move(scopes);
    request.projects = std::move(projects);
    auto created = engine_->CreateApiKey(request);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : CreatedApiKey{};
  }

  Status CreateError(const NewApiKey& request) {
    auto created = engine_->CreateApiKey(request);
    EXPECT_FALSE(created.ok());
    return created.ok() ? Status::OK() : created.status();
  }

  void ExpectUnauthenticated(std::string_view secret, const std::string& expected_message) {
    auto key = engine_->AuthenticateApiKey(secret);
    ASSERT_FALSE(key.ok()) << "authenticated: " << secret;
    EXPECT_EQ(key.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(key.status().message(), expected_message);  // the same for every cause
  }
};

TEST_F(EngineCredentialsTest, CreatedKeyAuthenticatesAsItsUser) {
  CreatedApiKey created = Create("alice", {Scope::kWrite, Scope::kRead});
  EXPECT_EQ(created.key.user, "alice");
  EXPECT_EQ(created.key.name, "test key");
  EXPECT_EQ(created.key.tier, "default");
  EXPECT_EQ(created.key.created_at, now_.load());
  EXPECT_FALSE(created.key.revoked_at.has_value());
  EXPECT_EQ(created.key.id.size(), 14u);
  EXPECT_EQ(created.key.id.substr(0, 2), "k_");
  EXPECT_EQ(created.secret.size(), 72u);
  EXPECT_EQ(created.secret.substr(0, 20), "memd_" + created.key.id + "_");

  auto key = engine_->AuthenticateApiKey(created.secret);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, created.key);
}

TEST_F(EngineCredentialsTest, ScopesAndProjectsRoundTripSortedAndUnique) {
  NewApiKey request;
  request.user = "alice";
  request.scopes = {Scope::kAdmin, Scope::kRead, Scope::kAdmin};
  request.projects = {"beta", "alpha", "beta"};
  request.tier = "gold";
  auto created = engine_->CreateApiKey(request);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->key.scopes, (std::vector<Scope>{Scope::kRead, Scope::kAdmin}));
  EXPECT_EQ(created->key.projects, (std::vector<std::string>{"alpha", "beta"}));
  Reopen();
  auto key = engine_->AuthenticateApiKey(created->secret);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->scopes, (std::vector<Scope>{Scope::kRead, Scope::kAdmin}));
  EXPECT_EQ(key->projects, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(key->tier, "gold");
}

TEST_F(EngineCredentialsTest, RevokedKeyNoLongerAuthenticates) {
  CreatedApiKey created = Create("alice");
  CreatedApiKey other = Create("alice");
  now_ += 1000;
  ASSERT_TRUE(engine_->RevokeApiKey(created.key.id).ok());
  auto refused = engine_->AuthenticateApiKey(created.secret);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(engine_->AuthenticateApiKey(other.secret).ok());  // only that key
  EXPECT_TRUE(engine_->RevokeApiKey(created.key.id).ok());      // again: fine

  auto keys = engine_->ListApiKeys("alice");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  const ApiKey& revoked = (*keys)[0].id == created.key.id ? (*keys)[0] : (*keys)[1];
  EXPECT_EQ(revoked.revoked_at, now_.load());
}

TEST_F(EngineCredentialsTest, UnknownRevokedAndMalformedSecretsGetOneMessage) {
  CreatedApiKey created = Create("alice");
  auto refused = engine_->AuthenticateApiKey("memd_garbage");
  ASSERT_FALSE(refused.ok());
  const std::string message = refused.status().message();
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);

  std::string unknown = created.secret;
  unknown.back() = unknown.back() == 'a' ? 'b' : 'a';  // well-formed, never issued
  std::string swapped_id = created.secret;
  swapped_id[7] = swapped_id[7] == 'a' ? 'b' : 'a';  // another key id, same random part
  const std::vector<std::string> secrets = {
      "", "Bearer x", unknown, swapped_id, created.secret.substr(0, 71), created.secret + "a"};
  for (const std::string& secret : secrets) {
    SCOPED_TRACE(secret);
    ExpectUnauthenticated(secret, message);
  }
  std::string upper = created.secret;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ExpectUnauthenticated(upper, message);

  ASSERT_TRUE(engine_->RevokeApiKey(created.key.id).ok());
  ExpectUnauthenticated(created.secret, message);
  EXPECT_EQ(message.find(created.key.id), std::string::npos);
}

TEST_F(EngineCredentialsTest, ListNeverShowsSecretsAndFiltersByUser) {
  CreatedApiKey a = Create("alice");
  now_ += 1;
  CreatedApiKey b = Create("bob", {Scope::kAdmin});
  now_ += 1;
  CreatedApiKey c = Create("alice", {Scope::kWrite}, {"alpha"});

  auto all = engine_->ListApiKeys();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], a.key);
  EXPECT_EQ((*all)[1], c.key);
  EXPECT_EQ((*all)[2], b.key);
  for (const ApiKey& key : *all) {
    for (const CreatedApiKey* created : {&a, &b, &c}) {
      const std::string random_part = created->secret.substr(20);
      for (const std::string& field : {key.id, key.user, key.name, key.tier}) {
        EXPECT_EQ(field.find(random_part), std::string::npos);
      }
    }
  }
  auto alice = engine_->ListApiKeys("alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->size(), 2u);
  auto carol = engine_->ListApiKeys("carol");
  ASSERT_TRUE(carol.ok());
  EXPECT_TRUE(carol->empty());
  EXPECT_EQ(engine_->ListApiKeys("../etc").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineCredentialsTest, SecretsAndIdsAreUniqueAndRandom) {
  std::set<std::string> ids;
  std::set<std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    CreatedApiKey created = Create("alice");
    ids.insert(created.key.id);
    secrets.insert(created.secret.substr(20));
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(secrets.size(), 20u);
}

TEST_F(EngineCredentialsTest, CountIncludesRevokedKeys) {
  EXPECT_EQ(*engine_->CountApiKeys(), 0);
  CreatedApiKey created = Create("alice");
  Create("bob");
  ASSERT_TRUE(engine_->RevokeApiKey(created.key.id).ok());
  EXPECT_EQ(*engine_->CountApiKeys(), 2);
}

TEST_F(EngineCredentialsTest, InvalidRequestsAreRejectedNamingTheFieldAndWriteNothing) {
  NewApiKey valid;
  valid.user = "alice";
  valid.scopes = {Scope::kRead};

  NewApiKey r = valid;
  r.user = "";
  EXPECT_EQ(CreateError(r).field(), "user");
  r.user = "bad user";
  EXPECT_EQ(CreateError(r).field(), "user");
  r = valid;
  r.scopes.clear();
  Status no_scope = CreateError(r);
  EXPECT_EQ(no_scope.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_scope.field(), "scopes");
  r = valid;
  r.projects = {"alpha", "no/slash"};
  EXPECT_EQ(CreateError(r).field(), "projects[1]");
  r = valid;
  r.name = std::string(201, 'n');
  EXPECT_EQ(CreateError(r).field(), "name");
  r.name = "tab\there";
  EXPECT_EQ(CreateError(r).field(), "name");
  r.name = "\xff";
  EXPECT_EQ(CreateError(r).field(), "name");
  r = valid;
  r.tier = "";
  EXPECT_EQ(CreateError(r).field(), "tier");
  r.tier = "gold tier";
  EXPECT_EQ(CreateError(r).field(), "tier");
  EXPECT_EQ(*engine_->CountApiKeys(), 0);

  r = valid;
  r.name = std::string(200, 'n');  // the limit itself is fine
  EXPECT_TRUE(engine_->CreateApiKey(r).ok());
}

TEST_F(EngineCredentialsTest, RevokeOfUnknownOrMalformedIdFails) {
  Status unknown = engine_->RevokeApiKey("k_aaaaaaaaaaaa");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("k_aaaaaaaaaaaa"), std::string::npos);
  Status malformed = engine_->RevokeApiKey("memd_k_aaaaaaaaaaaa_secret");
  EXPECT_EQ(malformed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(malformed.field(), "key_id");
}

TEST_F(EngineCredentialsTest, KeysSurviveForgettingTheirUser) {
  Add(alpha_, "a memory so the user has a cube");
  CreatedApiKey created = Create("alice");
  ASSERT_TRUE(engine_->ForgetUser("alice").ok());
  EXPECT_TRUE(engine_->AuthenticateApiKey(created.secret).ok());
}

TEST_F(EngineCredentialsTest, ChosenSecretIsRegisteredAndAuthenticates) {
  NewApiKey request;
  request.user = "admin";
  request.scopes = {Scope::kAdmin};
  request.secret = "memd_" + std::string(64, 'f');  // as from memd_$(openssl rand -hex 32)
  auto created = engine_->CreateApiKey(request);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->secret, request.secret);
  EXPECT_EQ(created->key.id.substr(0, 2), "k_");
  auto key = engine_->AuthenticateApiKey(request.secret);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, created->key);

  auto again = engine_->CreateApiKey(request);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*engine_->CountApiKeys(), 1);
}

TEST_F(EngineCredentialsTest, ChosenSecretOfTheGeneratedFormKeepsItsId) {
  NewApiKey request;
  request.user = "alice";
  request.scopes = {Scope::kRead};
  request.secret = "memd_k_abcdefghijkl_" + std::string(52, 'q');
  auto created = engine_->CreateApiKey(request);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->key.id, "k_abcdefghijkl");
  EXPECT_TRUE(engine_->AuthenticateApiKey(request.secret).ok());
  request.secret = "memd_k_abcdefghijkl_" + std::string(52, 'r');  // same id, other secret
  EXPECT_EQ(engine_->CreateApiKey(request).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(EngineCredentialsTest, ChosenSecretMustHaveThePrefixAndEnoughSafeCharacters) {
  NewApiKey request;
  request.user = "admin";
  request.scopes = {Scope::kAdmin};
  for (const std::string& secret : {std::string("memd_") + std::string(31, 'a'), std::string(64, 'a'),
                                    "memd_" + std::string(31, 'a') + " b", "memd_" + std::string(252, 'a'),
                                    "MEMD_" + std::string(40, 'a')}) {
    request.secret = secret;
    auto created = engine_->CreateApiKey(request);
    ASSERT_FALSE(created.ok()) << secret;
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(created.status().field(), "secret");
  }
  EXPECT_EQ(*engine_->CountApiKeys(), 0);
}

TEST_F(EngineCredentialsTest, RevokeThroughThisEngineTakesEffectAtOnceDespiteTheCache) {
  CreatedApiKey created = Create("alice");
  ASSERT_TRUE(engine_->AuthenticateApiKey(created.secret).ok());  // now cached
  ASSERT_TRUE(engine_->AuthenticateApiKey(created.secret).ok());
  ASSERT_TRUE(engine_->RevokeApiKey(created.key.id).ok());
  EXPECT_EQ(engine_->AuthenticateApiKey(created.secret).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(EngineCredentialsTest, RevokeByAnotherEngineTakesEffectWithinTheCacheTtl) {
  CreatedApiKey created = Create("alice");
  CreatedApiKey other = Create("alice");
  ASSERT_TRUE(engine_->AuthenticateApiKey(created.secret).ok());  // cached at now_
  ASSERT_TRUE(engine_->AuthenticateApiKey(other.secret).ok());
  {
    // As `memd key revoke` in another process on the same data directory.
    auto second = Engine::Open(Options());
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    ASSERT_TRUE((*second)->RevokeApiKey(created.key.id).ok());
    EXPECT_EQ((*second)->AuthenticateApiKey(created.secret).status().code(), StatusCode::kUnauthenticated);
  }
  // This engine may go on trusting its confirmation for less than the TTL, never longer.
  now_ += engine::CredentialsCache::kDefaultTtlMillis - 1;
  EXPECT_TRUE(engine_->AuthenticateApiKey(created.secret).ok());
  now_ += 1;
  EXPECT_EQ(engine_->AuthenticateApiKey(created.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(engine_->AuthenticateApiKey(other.secret).ok());  // re-read from the store
}

TEST_F(EngineCredentialsTest, FailedAuthenticationIsNotRemembered) {
  const std::string secret = "memd_" + std::string(64, 'e');
  EXPECT_EQ(engine_->AuthenticateApiKey(secret).status().code(), StatusCode::kUnauthenticated);
  NewApiKey request;
  request.user = "alice";
  request.scopes = {Scope::kRead};
  request.secret = secret;
  ASSERT_TRUE(engine_->CreateApiKey(request).ok());
  EXPECT_TRUE(engine_->AuthenticateApiKey(secret).ok());  // at the same instant
}

class CredentialsCacheTest : public ::testing::Test {
 protected:
  static ApiKey Key(const std::string& id) {
    ApiKey key;
    key.id = id;
    key.user = "alice";
    key.scopes = {Scope::kRead};
    return key;
  }
};

TEST_F(CredentialsCacheTest, ReturnsAKeyOnlyWithinTheTtlOfItsConfirmation) {
  engine::CredentialsCache cache(/*ttl_millis=*/100, /*max_entries=*/10);
  EXPECT_FALSE(cache.Get("hash-a", 1000).has_value());
  cache.Put("hash-a", Key("k_a"), 1000, cache.generation());
  auto hit = cache.Get("hash-a", 1099);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(*hit, Key("k_a"));
  EXPECT_FALSE(cache.Get("hash-b", 1050).has_value());
  EXPECT_FALSE(cache.Get("hash-a", 1100).has_value());
  EXPECT_EQ(cache.size(), 0u);  // the expired entry was dropped
}

TEST_F(CredentialsCacheTest, AClockGoingBackwardsNeverExtendsTrust) {
  engine::CredentialsCache cache(100, 10);
  cache.Put("hash-a", Key("k_a"), 1000, cache.generation());
  EXPECT_FALSE(cache.Get("hash-a", 999).has_value());
}

TEST_F(CredentialsCacheTest, InvalidateDropsEntriesAndVoidsTicketsTakenBefore) {
  engine::CredentialsCache cache(100, 10);
  const std::uint64_t before = cache.generation();
  cache.Put("hash-a", Key("k_a"), 1000, before);
  cache.Invalidate();
  EXPECT_FALSE(cache.Get("hash-a", 1000).has_value());
  // An authentication that read the store before the revocation must not cache its result.
  cache.Put("hash-b", Key("k_b"), 1000, before);
  EXPECT_FALSE(cache.Get("hash-b", 1000).has_value());
  cache.Put("hash-b", Key("k_b"), 1000, cache.generation());
  EXPECT_TRUE(cache.Get("hash-b", 1000).has_value());
}

TEST_F(CredentialsCacheTest, HoldsAtMostMaxEntriesDroppingTheOldestConfirmations) {
  engine::CredentialsCache cache(/*ttl_millis=*/1000, /*max_entries=*/4);
  for (int i = 0; i < 10; ++i) {
    cache.Put("hash-" + std::to_string(i), Key("k_" + std::to_string(i)), 5000 + i, cache.generation());
    EXPECT_LE(cache.size(), 4u);
  }
  EXPECT_EQ(cache.size(), 4u);
  for (int i = 0; i < 6; ++i) EXPECT_FALSE(cache.Get("hash-" + std::to_string(i), 5010).has_value()) << i;
  for (int i = 6; i < 10; ++i) EXPECT_TRUE(cache.Get("hash-" + std::to_string(i), 5010).has_value()) << i;
}

TEST_F(CredentialsCacheTest, PutReplacesTheEntryOfTheSameHashAndSweepsExpiredOnes) {
  engine::CredentialsCache cache(100, 10);
  cache.Put("hash-a", Key("k_a"), 1000, cache.generation());
  cache.Put("hash-b", Key("k_b"), 1050, cache.generation());
  cache.Put("hash-b", Key("k_b2"), 1060, cache.generation());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Get("hash-b", 1060)->id, "k_b2");
  cache.Put("hash-c", Key("k_c"), 1120, cache.generation());  // hash-a expired at 1100
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Get("hash-b", 1120).has_value());
}

TEST_F(CredentialsCacheTest, ZeroTtlDisablesTheCache) {
  engine::CredentialsCache cache(0, 10);
  cache.Put("hash-a", Key("k_a"), 1000, cache.generation());
  EXPECT_FALSE(cache.Get("hash-a", 1000).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(CredentialsCodecTest, EncodesEveryFieldButNoSecretUnlessCreated) {
  ApiKey key;
  key.id = "k_abcdefghijkl";
  key.user = "alice";
  key.name = "laptop";
  key.scopes = {Scope::kRead, Scope::kAdmin};
  key.projects = {"notes"};
  key.tier = "gold";
  key.created_at = 0;
  EXPECT_EQ(
      boost::json::serialize(engine::EncodeApiKey(key)),
      R"({"id":"k_abcdefghijkl","user":"alice","name":"laptop","scopes":["read","admin"],)"
      R"("projects":["notes"],"tier":"gold","created_at":"1970-01-01T00:00:00.000Z","revoked_at":null})");
  key.revoked_at = 1000;
  boost::json::object created = engine::EncodeCreatedApiKey(CreatedApiKey{key, "memd_s"});
  EXPECT_EQ(created["revoked_at"], "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(created["secret"], "memd_s");
}

TEST(ScopeTest, NamesRoundTripAndUnknownNamesAreNullopt) {
  for (Scope scope : {Scope::kRead, Scope::kWrite, Scope::kAdmin}) {
    EXPECT_EQ(ParseScope(ScopeName(scope)), scope);
  }
  EXPECT_EQ(ScopeName(Scope::kWrite), "write");
  EXPECT_FALSE(ParseScope("Read").has_value());
  EXPECT_FALSE(ParseScope("").has_value());
  EXPECT_FALSE(ParseScope("superuser").has_value());
  static_assert(ParseScope("admin") == Scope::kAdmin);
}

}  // namespace
}  // namespace memd
