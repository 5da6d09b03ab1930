// Integration tests of `memd key create|list|revoke` and `memd token`: each runs the real
// binary against a fresh data directory and checks stdout, stderr and the exit code.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "auth/jwt.h"
#include "run_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::ProcessOptions;
using testutil::ProcessResult;
using testutil::RunProcess;

constexpr const char* kJwtSecret = "cli-test-signing-secret-0123456789abcdef";

std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + "\n--- stdout\n" +
         r.out + "--- stderr\n" + r.err + r.start_error;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class CliKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/memd-cli-key-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = dir_ + "/data";
  }
  void TearDown() override { RemoveAll(dir_).IgnoreError(); }

  // Runs memd on this test's data directory, with no MEMD_* variables but those in env.
  ProcessResult Memd(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {MEMD_BINARY, "--data", data_};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.unset_env = {"MEMD_DATA", "MEMD_USER", "MEMD_PROJECT", "MEMD_JWT_SECRET"};
    options.set_env = std::move(env);
    options.timeout = std::chrono::seconds(30);
    return RunProcess(argv, options);
  }

  json::object MemdJson(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.push_back("--json");
    ProcessResult r = Memd(std::move(args), std::move(env));
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << Describe(r);
    if (ec || !v.is_object()) return {};
    return v.as_object();
  }

  // Runs a command expected to fail with `exit_code`, and returns its stderr.
  std::string Fails(std::vector<std::string> args, int exit_code,
                    std::map<std::string, std::string> env = {}) {
    ProcessResult r = Memd(std::move(args), std::move(env));
    EXPECT_EQ(r.exit_code, exit_code) << Describe(r);
    EXPECT_EQ(r.out, "") << Describe(r);
    return r.err;
  }

  std::string dir_;
  std::string data_;
};

