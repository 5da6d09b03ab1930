// ULIDs: 128-bit, time-ordered identifiers written as 26 Crockford base32 characters
// (https://github.com/ulid/spec). The first 10 characters encode a 48-bit millisecond Unix
// timestamp and the last 16 an 80-bit random part, so byte order equals creation order.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "memd/memory.h"

namespace memd {

// Number of characters of a ULID.
inline constexpr std::size_t kUlidLength = 26;
// Largest timestamp a ULID can encode (2^48 - 1 ms, in the year 10889).
inline constexpr Timestamp kMaxUlidTimestamp = (Timestamp{1} << 48) - 1;

// Generates strictly increasing ULIDs. Within one millisecond, and while the clock stands
// still or goes backwards, each id keeps the last timestamp and adds 1 to the previous random
// part; so every id is greater than the one before it, whatever the clock does. If the random
// part would overflow (after ~2^79 ids in a millisecond on average) the timestamp advances by
// one millisecond. A new millisecond draws a fresh random part from OpenSSL RAND_bytes
// (falling back to a std::random_device-seeded generator if RAND_bytes fails).
// Thread-safe: one mutex guards the state; Next costs about a microsecond.
class UlidGenerator {
 public:
  UlidGenerator();
  UlidGenerator(const UlidGenerator&) = delete;
  UlidGenerator& operator=(const UlidGenerator&) = delete;

  // Returns a new ULID for the clock reading now_ms, greater than every id this generator
  // returned before. now_ms is clamped to [0, kMaxUlidTimestamp].
  std::string Next(Timestamp now_ms);

  // Sets the state as if the last id had timestamp last_ms and random part
  // (random_hi << 64 | random_lo). For tests of the overflow and clock-skew paths.
  void SetLastForTest(Timestamp last_ms, std::uint16_t random_hi, std::uint64_t random_lo);

 private:
  void FreshRandom();  // REQUIRES: mu_ held

  std::mutex mu_;
  Timestamp last_ms_ = -1;        // GUARDED_BY(mu_); -1 before the first id
  std::uint16_t random_hi_ = 0;   // GUARDED_BY(mu_); top 16 of the 80 random bits
  std::uint64_t random_lo_ = 0;   // GUARDED_BY(mu_); low 64 of the 80 random bits
  std::uint64_t fallback_state_;  // GUARDED_BY(mu_); splitmix64 state if RAND_bytes fails
};

// True if id is a canonical ULID: exactly 26 characters of the upper-case Crockford alphabet
// 0-9 A-Z without I, L, O, U, and a first character of at most '7' (so it fits 128 bits).
bool IsValidUlid(std::string_view id);

// The millisecond timestamp encoded in id, or -1 if !IsValidUlid(id).
Timestamp UlidTimestamp(std::string_view id);

// The smallest ULID whose timestamp is ms (random part all zeros): every id created at or
// after ms compares >= it. ms is clamped to [0, kMaxUlidTimestamp]. Useful for time ranges.
std::string UlidLowerBound(Timestamp ms);

}  // namespace memd
