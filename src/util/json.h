// Strict JSON parsing and canonical serialisation over Boost.JSON.
//
// Parsing follows RFC 8259 with no extensions (no comments, trailing commas or NaN), requires
// UTF-8 strings, bounds nesting depth, and never throws: every failure is a Status.
// Canonical text is compact with object keys sorted by byte order at every level, so equal
// values have equal text and canonical text can be hashed or compared directly.
// All functions are thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd {

// Default bound on array/object nesting accepted by ParseJson.
inline constexpr std::size_t kDefaultMaxJsonDepth = 32;

// Parses text as exactly one JSON value (surrounding whitespace allowed).
// Errors: InvalidArgument with field `field` and a message giving the byte offset and what
// was wrong: syntax errors, trailing data, truncated text, empty text, invalid UTF-8,
// unescaped control characters, bad escapes or lone UTF-16 surrogates, nesting deeper than
// max_depth arrays/objects, and numbers that overflow a double (e.g. 1e400).
// ResourceExhausted if memory runs out.
Result<boost::json::value> ParseJson(std::string_view text, std::string_view field,
                                     std::size_t max_depth = kDefaultMaxJsonDepth);

// Appends the canonical text of v to *out: no whitespace; object keys sorted by byte order,
// recursively (Boost objects hold unique keys; a parsed duplicate key keeps its last value);
// strings escaped minimally (", \, and control characters; other characters raw); integers
// in decimal; doubles in the shortest form that reads back to the same double (so 1.0 is "1"
// and 1e21 is "1e+21"), -0.0 as "0", and non-finite doubles as null.
// Canonicalising canonical text again yields the same text. Recursion depth equals v's nesting.
void AppendCanonicalJson(const boost::json::value& v, std::string* out);

// Returns the canonical text of v (see AppendCanonicalJson).
std::string CanonicalJson(const boost::json::value& v);

// Compact JSON text of v with members in their stored order and numbers formatted as in
// CanonicalJson (shortest round-trip form, e.g. 0.0328 rather than 3.28E-2). For output.
std::string CompactJson(const boost::json::value& v);

// Parses text, which must be a JSON object (empty text means "{}"), and returns its
// canonical text. Errors: InvalidArgument with field `field` when text or its canonical
// form exceeds max_bytes, text is not valid JSON (see ParseJson), or the value is not an object.
Result<std::string> CanonicalJsonObject(std::string_view text, std::string_view field, std::size_t max_bytes);

}  // namespace memd
