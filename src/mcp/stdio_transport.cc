#include "mcp/stdio_transport.h"

#include <spdlog/spdlog.h>

#include <string>

#include "mcp/jsonrpc.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

enum class LineStatus { kLine, kTooLong, kEnd };

// Reads up to the next '\n' into *line (without it). A line longer than max is consumed to
// its end and reported as kTooLong. kEnd only when nothing at all was left.
LineStatus ReadLine(std::istream& in, std::size_t max, std::string* line) {
  line->clear();
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  bool too_long = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      if (!any) return LineStatus::kEnd;
      break;
    }
    any = true;
    if (c == '\n') break;
    if (too_long) continue;
    if (line->size() == max) {
      too_long = true;
      line->clear();
      continue;
    }
    line->push_back(static_cast<char>(c));
  }
  if (too_long) return LineStatus::kTooLong;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return LineStatus::kLine;
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

}  // namespace

Status ServeStdio(const Server& server, const Identity& identity, std::istream& in, std::ostream& out,
                  const StdioOptions& options) {
  Session session;
  std::string line;
  for (;;) {
    const LineStatus status = ReadLine(in, options.max_message_bytes, &line);
    if (status == LineStatus::kEnd) break;
    Outcome outcome;
    if (status == LineStatus::kTooLong) {
      spdlog::warn("mcp: skipped a message longer than {} bytes", options.max_message_bytes);
      outcome.response = ErrorResponse(
          nullptr, RpcError{kParseError, "message longer than " + std::to_string(options.max_message_bytes) + " bytes",
                            nullptr});
    } else if (IsBlank(line)) {
      continue;
    } else {
      outcome = server.HandleText(line, session, identity);
    }
    if (!outcome.response) continue;
    out << json::serialize(*outcome.response) << '\n';
    out.flush();
    if (!out) return Status::IOError("cannot write to stdout: the MCP client went away");
  }
  spdlog::debug("mcp: end of input; exiting");
  return Status::OK();
}

}  // namespace memd::mcp
