#include "util/ulid.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

namespace memd {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Maps a character to its 5-bit value, or -1 for anything outside the upper-case alphabet.
constexpr std::array<std::int8_t, 256> MakeDecodeTable() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 32; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr std::array<std::int8_t, 256> kDecode = MakeDecodeTable();

constexpr std::uint16_t kRandomHiMax = 0xFFFF;

Timestamp ClampTimestamp(Timestamp ms) { return std::clamp<Timestamp>(ms, 0, kMaxUlidTimestamp); }

// Writes the 130-bit big-endian base32 form of (ms << 80 | hi << 64 | lo).
std::string Encode(Timestamp ms, std::uint16_t hi, std::uint64_t lo) {
  unsigned __int128 value = (static_cast<unsigned __int128>(static_cast<std::uint64_t>(ms)) << 80) |
                            (static_cast<unsigned __int128>(hi) << 64) | lo;
  std::string out(kUlidLength, '0');
  for (std::size_t i = kUlidLength; i-- > 0;) {
    out[i] = kAlphabet[static_cast<unsigned>(value & 31)];
    value >>= 5;
  }
  return out;
}

std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

UlidGenerator::UlidGenerator() {
  std::random_device rd;
  fallback_state_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

void UlidGenerator::FreshRandom() {
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    const std::uint64_t a = SplitMix64(&fallback_state_);
    const std::uint64_t b = SplitMix64(&fallback_state_);
    std::memcpy(bytes, &a, 8);
    std::memcpy(bytes + 8, &b, 2);
  }
  random_hi_ = static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
  random_lo_ = 0;
  for (int i = 2; i < 10; ++i) random_lo_ = (random_lo_ << 8) | bytes[i];
}

std::string UlidGenerator::Next(Timestamp now_ms) {
  const Timestamp now = ClampTimestamp(now_ms);
  std::lock_guard<std::mutex> lock(mu_);
  if (now > last_ms_) {
    last_ms_ = now;
    FreshRandom();
  } else if (++random_lo_ == 0 && random_hi_++ == kRandomHiMax) {
    // The 80-bit random part wrapped: move to the next millisecond. At kMaxUlidTimestamp
    // (year 10889) there is no next millisecond; keep the wrapped value rather than abort.
    if (last_ms_ < kMaxUlidTimestamp) ++last_ms_;
    FreshRandom();
  }
  return Encode(last_ms_, random_hi_, random_lo_);
}

void UlidGenerator::SetLastForTest(Timestamp last_ms, std::uint16_t random_hi, std::uint64_t random_lo) {
  std::lock_guard<std::mutex> lock(mu_);
  last_ms_ = ClampTimestamp(last_ms);
  random_hi_ = random_hi;
  random_lo_ = random_lo;
}

bool IsValidUlid(std::string_view id) {
  if (id.size() != kUlidLength || id[0] > '7') return false;
  for (char c : id) {
    if (kDecode[static_cast<unsigned char>(c)] < 0) return false;
  }
  return true;
}

Timestamp UlidTimestamp(std::string_view id) {
  if (!IsValidUlid(id)) return -1;
  // 26 characters carry 130 bits of which the top 2 are zero (first character <= '7'), so the
  // first 10 characters are exactly the 48-bit timestamp.
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 10; ++i)
    value = (value << 5) | static_cast<std::uint64_t>(kDecode[static_cast<unsigned char>(id[i])]);
  return static_cast<Timestamp>(value);
}

std::string UlidLowerBound(Timestamp ms) { return Encode(ClampTimestamp(ms), 0, 0); }

}  // namespace memd
