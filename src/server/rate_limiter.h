// RateLimiter: token-bucket request limits per API key (by the key's tier) and per client IP.
//
// Each key and each IP has a bucket holding up to `burst` tokens that refills continuously at
// requests_per_minute / 60 tokens per second; a request takes one token or is refused. A new
// bucket starts full. Keys and IPs live in separate tables, so a flood from many addresses
// cannot reset the buckets of keys (and the reverse).
//
// Memory is bounded: a bucket that has been idle long enough to be full again carries no state
// (a fresh bucket would be identical), so an amortised sweep drops such buckets; and each table
// holds at most `max_buckets` buckets, evicting the least recently used when full (the evicted
// key or IP merely gets a fresh, full bucket: the cap trades a little leniency for bounded memory).
//
// Thread-safe. Each table is split into shards, each with its own mutex, so checks of different
// keys rarely contend. A check is one clock read, one hash, and O(1) work under a shard lock
// (plus, every few checks, a sweep of that shard, amortised O(1)).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "memd/status.h"

namespace memd::server {

// A named limit. requests_per_minute <= 0 means "not limited". burst is the bucket size: how
// many requests may arrive at once after an idle period; values below 1 are taken as 1.
struct RateTier {
  std::string name;
  double requests_per_minute = 0;
  double burst = 0;
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Decision {
    bool allowed = true;
    // When refused: how long until one token is available, rounded up, at least 1 s (the value
    // of the Retry-After header). Zero when allowed.
    std::chrono::seconds retry_after{0};
    // Tokens left after this request (fractional; floor it for X-RateLimit-Remaining).
    // +infinity for a tier that is not limited.
    double remaining = 0;
  };

  // The default cap on buckets per table (keys, IPs): about 100 bytes each plus the name.
  static constexpr std::size_t kDefaultMaxBuckets = 100'000;

  // tiers: the per-key tiers, looked up by name (a later duplicate name is ignored). per_ip: the
  // limit applied to every client address. clock: defaults to steady_clock::now; tests inject
  // one. max_buckets: cap per table (values below the shard count are raised to it).
  RateLimiter(std::vector<RateTier> tiers, RateTier per_ip, Clock clock = {},
              std::size_t max_buckets = kDefaultMaxBuckets);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from key_id's bucket, limited by the tier named `tier`. An unknown tier
  // name falls back to the tier named "default"; if there is none, to the per-IP limit (so a
  // misconfigured key is still limited). Refusal does not take a token.
  Decision CheckKey(std::string_view key_id, std::string_view tier);

  // Takes one token from the bucket of client address ip, limited by the per-IP tier.
  Decision CheckIp(std::string_view ip);

  // Checks a tier list for configuration errors: InvalidArgument if a name is empty or repeats,
  // a rate or burst is negative or not finite, or no tier is named "default". For config
  // loading; the constructor accepts anything.
  static Status ValidateTiers(const std::vector<RateTier>& tiers);

  // Buckets currently tracked (keys + IPs). For metrics and tests.
  std::size_t tracked_buckets() const;

 private:
  class Table;
  const RateTier* FindTier(std::string_view name) const;

  std::vector<RateTier> tiers_;
  RateTier per_ip_;
  Clock clock_;
  std::unique_ptr<Table> keys_;
  std::unique_ptr<Table> ips_;
};

}  // namespace memd::server
