// Integration tests of `memd ingest`: the real binary on a fixture tree; the summary says
// what was loaded, skipped (and why) and failed; a second run changes nothing; changed and
// deleted files are replaced and removed.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "run_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::ProcessOptions;
using testutil::ProcessResult;
using testutil::RunProcess;

std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err + r.start_error;
}

class CliIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/memd-cli-ingest-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/repo";
    Write(".gitignore", "*.log\n");
    Write("src/cache.cc", "// An LRU cache.\nint EvictLeastRecentlyUsed(int* slots, int n) {\n  return slots[n - 1];\n}\n");
    Write("docs/guide.md", "# Guide\n\n## Install\n\nRun the setup script once.\n");
    Write("debug.log", "noise\n");
    Write("blob.bin", std::string("\x7f" "ELF\0\0\0binary", 13));
  }
  void TearDown() override { RemoveAll(dir_).IgnoreError(); }
  void Write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(CreateDirectories(ParentDirectory(root_ + "/" + rel)).ok());
    ASSERT_TRUE(WriteFileAtomic(root_ + "/" + rel, text).ok());
  }
  ProcessResult Memd(std::vector<std::string> args) {
    std::vector<std::string> argv = {MEMD_BINARY, "--data", dir_ + "/data", "--project", "repo"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.unset_env = {"MEMD_DATA", "MEMD_USER", "MEMD_PROJECT"};
    options.timeout = std::chrono::seconds(60);
    return RunProcess(argv, options);
  }
  json::object IngestJson() {
    ProcessResult r = Memd({"ingest", root_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << Describe(r);
    return v.is_object() ? v.as_object() : json::object();
  }

  std::string dir_;
  std::string root_;
};

TEST_F(CliIngestTest, SummaryCountsIngestedAndSkippedFilesWithReasons) {
  ProcessResult r = Memd({"ingest", root_});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("3 ingested"), std::string::npos) << r.out;  // .gitignore, cache.cc, guide.md
  EXPECT_NE(r.out.find("2 skipped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ignored 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("binary 1"), std::string::npos) << r.out;
  ProcessResult search = Memd({"search", "--json", "evict the least recently used entry", "--top-k", "1"});
  ASSERT_EQ(search.exit_code, 0) << Describe(search);
  EXPECT_NE(search.out.find("EvictLeastRecentlyUsed"), std::string::npos) << search.out;
}

TEST_F(CliIngestTest, SecondRunChangesNothingAndChangesAreReplacedOrRemoved) {
  json::object first = IngestJson();
  ASSERT_EQ(first["files"].at("ingested").as_int64(), 3);
  json::object second = IngestJson();
  EXPECT_EQ(second["files"].at("ingested").as_int64(), 0);
  EXPECT_EQ(second["files"].at("unchanged").as_int64(), 3);
  EXPECT_EQ(second["chunks"].at("added").as_int64(), 0);

  Write("src/cache.cc", "// An LFU cache.\nint EvictLeastFrequentlyUsed(int* counts, int n) {\n  return counts[0];\n}\n");
  ASSERT_TRUE(RemoveAll(root_ + "/docs").ok());
  json::object third = IngestJson();
  EXPECT_EQ(third["files"].at("ingested").as_int64(), 1);
  EXPECT_EQ(third["files"].at("removed").as_int64(), 1);
  EXPECT_GE(third["chunks"].at("removed").as_int64(), 2);
  ProcessResult gone = Memd({"search", "--json", "--mode", "lexical", "setup script"});
  ASSERT_EQ(gone.exit_code, 0) << Describe(gone);
  EXPECT_EQ(gone.out.find("setup script"), std::string::npos) << gone.out;
}

TEST_F(CliIngestTest, MissingPathIsReportedAsAFailureWithExitCode1) {
  ProcessResult r = Memd({"ingest", root_ + "/src", dir_ + "/does-not-exist"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("failed: " + dir_ + "/does-not-exist"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 ingested"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace memd
