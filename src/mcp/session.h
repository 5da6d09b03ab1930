// Session: the protocol state of one MCP connection (a stdio process, or an HTTP session
// named by Mcp-Session-Id), and the protocol revisions memd speaks.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace memd::mcp {

// Revisions memd speaks, newest (preferred) first.
inline constexpr std::array<std::string_view, 4> kSupportedVersions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                                       "2024-11-05"};
inline constexpr std::string_view kLatestVersion = kSupportedVersions[0];
// What an HTTP request without MCP-Protocol-Version (and without a session) is taken to speak.
inline constexpr std::string_view kDefaultHttpVersion = "2025-03-26";

bool IsSupportedVersion(std::string_view version);
// The version to answer an initialize with: the client's when memd speaks it, else memd's
// latest (the client then decides whether it can go on).
std::string_view NegotiateVersion(std::string_view requested);
// Whether a revision lets a client send JSON-RPC batches (2025-03-26 and older; removed in
// 2025-06-18).
bool AllowsBatches(std::string_view version);

// Value type; one per connection, used by one request at a time (the HTTP session store
// serialises requests of a session).
struct Session {
  // The negotiated revision; empty until initialize succeeded. A stateless HTTP request
  // sets it from its MCP-Protocol-Version header instead.
  std::string protocol_version;
  bool initialized = false;  // the client sent notifications/initialized
  std::string client_name;   // from initialize's clientInfo, for logs
  std::string client_version;
  std::string log_level = "info";  // set by logging/setLevel (memd sends no log notifications)

  bool started() const { return !protocol_version.empty(); }
};

}  // namespace memd::mcp
