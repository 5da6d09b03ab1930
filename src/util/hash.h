// Hashing: SHA-256 for content addresses and dedup keys (stable across versions and
// machines), XXH3 for in-memory hashing (fast; stable for a given seed). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace memd {

// Size in bytes of a SHA-256 digest.
inline constexpr std::size_t kSha256Bytes = 32;

// The SHA-256 digest of data: 32 raw bytes (use HexEncode to print). Uses OpenSSL EVP.
// Aborts only if OpenSSL cannot run SHA-256 at all (allocation failure); no input can cause it.
std::string Sha256(std::string_view data);

// Lower-case hexadecimal form of bytes: two characters per byte.
std::string HexEncode(std::string_view bytes);

// XXH3 64-bit hash of data with seed. Not cryptographic; do not use where an adversary
// choosing inputs to collide would matter.
std::uint64_t Hash64(std::string_view data, std::uint64_t seed = 0);

}  // namespace memd
