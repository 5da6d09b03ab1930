// Credentials: API keys, the long-lived secrets that clients of memd's server present.
//
// A key is bound to one user, carries scopes and an optional list of projects, and can be
// revoked. Its secret is shown exactly once, when it is created; memd stores only the
// SHA-256 of it. The engine creates, lists, revokes and authenticates keys (see the
// "credentials" section of engine.h); the server decides what each scope allows.
// Plain value types; thread-compatible. No third-party types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/memory.h"

namespace memd {

// What a key may do. Scopes are independent flags: holding kAdmin does not by itself imply
// kRead or kWrite (the server applies any such policy).
enum class Scope {
  kRead,   // read memories, search, context, preferences of the allowed projects
  kWrite,  // add, update, delete memories and preferences of the allowed projects
  kAdmin,  // manage credentials and other users' data
};

// The stable lower-case name of a scope: "read", "write" or "admin".
constexpr std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kRead:
      return "read";
    case Scope::kWrite:
      return "write";
    case Scope::kAdmin:
      return "admin";
  }
  return "unknown";  // unreachable for valid enumerators
}

// The scope named exactly (case-sensitive) "read", "write" or "admin"; nullopt otherwise.
constexpr std::optional<Scope> ParseScope(std::string_view name) {
  for (Scope scope : {Scope::kRead, Scope::kWrite, Scope::kAdmin}) {
    if (ScopeName(scope) == name) return scope;
  }
  return std::nullopt;
}

// Every API key secret starts with this prefix; access tokens (JWTs) never do, so a front
// end can tell the two kinds of bearer credential apart without parsing either.
inline constexpr std::string_view kApiKeyPrefix = "memd_";

// An API key as stored and listed. Never holds the secret or its hash.
struct ApiKey {
  // Public key id: "k_" + 12 lower-case base32 characters (a-z, 2-7). Safe to show and log;
  // it names the key in lists and in `memd key revoke`.
  std::string id;
  // The user the key acts as; valid like CubeRef::user.
  std::string user;
  // Free text for people (e.g. "laptop agent"); may be empty; at most 200 bytes.
  std::string name;
  // At least one scope; sorted (read, write, admin) and without duplicates.
  std::vector<Scope> scopes;
  // Projects of `user` the key may use, sorted and unique; empty means all of them.
  std::vector<std::string> projects;
  // Rate-limit tier name, interpreted by the server; "default" unless set at creation.
  std::string tier = "default";
  Timestamp created_at = 0;
  // Set once the key is revoked; a revoked key never authenticates again.
  std::optional<Timestamp> revoked_at;
  friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

// Input to Engine::CreateApiKey. user and at least one scope are required.
struct NewApiKey {
  std::string user;                   // 1..128 bytes of [A-Za-z0-9._@-], not starting with '.'
  std::string name;                   // optional label, at most 200 bytes of UTF-8 text
  std::vector<Scope> scopes;          // at least one; duplicates are removed
  std::vector<std::string> projects;  // valid project names; empty: all of the user's projects
  std::string tier = "default";       // 1..64 bytes of [A-Za-z0-9._-]
  // Empty (the normal case): memd generates the secret. Otherwise the secret to register,
  // e.g. an operator-chosen MEMD_ADMIN_KEY: "memd_" followed by 32..251 characters of
  // A-Z a-z 0-9 _ -, which should be random (e.g. "memd_$(openssl rand -hex 32)").
  std::string secret;
};

// The result of creating a key: the stored key and its secret.
struct CreatedApiKey {
  ApiKey key;
  // A generated secret is "memd_" + key.id + "_" + 52 lower-case base32 characters (256
  // random bits from OpenSSL's RAND_bytes), 72 characters in all; a registered one is
  // NewApiKey::secret. Shown once: memd keeps only its SHA-256, so a lost secret cannot be
  // recovered (revoke the key and create another).
  std::string secret;
};

}  // namespace memd
