// Engine: index snapshots (save, load + replay, corruption detection) and cube eviction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

namespace fs = std::filesystem;

class SnapshotTest : public EngineTest {
 protected:
  // Adds enough memories that the vector graph exists, snapshots, then adds a few more so the
  // next open has to replay.
  void Populate() {
    std::vector<NewMemory> batch(300);
    for (int i = 0; i < 300; ++i) {
      batch[i].text = "memory about topic " + std::to_string(i % 17) + " and detail " + std::to_string(i);
      if (i % 10 == 0) batch[i].expires_at = now_.load() + 1'000'000;
    }
    ASSERT_TRUE(engine_->AddBatch(alpha_, batch).ok());
    ASSERT_TRUE(engine_->Snapshot(alpha_).ok());
    after_snapshot_ = Add(alpha_, "added after the snapshot: zebra crossing");
    ASSERT_TRUE(engine_->Delete(alpha_, engine_->List(alpha_, ListRequest{})->memories[3].id).ok());
  }

  std::string SnapshotDir() {
    for (const auto& cube : fs::directory_iterator(dir_->path() + "/data/snapshots")) {
      for (const auto& entry : fs::directory_iterator(cube.path())) {
        if (entry.path().filename().string().rfind("snap-", 0) == 0) return entry.path().string();
      }
    }
    return {};
  }

  void ExpectConsistentAfterReopen() {
    EngineOptions options = Options();
    options.hnsw_threshold = 100;
    Reopen(options);
    auto report = engine_->Verify(alpha_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->consistent) << report->detail;
    EXPECT_EQ(SearchIds(alpha_, "zebra crossing", SearchMode::kLexical).front(), after_snapshot_);
    EXPECT_EQ(engine_->Stats(alpha_)->memories, 300);
  }

  void SetUp() override {
    EngineTest::SetUp();
    EngineOptions options = Options();
    options.hnsw_threshold = 100;  // exercise the graph in snapshots
    Reopen(options);
    Populate();
  }

  std::string after_snapshot_;
};

TEST_F(SnapshotTest, ValidSnapshotIsLoadedAndChangesReplayed) {
  std::int64_t snap_seq = engine_->Stats(alpha_)->snapshot_sequence;
  EXPECT_GT(snap_seq, 0);
  ExpectConsistentAfterReopen();
  EXPECT_EQ(engine_->Stats(alpha_)->snapshot_sequence, snap_seq);  // loaded, not rewritten
}

TEST_F(SnapshotTest, MissingSnapshotIsRebuilt) {
  fs::remove_all(dir_->path() + "/data/snapshots");
  ExpectConsistentAfterReopen();
}

TEST_F(SnapshotTest, TruncatedFileIsDetected) {
  engine_.reset();
  std::string dir = SnapshotDir();
  ASSERT_FALSE(dir.empty());
  fs::resize_file(dir + "/vectors.bin", fs::file_size(dir + "/vectors.bin") / 2);
  ExpectConsistentAfterReopen();
}

TEST_F(SnapshotTest, FlippedByteIsDetected) {
  engine_.reset();
  std::string dir = SnapshotDir();
  for (const char* name : {"bm25.bin", "meta.bin", "hnsw.bin", "filter.bin"}) {
    std::string path = dir + "/" + name;
    if (!fs::exists(path)) continue;
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(path) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  ExpectConsistentAfterReopen();
}

TEST_F(SnapshotTest, SequenceAheadOfStoreIsRejected) {
  engine_.reset();
  std::string dir = SnapshotDir();
  std::ifstream in(dir + "/MANIFEST");
  std::string manifest((std::istreambuf_iterator<char>(in)), {});
  auto pos = manifest.find("\"sequence\":");
  ASSERT_NE(pos, std::string::npos);
  auto end = manifest.find_first_of(",}", pos);
  manifest.replace(pos, end - pos, "\"sequence\":999999");
  std::ofstream(dir + "/MANIFEST", std::ios::trunc) << manifest;
  ExpectConsistentAfterReopen();
}

TEST_F(SnapshotTest, GarbageCurrentIsRejected) {
  engine_.reset();
  std::string cube_dir = fs::path(SnapshotDir()).parent_path().string();
  std::ofstream(cube_dir + "/CURRENT", std::ios::trunc) << "../../etc";
  ExpectConsistentAfterReopen();
}

TEST_F(SnapshotTest, TinyMemoryBudgetEvictsButKeepsServing) {
  EngineOptions options = Options();
  options.cube_memory_budget_bytes = 1;
  Reopen(options);
  std::string b = Add(beta_, "beta only: quasar");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(SearchIds(alpha_, "zebra crossing", SearchMode::kLexical).front(), after_snapshot_);
    EXPECT_EQ(SearchIds(beta_, "quasar", SearchMode::kLexical), std::vector<std::string>{b});
  }
}

}  // namespace
}  // namespace memd::testing
