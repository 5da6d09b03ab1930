// Credentials: creating, listing, revoking and authenticating API keys (the "credentials"
// section of engine.h). Keys live in the store's api_keys table, outside every cube.
//
// A generated secret is "memd_" + id + "_" + 52 base32 characters carrying 256 bits from
// RAND_bytes, e.g. memd_k_3xq7mfa2bc9d_...; a registered one (MEMD_ADMIN_KEY) is "memd_" and
// 32+ characters the operator chose. Only the SHA-256 of a secret is stored. Because secrets
// are random and long, the fast hash cannot be inverted, and lookup by hash needs no salt.
// Successful authentications are remembered for a second (CredentialsCache), so a busy
// server reads the store for a key about once a second, not on every request.
#include <openssl/rand.h>

#include <algorithm>
#include <string>
#include <utility>

#include "engine/credentials_cache.h"
#include "engine/engine_impl.h"
#include "engine/validation.h"
#include "memd/engine.h"
#include "text/text.h"
#include "util/hash.h"

namespace memd {
namespace {

constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";  // RFC 4648, lower case
constexpr std::string_view kIdPrefix = "k_";
constexpr std::size_t kIdRandomChars = 12;                                                      // 60 bits
constexpr std::size_t kIdChars = kIdPrefix.size() + kIdRandomChars;                             // 14
constexpr std::size_t kSecretRandomBytes = 32;                                                  // 256 bits
constexpr std::size_t kSecretRandomChars = (kSecretRandomBytes * 8 + 4) / 5;                    // 52
constexpr std::size_t kSecretChars = kApiKeyPrefix.size() + kIdChars + 1 + kSecretRandomChars;  // 72
// A registered (operator-chosen) secret: the prefix, then this many characters of
// [A-Za-z0-9_-]. 32 hex digits are 128 bits; 251 keeps the whole secret within 256 bytes.
constexpr std::size_t kMinRegisteredChars = 32;
constexpr std::size_t kMaxRegisteredChars = 251;
constexpr std::size_t kMaxKeyNameBytes = 200;
constexpr std::size_t kMaxTierBytes = 64;
constexpr std::size_t kMaxKeyProjects = 256;
// A fresh id or secret colliding with a stored one is astronomically unlikely (60 and 256
// random bits); retrying covers it anyway.
constexpr int kCreateAttempts = 3;

// The one message for every rejected secret, so callers cannot tell unknown from revoked
// from malformed.
constexpr const char* kBadKeyMessage =
    "invalid API key: it is unknown, revoked or malformed; create a key with 'memd key create'";

Status RandomBytes(std::size_t n, std::string* out) {
  out->assign(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out->data()), static_cast<int>(n)) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: the system random source is unavailable");
  }
  return Status::OK();
}

// The first `chars` base32 characters of bytes (which must hold at least 5 * chars bits).
std::string Base32(std::string_view bytes, std::size_t chars) {
  std::string out;
  out.reserve(chars);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5 && out.size() < chars) {
      bits -= 5;
      out.push_back(kBase32[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0 && out.size() < chars) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

bool IsBase32(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); });
}

bool IsKeyId(std::string_view id) {
  return id.size() == kIdChars && id.substr(0, kIdPrefix.size()) == kIdPrefix &&
         IsBase32(id.substr(kIdPrefix.size()));
}

// The key id inside a well-formed secret; empty if the secret is not well-formed.
std::string_view IdOfSecret(std::string_view secret) {
  if (secret.size() != kSecretChars || secret.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return {};
  const std::string_view id = secret.substr(kApiKeyPrefix.size(), kIdChars);
  const std::size_t separator = kApiKeyPrefix.size() + kIdChars;
  if (!IsKeyId(id) || secret[separator] != '_' || !IsBase32(secret.substr(separator + 1))) return {};
  return id;
}

bool IsRegisteredSecret(std::string_view secret) {
  if (secret.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  const std::string_view rest = secret.substr(kApiKeyPrefix.size());
  return rest.size() >= kMinRegisteredChars && rest.size() <= kMaxRegisteredChars &&
         std::all_of(rest.begin(), rest.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-';
         });
}

bool IsTierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// Validates the request and returns the key to store (normalised, without id and times).
Result<ApiKey> NormalizeNewKey(const NewApiKey& request) {
  ApiKey key;
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{request.user, "default"}).WithField("user"));
  key.user = request.user;

  if (request.name.size() > kMaxKeyNameBytes) {
    return Status::InvalidArgument("key name is " + std::to_string(request.name.size()) + " bytes; at most " +
                                       std::to_string(kMaxKeyNameBytes) + " are allowed",
                                   "name");
  }
  if (!text::IsValidUtf8(request.name) || std::any_of(request.name.begin(), request.name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return Status::InvalidArgument("key name must be UTF-8 text without control characters", "name");
  }
  key.name = request.name;

  if (request.scopes.empty()) {
    return Status::InvalidArgument("a key needs at least one scope: read, write or admin", "scopes");
  }
  key.scopes = request.scopes;
  std::sort(key.scopes.begin(), key.scopes.end());
  key.scopes.erase(std::unique(key.scopes.begin(), key.scopes.end()), key.scopes.end());

  if (request.projects.size() > kMaxKeyProjects) {
    return Status::InvalidArgument("a key may name at most " + std::to_string(kMaxKeyProjects) +
                                       " projects; leave the list empty to allow all of them",
                                   "projects");
  }
  for (std::size_t i = 0; i < request.projects.size(); ++i) {
    MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{request.user, request.projects[i]})
                             .WithField("projects[" + std::to_string(i) + "]"));
  }
  key.projects = request.projects;
  std::sort(key.projects.begin(), key.projects.end());
  key.projects.erase(std::unique(key.projects.begin(), key.projects.end()), key.projects.end());

  if (request.tier.empty() || request.tier.size() > kMaxTierBytes ||
      !std::all_of(request.tier.begin(), request.tier.end(), IsTierChar)) {
    return Status::InvalidArgument(
        "tier must be 1-" + std::to_string(kMaxTierBytes) + " characters of A-Z a-z 0-9 . _ -", "tier");
  }
  key.tier = request.tier;

  if (!request.secret.empty() && !IsRegisteredSecret(request.secret)) {
    return Status::InvalidArgument("a chosen API key secret must be 'memd_' followed by " +
                                       std::to_string(kMinRegisteredChars) + "-" +
                                       std::to_string(kMaxRegisteredChars) +
                                       " characters of A-Z a-z 0-9 _ -, e.g. memd_$(openssl rand -hex 32)",
                                   "secret");
  }
  return key;
}

}  // namespace

