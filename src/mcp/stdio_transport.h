// The stdio transport of MCP: newline-delimited JSON-RPC over a process's stdin and stdout.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>

#include "mcp/identity.h"
#include "mcp/server.h"

namespace memd::mcp {

struct StdioOptions {
  // Longest accepted line; a longer one is skipped and answered with -32700 (the TypeScript
  // SDK's reader caps messages at 10 MB).
  std::size_t max_message_bytes = std::size_t{16} << 20;
};

// Reads one message per line from in until end of input, handles each with server (one
// Session for the whole stream) and writes each response as one line to out, flushed at
// once. A trailing '\r' is ignored, and so are blank lines. Nothing else is written to out.
// Returns OK at end of input, IOError if out cannot be written.
Status ServeStdio(const Server& server, const Identity& identity, std::istream& in, std::ostream& out,
                  const StdioOptions& options = {});

}  // namespace memd::mcp
