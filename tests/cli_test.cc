// Integration tests of the memd command line: each runs the real binary against a fresh data
// directory and checks stdout, stderr and the exit code.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "run_process.h"
#include "util/file_util.h"
#include "util/zstd_io.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::ProcessOptions;
using testutil::ProcessResult;
using testutil::RunProcess;

// Prints a failed run in full, so a failing assertion shows what the CLI said.
std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + "\n--- stdout\n" + r.out +
         "--- stderr\n" + r.err + r.start_error;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/memd-cli-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = dir_ + "/data";
  }
  void TearDown() override { RemoveAll(dir_).IgnoreError(); }

  // Runs memd with --data pointing at this test's directory (and no MEMD_* from outside).
  ProcessResult Memd(std::vector<std::string> args, std::string stdin_text = "") {
    std::vector<std::string> argv = {MEMD_BINARY, "--data", data_};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.stdin_text = std::move(stdin_text);
    options.unset_env = {"MEMD_DATA", "MEMD_USER", "MEMD_PROJECT"};
    options.timeout = std::chrono::seconds(30);
    return RunProcess(argv, options);
  }

  // Runs memd with --json, expects success, and returns the one JSON document it printed.
  json::object MemdJson(std::vector<std::string> args, std::string stdin_text = "") {
    args.push_back("--json");
    ProcessResult r = Memd(std::move(args), std::move(stdin_text));
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << Describe(r);
    if (ec || !v.is_object()) return {};
    return v.as_object();
  }

  // Adds a memory and returns its id.
  std::string Add(const std::string& text, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"add", text};
    args.insert(args.end(), extra.begin(), extra.end());
    json::object o = MemdJson(args);
    return o.contains("id") ? std::string(o["id"].as_string()) : "";
  }

  std::size_t CountListed(const std::string& project = "default") {
    json::object page = MemdJson({"list", "--project", project, "--include-deleted"});
    return page.contains("memories") ? page["memories"].as_array().size() : 0;
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, content).ok());
    return path;
  }

  std::string dir_;
  std::string data_;
};

