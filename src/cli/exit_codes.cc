#include "cli/exit_codes.h"

namespace memd::cli {

int ExitCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kExitDenied;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      return kExitConflict;
    case StatusCode::kResourceExhausted:
      return kExitExhausted;
    case StatusCode::kUnavailable:
      return kExitUnavailable;
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return kExitFailure;
  }
  return kExitFailure;  // unreachable for valid codes
}

}  // namespace memd::cli
