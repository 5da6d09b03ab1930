// SnapshotWriter's two steps: what is visible before and after Publish, and that the files
// capture the index as it was at WriteFiles, not at Publish.
#include "engine/snapshot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "util/temp_dir.h"

namespace memd::engine {
namespace {

namespace fs = std::filesystem;

constexpr int kDimension = 4;

class SnapshotWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-snapshot-test-");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    root_ = dir_->path();
    identity_ = {7, "alice", "notes", "hash", kDimension, 1000};
  }

  std::unique_ptr<CubeIndex> NewIndex() const {
    return std::make_unique<CubeIndex>(kDimension, index::VectorIndexOptions{}, index::Bm25Params{});
  }

  // Applies one live memory as store sequence seq.
  static void ApplyMemory(CubeIndex& index, std::int64_t doc, std::int64_t seq, const std::string& text) {
    store::MemoryRow row;
    row.doc = doc;
    row.cube_id = 7;
    row.memory.id = std::string(26 - std::to_string(doc).size(), '0') + std::to_string(doc);
    row.memory.text = text;
    row.memory.kind = "note";
    row.memory.metadata = "{}";
    row.embedding = {0.5f, 0.5f, 0.5f, 0.5f};
    row.seq = seq;
    index.Apply(row);
    index.set_applied_seq(seq);
  }

  // Entries of the cube's snapshot directory (snap-*, tmp-*, CURRENT).
  std::vector<std::string> CubeDirEntries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ + "/7", ec))
      names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<TempDir> dir_;
  std::string root_;
  SnapshotIdentity identity_;
};

TEST_F(SnapshotWriterTest, NothingIsVisibleOrLeftBehindWithoutPublish) {
  auto index = NewIndex();
  ApplyMemory(*index, 1, 1, "first memory");
  {
    SnapshotWriter writer(root_, identity_);
    ASSERT_TRUE(writer.WriteFiles(*index).ok());
    EXPECT_EQ(CubeDirEntries().size(), 1u);  // the temporary directory
    EXPECT_EQ(SnapshotSequence(root_, 7), -1);
  }
  EXPECT_TRUE(CubeDirEntries().empty());
  auto loaded = NewIndex();
  EXPECT_EQ(LoadSnapshot(root_, identity_, 100, *loaded).code(), StatusCode::kNotFound);
}

TEST_F(SnapshotWriterTest, PublishedSnapshotHoldsTheIndexAsItWasAtWriteFiles) {
  auto index = NewIndex();
  ApplyMemory(*index, 1, 1, "first memory about rivers");
  SnapshotWriter writer(root_, identity_);
  ASSERT_TRUE(writer.WriteFiles(*index).ok());
  // Changes after WriteFiles (the lock is released during Publish) are not in the snapshot.
  ApplyMemory(*index, 2, 2, "second memory about mountains");
  ASSERT_TRUE(writer.Publish().ok());

  EXPECT_EQ(SnapshotSequence(root_, 7), 1);
  auto loaded = NewIndex();
  ASSERT_TRUE(LoadSnapshot(root_, identity_, 100, *loaded).ok());
  EXPECT_EQ(loaded->applied_seq(), 1);
  EXPECT_EQ(loaded->live_count(), 1u);
  EXPECT_EQ(CubeDirEntries(), (std::vector<std::string>{"CURRENT", "snap-1"}));
}

TEST_F(SnapshotWriterTest, PublishReplacesTheOlderSnapshotAndRemovesAbandonedOnes) {
  auto index = NewIndex();
  ApplyMemory(*index, 1, 1, "first memory");
  {
    SnapshotWriter first(root_, identity_);
    ASSERT_TRUE(first.WriteFiles(*index).ok());
    ASSERT_TRUE(first.Publish().ok());
  }
  ApplyMemory(*index, 2, 2, "second memory");
  SnapshotWriter second(root_, identity_);
  ASSERT_TRUE(second.WriteFiles(*index).ok());
  ASSERT_TRUE(second.Publish().ok());
  EXPECT_EQ(CubeDirEntries(), (std::vector<std::string>{"CURRENT", "snap-2"}));
  auto loaded = NewIndex();
  ASSERT_TRUE(LoadSnapshot(root_, identity_, 100, *loaded).ok());
  EXPECT_EQ(loaded->live_count(), 2u);
}

TEST_F(SnapshotWriterTest, StepsOutOfOrderAreRefused) {
  auto index = NewIndex();
  SnapshotWriter writer(root_, identity_);
  EXPECT_EQ(writer.Publish().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(writer.WriteFiles(*index).ok());
  EXPECT_EQ(writer.WriteFiles(*index).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace memd::engine
