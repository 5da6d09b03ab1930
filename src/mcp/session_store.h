// SessionStore: the sessions of the Streamable HTTP transport, by Mcp-Session-Id.
//
// A session id is 32 hex characters from OpenSSL's RAND_bytes (128 bits): unguessable, and
// visible ASCII as the transport requires. Each session belongs to the credential that
// created it (its owner string); another credential presenting the id gets NotFound, exactly
// as for an unknown id. Sessions idle longer than the timeout expire; when the store is
// full, the least recently used session is dropped (its client gets 404 and initializes
// again, as the transport prescribes).
//
// Requests of one session may run concurrently: Get hands out a copy of the session's state
// and Put stores a changed copy back (the state is a few flags; the last write wins).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "memd/status.h"
#include "mcp/session.h"

namespace memd::mcp {

class SessionStore {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::size_t max_sessions = 10000;
    std::chrono::seconds idle_timeout{24 * 3600};
    Clock clock;  // steady_clock::now when empty; tests inject one
  };

  SessionStore() : SessionStore(Options{}) {}
  explicit SessionStore(Options options);
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Stores session for owner; returns its new id. Internal if the random source fails.
  Result<std::string> Create(std::string owner, const Session& session);
  // A copy of the session id names, if it exists, has not expired and belongs to owner.
  // Counts as use (postpones expiry).
  std::optional<Session> Get(std::string_view id, std::string_view owner);
  // Replaces the state of a session of owner; a no-op if it is gone meanwhile.
  void Put(std::string_view id, std::string_view owner, const Session& session);
  // Ends a session. False if there was no such session of owner.
  bool Remove(std::string_view id, std::string_view owner);
  std::size_t size() const;

 private:
  struct Entry {
    std::string owner;
    Session session;
    std::chrono::steady_clock::time_point last_used;
  };
  std::chrono::steady_clock::time_point Now() const;
  void EvictLocked(std::chrono::steady_clock::time_point now);  // REQUIRES: mu_ held

  Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;  // GUARDED_BY(mu_)
};

}  // namespace memd::mcp
