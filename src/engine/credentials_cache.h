// CredentialsCache: recent successful API key authentications, so that a front end
// answering thousands of requests per second with one key does not read the store for each.
//
// Entries are keyed by the SHA-256 of a secret, never the secret itself, and hold the key
// the store returned. An entry is trusted for `ttl` after the store confirmed it: a key
// revoked by another process (e.g. `memd key revoke` on the same data directory) stops
// authenticating here within ttl. A revocation through the owning engine calls Invalidate,
// which takes effect at once, also for authentications already reading the store (see
// generation()).
//
// Only successes are stored (a caller must never Put a rejected secret), so unknown or
// guessed secrets cannot fill the cache; it holds at most max_entries, dropping the oldest
// confirmations first. Thread-safe: one mutex around O(1) work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "memd/credentials.h"
#include "memd/memory.h"

namespace memd::engine {

class CredentialsCache {
 public:
  // How long a confirmation is trusted: the longest a revocation by another process may go
  // unnoticed (docs/SERVER.md states it).
  static constexpr Timestamp kDefaultTtlMillis = 1000;
  // Active keys are few; 4096 entries are about 1 MiB at most.
  static constexpr std::size_t kDefaultMaxEntries = 4096;

  // ttl_millis <= 0 or max_entries == 0 disables the cache (Get always misses).
  explicit CredentialsCache(Timestamp ttl_millis = kDefaultTtlMillis,
                            std::size_t max_entries = kDefaultMaxEntries);
  CredentialsCache(const CredentialsCache&) = delete;
  CredentialsCache& operator=(const CredentialsCache&) = delete;

  // The key confirmed for secret_hash less than ttl before now; nullopt otherwise (an
  // expired entry is dropped). A clock that went backwards past the confirmation also
  // misses, so a clock jump never extends trust.
  std::optional<ApiKey> Get(std::string_view secret_hash, Timestamp now);

  // A ticket to take before reading the store for a Put: Put is ignored if Invalidate ran
  // after it was taken, as the store may have been read before the change.
  std::uint64_t generation() const;

  // Records that the store confirmed `key` for secret_hash at (or after) `confirmed_at`,
  // which must be read before the store was. Replaces an older entry for the same hash;
  // drops expired and, past max_entries, the oldest entries.
  void Put(std::string_view secret_hash, const ApiKey& key, Timestamp confirmed_at, std::uint64_t generation);

  // Forgets every entry and voids every ticket handed out so far. Call after any write to
  // the keys (a revocation).
  void Invalidate();

  // Entries held now, expired ones not yet dropped included. For tests and metrics.
  std::size_t size() const;

 private:
  struct Entry {
    std::string secret_hash;
    ApiKey key;
    Timestamp confirmed_at;
  };
  using Order = std::list<Entry>;

  // Whether an entry confirmed at confirmed_at may be used at now.
  bool Fresh(Timestamp confirmed_at, Timestamp now) const;
  // Removes the entry at it. REQUIRES: mu_ held.
  void Erase(Order::iterator it);

  const Timestamp ttl_millis_;
  const std::size_t max_entries_;
  mutable std::mutex mu_;
  std::uint64_t generation_ = 0;  // guarded by mu_
  // Oldest confirmation first (a Put appends); guarded by mu_.
  Order order_;
  // Keys view the hash stored in the list node, which never moves; guarded by mu_.
  std::unordered_map<std::string_view, Order::iterator> index_;
};

}  // namespace memd::engine
