// A manual throughput measurement, not a unit test (disabled by default; no assertion on
// time). Run it with:
//   memd_store_tests --gtest_also_run_disabled_tests --gtest_filter='StorePerfTest.*'
// MEMD_PERF_ROWS (default 100000), MEMD_PERF_BATCH (1000) and MEMD_PERF_DIM (256) override
// the shape; TMPDIR chooses the disk.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace memd::store {
namespace {

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

TEST(StorePerfTest, DISABLED_DurableBulkInsertThroughput) {
  const int rows = EnvInt("MEMD_PERF_ROWS", 100000);
  const int batch = EnvInt("MEMD_PERF_BATCH", 1000);
  const int dim = EnvInt("MEMD_PERF_DIM", 256);
  testing::TempDir dir;
  auto options = testing::TestOptions(dir, Durability::kFull);
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto cube = (*store)->GetOrCreateCube("perf", "bulk", "hash", dim, 1);
  ASSERT_TRUE(cube.ok());

  // Prebuilt rows, so only the store is measured.
  std::vector<MemoryRow> batch_rows(static_cast<std::size_t>(batch));
  for (std::size_t i = 0; i < batch_rows.size(); ++i) {
    MemoryRow& row = batch_rows[i];
    row.memory.text = "memory text number " + std::to_string(i) +
                      " about a typical length of a note, "
                      "something like a sentence or two that an agent would remember later.";
    row.memory.kind = "note";
    row.memory.metadata = R"({"source":"perf"})";
    row.memory.tags = {"perf", "bulk"};
    row.memory.created_at = row.memory.updated_at = 1700000000000;
    row.embedding.assign(static_cast<std::size_t>(dim), 0.0625f);
    row.content_hash.assign(32, '\0');
  }

  auto start = std::chrono::steady_clock::now();
  int written = 0;
  for (int b = 0; written < rows; ++b) {
    auto seq = (*store)->Write(cube->id, [&](WriteTxn& txn) -> Status {
      for (std::size_t i = 0; i < batch_rows.size() && written + static_cast<int>(i) < rows; ++i) {
        MemoryRow row = batch_rows[i];
        char id[32];
        std::snprintf(id, sizeof(id), "01PERF%020d", written + static_cast<int>(i));
        row.memory.id = id;
        // Content hashes are SHA-256 digests: uniformly random keys for the dedup index.
        std::uint64_t h =
            0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(written + static_cast<int>(i) + 1);
        for (int k = 0; k < 4; ++k) {
          h ^= h >> 31;
          h *= 0xBF58476D1CE4E5B9ull;
          std::memcpy(row.content_hash.data() + 8 * k, &h, 8);
        }
        MEMD_RETURN_IF_ERROR(txn.Insert(row));
      }
      return Status::OK();
    });
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    written += std::min(batch, rows - written);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "durable bulk insert: %d rows, batch %d, dim %d, synchronous=FULL: %.2f s, %.0f rows/s, %llu commits\n",
      rows, batch, dim, seconds, rows / seconds, static_cast<unsigned long long>((*store)->commit_count()));
  EXPECT_EQ((*store)->CountMemories(cube->id)->first, rows);

  start = std::chrono::steady_clock::now();
  std::int64_t scanned = 0;
  auto seq = (*store)->ScanAll(cube->id, [&](MemoryRow&& row) {
    scanned += static_cast<std::int64_t>(row.embedding.size() == static_cast<std::size_t>(dim));
    return Status::OK();
  });
  ASSERT_TRUE(seq.ok());
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("ScanAll: %lld rows in %.2f s, %.0f rows/s\n", static_cast<long long>(scanned), seconds,
              scanned / seconds);
  EXPECT_EQ(scanned, rows);
}

}  // namespace
}  // namespace memd::store
