#include "memd/ingest.h"

namespace memd {

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kIgnored:
      return "ignored";
    case SkipReason::kDefaultExcluded:
      return "default_excluded";
    case SkipReason::kExcludedByGlob:
      return "excluded_by_glob";
    case SkipReason::kBinary:
      return "binary";
    case SkipReason::kTooLarge:
      return "too_large";
    case SkipReason::kNotUtf8:
      return "not_utf8";
    case SkipReason::kSymlinkLoop:
      return "symlink_loop";
    case SkipReason::kSymlinkEscapesRoot:
      return "symlink_escapes_root";
    case SkipReason::kSymlinkInsideRoot:
      return "symlink_inside_root";
    case SkipReason::kUnreadable:
      return "unreadable";
    case SkipReason::kUnsupportedType:
      return "unsupported_type";
  }
  return "unknown";
}

}  // namespace memd