Result<CreatedApiKey> Engine::CreateApiKey(const NewApiKey& request) {
  MEMD_ASSIGN_OR_RETURN(ApiKey key, NormalizeNewKey(request));
  key.created_at = impl_->Now();
  Status status;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::string id_bytes;
    std::string secret_bytes;
    MEMD_RETURN_IF_ERROR(RandomBytes((kIdRandomChars * 5 + 7) / 8, &id_bytes));
    MEMD_RETURN_IF_ERROR(RandomBytes(kSecretRandomBytes, &secret_bytes));
    // A chosen secret of the generated form names its id (as when a key moves between data
    // directories); AuthenticateApiKey checks that id.
    const std::string_view named_id = IdOfSecret(request.secret);
    key.id =
        !named_id.empty() ? std::string(named_id) : std::string(kIdPrefix) + Base32(id_bytes, kIdRandomChars);
    CreatedApiKey created;
    created.secret = !request.secret.empty() ? request.secret
                                             : std::string(kApiKeyPrefix) + key.id + "_" +
                                                   Base32(secret_bytes, kSecretRandomChars);
    store::ApiKeyRow row{key, Sha256(created.secret)};
    status = impl_->store().PutApiKey(row);
    if (status.ok()) {
      created.key = std::move(key);
      return created;
    }
    if (status.code() != StatusCode::kAlreadyExists) return status;
    if (!named_id.empty()) return Status::AlreadyExists("an API key with id " + key.id + " exists already");
    if (!request.secret.empty()) {
      // A chosen secret may clash for good; only a clash of the random id is worth a retry.
      MEMD_ASSIGN_OR_RETURN(std::optional<store::ApiKeyRow> existing,
                            impl_->store().FindApiKeyBySecretHash(row.secret_hash));
      if (existing.has_value()) {
        return Status::AlreadyExists("an API key with this secret exists already (" + existing->key.id + ")");
      }
    }
  }
  return Status::Internal("could not create a unique API key id after " + std::to_string(kCreateAttempts) +
                          " attempts: " + status.message());
}

Result<std::vector<ApiKey>> Engine::ListApiKeys(std::string_view user) {
  if (!user.empty()) {
    MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{std::string(user), "default"}).WithField("user"));
  }
  MEMD_ASSIGN_OR_RETURN(std::vector<store::ApiKeyRow> rows, impl_->store().ListApiKeys(user));
  std::vector<ApiKey> keys;
  keys.reserve(rows.size());
  for (store::ApiKeyRow& row : rows) keys.push_back(std::move(row.key));
  return keys;
}

Status Engine::RevokeApiKey(std::string_view key_id) {
  if (!IsKeyId(key_id)) {
    return Status::InvalidArgument(
        "'" + std::string(text::TruncateUtf8(key_id, 64)) +
            "' is not an API key id; ids are 'k_' and 12 characters, as 'memd key list' "
            "shows them",
        "key_id");
  }
  Status status = impl_->store().RevokeApiKey(key_id, impl_->Now());
  // Also on failure: the store may have committed before reporting an error.
  impl_->credentials_cache().Invalidate();
  return status;
}

Result<ApiKey> Engine::AuthenticateApiKey(std::string_view secret) {
  const Status rejected(StatusCode::kUnauthenticated, kBadKeyMessage);
  // A generated secret names its key id; a registered one (NewApiKey::secret) does not.
  const std::string_view id = IdOfSecret(secret);
  if (id.empty() && !IsRegisteredSecret(secret)) return rejected;
  // Lookup is by SHA-256 of the secret, so no comparison ever runs on the secret itself:
  // the index search compares digests, and learning how many leading bytes of a digest
  // matched (by timing) tells an attacker nothing about any secret's bytes without a
  // SHA-256 preimage. A constant-time compare would add nothing here.
  const std::string secret_hash = Sha256(secret);
  // A recent confirmation stands for up to CredentialsCache::kDefaultTtlMillis, which bounds
  // how long a revocation by another process goes unnoticed; only successes are cached.
  engine::CredentialsCache& cache = impl_->credentials_cache();
  const Timestamp now = impl_->Now();
  if (std::optional<ApiKey> cached = cache.Get(secret_hash, now)) return std::move(*cached);
  const std::uint64_t generation = cache.generation();  // before the read, see Put
  MEMD_ASSIGN_OR_RETURN(std::optional<store::ApiKeyRow> row, impl_->store().FindApiKeyBySecretHash(secret_hash));
  if (!row.has_value() || (!id.empty() && row->key.id != id) || row->key.revoked_at.has_value())
    return rejected;
  cache.Put(secret_hash, row->key, now, generation);
  return std::move(row->key);
}

Result<std::int64_t> Engine::CountApiKeys() { return impl_->store().CountApiKeys(); }

}  // namespace memd
