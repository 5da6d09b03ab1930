#include "server/rate_limiter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <list>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace memd::server {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool Unlimited(const RateTier& tier) { return !(tier.requests_per_minute > 0) || std::isinf(tier.requests_per_minute); }

}  // namespace

// One table of buckets (keys or IPs), split into shards.
class RateLimiter::Table {
 public:
  explicit Table(std::size_t max_buckets)
      : max_per_shard_(std::max<std::size_t>(1, (max_buckets + kShards - 1) / kShards)) {}

  Decision Take(std::string_view id, const RateTier& tier, TimePoint now) {
    const double rate = tier.requests_per_minute / 60.0;  // tokens per second, > 0
    const double capacity = tier.burst >= 1 ? tier.burst : 1.0;
    const std::size_t h = StringViewHash{}(id);
    Shard& shard = shards_[(h * 0x9E3779B97F4A7C15ull) >> 60];  // top 4 bits: kShards == 16

    std::lock_guard lock(shard.mu);
    auto it = shard.index.find(id);
    Bucket* b;
    if (it != shard.index.end()) {
      b = &*it->second;
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
      double elapsed = std::chrono::duration<double>(now - b->updated).count();
      if (elapsed > 0) {  // clock reads from racing threads may arrive out of order
        b->tokens += elapsed * rate;
        b->updated = now;
      }
      b->tokens = std::min(b->tokens, capacity);  // also applies a lowered burst
    } else {
      if (shard.index.size() >= max_per_shard_) {
        shard.index.erase(shard.lru.back().id);
        shard.lru.pop_back();
      }
      shard.lru.push_front(Bucket{std::string(id), capacity, now, now});
      b = &shard.lru.front();
      shard.index.emplace(b->id, shard.lru.begin());
    }

    Decision d;
    if (b->tokens >= 1) {
      b->tokens -= 1;
      d.allowed = true;
    } else {
      d.allowed = false;
      // Round up, forgiving float noise below a microsecond (5.0000000001 s is 5 s, not 6).
      double wait = std::min(std::ceil((1 - b->tokens) / rate - 1e-6), 1e9);
      d.retry_after = std::chrono::seconds(std::max<long long>(1, static_cast<long long>(wait)));
    }
    d.remaining = b->tokens;
    // Capped at ~30 years so that a tiny rate cannot overflow the clock's duration.
    double refill_seconds = std::min((capacity - b->tokens) / rate, 1e9);
    b->full_at = b->updated + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(refill_seconds));

    if (++shard.ops_since_sweep >= std::max<std::size_t>(kMinSweepInterval, shard.index.size())) {
      Sweep(shard, now);
    }
    return d;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.index.size();
    }
    return n;
  }

 private:
  static constexpr std::size_t kShards = 16;  // Take() picks a shard by the top 4 hash bits
  static_assert(kShards == 16);
  // A shard is swept after max(kMinSweepInterval, its size) checks: amortised O(1) per check.
  static constexpr std::size_t kMinSweepInterval = 64;

  struct Bucket {
    std::string id;
    double tokens;
    TimePoint updated;  // when tokens was last brought up to date
    TimePoint full_at;  // when the bucket will be full again if left alone
  };
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::list<Bucket> lru;  // most recently used first; guarded by mu
    // Keys view the id stored in the list node, which never moves. Guarded by mu.
    std::unordered_map<std::string_view, std::list<Bucket>::iterator, StringViewHash, std::equal_to<>> index;
    std::size_t ops_since_sweep = 0;  // guarded by mu
  };

  // Drops buckets that are full again: they hold no information. REQUIRES: shard.mu held.
  static void Sweep(Shard& shard, TimePoint now) {
    shard.ops_since_sweep = 0;
    for (auto it = shard.lru.begin(); it != shard.lru.end();) {
      if (it->full_at <= now) {
        shard.index.erase(it->id);
        it = shard.lru.erase(it);
      } else {
        ++it;
      }
    }
  }

  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

RateLimiter::RateLimiter(std::vector<RateTier> tiers, RateTier per_ip, Clock clock, std::size_t max_buckets)
    : tiers_(std::move(tiers)),
      per_ip_(std::move(per_ip)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      keys_(std::make_unique<Table>(max_buckets)),
      ips_(std::make_unique<Table>(max_buckets)) {}

RateLimiter::~RateLimiter() = default;

const RateTier* RateLimiter::FindTier(std::string_view name) const {
  for (const RateTier& t : tiers_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

RateLimiter::Decision RateLimiter::CheckKey(std::string_view key_id, std::string_view tier_name) {
  const RateTier* tier = FindTier(tier_name);
  if (tier == nullptr) tier = FindTier("default");
  if (tier == nullptr) tier = &per_ip_;
  if (Unlimited(*tier)) return Decision{true, std::chrono::seconds(0), std::numeric_limits<double>::infinity()};
  return keys_->Take(key_id, *tier, clock_());
}

RateLimiter::Decision RateLimiter::CheckIp(std::string_view ip) {
  if (Unlimited(per_ip_)) return Decision{true, std::chrono::seconds(0), std::numeric_limits<double>::infinity()};
  return ips_->Take(ip, per_ip_, clock_());
}

Status RateLimiter::ValidateTiers(const std::vector<RateTier>& tiers) {
  std::unordered_set<std::string_view> names;
  for (const RateTier& t : tiers) {
    if (t.name.empty()) return Status::InvalidArgument("a rate tier has an empty name; name every tier");
    if (!names.insert(t.name).second) {
      return Status::InvalidArgument("rate tier \"" + t.name + "\" is defined twice; keep one");
    }
    if (!std::isfinite(t.requests_per_minute) || t.requests_per_minute < 0 || !std::isfinite(t.burst) ||
        t.burst < 0) {
      return Status::InvalidArgument("rate tier \"" + t.name +
                                     "\" needs finite, non-negative requests_per_minute and burst "
                                     "(requests_per_minute 0 means unlimited)");
    }
  }
  if (names.count("default") == 0) {
    return Status::InvalidArgument("no rate tier is named \"default\"; add one (keys with an unknown tier use it)");
  }
  return Status::OK();
}

std::size_t RateLimiter::tracked_buckets() const { return keys_->size() + ips_->size(); }

}  // namespace memd::server
