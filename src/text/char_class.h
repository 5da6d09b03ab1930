// Internal to text/: the character classes that drive word and identifier splitting.
// Pure, thread-safe, header-only so the hot loops inline the ASCII path.
#pragma once

#include <utf8proc.h>

#include <array>
#include <cstdint>

namespace memd::text::internal {

enum class CharClass : std::uint8_t {
  kSeparator,   // ends a word: space, punctuation, symbols, controls, ill-formed bytes
  kUpper,       // Lu, Lt
  kLower,       // Ll
  kLetter,      // Lm, Lo: letters without case (e.g. Hangul, Katakana, Arabic)
  kIdeograph,   // Han ideographs and Hiragana: each one is a word of its own (no spaces in CJK)
  kDigit,       // Nd, Nl, No
  kMark,        // Mn, Mc, Me: combining marks, part of the preceding character
  kUnderscore,  // '_': joins words, splits identifiers
  kJoiner,      // U+200C ZWNJ, U+200D ZWJ: part of a word only between word characters
};

// True for the classes that may appear inside a word.
inline bool IsWordClass(CharClass c) { return c != CharClass::kSeparator; }

namespace detail {
constexpr std::array<CharClass, 128> MakeAsciiTable() {
  std::array<CharClass, 128> table{};
  for (auto& c : table) c = CharClass::kSeparator;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = CharClass::kUpper;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = CharClass::kLower;
  for (int c = '0'; c <= '9'; ++c) table[c] = CharClass::kDigit;
  table['_'] = CharClass::kUnderscore;
  return table;
}
inline constexpr std::array<CharClass, 128> kAsciiClass = MakeAsciiTable();

inline bool IsIdeograph(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x309F) ||  // Hiragana
         (cp >= 0x3005 && cp <= 0x3007) ||  // 々 〆 〇
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK Extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK Unified Ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x323AF);  // Extensions B..H, Compatibility Supplement
}
}  // namespace detail

inline CharClass ClassifyAscii(unsigned char c) { return detail::kAsciiClass[c]; }

inline CharClass Classify(char32_t cp) {
  if (cp < 0x80) return detail::kAsciiClass[cp];
  if (cp == 0x200C || cp == 0x200D) return CharClass::kJoiner;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
      return CharClass::kUpper;
    case UTF8PROC_CATEGORY_LL:
      return CharClass::kLower;
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return detail::IsIdeograph(cp) ? CharClass::kIdeograph : CharClass::kLetter;
    case UTF8PROC_CATEGORY_NL:
      return detail::IsIdeograph(cp) ? CharClass::kIdeograph : CharClass::kDigit;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kDigit;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CharClass::kMark;
    default:
      return CharClass::kSeparator;
  }
}

}  // namespace memd::text::internal
