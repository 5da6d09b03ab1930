// The one mapping from engine Status codes to memd's process exit codes.
#pragma once

#include "memd/status.h"

namespace memd::cli {

// Exit codes of the memd command line. Scripts may rely on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;        // Corruption, IOError, Internal; verify found a difference
inline constexpr int kExitUsage = 2;          // InvalidArgument, and command-line parse errors
inline constexpr int kExitNotFound = 3;       // NotFound
inline constexpr int kExitDenied = 4;         // Unauthenticated, PermissionDenied
inline constexpr int kExitConflict = 5;       // AlreadyExists, Conflict, FailedPrecondition
inline constexpr int kExitExhausted = 6;      // ResourceExhausted
inline constexpr int kExitUnavailable = 7;    // Unavailable (retryable)

// Returns the exit code for a status code; kExitOk for kOk.
int ExitCodeFor(StatusCode code);

}  // namespace memd::cli
