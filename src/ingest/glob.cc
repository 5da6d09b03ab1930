// Glob matching: a re-implementation of the algorithm of git's wildmatch.c (WM_PATHNAME
// mode), over string_views instead of NUL-terminated strings.
#include "ingest/glob.h"

#include <cstddef>
#include <string_view>

namespace memd::ingest {
namespace {

enum class Outcome {
  kMatch,
  kNoMatch,
  kAbortAll,         // the text ran out: no later start position of a star can match
  kAbortToStarStar,  // a '/' stopped a single star: only an outer "**" can still help
};

bool IsGlobSpecial(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool InPosixClass(std::string_view name, unsigned char c) {
  if (name == "alnum") return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (name == "alpha") return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return c < 0x20 || c == 0x7f;
  if (name == "digit") return c >= '0' && c <= '9';
  if (name == "graph") return c > 0x20 && c < 0x7f;
  if (name == "lower") return c >= 'a' && c <= 'z';
  if (name == "print") return c >= 0x20 && c < 0x7f;
  if (name == "punct") {
    return (c > 0x20 && c < 0x7f) && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  }
  if (name == "space") return c == ' ' || (c >= '\t' && c <= '\r');
  if (name == "upper") return c >= 'A' && c <= 'Z';
  if (name == "xdigit") return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return false;
}

// Matches the set starting at pattern[*p] == '[' against c. On return *p indexes the
// closing ']'. Returns false with *p == npos when the set is not closed (malformed).
bool MatchSet(std::string_view pattern, std::size_t* p, unsigned char c) {
  std::size_t i = *p + 1;
  bool negated = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negated = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  for (;; first = false) {
    if (i >= pattern.size()) {
      *p = std::string_view::npos;
      return false;
    }
    unsigned char pc = static_cast<unsigned char>(pattern[i]);
    if (pc == ']' && !first) break;
    if (pc == '\\') {
      if (++i >= pattern.size()) {
        *p = std::string_view::npos;
        return false;
      }
      pc = static_cast<unsigned char>(pattern[i]);
    } else if (pc == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const std::size_t end = pattern.find(":]", i + 2);
      if (end != std::string_view::npos) {
        if (InPosixClass(pattern.substr(i + 2, end - i - 2), c)) matched = true;
        i = end + 2;
        continue;
      }
    }
    // A range "a-z" (a '-' before the closing ']' is literal).
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      std::size_t j = i + 2;
      if (pattern[j] == '\\') {
        if (++j >= pattern.size()) {
          *p = std::string_view::npos;
          return false;
        }
      }
      const unsigned char hi = static_cast<unsigned char>(pattern[j]);
      if (c >= pc && c <= hi) matched = true;
      i = j + 1;
      continue;
    }
    if (c == pc) matched = true;
    ++i;
  }
  *p = i;
  return matched != negated;
}

Outcome DoMatch(std::string_view pattern, std::size_t p, std::string_view text, std::size_t t) {
  for (; p < pattern.size(); ++p, ++t) {
    char pc = pattern[p];
    if (t >= text.size() && pc != '*') return Outcome::kAbortAll;
    switch (pc) {
      case '\\':
        // A trailing backslash matches nothing (git treats it as a malformed pattern).
        if (++p >= pattern.size()) return Outcome::kNoMatch;
        pc = pattern[p];
        [[fallthrough]];
      default:
        if (text[t] != pc) return Outcome::kNoMatch;
        continue;
      case '?':
        if (text[t] == '/') return Outcome::kNoMatch;
        continue;
      case '[': {
        if (text[t] == '/') return Outcome::kNoMatch;
        if (!MatchSet(pattern, &p, static_cast<unsigned char>(text[t]))) return Outcome::kNoMatch;
        continue;
      }
      case '*': {
        bool match_slash = false;
        const std::size_t star = p;
        if (p + 1 < pattern.size() && pattern[p + 1] == '*') {
          while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
          const bool starts_component = star == 0 || pattern[star - 1] == '/';
          const std::size_t next = p + 1;
          const bool ends_component = next >= pattern.size() || pattern[next] == '/' ||
                                      (pattern[next] == '\\' && next + 1 < pattern.size() && pattern[next + 1] == '/');
          if (starts_component && ends_component) {
            // "**/": first try matching zero components.
            if (next < pattern.size() && pattern[next] == '/' &&
                DoMatch(pattern, next + 1, text, t) == Outcome::kMatch) {
              return Outcome::kMatch;
            }
            match_slash = true;
          }
        }
        ++p;  // first pattern character after the stars
        if (p >= pattern.size()) {
          // A trailing "**" matches everything; a trailing "*" only the rest of a component.
          if (!match_slash && text.find('/', t) != std::string_view::npos) return Outcome::kNoMatch;
          return Outcome::kMatch;
        }
        if (!match_slash && pattern[p] == '/') {
          // One star then '/': skip to the next '/' of the text, which the loop consumes.
          const std::size_t slash = text.find('/', t);
          if (slash == std::string_view::npos) return Outcome::kNoMatch;
          t = slash;
          continue;
        }
        while (t < text.size()) {
          // A literal after the star: the star must absorb everything before its next occurrence.
          if (!IsGlobSpecial(pattern[p])) {
            while (t < text.size() && (match_slash || text[t] != '/') && text[t] != pattern[p]) ++t;
            if (t >= text.size() || text[t] != pattern[p]) return Outcome::kNoMatch;
          }
          const Outcome o = DoMatch(pattern, p, text, t);
          if (o != Outcome::kNoMatch) {
            if (!match_slash || o != Outcome::kAbortToStarStar) return o;
          } else if (!match_slash && text[t] == '/') {
            return Outcome::kAbortToStarStar;
          }
          ++t;
        }
        return Outcome::kAbortAll;
      }
    }
  }
  return t >= text.size() ? Outcome::kMatch : Outcome::kNoMatch;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return DoMatch(pattern, 0, path, 0) == Outcome::kMatch;
}

}  // namespace memd::ingest
