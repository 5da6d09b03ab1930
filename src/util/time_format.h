// RFC 3339 timestamps and the wall clock, in memd's Timestamp (milliseconds since the Unix
// epoch, UTC). All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "memd/memory.h"
#include "memd/status.h"

namespace memd {

// Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, always millisecond precision), e.g.
// "2026-11-21T12:00:00.123Z". RFC 3339 has four-digit years only, so ms is clamped to
// [0000-01-01T00:00:00.000Z, 9999-12-31T23:59:59.999Z] first.
std::string FormatRfc3339(Timestamp ms);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t' and 'z' may be lowercase)
// or a date alone, "YYYY-MM-DD", which means midnight UTC. Digits of the fraction beyond
// milliseconds are truncated; a leap second (:60) counts as the first second of the next
// minute. Errors: InvalidArgument for anything else (surrounding spaces, an invalid date
// such as 2026-02-30, an hour above 23, a missing offset, ...).
Result<Timestamp> ParseRfc3339(std::string_view text);

// The system clock now.
Timestamp NowMillis();

}  // namespace memd
