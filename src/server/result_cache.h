// ResultCache: a bounded, expiring string -> string cache for rendered search responses.
//
// Generic on purpose: the caller builds the key so that it changes whenever the answer may
// change (user, each cube's version, the normalised request), and so never needs to invalidate.
// Entries die at min(put time + ttl, the per-entry deadline); an expired entry is never
// returned and is removed when seen. Memory is bounded by entry count and by bytes, where an
// entry costs key size + value size + kEntryOverheadBytes.
//
// Thread-safe. The cache is split into shards (by key hash), each an LRU list with its own mutex
// and 1/shards of the limits, so eviction is least-recently-used within a shard (approximate
// LRU overall). Get and Put do O(1) work under one shard lock; the value is copied out of the
// cache after the lock is released.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace memd::server {

class ResultCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using TimePoint = std::chrono::steady_clock::time_point;

  // Book-keeping cost charged per entry on top of its key and value (list and hash nodes,
  // the shared value's control block, deadlines).
  static constexpr std::size_t kEntryOverheadBytes = 128;
  static constexpr std::size_t kDefaultShards = 16;

  // max_entries or ttl of 0 disables the cache (Get always misses, Put does nothing). A value
  // whose charge exceeds max_bytes / shards is never stored. clock defaults to steady_clock::now;
  // tests inject one. shards is clamped to [1, max_entries]; 1 makes eviction exact LRU.
  ResultCache(std::size_t max_entries, std::size_t max_bytes, std::chrono::milliseconds ttl, Clock clock = {},
              std::size_t shards = kDefaultShards);
  ~ResultCache();
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  bool enabled() const { return enabled_; }

  // The value stored under key if it has not expired (and marks it most recently used); else
  // nullopt. Counts a hit or a miss (also when disabled).
  std::optional<std::string> Get(const std::string& key);

  // Stores value under key, replacing any previous value, then evicts least recently used
  // entries of the shard until it is within its limits. The entry expires at now + ttl, or at
  // expires_before if that is earlier; if that moment has already passed, or the entry is too
  // large to store, the key's previous value (if any) is removed instead, so a stale value
  // never outlives a newer Put.
  void Put(const std::string& key, std::string value, std::optional<TimePoint> expires_before = std::nullopt);

  // Removes every entry. Counters of hits and misses are kept.
  void Clear();

  // Counters for metrics (relaxed reads; exact once writers are quiet).
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t entries() const;
  std::size_t bytes() const;

 private:
  struct Shard;
  Shard& ShardFor(const std::string& key);

  const bool enabled_;
  const std::chrono::steady_clock::duration ttl_;
  const std::size_t max_entries_per_shard_;
  const std::size_t max_bytes_per_shard_;
  const Clock clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace memd::server
