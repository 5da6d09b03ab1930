#include "auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "auth/base64url.h"
#include "util/json.h"

namespace memd::auth {
namespace {

namespace json = boost::json;

constexpr std::size_t kMacBytes = 32;
// Header and claims are flat objects; anything nested deeper is not a memd token.
constexpr std::size_t kMaxJsonDepth = 4;

std::string_view View(const json::string& s) { return std::string_view(s.data(), s.size()); }

Status Reject(std::string message) { return Status(StatusCode::kUnauthenticated, std::move(message)); }

// HMAC-SHA256 of data under key, or nullopt if OpenSSL fails (out of memory).
std::optional<std::string> HmacSha256(std::string_view key, std::string_view data) {
  static const unsigned char kEmpty = 0;  // HMAC() wants a non-null key pointer
  const auto* key_bytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int length = 0;
  if (key.size() > static_cast<std::size_t>(INT32_MAX) ||
      HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(mac.data()), &length) == nullptr ||
      length != kMacBytes) {
    return std::nullopt;
  }
  mac.resize(length);
  return mac;
}

// Decodes one base64url part and parses it as a JSON object.
Result<json::object> DecodeObject(std::string_view part, std::string_view what) {
  std::optional<std::string> bytes = Base64UrlDecode(part);
  if (!bytes.has_value()) return Reject("access token " + std::string(what) + " is not valid base64url");
  Result<json::value> value = ParseJson(*bytes, what, kMaxJsonDepth);
  if (!value.ok() || !value->is_object()) {
    return Reject("access token " + std::string(what) + " is not a JSON object");
  }
  return std::move(value->get_object());
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Status CheckHeader(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || View(alg->get_string()) != "HS256") {
    return Reject("access token algorithm must be HS256 (\"none\" and other algorithms are refused)");
  }
  if (const json::value* typ = header.if_contains("typ")) {
    if (!typ->is_string() || !(EqualsIgnoringCase(View(typ->get_string()), "JWT") ||
                               EqualsIgnoringCase(View(typ->get_string()), "at+jwt"))) {
      return Reject("access token header typ must be \"JWT\"");
    }
  }
  if (header.contains("crit"))
    return Reject("access token header has critical extensions (crit) memd does not know");
  return Status::OK();
}

// A NumericDate claim: a JSON number of seconds, rounded down; nullopt if absent.
Result<std::optional<std::int64_t>> ReadTime(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  // 2^63 as a double; larger values (and every uint64 above INT64_MAX) do not fit.
  constexpr double kLimit = 9223372036854775808.0;
  if (v->is_double() && std::isfinite(v->get_double()) && std::floor(v->get_double()) >= -kLimit &&
      std::floor(v->get_double()) < kLimit) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(v->get_double())));
  }
  return Reject("access token claim " + std::string(name) + " is not a time in seconds");
}

Result<JwtClaims> CheckClaims(const json::object& claims, std::int64_t now, std::int64_t leeway) {
  JwtClaims out;
  const json::value* sub = claims.if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) {
    return Reject("access token has no subject (claim sub must be a non-empty string)");
  }
  out.sub = std::string(View(sub->get_string()));
  const json::value* type = claims.if_contains("type");
  if (type == nullptr || !type->is_string() || View(type->get_string()) != kAccessTokenType) {
    return Reject("token is not an access token (claim type must be \"access\")");
  }
  out.type = std::string(kAccessTokenType);
  MEMD_ASSIGN_OR_RETURN(std::optional<std::int64_t> exp, ReadTime(claims, "exp"));
  MEMD_ASSIGN_OR_RETURN(std::optional<std::int64_t> iat, ReadTime(claims, "iat"));
  MEMD_ASSIGN_OR_RETURN(std::optional<std::int64_t> nbf, ReadTime(claims, "nbf"));
  if (!exp.has_value()) return Reject("access token has no expiry (claim exp is required)");
  if (!iat.has_value()) return Reject("access token has no issue time (claim iat is required)");
  // 128-bit arithmetic: no claim value can overflow the comparisons.
  const __int128 earliest = static_cast<__int128>(now) - leeway;
  const __int128 latest = static_cast<__int128>(now) + leeway;
  if (*exp <= earliest) return Reject("access token has expired; get a new one");
  if (*iat > latest)
    return Reject("access token was issued in the future; check the clocks of issuer and server");
  if (nbf.has_value() && *nbf > latest) return Reject("access token is not valid yet (nbf is in the future)");
  out.exp = *exp;
  out.iat = *iat;
  return out;
}

}  // namespace

Result<JwtClaims> VerifyAccessToken(std::string_view token, std::string_view secret, std::int64_t now_seconds,
                                    std::int64_t leeway_seconds) {
  if (secret.empty()) return Reject("access tokens are not accepted: no signing secret is configured");
  if (token.size() > kMaxTokenBytes) {
    return Reject("access token is longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos || dot1 == 0 ||
      dot2 == dot1 + 1 || dot2 + 1 == token.size()) {
    return Reject("access token is malformed: expected three non-empty parts separated by '.'");
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view claims_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);

  // The header decides how to check the signature, so it is checked first; the claims are
  // read only after the signature proved them authentic.
  MEMD_ASSIGN_OR_RETURN(json::object header, DecodeObject(header_part, "header"));
  MEMD_RETURN_IF_ERROR(CheckHeader(header));
  std::optional<std::string> signature = Base64UrlDecode(signature_part);
  if (!signature.has_value()) return Reject("access token signature is not valid base64url");
  std::optional<std::string> expected = HmacSha256(secret, token.substr(0, dot2));
  if (!expected.has_value()) return Status::Internal("HMAC-SHA256 failed in OpenSSL (out of memory?)");
  if (signature->size() != expected->size() ||
      CRYPTO_memcmp(signature->data(), expected->data(), expected->size()) != 0) {
    return Reject("access token signature does not match (wrong secret or altered token)");
  }
  MEMD_ASSIGN_OR_RETURN(json::object claims, DecodeObject(claims_part, "claims"));
  return CheckClaims(claims, now_seconds, leeway_seconds < 0 ? 0 : leeway_seconds);
}

std::string SignAccessToken(const JwtClaims& claims, std::string_view secret) {
  const json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  json::object body;
  body["sub"] = claims.sub;
  body["type"] = claims.type;
  body["iat"] = claims.iat;
  body["exp"] = claims.exp;
  std::string signing_input =
      Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(body));
  std::optional<std::string> mac = HmacSha256(secret, signing_input);
  if (!mac.has_value()) {
    // Only an allocation failure inside OpenSSL gets here; no input can cause it.
    std::fputs("memd: OpenSSL HMAC(SHA256) failed\n", stderr);
    std::abort();
  }
  return signing_input + "." + Base64UrlEncode(*mac);
}

}  // namespace memd::auth
