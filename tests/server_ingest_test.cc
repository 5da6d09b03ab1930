// `memd serve` ingest jobs: a tree ingested through POST /v1/cubes/{project}/ingest is found
// by search; paths are confined to --ingest-root; jobs are private to their user; a server
// killed mid-job resumes the job after a restart and finishes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "server_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::ServerProcess;
using testutil::TempDir;

class ServerIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path() + "/repo";
    ASSERT_TRUE(CreateDirectories(root_ + "/src").ok());
    Write("src/geometry.py",
          "def polygon_area(points):\n    \"\"\"Computes the area of a polygon with the shoelace formula.\"\"\"\n"
          "    total = 0\n    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):\n"
          "        total += x1 * y2 - x2 * y1\n    return abs(total) / 2\n");
    Write("README.md", "# Repo\n\nGeometry helpers for the ingest test.\n");
  }
  void Write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(CreateDirectories(ParentDirectory(root_ + "/" + rel)).ok());
    ASSERT_TRUE(WriteFileAtomic(root_ + "/" + rel, text).ok());
  }
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args = {}) {
    // Jobs are polled faster than the default rate limit allows; limits are not tested here.
    if (args.empty()) args = {"--ingest-root", root_};
    args.push_back("--no-rate-limits");
    auto server = std::make_unique<ServerProcess>(dir_.path(), args);
    EXPECT_TRUE(server->ok()) << server->startup_error();
    if (admin_key_.empty()) admin_key_ = server->admin_key();
    return server;
  }
  // Polls the job until pred holds for it (or 60 s pass); returns the last state.
  json::value WaitJob(HttpClient& client, const std::string& id, const std::function<bool(const json::value&)>& pred) {
    json::value job;
    for (int i = 0; i < 3000; ++i) {
      HttpResult r = client.Get("/v1/jobs/" + id);
      if (r.status != 200) {
        ADD_FAILURE() << "GET job: " << r.status << " " << r.body;
        return job;
      }
      job = r.Json();
      if (pred(job)) return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " never reached the expected state: " << json::serialize(job);
    return job;
  }
  static bool Finished(const json::value& job) {
    const auto status = job.at("status").as_string();
    return status == "done" || status == "failed" || status == "cancelled";
  }

  TempDir dir_;
  std::string root_;
  std::string admin_key_;
};

TEST_F(ServerIngestTest, IngestJobLoadsTheTreeAndSearchFindsTheFunction) {
  auto server = Start();
  HttpClient client(server->port(), admin_key_);
  HttpResult started = client.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{root_}}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id(started.Json().at("id").as_string());
  EXPECT_EQ(started.Header("location"), "/v1/jobs/" + id);
  json::value job = WaitJob(client, id, Finished);
  ASSERT_EQ(job.at("status").as_string(), "done") << json::serialize(job);
  EXPECT_EQ(job.at("progress").at("files").at("ingested").as_int64(), 2);
  EXPECT_TRUE(job.at("finished_at").is_string());

  HttpResult hits = client.Post("/v1/cubes/repo/search",
                                json::value{{"query", "area of a polygon"}, {"top_k", 1}});
  ASSERT_EQ(hits.status, 200) << hits.body;
  const json::value results = hits.Json();
  const auto& first = results.at("results").as_array().at(0);
  EXPECT_NE(std::string(first.at("text").as_string()).find("def polygon_area"), std::string::npos);
  EXPECT_EQ(first.at("source").at("uri").as_string(), root_ + "/src/geometry.py");

  HttpResult listed = client.Get("/v1/jobs");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.Json().at("jobs").as_array().size(), 1u);
}

TEST_F(ServerIngestTest, PathsOutsideTheRootsAreRefusedAndJobsArePrivate) {
  ASSERT_EQ(::symlink("/etc", (root_ + "/etc-link").c_str()), 0);
  auto server = Start();
  HttpClient admin(server->port(), admin_key_);
  for (const std::string& path : {std::string("/etc"), root_ + "/..", root_ + "/../repo/../..", root_ + "/etc-link",
                                  std::string("../")}) {
    HttpResult r = admin.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{path}}});
    EXPECT_EQ(r.status, 403) << path << ": " << r.body;
  }
  HttpResult missing = admin.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{root_ + "/nope"}}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  HttpResult bad = admin.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(admin.Get("/v1/jobs").Json().at("jobs").as_array().size(), 0u);  // nothing was recorded

  // Alice's job is invisible to Bob, whatever he tries.
  auto key_of = [&](const char* user) {
    HttpResult k = admin.Post("/v1/keys", json::value{{"user", user}, {"scopes", json::array{"read", "write"}}});
    EXPECT_EQ(k.status, 201) << k.body;
    return std::string(k.Json().at("secret").as_string());
  };
  HttpClient alice(server->port(), key_of("alice"));
  HttpClient bob(server->port(), key_of("bob"));
  HttpResult started = alice.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{root_ + "/src"}}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id(started.Json().at("id").as_string());
  EXPECT_EQ(bob.Get("/v1/jobs/" + id).status, 404);
  EXPECT_EQ(bob.Request("DELETE", "/v1/jobs/" + id).status, 404);
  EXPECT_EQ(bob.Get("/v1/jobs").Json().at("jobs").as_array().size(), 0u);
  EXPECT_EQ(WaitJob(alice, id, Finished).at("status").as_string(), "done");
}

TEST_F(ServerIngestTest, ServerWithoutIngestRootsRefusesIngest) {
  auto server = Start({"--log-level", "warn"});
  HttpClient client(server->port(), admin_key_);
  HttpResult r = client.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{root_}}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("--ingest-root"), std::string::npos) << r.body;
}

TEST_F(ServerIngestTest, JobOfAKilledServerResumesAfterRestartAndFinishes) {
  constexpr int kFiles = 1500;  // enough that the job is still running when the server dies
  for (int i = 0; i < kFiles; ++i) {
    Write("gen/module_" + std::to_string(i) + ".py",
          "def handler_" + std::to_string(i) + "(request):\n    \"\"\"Handles request number " + std::to_string(i) +
              " of the generated module.\"\"\"\n    return request.value * " + std::to_string(i) + "\n");
  }
  std::string id;
  {
    auto server = Start();
    HttpClient client(server->port(), admin_key_);
    HttpResult started = client.Post("/v1/cubes/repo/ingest", json::value{{"paths", json::array{root_}}});
    ASSERT_EQ(started.status, 202) << started.body;
    id = std::string(started.Json().at("id").as_string());
    json::value running = WaitJob(client, id, [](const json::value& job) {
      const json::value* done = job.at("progress").as_object().if_contains("files_done");
      return Finished(job) || (done != nullptr && done->as_int64() > 0);
    });
    ASSERT_EQ(running.at("status").as_string(), "running") << "the job finished before the kill; make it bigger";
    server->Stop(SIGKILL);
  }
  auto server = Start();
  HttpClient client(server->port(), admin_key_);
  json::value job = WaitJob(client, id, Finished);
  ASSERT_EQ(job.at("status").as_string(), "done") << json::serialize(job);
  EXPECT_TRUE(job.at("progress").at("resumed").as_bool());
  const auto& files = job.at("progress").at("files");
  EXPECT_EQ(files.at("failed").as_int64(), 0);
  // Every file is whole: those done before the kill are unchanged now, the rest ingested.
  EXPECT_EQ(files.at("ingested").as_int64() + files.at("unchanged").as_int64(), kFiles + 2);
  HttpResult stats = client.Get("/v1/cubes/repo");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.Json().at("memories").as_int64(), kFiles + 2) << stats.body;
}

}  // namespace
}  // namespace memd