TEST_F(CliTest, MemoryLifecycleRoundTrips) {
  std::string id = Add("The build uses Ninja", {"--kind", "fact", "--tag", "build", "--tag", "tools", "--metadata",
                                                "{\"lang\":\"en\"}", "--source", "docs/BUILD.md", "--lines", "3-5"});
  ASSERT_EQ(id.size(), 26u);

  json::object got = MemdJson({"get", id});
  EXPECT_EQ(got["text"].as_string(), "The build uses Ninja");
  EXPECT_EQ(got["kind"].as_string(), "fact");
  EXPECT_EQ(got["tags"], (json::array{"build", "tools"}));
  EXPECT_EQ(got["metadata"], (json::object{{"lang", "en"}}));
  EXPECT_EQ(got["source"].at("uri").as_string(), "docs/BUILD.md");
  EXPECT_EQ(got["source"].at("line_start").to_number<int>(), 3);
  EXPECT_EQ(got["version"].to_number<int>(), 1);

  ProcessResult human = Memd({"get", id});
  ASSERT_EQ(human.exit_code, 0) << Describe(human);
  EXPECT_NE(human.out.find("docs/BUILD.md:3-5"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("The build uses Ninja"), std::string::npos);

  json::object updated = MemdJson({"update", id, "--text", "The build uses Ninja and CMake", "--expected-version", "1"});
  EXPECT_EQ(updated["version"].to_number<int>(), 2);
  ProcessResult conflict = Memd({"update", id, "--text", "stale", "--expected-version", "1"});
  EXPECT_EQ(conflict.exit_code, 5) << Describe(conflict);
  EXPECT_EQ(conflict.out, "");

  ProcessResult deleted = Memd({"delete", id});
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  EXPECT_EQ(deleted.out, "deleted " + id + " (version 3)\n");
  EXPECT_TRUE(MemdJson({"get", id})["deleted"].as_bool());
  EXPECT_EQ(MemdJson({"list"})["memories"].as_array().size(), 0u);
  EXPECT_EQ(CountListed(), 1u);

  json::object restored = MemdJson({"restore", id});
  EXPECT_FALSE(restored["deleted"].as_bool());
  EXPECT_EQ(restored["version"].to_number<int>(), 4);
  EXPECT_EQ(Memd({"restore", id}).exit_code, 5);  // not deleted: FailedPrecondition

  json::array history = MemdJson({"history", id})["history"].as_array();
  ASSERT_EQ(history.size(), 4u);
  std::vector<std::string> operations;
  for (const auto& e : history) operations.emplace_back(e.at("operation").as_string());
  EXPECT_EQ(operations, (std::vector<std::string>{"create", "update", "delete", "restore"}));
  EXPECT_EQ(history[0].at("text").as_string(), "The build uses Ninja");

  ProcessResult purged = Memd({"purge", id});
  ASSERT_EQ(purged.exit_code, 0) << Describe(purged);
  ProcessResult gone = Memd({"get", id});
  EXPECT_EQ(gone.exit_code, 3) << Describe(gone);
  EXPECT_EQ(gone.out, "");
  EXPECT_EQ(gone.err.rfind("memd: error: ", 0), 0u) << gone.err;
}

TEST_F(CliTest, AddReportsDeduplicationInBothOutputs) {
  ProcessResult first = Memd({"add", "Deploys happen on Fridays"});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  std::string id = first.out.substr(0, first.out.size() - 1);
  ProcessResult again = Memd({"add", "Deploys happen on Fridays"});
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(again.out, id + " (deduplicated)\n");
  json::object o = MemdJson({"add", "Deploys happen on Fridays"});
  EXPECT_EQ(o["id"].as_string(), id);
  EXPECT_TRUE(o["deduplicated"].as_bool());
}

TEST_F(CliTest, ListPagesWithACursor) {
  for (int i = 0; i < 3; ++i) Add("memory number " + std::to_string(i));
  json::object first = MemdJson({"list", "--limit", "2"});
  ASSERT_EQ(first["memories"].as_array().size(), 2u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json::object second = MemdJson({"list", "--limit", "2", "--cursor", std::string(first["next_cursor"].as_string())});
  EXPECT_EQ(second["memories"].as_array().size(), 1u);
  EXPECT_TRUE(second["next_cursor"].is_null());

  ProcessResult human = Memd({"list", "--limit", "2"});
  ASSERT_EQ(human.exit_code, 0) << Describe(human);
  EXPECT_EQ(human.out.rfind("ID ", 0), 0u) << human.out;
  EXPECT_NE(human.out.find("memd list --cursor "), std::string::npos) << human.out;
}

TEST_F(CliTest, SearchPrintsATableOrTheCodecJson) {
  Add("The build uses Ninja and CMake", {"--kind", "fact"});
  std::string target = Add("Deploys go out every Friday afternoon", {"--tag", "ops"});
  Add("Alice prefers tabs over spaces");

  ProcessResult human = Memd({"search", "when do deploys go out", "--top-k", "2"});
  ASSERT_EQ(human.exit_code, 0) << Describe(human);
  EXPECT_EQ(human.out.rfind("RANK", 0), 0u) << human.out;
  std::string first_row = human.out.substr(human.out.find('\n') + 1);
  EXPECT_EQ(first_row.rfind("1 ", 0), 0u) << human.out;
  EXPECT_NE(first_row.find(target), std::string::npos) << human.out;

  json::object o = MemdJson({"search", "when do deploys go out", "--explain"});
  json::array results = o["results"].as_array();
  ASSERT_FALSE(results.empty());
  json::object top = results[0].as_object();
  EXPECT_EQ(top["id"].as_string(), target);
  EXPECT_EQ(top["text"].as_string(), "Deploys go out every Friday afternoon");
  EXPECT_EQ(top["tags"], (json::array{"ops"}));
  for (const char* key : {"score", "kind", "metadata", "source", "project", "created_at", "explain"}) {
    EXPECT_TRUE(top.contains(key)) << key;
  }
  EXPECT_EQ(o.size(), 1u);  // exactly {"results":[...]}
}

TEST_F(CliTest, SearchJsonlPrintsOneLinePerQueryInOrder) {
  std::string ninja = Add("The build uses Ninja and CMake");
  std::string deploy = Add("Deploys go out every Friday afternoon");
  std::string tabs = Add("Alice prefers tabs over spaces");
  std::string queries =
      "{\"query\":\"tabs or spaces\",\"top_k\":1}\n"
      "\n"
      "{\"query\":\"Ninja build\",\"mode\":\"lexical\",\"top_k\":1}\n"
      "{\"query\":\"Friday deploys\",\"top_k\":1}\n";
  ProcessResult r = Memd({"search", "--jsonl", "-"}, queries);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::vector<std::string> expected = {tabs, ninja, deploy};
  std::vector<std::string> lines;
  for (std::size_t pos = 0, end; (end = r.out.find('\n', pos)) != std::string::npos; pos = end + 1) {
    lines.push_back(r.out.substr(pos, end - pos));
  }
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (std::size_t i = 0; i < 3; ++i) {
    json::value v = json::parse(lines[i]);
    json::array results = v.at("results").as_array();
    ASSERT_EQ(results.size(), 1u) << lines[i];
    EXPECT_EQ(results[0].at("id").as_string(), expected[i]) << "query " << i;
  }
}

TEST_F(CliTest, SearchJsonlWithABadLinePrintsNothing) {
  Add("something to find");
  ProcessResult r = Memd({"search", "--jsonl", "-"}, "{\"query\":\"a\"}\n{\"query\":\"b\"}\n{\"query\":\"c\",\"bogus\":1}\n");
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
}

class AddJsonlBadLineTest : public CliTest {
 protected:
  // Adds one memory so the cube exists, then a file whose line 3 is `bad_line`; checks that the
  // command fails naming line 3 and that nothing of the file was written.
  void ExpectRejectedAtLine3(const std::string& bad_line) {
    Add("already here");
    std::string content = "{\"text\":\"first\"}\n{\"text\":\"second\",\"kind\":\"fact\"}\n" + bad_line +
                          "\n{\"text\":\"fourth\"}\n";
    std::string path = WriteFile("in.jsonl", content);
    ProcessResult r = Memd({"add", "--jsonl", path});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
    EXPECT_EQ(CountListed(), 1u);

    ProcessResult j = Memd({"add", "--jsonl", "-", "--json"}, content);
    EXPECT_EQ(j.exit_code, 2) << Describe(j);
    json::value err = json::parse(j.err);
    EXPECT_EQ(err.at("error").at("code").as_string(), "invalid_argument");
    EXPECT_EQ(std::string(err.at("error").at("field").as_string()).rfind("line 3", 0), 0u) << j.err;
    EXPECT_EQ(CountListed(), 1u);
  }
};

TEST_F(AddJsonlBadLineTest, InvalidJsonWritesNothing) { ExpectRejectedAtLine3("{\"text\": \"third\""); }

TEST_F(AddJsonlBadLineTest, InvalidUtf8WritesNothing) { ExpectRejectedAtLine3("{\"text\":\"bad \xff\xfe bytes\"}"); }

TEST_F(AddJsonlBadLineTest, EmptyTextWritesNothing) { ExpectRejectedAtLine3("{\"text\":\"   \"}"); }

TEST_F(AddJsonlBadLineTest, UnknownFieldWritesNothing) { ExpectRejectedAtLine3("{\"text\":\"x\",\"colour\":\"red\"}"); }

TEST_F(CliTest, AddJsonlAddsEveryLineAndSummarises) {
  std::string content;
  for (int i = 0; i < 5; ++i) content += "{\"text\":\"bulk memory " + std::to_string(i) + "\",\"tags\":[\"bulk\"]}\n";
  content += "{\"text\":\"bulk memory 0\",\"tags\":[\"bulk\"]}\n";  // a duplicate
  ProcessResult human = Memd({"add", "--jsonl", "-"}, content);
  ASSERT_EQ(human.exit_code, 0) << Describe(human);
  EXPECT_EQ(human.out, "added 5, deduplicated 1\n");
  EXPECT_EQ(human.err, "");  // no progress bar when stderr is not a terminal

  json::object o = MemdJson({"add", "--jsonl", "-", "--project", "other"}, content);
  EXPECT_EQ(o["added"].to_number<int>(), 5);
  EXPECT_EQ(o["deduplicated"].to_number<int>(), 1);
  ASSERT_EQ(o["ids"].as_array().size(), 6u);
  EXPECT_EQ(o["ids"].as_array()[0], o["ids"].as_array()[5]);
  EXPECT_EQ(CountListed("other"), 5u);
}

TEST_F(CliTest, AddJsonlInManyBatchesKeepsLineOrderAndReportsWhatAFailedBatchLeft) {
  // 2,500 lines are three batches, two in flight at a time: ids come back in line order.
  std::string content;
  for (int i = 0; i < 2500; ++i) content += "{\"text\":\"batched memory number " + std::to_string(i) + "\"}\n";
  json::object o = MemdJson({"add", "--jsonl", "-"}, content);
  EXPECT_EQ(o["added"].to_number<int>(), 2500);
  ASSERT_EQ(o["ids"].as_array().size(), 2500u);
  json::object first = MemdJson({"get", std::string(o["ids"].as_array()[0].as_string())});
  EXPECT_EQ(first["text"], "batched memory number 0");
  json::object last = MemdJson({"get", std::string(o["ids"].as_array()[2499].as_string())});
  EXPECT_EQ(last["text"], "batched memory number 2499");

  // A store-level failure (an explicit id that is taken) in the second batch of another
  // file: its first batch stays added, and the error says which lines were added.
  const std::string taken = std::string(o["ids"].as_array()[0].as_string());
  std::string second;
  for (int i = 0; i < 1500; ++i) {
    second += i == 1200 ? "{\"text\":\"collides\",\"id\":\"" + taken + "\"}\n"
                        : "{\"text\":\"second file memory " + std::to_string(i) + "\"}\n";
  }
  ProcessResult r = Memd({"add", "--jsonl", "-"}, second);
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.err.find("line 1201"), std::string::npos) << Describe(r);
  EXPECT_NE(r.err.find("the memories of lines 1-1000 were added"), std::string::npos) << Describe(r);
  json::object stats = MemdJson({"cubes", "stats"});
  EXPECT_EQ(stats["memories"].to_number<int>(), 3500) << json::serialize(stats);
}

TEST_F(CliTest, MalformedFilterIsAnInvalidArgumentNamingTheField) {
  Add("a memory");
  ProcessResult r = Memd({"search", "memory", "--filter", "{\"field\":\"kind\",\"op\":\"bogus\",\"value\":\"x\"}"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("(at filter"), std::string::npos) << r.err;

  ProcessResult j = Memd({"list", "--filter", "{not json", "--json"});
  EXPECT_EQ(j.exit_code, 2) << Describe(j);
  json::value err = json::parse(j.err);
  EXPECT_EQ(std::string(err.at("error").at("field").as_string()).rfind("filter", 0), 0u) << j.err;
}

TEST_F(CliTest, SearchOfAnUnknownCubeIsNotFound) {
  Add("a memory");
  ProcessResult r = Memd({"search", "memory", "--projects", "default,nope"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  ProcessResult other_user = Memd({"search", "memory", "--user", "bob"});
  EXPECT_EQ(other_user.exit_code, 3) << Describe(other_user);
}

TEST_F(CliTest, SearchAcrossProjectsShowsTheProject) {
  Add("shared knowledge about caching", {"--project", "alpha"});
  Add("more knowledge about caching", {"--project", "beta"});
  ProcessResult r = Memd({"search", "caching", "--projects", "alpha,beta"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("PROJECT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alpha"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("beta"), std::string::npos) << r.out;
}

TEST_F(CliTest, PreferencesSetGetListPromptDelete) {
  ProcessResult set = Memd({"pref", "set", "style", "docstring", "Google", "--description", "docstring style"});
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  json::object width = MemdJson({"pref", "set", "style", "line_width", "100"});
  EXPECT_EQ(width["value"].to_number<int>(), 100);  // JSON when it parses as JSON

  ProcessResult get = Memd({"pref", "get", "style", "docstring"});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  EXPECT_EQ(get.out, "\"Google\"\n");
  json::object got = MemdJson({"pref", "get", "style", "docstring"});
  EXPECT_EQ(got["value"].as_string(), "Google");
  EXPECT_EQ(got["description"].as_string(), "docstring style");

  json::array all = MemdJson({"pref", "list"})["preferences"].as_array();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].at("key").as_string(), "docstring");
  ProcessResult table = Memd({"pref", "list", "--category", "style"});
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.out.rfind("CATEGORY", 0), 0u) << table.out;

  ProcessResult prompt = Memd({"pref", "prompt"});
  ASSERT_EQ(prompt.exit_code, 0) << Describe(prompt);
  EXPECT_NE(prompt.out.find("Google"), std::string::npos) << prompt.out;

  ASSERT_EQ(Memd({"pref", "delete", "style", "docstring"}).exit_code, 0);
  EXPECT_EQ(Memd({"pref", "get", "style", "docstring"}).exit_code, 3);
  EXPECT_EQ(MemdJson({"pref", "list"})["preferences"].as_array().size(), 1u);
}

TEST_F(CliTest, ContextStaysWithinTheBudget) {
  std::string notes;
  for (int i = 0; i < 20; ++i) {
    notes += "{\"text\":\"Deploy note " + std::to_string(i) +
             ": the deploy pipeline runs canary checks before promoting builds.\"}\n";
  }
  ASSERT_EQ(Memd({"add", "--jsonl", "-"}, notes).exit_code, 0);
  ASSERT_EQ(Memd({"pref", "set", "style", "tone", "terse"}).exit_code, 0);
  json::object block = MemdJson({"context", "deploy pipeline", "--budget", "100"});
  EXPECT_LE(block["tokens"].to_number<int>(), 100);
  EXPECT_GT(block["tokens"].to_number<int>(), 0);
  EXPECT_LE(block["text"].as_string().size(), 300u);  // ceil(bytes / 3) <= 100
  EXPECT_FALSE(block["memory_ids"].as_array().empty());
  EXPECT_EQ(block["preferences"].to_number<int>(), 1);

  json::object no_prefs = MemdJson({"context", "deploy pipeline", "--budget", "100", "--no-preferences"});
  EXPECT_EQ(no_prefs["preferences"].to_number<int>(), 0);

  ProcessResult human = Memd({"context", "deploy pipeline", "--budget", "100"});
  ASSERT_EQ(human.exit_code, 0) << Describe(human);
  EXPECT_NE(human.out.find("canary"), std::string::npos) << human.out;
  EXPECT_EQ(Memd({"context", "deploy", "--budget", "10"}).exit_code, 2);
}

// Decodes an export file into its JSON lines, dropping the header's project.
std::vector<json::value> ReadExport(const std::string& path) {
  std::vector<json::value> out;
  auto reader = ZstdLineReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  std::string line;
  while (true) {
    auto more = (*reader)->NextLine(&line);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    json::value v = json::parse(line);
    if (v.at("type") == "header") v.as_object().erase("project");
    out.push_back(std::move(v));
  }
  return out;
}

TEST_F(CliTest, ExportImportRoundTripsThroughTheCli) {
  std::string a = Add("first memory", {"--tag", "x"});
  std::string b = Add("second memory", {"--metadata", "{\"n\":2}"});
  ASSERT_EQ(Memd({"update", a, "--text", "first memory, edited"}).exit_code, 0);
  ASSERT_EQ(Memd({"delete", b}).exit_code, 0);
  ASSERT_EQ(Memd({"pref", "set", "lang", "code", "C++"}).exit_code, 0);

  std::string first = dir_ + "/first.jsonl.zst";
  std::string second = dir_ + "/second.jsonl.zst";
  ProcessResult exported = Memd({"export", first});
  ASSERT_EQ(exported.exit_code, 0) << Describe(exported);
  json::object imported = MemdJson({"import", first, "--project", "copy"});
  EXPECT_EQ(imported["memories"].to_number<int>(), 1);
  EXPECT_EQ(imported["deleted"].to_number<int>(), 1);
  EXPECT_EQ(imported["preferences"].to_number<int>(), 1);
  ASSERT_EQ(Memd({"export", second, "--project", "copy"}).exit_code, 0);

  std::vector<json::value> original = ReadExport(first);
  std::vector<json::value> copy = ReadExport(second);
  ASSERT_GT(original.size(), 3u);
  EXPECT_EQ(original, copy);
  EXPECT_EQ(MemdJson({"get", a, "--project", "copy"})["text"].as_string(), "first memory, edited");

  ProcessResult again = Memd({"import", first, "--project", "copy"});
  EXPECT_NE(again.exit_code, 0) << Describe(again);  // the cube exists already
}

TEST_F(CliTest, ForgetRemovesAUserOrOneProject) {
  Add("alice one", {"--user", "alice", "--project", "p1"});
  Add("alice two", {"--user", "alice", "--project", "p2"});
  Add("bob one", {"--user", "bob"});
  EXPECT_EQ(MemdJson({"cubes", "list", "--all-users"})["cubes"].as_array().size(), 3u);

  ProcessResult refused = Memd({"forget", "--user", "alice"});
  EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
  EXPECT_EQ(MemdJson({"cubes", "list", "--all-users"})["cubes"].as_array().size(), 3u);

  ASSERT_EQ(Memd({"forget", "--user", "alice", "--project", "p1", "--yes"}).exit_code, 0);
  json::array alice = MemdJson({"cubes", "list", "--user", "alice"})["cubes"].as_array();
  ASSERT_EQ(alice.size(), 1u);
  EXPECT_EQ(alice[0].at("project").as_string(), "p2");

  ProcessResult forgot = Memd({"forget", "--user", "alice", "--yes"});
  ASSERT_EQ(forgot.exit_code, 0) << Describe(forgot);
  EXPECT_EQ(forgot.out, "forgot user alice\n");
  EXPECT_EQ(MemdJson({"cubes", "list", "--user", "alice"})["cubes"].as_array().size(), 0u);
  EXPECT_EQ(Memd({"search", "alice", "--user", "alice", "--project", "p2"}).exit_code, 3);
  EXPECT_EQ(MemdJson({"cubes", "list", "--all-users"})["cubes"].as_array().size(), 1u);
}

TEST_F(CliTest, CubeStatsVerifySnapshotAndDelete) {
  Add("one");
  Add("two");
  json::object stats = MemdJson({"cubes", "stats"});
  EXPECT_EQ(stats["memories"].to_number<int>(), 2);
  ProcessResult verify = Memd({"cubes", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_EQ(verify.out, "consistent\n");
  EXPECT_EQ(Memd({"cubes", "snapshot"}).exit_code, 0);
  EXPECT_EQ(Memd({"cubes", "delete"}).exit_code, 2);
  ASSERT_EQ(Memd({"cubes", "delete", "--yes"}).exit_code, 0);
  EXPECT_EQ(Memd({"cubes", "stats"}).exit_code, 3);
}

TEST_F(CliTest, GlobalOptionsComeFromTheEnvironmentOrFollowTheCommand) {
  ProcessOptions options;
  options.set_env = {{"MEMD_DATA", data_}, {"MEMD_USER", "carol"}, {"MEMD_PROJECT", "envproj"}};
  ProcessResult added = RunProcess({MEMD_BINARY, "add", "from the environment"}, options);
  ASSERT_EQ(added.exit_code, 0) << Describe(added);
  json::array cubes = MemdJson({"cubes", "list", "--all-users"})["cubes"].as_array();
  ASSERT_EQ(cubes.size(), 1u);
  EXPECT_EQ(cubes[0].at("user").as_string(), "carol");
  EXPECT_EQ(cubes[0].at("project").as_string(), "envproj");
}

TEST_F(CliTest, UsageErrorsHelpAndVersion) {
  ProcessResult unknown = Memd({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2) << Describe(unknown);
  EXPECT_EQ(unknown.err.rfind("memd: error: unknown command 'frobnicate'", 0), 0u) << unknown.err;
  ProcessResult group = Memd({"pref", "bogus"});
  EXPECT_EQ(group.exit_code, 2) << Describe(group);
  EXPECT_NE(group.err.find("set, get, list, delete, prompt"), std::string::npos) << group.err;
  EXPECT_EQ(Memd({"get", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "extra"}).exit_code, 2);
  EXPECT_EQ(Memd({"add", "x", "--ttl", "nope"}).exit_code, 2);
  EXPECT_EQ(Memd({"add", "x", "--ttl", "5", "--expires-at", "2030-01-01T00:00:00Z"}).exit_code, 2);
  EXPECT_EQ(Memd({"add"}).exit_code, 2);
  EXPECT_EQ(Memd({"update", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}).exit_code, 2);  // nothing to update
  EXPECT_EQ(Memd({"--durability", "sometimes", "list"}).exit_code, 2);

  ProcessResult version = Memd({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("memd ", 0), 0u) << version.out;

  ProcessResult help = Memd({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word : {"add", "search", "context", "pref", "cubes", "forget", "export", "--json", "MEMD_DATA"}) {
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  }
  ProcessResult add_help = Memd({"add", "--help"});
  EXPECT_EQ(add_help.exit_code, 0);
  EXPECT_NE(add_help.out.find("--idempotency-key"), std::string::npos) << add_help.out;
  EXPECT_NE(add_help.out.find("--jsonl"), std::string::npos) << add_help.out;
}

TEST_F(CliTest, JsonErrorsGoToStderrAsOneDocument) {
  ProcessResult r = Memd({"get", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--json"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  json::value err = json::parse(r.err);
  EXPECT_EQ(err.at("error").at("code").as_string(), "not_found");
  EXPECT_FALSE(err.at("error").at("message").as_string().empty());
}

TEST_F(CliTest, IdempotencyKeyReplaysAndConflicts) {
  json::object first = MemdJson({"add", "keyed memory", "--idempotency-key", "k1"});
  json::object replay = MemdJson({"add", "keyed memory", "--idempotency-key", "k1"});
  EXPECT_EQ(first["id"], replay["id"]);
  EXPECT_EQ(Memd({"add", "other content", "--idempotency-key", "k1"}).exit_code, 5);
}

TEST_F(CliTest, PurgeExpiredRemovesOnlyExpiredMemories) {
  Add("kept forever");
  json::object o = MemdJson({"purge-expired"});
  EXPECT_EQ(o["purged"].to_number<int>(), 0);
  EXPECT_EQ(CountListed(), 1u);
}

}  // namespace
}  // namespace memd
