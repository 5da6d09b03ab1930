#include "auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "auth/base64url.h"

namespace memd::auth {
namespace {

constexpr std::string_view kSecret = "memd-test-secret-0123456789abcdef";
constexpr std::int64_t kIat = 1700000000;
constexpr std::int64_t kExp = 1700003600;
constexpr std::int64_t kNow = 1700000100;

// Known-answer fixtures, made outside memd with Python's standard library:
//   python3 -c 'import hmac,hashlib,base64
//   b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
//   key = b"memd-test-secret-0123456789abcdef"
//   si = b64(HEADER) + "." + b64(CLAIMS)
//   print(si + "." + b64(hmac.new(key, si.encode(), hashlib.sha256).digest()))'
// kVector:      HEADER = b'{"alg":"HS256","typ":"JWT"}'
//               CLAIMS = b'{"sub":"alice","type":"access","iat":1700000000,"exp":1700003600}'
// kForeignForm: HEADER = b'{"typ":"JWT", "alg":"HS256"}'
//               CLAIMS = b'{ "iss": "elsewhere", "exp": 1700003600, "iat": 1700000000,
//                           "type": "access", "sub": "bob@example.com" }'   (one line)
constexpr std::string_view kVector =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJhbGljZSIsInR5cGUiOiJhY2Nlc3MiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0."
    "j3Xc0KHISLuma8HL-kMwwOUYmVbgdQr0_tnogndKzGk";
constexpr std::string_view kForeignForm =
    "eyJ0eXAiOiJKV1QiLCAiYWxnIjoiSFMyNTYifQ."
    "eyAiaXNzIjogImVsc2V3aGVyZSIsICJleHAiOiAxNzAwMDAzNjAwLCAiaWF0IjogMTcwMDAwMDAwMCwg"
    "InR5cGUiOiAiYWNjZXNzIiwgInN1YiI6ICJib2JAZXhhbXBsZS5jb20iIH0."
    "aq6WBNMXR3VmCF2MV5IV_rEYl3hy1GinGpaEtyG1anM";

// A token with arbitrary header and claims text, correctly signed with HS256 under secret.
std::string MakeToken(std::string_view header, std::string_view claims, std::string_view secret = kSecret) {
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." + Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

JwtClaims Claims() { return JwtClaims{"alice", "access", kIat, kExp}; }

// Expects Unauthenticated with a message containing `fragment` and not the secret.
void ExpectRejected(const Result<JwtClaims>& result, std::string_view fragment) {
  ASSERT_FALSE(result.ok()) << "accepted a bad token; expected: " << fragment;
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated) << result.status().ToString();
  EXPECT_NE(result.status().message().find(fragment), std::string::npos) << result.status().ToString();
  EXPECT_EQ(result.status().message().find(kSecret), std::string::npos);
}

TEST(JwtTest, SignedTokenVerifiesToTheSameClaims) {
  std::string token = SignAccessToken(Claims(), kSecret);
  auto claims = VerifyAccessToken(token, kSecret, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(*claims, Claims());
}

TEST(JwtTest, SigningMatchesAnIndependentImplementationByteForByte) {
  EXPECT_EQ(SignAccessToken(Claims(), kSecret), kVector);
  auto claims = VerifyAccessToken(kVector, kSecret, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(*claims, Claims());
}

TEST(JwtTest, VerifiesTheSignedBytesNotARewrittenForm) {
  // Other member order, whitespace and an unknown claim: accepted because the MAC covers
  // the token's own bytes.
  auto claims = VerifyAccessToken(kForeignForm, kSecret, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->sub, "bob@example.com");
  EXPECT_EQ(claims->exp, kExp);
}

TEST(JwtTest, ExpiredTokenIsRejectedAfterTheLeeway) {
  std::string token = SignAccessToken(Claims(), kSecret);
  EXPECT_TRUE(VerifyAccessToken(token, kSecret, kExp + 29).ok());  // within the default 30 s
  ExpectRejected(VerifyAccessToken(token, kSecret, kExp + 30), "expired");
  ExpectRejected(VerifyAccessToken(token, kSecret, kExp, /*leeway_seconds=*/0), "expired");
  ExpectRejected(VerifyAccessToken(token, kSecret, kExp, /*leeway_seconds=*/-100), "expired");
}

TEST(JwtTest, TokenIssuedInTheFutureIsRejectedBeyondTheLeeway) {
  std::string token = SignAccessToken(Claims(), kSecret);
  EXPECT_TRUE(VerifyAccessToken(token, kSecret, kIat - 30).ok());
  ExpectRejected(VerifyAccessToken(token, kSecret, kIat - 31), "issued in the future");
}

TEST(JwtTest, NotBeforeInTheFutureIsRejected) {
  std::string token = MakeToken(kHeader, R"({"sub":"a","type":"access","iat":1700000000,"exp":1700003600,)"
                                         R"("nbf":1700002000})");
  ExpectRejected(VerifyAccessToken(token, kSecret, kNow), "not valid yet");
  EXPECT_TRUE(VerifyAccessToken(token, kSecret, 1700002000).ok());
}

TEST(JwtTest, RefreshTokenIsNotAnAccessToken) {
  JwtClaims refresh = Claims();
  refresh.type = "refresh";
  ExpectRejected(VerifyAccessToken(SignAccessToken(refresh, kSecret), kSecret, kNow), "not an access token");
  ExpectRejected(VerifyAccessToken(MakeToken(kHeader, R"({"sub":"a","iat":1700000000,"exp":1700003600})"),
                                   kSecret, kNow),
                 "not an access token");
}

TEST(JwtTest, AlgNoneIsRefusedEvenWithoutASignature) {
  std::string claims =
      Base64UrlEncode(R"({"sub":"alice","type":"access","iat":1700000000,"exp":1700003600})");
  std::string none = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + claims;
  ExpectRejected(VerifyAccessToken(none + ".", kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken(none + ".c2ln", kSecret, kNow), "algorithm must be HS256");
  // Correctly MACed but labelled none, or with alg in another case: still refused.
  ExpectRejected(
      VerifyAccessToken(MakeToken(R"({"alg":"none"})", R"({"sub":"a","type":"access","iat":1,"exp":2})"),
                        kSecret, 1),
      "algorithm must be HS256");
  ExpectRejected(
      VerifyAccessToken(MakeToken(R"({"alg":"hs256"})", R"({"sub":"a","type":"access","iat":1,"exp":2})"),
                        kSecret, 1),
      "algorithm must be HS256");
}

TEST(JwtTest, OtherAlgorithmsAreRefused) {
  const std::string claims = R"({"sub":"alice","type":"access","iat":1700000000,"exp":1700003600})";
  for (const char* header : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
                             R"({"alg":"ES256"})", R"({"typ":"JWT"})", R"({"alg":["HS256"]})"}) {
    ExpectRejected(VerifyAccessToken(MakeToken(header, claims), kSecret, kNow), "algorithm must be HS256");
  }
}

TEST(JwtTest, HeaderTypeAndCriticalExtensionsAreChecked) {
  const std::string claims = R"({"sub":"alice","type":"access","iat":1700000000,"exp":1700003600})";
  EXPECT_TRUE(VerifyAccessToken(MakeToken(R"({"alg":"HS256"})", claims), kSecret, kNow).ok());
  EXPECT_TRUE(VerifyAccessToken(MakeToken(R"({"alg":"HS256","typ":"at+jwt"})", claims), kSecret, kNow).ok());
  ExpectRejected(VerifyAccessToken(MakeToken(R"({"alg":"HS256","typ":"JOSE+JSON"})", claims), kSecret, kNow),
                 "typ");
  ExpectRejected(VerifyAccessToken(MakeToken(R"({"alg":"HS256","crit":["exp"]})", claims), kSecret, kNow),
                 "crit");
}

TEST(JwtTest, TamperedClaimsFailTheSignatureCheck) {
  std::string token = SignAccessToken(Claims(), kSecret);
  std::size_t dot1 = token.find('.');
  std::size_t dot2 = token.find('.', dot1 + 1);
  std::string forged_claims =
      Base64UrlEncode(R"({"sub":"admin","type":"access","iat":1700000000,"exp":1700003600})");
  std::string forged = token.substr(0, dot1 + 1) + forged_claims + token.substr(dot2);
  ExpectRejected(VerifyAccessToken(forged, kSecret, kNow), "signature does not match");
  // One changed character of the signature.
  std::string flipped = token;
  flipped[dot2 + 1] = flipped[dot2 + 1] == 'A' ? 'B' : 'A';
  ExpectRejected(VerifyAccessToken(flipped, kSecret, kNow), "signature does not match");
  // A truncated signature (30 of its 32 bytes).
  ExpectRejected(VerifyAccessToken(token.substr(0, token.size() - 3), kSecret, kNow),
                 "signature does not match");
}

TEST(JwtTest, WrongSecretFailsTheSignatureCheck) {
  std::string token = SignAccessToken(Claims(), kSecret);
  ExpectRejected(VerifyAccessToken(token, "another-secret-of-the-same-kind!!", kNow),
                 "signature does not match");
  ExpectRejected(VerifyAccessToken(token, "", kNow), "no signing secret");
}

TEST(JwtTest, MalformedTokensAreRejected) {
  std::string token = SignAccessToken(Claims(), kSecret);
  ExpectRejected(VerifyAccessToken("", kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken("abc", kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken("a.b", kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken(token + ".x", kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken(".." + token, kSecret, kNow), "malformed");
  ExpectRejected(VerifyAccessToken("e30=" + token.substr(token.find('.')), kSecret, kNow),
                 "header is not valid base64url");
  ExpectRejected(VerifyAccessToken("!!!!" + token.substr(token.find('.')), kSecret, kNow),
                 "header is not valid base64url");
  ExpectRejected(
      VerifyAccessToken(Base64UrlEncode("not json") + token.substr(token.find('.')), kSecret, kNow),
      "header is not a JSON object");
  ExpectRejected(VerifyAccessToken(token.substr(0, token.rfind('.')) + ".s!g", kSecret, kNow),
                 "signature is not valid base64url");
  ExpectRejected(VerifyAccessToken(MakeToken(kHeader, "[1,2]"), kSecret, kNow),
                 "claims is not a JSON object");
  ExpectRejected(VerifyAccessToken(std::string(kMaxTokenBytes + 1, 'a'), kSecret, kNow), "longer than");
}

TEST(JwtTest, MissingOrMistypedClaimsAreRejected) {
  struct Case {
    const char* claims;
    const char* fragment;
  };
  for (const Case& c : {
           Case{R"({"type":"access","iat":1700000000,"exp":1700003600})", "no subject"},
           Case{R"({"sub":"","type":"access","iat":1700000000,"exp":1700003600})", "no subject"},
           Case{R"({"sub":7,"type":"access","iat":1700000000,"exp":1700003600})", "no subject"},
           Case{R"({"sub":"a","type":"access","iat":1700000000})", "no expiry"},
           Case{R"({"sub":"a","type":"access","exp":1700003600})", "no issue time"},
           Case{R"({"sub":"a","type":"access","iat":1700000000,"exp":"tomorrow"})", "exp is not a time"},
           Case{R"({"sub":"a","type":"access","iat":1700000000,"exp":18446744073709551615})",
                "exp is not a time"},
           Case{R"({"sub":"a","type":"access","iat":1e300,"exp":1700003600})", "iat is not a time"},
       }) {
    SCOPED_TRACE(c.claims);
    ExpectRejected(VerifyAccessToken(MakeToken(kHeader, c.claims), kSecret, kNow), c.fragment);
  }
}

TEST(JwtTest, FractionalTimesAreRoundedDown) {
  auto claims = VerifyAccessToken(
      MakeToken(kHeader, R"({"sub":"a","type":"access","iat":1700000000.9,"exp":1700003600.5})"), kSecret,
      kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->iat, kIat);
  EXPECT_EQ(claims->exp, kExp);
}

}  // namespace
}  // namespace memd::auth
