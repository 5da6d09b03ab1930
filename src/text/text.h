// Unicode text primitives shared by the lexical index and the hash embedder.
// All functions are pure and thread-safe. Inputs must be valid UTF-8 unless stated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace memd::text {

// True if s is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Unicode NFC, whitespace runs collapsed to one ASCII space, trimmed. The dedup key's text part.
std::string NormalizeForHash(std::string_view s);

// Unicode case folding (utf8proc CASEFOLD) after NFKC, so "Ｆｏｏ" and "FOO" fold alike.
std::string CaseFold(std::string_view s);

// Truncates s to at most max_bytes without splitting a UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view s, std::size_t max_bytes);

// Splits text into words: maximal runs of Unicode letters, digits, marks and '_'. Views point
// into text. Case is preserved, so identifiers can be split afterwards.
void SplitWords(std::string_view text, std::vector<std::string_view>* words);

// Splits an identifier into case-folded parts at '_' , lower->Upper transitions,
// acronym ends ("HTTPServer" -> http, server) and letter/digit boundaries ("utf8proc" ->
// utf, 8, proc). Returns nothing when the word has a single part.
// "parseHttpRequest" and "parse_http_request" -> parse, http, request.
void SplitIdentifier(std::string_view word, std::vector<std::string>* parts);

// True for an English stop word (case-folded input), e.g. "the", "of".
bool IsStopWord(std::string_view folded_word);

// Turns text into BM25 terms: words are case-folded; stop words dropped; each word is
// stemmed with the Snowball English stemmer; a multi-part identifier yields its whole
// folded form plus its stemmed parts. Thread-safe (stemmers are per thread).
class Analyzer {
 public:
  Analyzer() = default;
  void Analyze(std::string_view text, std::vector<std::string>* terms) const;
};

}  // namespace memd::text
