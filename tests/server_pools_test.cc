// `memd serve` runs reads and writes on separate worker pools: writes that wait (for the
// database lock, a commit, or a cube's lock while a snapshot is written) never take the
// threads that searches need. Regression test for searches stalling behind blocked adds.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>

#include "server_process.h"

namespace memd {
namespace {

namespace json = boost::json;
using testutil::HttpClient;
using testutil::HttpResult;
using testutil::RawConnection;
using testutil::ServerProcess;
using testutil::TempDir;

// Holds SQLite's write lock on a database, as another process writing would.
class DatabaseWriteLock {
 public:
  explicit DatabaseWriteLock(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) == SQLITE_OK)
      held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~DatabaseWriteLock() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  bool held() const { return held_; }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

TEST(ServerPoolsTest, SearchesAreServedWhileEveryWriteWorkerWaits) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--insecure-no-auth", "--no-rate-limits", "--workers", "1"});
  ASSERT_TRUE(server.ok()) << server.startup_error();
  HttpClient client(server.port());
  ASSERT_EQ(
      client.Post("/v1/cubes/pools/memories", json::value{{"text", "lighthouse keepers log the weather"}})
          .status,
      201);

  // --workers 1: one read worker and four write workers (writes mostly wait on commits).
  constexpr int kWriteWorkers = 4;
  std::vector<HttpResult> blocked_adds(kWriteWorkers);
  std::vector<std::thread> writers;
  {
    DatabaseWriteLock lock(dir.path() + "/data/memd.db");
    ASSERT_TRUE(lock.held());
    // These adds wait for the database lock (busy timeout 10 s), one on each write worker.
    for (int i = 0; i < kWriteWorkers; ++i) {
      writers.emplace_back([&, i] {
        blocked_adds[i] = HttpClient(server.port())
                              .Post("/v1/cubes/pools/memories",
                                    json::value{{"text", "a blocked entry number " + std::to_string(i)}});
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    RawConnection search(server.port());
    const std::string body = R"({"query":"lighthouse weather"})";
    ASSERT_TRUE(
        search.Send("POST /v1/cubes/pools/search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body));
    HttpResult found = search.ReadResponse(std::chrono::seconds(3));
    EXPECT_EQ(found.status, 200) << "a search waited behind a blocked write: " << found.error << found.body;
    EXPECT_NE(found.body.find("lighthouse keepers"), std::string::npos) << found.body;
  }  // releases the database lock: the adds go through
  for (auto& writer : writers) writer.join();
  for (const HttpResult& add : blocked_adds) EXPECT_EQ(add.status, 201) << add.body;
}

}  // namespace
}  // namespace memd
