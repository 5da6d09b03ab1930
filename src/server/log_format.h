// Structured logging for the server: one JSON object per line on stderr.
#pragma once

#include <string>

#include "memd/status.h"

namespace memd::server {

// Makes the default spdlog logger write {"time","level","msg"} JSON lines to stderr (the
// message JSON-escaped), and registers the "access" logger whose messages are already JSON
// objects (one per request). level: trace, debug, info, warn, error or off; InvalidArgument
// otherwise.
Status ConfigureJsonLogging(const std::string& level);

}  // namespace memd::server
