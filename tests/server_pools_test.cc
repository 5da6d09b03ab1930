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

  HttpResult blocked_add;
  std::thread writer;
  {
    DatabaseWriteLock lock(dir.path() + "/data/memd.db");
    ASSERT_TRUE(lock.held());
    // This add waits for the database lock (busy timeout 10 s) on the only write worker.
    writer = std::thread([&] {
      blocked_add =
          HttpClient(server.port()).Post("/v1/cubes/pools/memories", json::value{{"text", "a second entry"}});
    });
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
  }  // releases the database lock: the add goes through
  writer.join();
  EXPECT_EQ(blocked_add.status, 201) << blocked_add.body;
}

}  // namespace
}  // namespace memd
