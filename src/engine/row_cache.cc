#include "engine/row_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

namespace memd::engine {

struct alignas(64) RowCache::Shard {
  struct Entry {
    std::int64_t doc;
    std::uint64_t owner;
    std::shared_ptr<const Memory> memory;  // shared so Get hands it out after the lock
    std::size_t charge;
  };

  // REQUIRES: mu held.
  void Erase(std::list<Entry>::iterator it) {
    bytes.fetch_sub(it->charge, std::memory_order_relaxed);
    index.erase(it->doc);
    lru.erase(it);
  }

  std::mutex mu;
  std::list<Entry> lru;                                                // most recent first; guarded by mu
  std::unordered_map<std::int64_t, std::list<Entry>::iterator> index;  // guarded by mu
  std::atomic<std::size_t> bytes{0};                                   // written under mu
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
};

std::size_t RowCacheCharge(const Memory& memory) {
  std::size_t charge = sizeof(Memory) + RowCache::kEntryOverheadBytes + memory.id.size() +
                       memory.text.size() + memory.kind.size() + memory.metadata.size();
  for (const std::string& tag : memory.tags) charge += sizeof(std::string) + tag.size();
  if (memory.source) charge += memory.source->uri.size();
  return charge;
}

RowCache::RowCache(std::size_t capacity_bytes) : capacity_per_shard_(capacity_bytes / kShards) {
  shards_.reserve(kShards);
  for (std::size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

RowCache::~RowCache() = default;

RowCache::Shard& RowCache::ShardFor(std::int64_t doc) {
  // Docs are sequential: mix them so neighbours spread over the shards.
  const std::uint64_t h = static_cast<std::uint64_t>(doc) * 0x9E3779B97F4A7C15ull;
  return *shards_[(h >> 32) % kShards];
}

std::shared_ptr<const Memory> RowCache::Get(std::uint64_t owner, std::int64_t doc) {
  Shard& shard = ShardFor(doc);
  std::shared_ptr<const Memory> found;
  if (enabled()) {
    std::lock_guard lock(shard.mu);
    auto it = shard.index.find(doc);
    if (it != shard.index.end() && it->second->owner == owner) {
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
      found = it->second->memory;
    }
  }
  (found ? shard.hits : shard.misses).fetch_add(1, std::memory_order_relaxed);
  return found;
}

std::shared_ptr<const Memory> RowCache::Put(std::uint64_t owner, std::int64_t doc, Memory memory,
                                            std::uint64_t epoch_seen) {
  const std::size_t charge = RowCacheCharge(memory);
  auto row = std::make_shared<const Memory>(std::move(memory));
  if (charge > capacity_per_shard_) return row;
  Shard& shard = ShardFor(doc);
  std::lock_guard lock(shard.mu);
  // Checked under the shard's lock: Invalidate advances the epoch before it takes this lock
  // to erase, so a row read before a change is either refused here or erased after.
  if (epoch() != epoch_seen) return row;
  if (auto it = shard.index.find(doc); it != shard.index.end()) shard.Erase(it->second);
  shard.lru.push_front(Shard::Entry{doc, owner, row, charge});
  shard.index.emplace(doc, shard.lru.begin());
  shard.bytes.fetch_add(charge, std::memory_order_relaxed);
  while (shard.bytes.load(std::memory_order_relaxed) > capacity_per_shard_)
    shard.Erase(std::prev(shard.lru.end()));
  return row;
}

void RowCache::Invalidate(std::span<const std::int64_t> docs) {
  if (docs.empty() || !enabled()) return;
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  for (const std::int64_t doc : docs) {
    Shard& shard = ShardFor(doc);
    std::lock_guard lock(shard.mu);
    if (auto it = shard.index.find(doc); it != shard.index.end()) shard.Erase(it->second);
  }
}

void RowCache::EraseOwner(std::uint64_t owner) {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (auto it = shard->lru.begin(); it != shard->lru.end();) {
      auto next = std::next(it);
      if (it->owner == owner) shard->Erase(it);
      it = next;
    }
  }
}

std::uint64_t RowCache::hits() const {
  std::uint64_t n = 0;
  for (const auto& shard : shards_) n += shard->hits.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t RowCache::misses() const {
  std::uint64_t n = 0;
  for (const auto& shard : shards_) n += shard->misses.load(std::memory_order_relaxed);
  return n;
}

std::size_t RowCache::bytes() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) n += shard->bytes.load(std::memory_order_relaxed);
  return n;
}

}  // namespace memd::engine
