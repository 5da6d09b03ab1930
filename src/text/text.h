// Unicode text primitives shared by the lexical index and the hash embedder.
// All functions are pure and thread-safe. Inputs must be valid UTF-8 unless stated; on
// ill-formed input no function crashes or reads out of bounds, and each says what it returns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memd::text {

// Longest term the Analyzer emits, in bytes. Longer words (blobs, hashes, minified code) are
// cut at a character boundary, which keeps the index small; the query side is cut the same way.
inline constexpr std::size_t kMaxTermBytes = 128;

// True if s is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Unicode NFC, whitespace runs collapsed to one ASCII space, trimmed. The dedup key's text part.
// Whitespace is the Unicode White_Space property (ASCII space and controls \t\n\v\f\r, NEL,
// NBSP, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). ASCII-only input
// skips normalisation. Ill-formed input is not normalised (only whitespace is collapsed).
std::string NormalizeForHash(std::string_view s);

// Unicode case folding (utf8proc CASEFOLD) after NFKC, so "Ｆｏｏ" and "FOO" fold alike.
// Also drops default-ignorable characters (soft hyphen, zero-width joiners, variation
// selectors), as NFKC_Casefold does. Folding is locale-free: "İ" becomes "i̇" (i + U+0307),
// "I" becomes "i", "ß" becomes "ss". ASCII input takes a table-driven fast path.
// Ill-formed input gets ASCII lower-casing only.
std::string CaseFold(std::string_view s);

// CaseFold into *out, replacing its content and reusing its capacity. For hot loops.
void CaseFoldInto(std::string_view s, std::string* out);

// Truncates s to at most max_bytes without splitting a UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view s, std::size_t max_bytes);

// Splits text into words: maximal runs of Unicode letters, digits, marks and '_'. Views point
// into text. Case is preserved, so identifiers can be split afterwards.
// Clears *words first. Details: U+200C/U+200D (ZWNJ/ZWJ) stay inside a word
// between word characters; each Han ideograph or Hiragana character is a word by itself
// (with any marks after it), since CJK text has no spaces; apostrophes, hyphens and dots
// split ("don't" -> don, t). Ill-formed bytes split words and are never part of one.
void SplitWords(std::string_view text, std::vector<std::string_view>* words);

// Splits an identifier into case-folded parts at '_' , lower->Upper transitions,
// acronym ends ("HTTPServer" -> http, server) and letter/digit boundaries ("utf8proc" ->
// utf, 8, proc). Returns nothing when the word has a single part.
// "parseHttpRequest" and "parse_http_request" -> parse, http, request.
// An acronym's plural stays one part ("URLs" is one part; "IDsList" -> ids, list). Letters without
// case (e.g. CJK) split from cased ones only at an upper-case letter. Clears *parts first.
void SplitIdentifier(std::string_view word, std::vector<std::string>* parts);

// The byte ranges [begin, end) of word's identifier parts, in order, with their original
// case, by the rules of SplitIdentifier; unlike it, a single part yields one range and a word
// of only '_' yields none. Clears *spans first. No allocation beyond *spans' growth.
void SplitIdentifierSpans(std::string_view word, std::vector<std::pair<std::size_t, std::size_t>>* spans);

// True for an English stop word (case-folded input), e.g. "the", "of".
// The list (stop_words.cc) is the classic English function words (articles, pronouns,
// auxiliaries, conjunctions, common prepositions, wh-words; ~130 words, close to the
// Snowball/NLTK lists) plus the fragments our apostrophe split leaves ("s", "t", "ll", "don").
// Deliberately kept short: words that carry meaning in technical text ("up", "down", "out",
// "before", "after", "over", "off", "between", "may", "us", "can") are not in it.
bool IsStopWord(std::string_view folded_word);

// Turns text into BM25 terms: words are case-folded; stop words dropped; each word is
// stemmed with the Snowball English stemmer; a multi-part identifier yields its whole
// folded form plus its stemmed parts. Thread-safe (stemmers are per thread).
//
// Precisely, for each word of SplitWords(text), in order:
//  - A word longer than kMaxTermBytes is not split: its folded form, cut to kMaxTermBytes,
//    is one term (unstemmed).
//  - A word of several identifier parts emits its whole folded form (unstemmed, never dropped
//    as a stop word), then each part as below.
//  - A single part (or a word whose only part is framed by '_', e.g. "__init__" -> init) is
//    folded; dropped if empty or a stop word; kept as is if all digits; else stemmed.
// Single characters are kept ("c", "r", "x", "7", "中"): queries like "vitamin C" or "R
// package" must match, and BM25's IDF already discounts frequent ones.
// Replaces the content of *terms, reusing its strings' capacity when the caller reuses the
// vector. If the stemmer cannot be created (out of memory) words are emitted unstemmed.
// Cost: each calling thread keeps a stemmer and a memo of recent words (~300 KB) until it
// exits; with the memo warm a term costs roughly the split plus one hash lookup.
class Analyzer {
 public:
  Analyzer() = default;
  void Analyze(std::string_view text, std::vector<std::string>* terms) const;
};

}  // namespace memd::text
