// `memd serve` shutdown: SIGTERM under write load loses no acknowledged write, and a
// second signal exits at once, still losing none. Also checks /metrics with promtool.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "run_process.h"
#include "server_process.h"
#include "util/file_util.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::ServerProcess;

class ServerShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/memd-shutdown-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { RemoveAll(dir_).IgnoreError(); }

  // Writers add memories until the server stops answering; returns every acknowledged id.
  std::set<std::string> WriteUntilStopped(ServerProcess& server, int writers, std::atomic<int>* acknowledged,
                                          const std::function<void()>& stop) {
    std::mutex mu;
    std::set<std::string> ids;
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        HttpClient client(server.port());
        for (int i = 0; !done.load(); ++i) {
          json::array items;
          for (int k = 0; k < 5; ++k) {
            items.push_back(json::object{{"text", "writer " + std::to_string(w) + " memory " + std::to_string(i) + "." +
                                                      std::to_string(k)}});
          }
          HttpResult r = client.Post("/v1/cubes/load/memories/batch", json::value{{"items", items}});
          if (r.status == 0) break;  // the server is gone
          if (r.status != 201) continue;
          const json::value body = r.Json();
          std::lock_guard lock(mu);
          for (const auto& result : body.at("results").as_array()) ids.insert(std::string(result.at("id").as_string()));
          acknowledged->fetch_add(5);
        }
      });
    }
    while (acknowledged->load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop();
    done = true;
    for (auto& t : threads) t.join();
    return ids;
  }

  // Restarts the server on the same data and checks every id is there.
  void ExpectAllPresent(const std::set<std::string>& ids) {
    ServerProcess again(dir_, {"--insecure-no-auth", "--no-rate-limits"});
    ASSERT_TRUE(again.ok()) << again.startup_error();
    HttpClient client(again.port());
    std::size_t missing = 0;
    for (const std::string& id : ids) missing += client.Get("/v1/cubes/load/memories/" + id).status == 200 ? 0 : 1;
    EXPECT_EQ(missing, 0u) << "of " << ids.size() << " acknowledged memories";
    HttpResult stats = client.Get("/v1/cubes/load");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.Json().at("memories").to_number<std::size_t>() % 5, 0u) << "a batch was applied partially";
  }

  std::string dir_;
};

TEST_F(ServerShutdownTest, SigtermUnderLoadLosesNoAcknowledgedWrite) {
  ServerProcess server(dir_, {"--insecure-no-auth", "--no-rate-limits"});
  ASSERT_TRUE(server.ok()) << server.startup_error();
  std::atomic<int> acknowledged{0};
  int exit_code = -1;
  auto ids = WriteUntilStopped(server, 4, &acknowledged, [&] { exit_code = server.Stop(SIGTERM); });
  EXPECT_EQ(exit_code, 0) << server.StderrText();
  EXPECT_NE(server.StderrText().find("shutdown complete"), std::string::npos);
  EXPECT_EQ(server.StderrText().find("still running"), std::string::npos) << "in-flight requests did not finish";
  ASSERT_GE(ids.size(), 200u);
  ExpectAllPresent(ids);
}

TEST_F(ServerShutdownTest, SecondSignalExitsAtOnceAndStillLosesNoAcknowledgedWrite) {
  ServerProcess server(dir_, {"--insecure-no-auth", "--no-rate-limits", "--shutdown-timeout-ms", "60000"});
  ASSERT_TRUE(server.ok()) << server.startup_error();
  std::atomic<int> acknowledged{0};
  int exit_code = -1;
  auto ids = WriteUntilStopped(server, 4, &acknowledged, [&] {
    ::kill(server.pid(), SIGTERM);
    exit_code = server.Stop(SIGINT, std::chrono::seconds(10));
  });
  // Whichever of the two signals is taken second ends the process with its number (both may
  // be pending at once); 0 if the graceful path finished first.
  EXPECT_TRUE(exit_code == 0 || exit_code == 128 + SIGINT || exit_code == 128 + SIGTERM) << exit_code;
  ExpectAllPresent(ids);
}

TEST(ServerMetricsTest, ScrapePassesPromtoolCheckMetrics) {
  char tmpl[] = "/tmp/memd-metrics-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    ServerProcess server(dir, {"--insecure-no-auth"});
    ASSERT_TRUE(server.ok()) << server.startup_error();
    HttpClient client(server.port());
    client.Post("/v1/cubes/m/memories", json::value{{"text", "a memory for the metrics"}});
    client.Post("/v1/cubes/m/search", json::value{{"query", "metrics"}});
    client.Post("/v1/cubes/m/search", json::value{{"query", "metrics"}});
    client.Get("/v1/nope");
    HttpResult metrics = client.Get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    for (const char* name : {"memd_http_requests_total", "memd_http_request_duration_seconds_bucket",
                             "memd_search_duration_seconds", "memd_add_duration_seconds", "memd_cache_hits_total",
                             "memd_cache_misses_total", "memd_rate_limited_total", "memd_open_cubes", "memd_memories",
                             "memd_index_bytes", "memd_unsnapshotted_changes", "memd_process_resident_memory_bytes",
                             "memd_disk_free_bytes", "memd_ready", "memd_http_connections"}) {
      EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
    }
    testutil::ProcessOptions options;
    options.stdin_text = metrics.body;
    auto check = testutil::RunProcess({"/usr/bin/promtool", "check", "metrics"}, options);
    EXPECT_EQ(check.exit_code, 0) << "promtool (Debian package prometheus) said:\n" << check.out << check.err;
  }
  RemoveAll(dir).IgnoreError();
}

}  // namespace
}  // namespace memd
