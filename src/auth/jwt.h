// JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 (JWS "HS256", RFC 7515): memd's short-
// lived access tokens. A token is base64url(header) "." base64url(claims) "." base64url(MAC),
// where the MAC is HMAC-SHA256 over the first two parts with a secret from the configuration.
//
// Only this one profile is accepted: alg exactly "HS256" (never "none", never another
// algorithm, so a key cannot be confused with a public key), claims sub (the user), type
// "access", exp and iat. Times are JWT NumericDates: seconds since the Unix epoch.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd::auth {

// The claims memd reads from, and writes into, an access token.
struct JwtClaims {
  std::string sub;       // the user the token acts as; non-empty
  std::string type;      // "access" for access tokens (kAccessTokenType)
  std::int64_t iat = 0;  // issued at, seconds since the epoch
  std::int64_t exp = 0;  // expires at, seconds since the epoch
  friend bool operator==(const JwtClaims&, const JwtClaims&) = default;
};

inline constexpr std::string_view kAccessTokenType = "access";

// The shortest signing secret to configure: RFC 7518 section 3.2 requires an HS256 key of at
// least 256 bits. VerifyAccessToken does not enforce it (the configuration loader should).
inline constexpr std::size_t kMinSecretBytes = 32;

// Longer tokens are refused before any decoding (a real one is a few hundred bytes).
inline constexpr std::size_t kMaxTokenBytes = 8192;

// Checks an access token and returns its claims. Accepts it only if all of these hold:
// - at most kMaxTokenBytes, three non-empty base64url parts (unpadded, strict);
// - the header is a JSON object whose alg is exactly "HS256", whose typ, if present, is
//   "JWT" or "at+jwt" (any case), and which has no crit member;
// - the signature is the HMAC-SHA256 of the first two parts under secret (compared in
//   constant time with CRYPTO_memcmp);
// - the claims are a JSON object with sub a non-empty string, type == "access", exp and iat
//   numbers (fractions are rounded down); exp > now - leeway; iat <= now + leeway; and nbf,
//   if present, <= now + leeway. Other claims (iss, aud, jti, ...) are ignored.
// Errors: Unauthenticated for every failure, with a message saying which check failed and
// never containing the secret or the expected signature. An empty secret rejects every token.
// A negative leeway counts as 0.
Result<JwtClaims> VerifyAccessToken(std::string_view token, std::string_view secret, std::int64_t now_seconds,
                                    std::int64_t leeway_seconds = 30);

// Returns a signed token with header {"alg":"HS256","typ":"JWT"} and claims
// {"sub","type","iat","exp"} in that order, as written in claims (not validated here).
// REQUIRES: secret is non-empty (an empty one signs tokens that VerifyAccessToken refuses).
std::string SignAccessToken(const JwtClaims& claims, std::string_view secret);

}  // namespace memd::auth
