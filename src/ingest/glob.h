// Wildcard matching with git's wildmatch semantics (the matcher behind .gitignore).
//
// Written here rather than taken from a library: Debian 12 has no packaged C/C++ library
// with gitignore semantics (fnmatch(3) lacks "**" and per-directory anchoring; libgit2
// would pull a whole git implementation in for one function). Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace memd::ingest {

// True if path matches pattern, where (as in git's wildmatch with WM_PATHNAME):
//   *        any run of characters except '/'
//   ?        one character except '/'
//   [...]    one character (not '/') of a set: ranges "a-z", negation "[!...]" or "[^...]",
//            a ']' first in the set is literal, "\x" escapes, and the POSIX classes
//            [:alnum:] [:alpha:] [:blank:] [:cntrl:] [:digit:] [:graph:] [:lower:]
//            [:print:] [:punct:] [:space:] [:upper:] [:xdigit:]
//   **       when a whole path component ("**/x", "x/**", "x/**/y"): any number of
//            components, zero included ("a/**/b" matches "a/b" and "a/x/y/b"); elsewhere
//            it is the same as "*"
//   \x       the character x itself
// Matching is byte-wise and case-sensitive. A malformed set (no closing ']') never matches.
// Cost: linear for patterns with at most one star per component; git's abort rules bound
// the backtracking of several stars.
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace memd::ingest