TEST_F(CliKeyTest, CreateListRevokeRoundTrip) {
  json::object created = MemdJson({"key", "create", "--user", "alice", "--name", "laptop agent", "--scope",
                                   "admin,read", "--projects", "notes,code", "--tier", "gold"});
  const std::string id(created["id"].as_string());
  const std::string secret(created["secret"].as_string());
  EXPECT_EQ(id.size(), 14u);
  EXPECT_EQ(secret.rfind("memd_" + id + "_", 0), 0u) << secret;
  EXPECT_EQ(created["user"].as_string(), "alice");
  EXPECT_EQ(created["name"].as_string(), "laptop agent");
  EXPECT_EQ(created["scopes"], (json::array{"read", "admin"}));
  EXPECT_EQ(created["projects"], (json::array{"code", "notes"}));
  EXPECT_EQ(created["tier"].as_string(), "gold");
  EXPECT_TRUE(created["revoked_at"].is_null());

  ProcessResult listed = Memd({"key", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  EXPECT_FALSE(Contains(listed.out, secret.substr(20))) << listed.out;
  EXPECT_FALSE(Contains(listed.out, "secret")) << listed.out;
  json::array keys = json::parse(listed.out).at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  json::object expected = created;
  expected.erase("secret");
  EXPECT_EQ(keys[0].as_object(), expected);

  ProcessResult revoked = Memd({"key", "revoke", id});
  ASSERT_EQ(revoked.exit_code, 0) << Describe(revoked);
  EXPECT_EQ(revoked.out, "revoked API key " + id + "\n");
  EXPECT_EQ(MemdJson({"key", "revoke", id})["revoked"].as_string(), id);  // again: still fine
  json::object after = MemdJson({"key", "list", "--user", "alice"})["keys"].as_array()[0].as_object();
  EXPECT_TRUE(after["revoked_at"].is_string()) << json::serialize(after);
}

TEST_F(CliKeyTest, HumanCreateShowsTheSecretOnceWithAWarningAndListShowsATable) {
  ProcessResult created = Memd({"key", "create", "--user", "alice"});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  EXPECT_TRUE(Contains(created.out, "for user alice (scopes read,write; projects all; tier default)"))
      << created.out;
  EXPECT_TRUE(Contains(created.out, "secret: memd_k_")) << created.out;
  EXPECT_TRUE(Contains(created.out, "will not be shown again")) << created.out;
  const std::size_t at = created.out.find("secret: ") + 8;
  const std::string secret = created.out.substr(at, created.out.find('\n', at) - at);
  EXPECT_EQ(secret.size(), 72u) << secret;

  ASSERT_EQ(Memd({"key", "create", "--user", "bob", "--scope", "read", "--name", "ci"}).exit_code, 0);
  ProcessResult list = Memd({"key", "list"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  EXPECT_TRUE(Contains(list.out, "ID")) << list.out;
  EXPECT_TRUE(Contains(list.out, "SCOPES")) << list.out;
  EXPECT_TRUE(Contains(list.out, "alice")) << list.out;
  EXPECT_TRUE(Contains(list.out, "read,write")) << list.out;
  EXPECT_TRUE(Contains(list.out, "bob")) << list.out;
  EXPECT_FALSE(Contains(list.out, secret.substr(20))) << list.out;
  ProcessResult only_bob = Memd({"key", "list", "--user", "bob"});
  ASSERT_EQ(only_bob.exit_code, 0) << Describe(only_bob);
  EXPECT_FALSE(Contains(only_bob.out, "alice")) << only_bob.out;

  ProcessResult none = Memd({"key", "list", "--user", "carol"});
  EXPECT_EQ(none.out, "(no API keys)\n") << Describe(none);
}

TEST_F(CliKeyTest, SecretIsNotStoredInTheDataDirectory) {
  json::object created = MemdJson({"key", "create", "--user", "alice"});
  const std::string secret(created["secret"].as_string());
  ASSERT_FALSE(secret.empty());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    Result<std::string> bytes = ReadFile(entry.path().string());
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_FALSE(Contains(*bytes, secret.substr(20))) << entry.path();
  }
  EXPECT_GT(files, 0u);
}

TEST_F(CliKeyTest, InvalidRequestsFailWithUsageExitAndAMessage) {
  EXPECT_TRUE(Contains(Fails({"key", "create", "--user", "alice", "--scope", "read,superuser"}, 2),
                       "unknown scope 'superuser'"));
  EXPECT_TRUE(Contains(Fails({"key", "create", "--scope", "read"}, 2), "--user"));
  EXPECT_TRUE(Contains(Fails({"key", "create", "--user", "bad user"}, 2), "user 'bad user' is invalid"));
  EXPECT_TRUE(
      Contains(Fails({"key", "create", "--user", "alice", "--projects", "ok,no/slash"}, 2), "projects[1]"));
  EXPECT_TRUE(Contains(Fails({"key"}, 2), "'key' needs a command"));
  // Nothing was created by the failed attempts.
  EXPECT_EQ(MemdJson({"key", "list"})["keys"].as_array().size(), 0u);

  ProcessResult json_error = Memd({"key", "create", "--user", "alice", "--scope", "root", "--json"});
  EXPECT_EQ(json_error.exit_code, 2);
  json::object error = json::parse(json_error.err).at("error").as_object();
  EXPECT_EQ(error["code"].as_string(), "invalid_argument");
  EXPECT_EQ(error["field"].as_string(), "scope");
}

TEST_F(CliKeyTest, RevokingAnUnknownIdIsNotFoundAndAMalformedIdIsUsage) {
  EXPECT_TRUE(Contains(Fails({"key", "revoke", "k_aaaaaaaaaaaa"}, 3), "no API key has id 'k_aaaaaaaaaaaa'"));
  EXPECT_TRUE(Contains(Fails({"key", "revoke", "memd_k_aaaaaaaaaaaa_abc"}, 2), "is not an API key id"));
  EXPECT_TRUE(Contains(Fails({"key", "revoke"}, 2), "id"));
}

TEST_F(CliKeyTest, TokenPrintsAnAccessTokenTheServerWouldAccept) {
  ProcessResult r = Memd({"token", "--user", "alice", "--ttl", "600"}, {{"MEMD_JWT_SECRET", kJwtSecret}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_FALSE(r.out.empty());
  ASSERT_EQ(r.out.back(), '\n');
  const std::string token = r.out.substr(0, r.out.size() - 1);
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto claims = auth::VerifyAccessToken(token, kJwtSecret, now);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->sub, "alice");
  EXPECT_EQ(claims->type, "access");
  EXPECT_EQ(claims->exp - claims->iat, 600);
  EXPECT_FALSE(auth::VerifyAccessToken(token, "a-different-secret-of-enough-length!!", now).ok());
  EXPECT_FALSE(PathExists(data_)) << "token must not touch the data directory";

  json::object o = MemdJson({"token", "--user", "bob", "--secret", kJwtSecret});
  EXPECT_EQ(o["user"].as_string(), "bob");
  EXPECT_EQ(o["exp"].as_int64() - o["iat"].as_int64(), 3600);
  EXPECT_TRUE(auth::VerifyAccessToken(std::string(o["token"].as_string()), kJwtSecret, now).ok());
}

TEST_F(CliKeyTest, TokenRefusesMissingOrWeakSecretsAndBadArguments) {
  EXPECT_TRUE(Contains(Fails({"token", "--user", "alice"}, 2), "no signing secret"));
  EXPECT_TRUE(Contains(Fails({"token", "--user", "alice", "--secret", "short"}, 2), "at least 32"));
  EXPECT_TRUE(
      Contains(Fails({"token", "--user", "alice", "--ttl", "0"}, 2, {{"MEMD_JWT_SECRET", kJwtSecret}}),
               "--ttl must be"));
  EXPECT_TRUE(Contains(Fails({"token", "--user", "bad user"}, 2, {{"MEMD_JWT_SECRET", kJwtSecret}}), "user"));
  EXPECT_TRUE(Contains(Fails({"token"}, 2, {{"MEMD_JWT_SECRET", kJwtSecret}}), "--user"));
}

}  // namespace
}  // namespace memd
