// Strict UTF-8 validation and decoding, for layers below text/ (store, util/json) that must
// reject or report malformed input. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace memd {

// Returns the byte offset of the first ill-formed UTF-8 sequence in s, or
// std::string_view::npos when all of s is well-formed. Ill-formed means: a stray continuation
// byte, a lead byte 0xC0/0xC1/0xF5..0xFF, an overlong form, an encoded surrogate
// (U+D800..U+DFFF), a code point above U+10FFFF, or a sequence cut short by the end of s.
// NUL bytes are well-formed. Cost: one pass, 8 ASCII bytes per step.
std::size_t FindInvalidUtf8(std::string_view s);

// Decodes the code point starting at s[pos]. On success stores it in *code_point and returns
// the sequence length (1..4); returns 0 for an ill-formed sequence (see FindInvalidUtf8) and
// leaves *code_point unspecified. REQUIRES: pos < s.size().
std::size_t DecodeUtf8(std::string_view s, std::size_t pos, char32_t* code_point);

}  // namespace memd
