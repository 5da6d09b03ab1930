#include "mcp/session.h"

#include <algorithm>

namespace memd::mcp {

bool IsSupportedVersion(std::string_view version) {
  return std::find(kSupportedVersions.begin(), kSupportedVersions.end(), version) != kSupportedVersions.end();
}

std::string_view NegotiateVersion(std::string_view requested) {
  for (std::string_view v : kSupportedVersions) {
    if (v == requested) return v;
  }
  return kLatestVersion;
}

bool AllowsBatches(std::string_view version) { return version == "2025-03-26" || version == "2024-11-05"; }

}  // namespace memd::mcp
