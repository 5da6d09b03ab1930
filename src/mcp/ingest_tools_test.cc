#include <gtest/gtest.h>

#include "ingest/job_runner.h"
#include "mcp/mcp_test_util.h"
#include "util/file_util.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;
using testing::McpTest;

class IngestToolsTest : public McpTest {
 protected:
  void SetUp() override {
    McpTest::SetUp();
    root_ = dir_->Child("root");
    ASSERT_TRUE(CreateDirectories(root_ + "/docs").ok());
    ASSERT_TRUE(WriteFileAtomic(root_ + "/docs/notes.md", "# Notes\n\nThe staging database is rebuilt every night.\n").ok());
    ingest::JobRunnerOptions options;
    options.allowed_roots = {root_};
    runner_ = std::make_unique<ingest::JobRunner>(*engine_, options);
    ASSERT_TRUE(runner_->Start().ok());
    ServerOptions server_options;
    server_options.extra_tools = IngestTools(*runner_);
    server_ = std::make_unique<Server>(*engine_, std::move(server_options));
  }
  void TearDown() override {
    server_.reset();
    runner_.reset();
  }

  std::string root_;
  std::unique_ptr<ingest::JobRunner> runner_;
};

TEST_F(IngestToolsTest, IngestRunsAJobAndReportsIt) {
  json::object job = Structured(alice_, "ingest", json::object{{"paths", json::array{"docs"}}, {"wait_seconds", 60}});
  EXPECT_EQ(job.at("status").as_string(), "done");
  EXPECT_EQ(job.at("project").as_string(), "alpha");
  EXPECT_EQ(job.at("progress").at("files").at("ingested").as_int64(), 1);
  json::object found = Structured(alice_, "search_memories", json::object{{"query", "staging database nightly"}});
  ASSERT_FALSE(found.at("results").as_array().empty());
  json::object again = Structured(alice_, "get_ingest_job", json::object{{"id", job.at("id")}});
  EXPECT_EQ(again.at("status").as_string(), "done");
}

TEST_F(IngestToolsTest, PathsOutsideTheRootsAndOtherUsersJobsAreRefused) {
  std::string outside = ToolError(alice_, "ingest", json::object{{"paths", json::array{"/etc"}}});
  EXPECT_NE(outside.find("permission_denied"), std::string::npos) << outside;
  EXPECT_NE(ToolError(alice_, "ingest", json::object{{"paths", json::array{}}}).find("paths"), std::string::npos);
  json::object job = Structured(alice_, "ingest", json::object{{"paths", json::array{"docs"}}, {"wait_seconds", 60}});
  std::string foreign = ToolError(bob_, "get_ingest_job", json::object{{"id", job.at("id")}});
  EXPECT_NE(foreign.find("not_found"), std::string::npos) << foreign;
  Identity reader = alice_;
  reader.scopes = {Scope::kRead};
  Outcome outcome;
  CallTool(reader, "ingest", json::object{{"paths", json::array{"docs"}}}, &outcome);
  EXPECT_EQ(outcome.missing_scope, Scope::kWrite);
}

}  // namespace
}  // namespace memd::mcp
