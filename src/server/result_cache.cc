#include "server/result_cache.h"

#include <algorithm>
#include <list>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace memd::server {
namespace {

struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct alignas(64) ResultCache::Shard {
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> value;  // shared so Get can copy it outside the lock
    TimePoint deadline;
    std::size_t charge;
  };

  // Removes the entry at it. REQUIRES: mu held.
  void Erase(std::list<Entry>::iterator it) {
    bytes.fetch_sub(it->charge, std::memory_order_relaxed);
    index.erase(it->key);
    lru.erase(it);
    entries.store(index.size(), std::memory_order_relaxed);
  }

  std::mutex mu;
  std::list<Entry> lru;  // most recently used first; guarded by mu
  // Keys view the key stored in the list node, which never moves. Guarded by mu.
  std::unordered_map<std::string_view, std::list<Entry>::iterator, StringViewHash, std::equal_to<>> index;
  // Written under mu, read without it by the counters.
  std::atomic<std::size_t> entries{0};
  std::atomic<std::size_t> bytes{0};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
};

namespace {
std::size_t ShardCount(std::size_t requested, std::size_t max_entries) {
  return std::clamp<std::size_t>(requested, 1, std::max<std::size_t>(1, max_entries));
}
}  // namespace

ResultCache::ResultCache(std::size_t max_entries, std::size_t max_bytes, std::chrono::milliseconds ttl, Clock clock,
                         std::size_t shards)
    : enabled_(max_entries > 0 && ttl.count() > 0),
      ttl_(ttl),
      max_entries_per_shard_(std::max<std::size_t>(1, max_entries / ShardCount(shards, max_entries))),
      max_bytes_per_shard_(max_bytes / ShardCount(shards, max_entries)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {
  const std::size_t n = ShardCount(shards, max_entries);
  shards_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

ResultCache::~ResultCache() = default;

ResultCache::Shard& ResultCache::ShardFor(const std::string& key) {
  // Mix the hash so the shard does not correlate with the buckets of the shard's own map.
  std::uint64_t h = StringViewHash{}(key) * 0x9E3779B97F4A7C15ull;
  return *shards_[(h >> 32) % shards_.size()];
}

std::optional<std::string> ResultCache::Get(const std::string& key) {
  Shard& shard = ShardFor(key);
  if (!enabled_) {
    shard.misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  const TimePoint now = clock_();
  std::shared_ptr<const std::string> value;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.index.find(std::string_view(key));
    if (it != shard.index.end()) {
      if (now >= it->second->deadline) {
        shard.Erase(it->second);
      } else {
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
        value = it->second->value;
      }
    }
  }
  if (!value) {
    shard.misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  shard.hits.fetch_add(1, std::memory_order_relaxed);
  return *value;
}

void ResultCache::Put(const std::string& key, std::string value, std::optional<TimePoint> expires_before) {
  if (!enabled_) return;
  const TimePoint now = clock_();
  TimePoint deadline = now + ttl_;
  if (expires_before && *expires_before < deadline) deadline = *expires_before;
  const std::size_t charge = key.size() + value.size() + kEntryOverheadBytes;
  const bool storable = deadline > now && charge <= max_bytes_per_shard_;
  // Allocate outside the lock.
  std::shared_ptr<const std::string> shared;
  if (storable) shared = std::make_shared<const std::string>(std::move(value));

  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(std::string_view(key));
  if (it != shard.index.end()) shard.Erase(it->second);
  if (!storable) return;
  shard.lru.push_front(Shard::Entry{key, std::move(shared), deadline, charge});
  shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  shard.bytes.fetch_add(charge, std::memory_order_relaxed);
  while (shard.index.size() > max_entries_per_shard_ ||
         shard.bytes.load(std::memory_order_relaxed) > max_bytes_per_shard_) {
    shard.Erase(std::prev(shard.lru.end()));  // never the new entry: it alone fits both limits
  }
  shard.entries.store(shard.index.size(), std::memory_order_relaxed);
}

void ResultCache::Clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    shard->index.clear();
    shard->lru.clear();
    shard->entries.store(0, std::memory_order_relaxed);
    shard->bytes.store(0, std::memory_order_relaxed);
  }
}

std::uint64_t ResultCache::hits() const {
  std::uint64_t n = 0;
  for (const auto& s : shards_) n += s->hits.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t ResultCache::misses() const {
  std::uint64_t n = 0;
  for (const auto& s : shards_) n += s->misses.load(std::memory_order_relaxed);
  return n;
}

std::size_t ResultCache::entries() const {
  std::size_t n = 0;
  for (const auto& s : shards_) n += s->entries.load(std::memory_order_relaxed);
  return n;
}

std::size_t ResultCache::bytes() const {
  std::size_t n = 0;
  for (const auto& s : shards_) n += s->bytes.load(std::memory_order_relaxed);
  return n;
}

}  // namespace memd::server
