#include "engine/credentials_cache.h"

namespace memd::engine {

CredentialsCache::CredentialsCache(Timestamp ttl_millis, std::size_t max_entries)
    : ttl_millis_(ttl_millis), max_entries_(ttl_millis > 0 ? max_entries : 0) {}

bool CredentialsCache::Fresh(Timestamp confirmed_at, Timestamp now) const {
  return now >= confirmed_at && now - confirmed_at < ttl_millis_;
}

void CredentialsCache::Erase(Order::iterator it) {
  index_.erase(it->secret_hash);
  order_.erase(it);
}

std::optional<ApiKey> CredentialsCache::Get(std::string_view secret_hash, Timestamp now) {
  if (max_entries_ == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = index_.find(secret_hash);
  if (it == index_.end()) return std::nullopt;
  if (!Fresh(it->second->confirmed_at, now)) {
    Erase(it->second);
    return std::nullopt;
  }
  return it->second->key;
}

std::uint64_t CredentialsCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void CredentialsCache::Put(std::string_view secret_hash, const ApiKey& key, Timestamp confirmed_at,
                           std::uint64_t generation) {
  if (max_entries_ == 0) return;
  // Build the node outside the lock; splice it in under it.
  Order node;
  node.push_back(Entry{std::string(secret_hash), key, confirmed_at});
  std::lock_guard lock(mu_);
  if (generation != generation_) return;  // a revocation may have happened after the read
  if (auto it = index_.find(secret_hash); it != index_.end()) Erase(it->second);
  // Entries were appended in confirmation order, so the expired ones are at the front.
  while (!order_.empty() &&
         (order_.size() >= max_entries_ || !Fresh(order_.front().confirmed_at, confirmed_at))) {
    Erase(order_.begin());
  }
  order_.splice(order_.end(), node);
  index_.emplace(order_.back().secret_hash, std::prev(order_.end()));
}

void CredentialsCache::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  index_.clear();
  order_.clear();
}

std::size_t CredentialsCache::size() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

}  // namespace memd::engine
