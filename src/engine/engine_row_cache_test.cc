// The row cache behind search results: a search after any change of a memory, by this engine
// or by another process on the same data directory, shows the memory as it is now.
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

class RowCacheEngineTest : public EngineTest {
 protected:
  // The single hit of query in cube, which must equal what Get returns for it now.
  std::optional<Memory> OnlyHit(Engine& engine, const CubeRef& cube, const std::string& query) {
    auto hits = engine.Search(cube.user, {cube.project}, Query(query));
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    if (!hits.ok() || hits->empty()) return std::nullopt;
    EXPECT_EQ(hits->size(), 1u);
    auto current = engine.Get(cube, hits->front().memory.id);
    EXPECT_TRUE(current.ok());
    if (current.ok()) {
      EXPECT_EQ(hits->front().memory, *current) << "search returned a stale row";
    }
    return hits->front().memory;
  }
};

TEST_F(RowCacheEngineTest, RepeatedHitsComeFromTheCacheAndEveryChangeShowsAtOnce) {
  const std::string id = Add(alpha_, "zebra crossing near the station");
  const EngineStats before = engine_->RuntimeStats();
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "zebra").has_value());
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "zebra").has_value());
  const EngineStats after = engine_->RuntimeStats();
  EXPECT_EQ(after.row_cache_misses - before.row_cache_misses, 1u);
  EXPECT_EQ(after.row_cache_hits - before.row_cache_hits, 1u);
  EXPECT_GT(after.row_cache_bytes, 0u);

  MemoryPatch patch;
  patch.text = "zebra crossing near the old station";
  patch.tags = std::vector<std::string>{"road"};
  ASSERT_TRUE(engine_->Update(alpha_, id, patch).ok());
  auto updated = OnlyHit(*engine_, alpha_, "zebra");
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->text, "zebra crossing near the old station");
  EXPECT_EQ(updated->version, 2);

  ASSERT_TRUE(engine_->Delete(alpha_, id).ok());
  EXPECT_FALSE(OnlyHit(*engine_, alpha_, "zebra").has_value());
  ASSERT_TRUE(engine_->Restore(alpha_, id).ok());
  auto restored = OnlyHit(*engine_, alpha_, "zebra");
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->version, 4);
  ASSERT_TRUE(engine_->Purge(alpha_, id).ok());
  EXPECT_FALSE(OnlyHit(*engine_, alpha_, "zebra").has_value());
}

TEST_F(RowCacheEngineTest, AnotherProcessesChangesShowAtOnce) {
  const std::string id = Add(alpha_, "giraffe feeding schedule");
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "giraffe").has_value());  // cached here
  auto other = Engine::Open(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  MemoryPatch patch;
  patch.text = "giraffe feeding schedule moved to noon";
  ASSERT_TRUE((*other)->Update(alpha_, id, patch).ok());
  auto seen = OnlyHit(*engine_, alpha_, "giraffe");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->text, "giraffe feeding schedule moved to noon");
  ASSERT_TRUE((*other)->Delete(alpha_, id).ok());
  EXPECT_FALSE(OnlyHit(*engine_, alpha_, "giraffe").has_value());
}

TEST_F(RowCacheEngineTest, AForgottenAndRecreatedCubeShowsOnlyItsNewMemories) {
  Add(alpha_, "okapi sighting report");
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "okapi").has_value());
  ASSERT_TRUE(engine_->ForgetProject(alpha_).ok());
  const std::string id = Add(alpha_, "okapi sighting report, second edition");
  auto hit = OnlyHit(*engine_, alpha_, "okapi");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, id);
}

TEST_F(RowCacheEngineTest, DisabledCacheReadsEveryHitFromTheStore) {
  EngineOptions options = Options();
  options.row_cache_bytes = 0;
  Reopen(options);
  Add(alpha_, "lemur habitat notes");
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "lemur").has_value());
  ASSERT_TRUE(OnlyHit(*engine_, alpha_, "lemur").has_value());
  const EngineStats stats = engine_->RuntimeStats();
  EXPECT_EQ(stats.row_cache_hits, 0u);
  EXPECT_EQ(stats.row_cache_bytes, 0u);
}

}  // namespace
}  // namespace memd::testing
