// SplitWords, SplitIdentifierSpans and SplitIdentifier.
#include "text/char_class.h"
#include "text/text.h"
#include "util/utf8.h"

namespace memd::text {
namespace {

using internal::CharClass;

// Classifies the character at text[i] and stores its length in *len (1 for an ill-formed
// byte, which classifies as a separator). REQUIRES: i < text.size().
inline CharClass ClassAt(std::string_view text, std::size_t i, std::size_t* len) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    *len = 1;
    return internal::ClassifyAscii(c);
  }
  char32_t cp;
  *len = DecodeUtf8(text, i, &cp);
  if (*len == 0) {
    *len = 1;
    return CharClass::kSeparator;
  }
  return internal::Classify(cp);
}

// Class of the character at text[i], or kSeparator at the end.
inline CharClass ClassAtOrEnd(std::string_view text, std::size_t i) {
  if (i >= text.size()) return CharClass::kSeparator;
  std::size_t len;
  return ClassAt(text, i, &len);
}

}  // namespace

void SplitWords(std::string_view text, std::vector<std::string_view>* words) {
  words->clear();
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t start = kNone;    // start of the open word
  bool ideograph_word = false;  // the open word is one ideograph (only marks may follow)
  auto close = [&](std::size_t end) {
    if (start != kNone) words->push_back(text.substr(start, end - start));
    start = kNone;
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    // Fast path: ASCII characters inside an open ordinary word.
    if (start != kNone && !ideograph_word) {
      while (i < n && static_cast<unsigned char>(text[i]) < 0x80 &&
             internal::ClassifyAscii(static_cast<unsigned char>(text[i])) != CharClass::kSeparator) {
        ++i;
      }
      if (i >= n) break;
    }
    std::size_t len;
    const CharClass cls = ClassAt(text, i, &len);
    switch (cls) {
      case CharClass::kSeparator:
        close(i);
        break;
      case CharClass::kIdeograph:
        close(i);
        start = i;
        ideograph_word = true;
        break;
      case CharClass::kMark:
        if (start == kNone) {
          start = i;
          ideograph_word = false;
        }
        break;
      case CharClass::kJoiner: {
        const CharClass next = ClassAtOrEnd(text, i + len);
        const bool joins = start != kNone && !ideograph_word && next != CharClass::kSeparator &&
                           next != CharClass::kJoiner && next != CharClass::kIdeograph;
        if (!joins) close(i);
        break;
      }
      default:  // letters, digits, '_'
        if (start != kNone && ideograph_word) close(i);
        if (start == kNone) {
          start = i;
          ideograph_word = false;
        }
        break;
    }
    i += len;
  }
  close(n);
}

void SplitIdentifierSpans(std::string_view word, std::vector<std::pair<std::size_t, std::size_t>>* spans) {
  spans->clear();
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t start = kNone;
  CharClass prev = CharClass::kSeparator;  // class of the last base character of the open part
  auto close = [&](std::size_t end) {
    if (start != kNone && end > start) spans->emplace_back(start, end);
    start = kNone;
  };
  std::size_t i = 0;
  while (i < word.size()) {
    std::size_t len;
    CharClass cls = ClassAt(word, i, &len);
    if (cls == CharClass::kIdeograph) cls = CharClass::kLetter;
    if (cls == CharClass::kSeparator || cls == CharClass::kUnderscore) {
      close(i);
    } else if (cls == CharClass::kMark || cls == CharClass::kJoiner) {
      if (start == kNone) {
        start = i;
        prev = CharClass::kLetter;
      }
    } else if (start == kNone) {
      start = i;
      prev = cls;
    } else {
      bool boundary = false;
      if ((cls == CharClass::kDigit) != (prev == CharClass::kDigit)) {
        boundary = true;  // "utf8" -> utf | 8
      } else if (cls == CharClass::kUpper && (prev == CharClass::kLower || prev == CharClass::kLetter)) {
        boundary = true;  // "parseHttp" -> parse | Http
      } else if (cls == CharClass::kUpper && prev == CharClass::kUpper &&
                 ClassAtOrEnd(word, i + len) == CharClass::kLower) {
        // An acronym ends before the capital that starts a word: "HTTPServer" -> HTTP | Server.
        // Exception, an acronym's plural: "URLs", "IDsList" (an 's' not followed by lower case).
        const bool plural = word[i + len] == 's' && ClassAtOrEnd(word, i + len + 1) != CharClass::kLower;
        boundary = !plural;
      }
      if (boundary) {
        close(i);
        start = i;
      }
      prev = cls;
    }
    i += len;
  }
  close(word.size());
}

void SplitIdentifier(std::string_view word, std::vector<std::string>* parts) {
  parts->clear();
  thread_local std::vector<std::pair<std::size_t, std::size_t>> spans;
  SplitIdentifierSpans(word, &spans);
  if (spans.size() < 2) return;
  parts->reserve(spans.size());
  for (const auto& [begin, end] : spans) parts->push_back(CaseFold(word.substr(begin, end - begin)));
}

}  // namespace memd::text
