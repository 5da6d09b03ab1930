// Base64url (RFC 4648 section 5) without padding, as JSON Web Tokens use it (RFC 7515).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memd::auth {

// Encodes bytes with the alphabet A-Z a-z 0-9 - _ and no '=' padding.
std::string Base64UrlEncode(std::string_view bytes);

// Decodes the unpadded form strictly: nullopt for any character outside the alphabet
// (including '=' and whitespace), a length that no encoding has (4n + 1), or non-zero
// unused bits in the last character (so every byte string has exactly one accepted
// encoding and a token cannot be altered without changing its meaning).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace memd::auth
