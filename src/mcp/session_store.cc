#include "mcp/session_store.h"

#include <openssl/rand.h>

#include "util/hash.h"

namespace memd::mcp {

SessionStore::SessionStore(Options options) : options_(std::move(options)) {
  if (options_.max_sessions == 0) options_.max_sessions = 1;
}

std::chrono::steady_clock::time_point SessionStore::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

Result<std::string> SessionStore::Create(std::string owner, const Session& session) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: the system random source is unavailable");
  }
  std::string id = HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  const auto now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  EvictLocked(now);
  sessions_[id] = Entry{std::move(owner), session, now};
  return id;
}

std::optional<Session> SessionStore::Get(std::string_view id, std::string_view owner) {
  const auto now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || it->second.owner != owner) return std::nullopt;
  if (now - it->second.last_used > options_.idle_timeout) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.session;
}

void SessionStore::Put(std::string_view id, std::string_view owner, const Session& session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it != sessions_.end() && it->second.owner == owner) it->second.session = session;
}

bool SessionStore::Remove(std::string_view id, std::string_view owner) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || it->second.owner != owner) return false;
  sessions_.erase(it);
  return true;
}

std::size_t SessionStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void SessionStore::EvictLocked(std::chrono::steady_clock::time_point now) {
  if (sessions_.size() < options_.max_sessions) return;
  // Full: drop every expired session, and if none was, the least recently used one. O(n),
  // but only when the store is full.
  auto oldest = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_used > options_.idle_timeout) {
      it = sessions_.erase(it);
      continue;
    }
    if (oldest == sessions_.end() || it->second.last_used < oldest->second.last_used) oldest = it;
    ++it;
  }
  if (sessions_.size() >= options_.max_sessions && oldest != sessions_.end()) sessions_.erase(oldest);
}

}  // namespace memd::mcp
