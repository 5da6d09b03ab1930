// RowCache: the memory rows that searches returned recently, so a search reads from the
// store only the hits no recent search returned (the store's own page cache is per
// connection and is emptied by every commit in WAL mode).
//
// Keyed by store doc (unique store-wide, never reused). Each entry is tagged with its owner,
// the open cube instance that stored it; a lookup by another owner misses, so neither
// another cube nor a reopened instance of the same cube can see it.
//
// Never stale: whoever applies a change of a doc to an index calls Invalidate for it, which
// advances the epoch and then erases the doc. A reader takes epoch() before it reads rows
// from the store and passes it to Put; Put refuses a row once the epoch has moved on, since
// the row may predate a change that was already invalidated. So an entry, while present, is
// the doc's version as of the last change applied to it, or newer (a commit not applied yet).
//
// Bounded by bytes (each entry costs its strings plus kEntryOverheadBytes); least recently
// used entries of a shard go first. capacity_bytes 0 disables it (Get misses, Put does
// nothing). Thread-safe: sharded by doc, one mutex per shard.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "memd/memory.h"

namespace memd::engine {

class RowCache {
 public:
  static constexpr std::size_t kEntryOverheadBytes = 160;  // list and hash nodes, control block
  static constexpr std::size_t kShards = 16;

  explicit RowCache(std::size_t capacity_bytes);
  ~RowCache();
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  // The row of doc stored by owner, or null. Counts a hit or a miss.
  std::shared_ptr<const Memory> Get(std::uint64_t owner, std::int64_t doc);
  // Stores memory as doc's row for owner (replacing any entry of doc), unless the epoch is
  // no longer epoch_seen or the row alone exceeds a shard's capacity. Returns the row, shared
  // with the cache if it was stored.
  std::shared_ptr<const Memory> Put(std::uint64_t owner, std::int64_t doc, Memory memory,
                                    std::uint64_t epoch_seen);
  // Advances the epoch, then erases docs: call it when changes of docs are applied.
  void Invalidate(std::span<const std::int64_t> docs);
  // Erases every entry of owner (a cube closed or forgotten).
  void EraseOwner(std::uint64_t owner);

  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  bool enabled() const { return capacity_per_shard_ > 0; }

  // Counters for metrics (relaxed reads).
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t bytes() const;

 private:
  struct Shard;
  Shard& ShardFor(std::int64_t doc);

  const std::size_t capacity_per_shard_;
  std::atomic<std::uint64_t> epoch_{0};
  std::vector<std::unique_ptr<Shard>> shards_;
};

// Bytes an entry of memory is charged.
std::size_t RowCacheCharge(const Memory& memory);

}  // namespace memd::engine
