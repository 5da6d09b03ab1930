// Rendering of command results: human text (aligned columns, ISO times, one-line previews)
// or, with --json, exactly one compact JSON document per result (or per line for streaming
// commands). Errors go to the error stream in the matching style. Not thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "memd/memory.h"
#include "memd/status.h"

namespace memd::cli {

class Output {
 public:
  // out and err must outlive this object. json selects machine output.
  Output(std::ostream& out, std::ostream& err, bool json) : out_(out), err_(err), json_(json) {}

  bool json() const { return json_; }
  void set_json(bool json) { json_ = json; }

  // Writes v as one compact JSON line on the output stream.
  void Json(const boost::json::value& v);
  // Writes text and, unless it already ends in one, a newline.
  void Text(std::string_view text);
  // Reports a failed command on the error stream:
  //   human: "memd: error: <message> (at <field>)"
  //   json:  {"error":{"code":"invalid_argument","message":"...","field":"..."}}
  // ("field" and "(at ...)" only when the status names one).
  void Error(const Status& status);
  // A human-only notice on the error stream (e.g. a hint); silent with --json.
  void Note(std::string_view text);

  std::ostream& out() { return out_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool json_;
};

// The JSON document of an error, as printed by Output::Error with --json.
boost::json::object EncodeError(const Status& status);

// A timestamp for people: "2026-11-21T12:00:00Z" (UTC, whole seconds).
std::string FormatTime(Timestamp t);

// Terminal columns a UTF-8 string occupies (wide East Asian characters count 2, combining
// marks 0; ill-formed bytes count 1 each).
std::size_t DisplayWidth(std::string_view s);

// The first line of text, tabs and control characters replaced by spaces, cut to at most
// max_width columns; ends in "…" when anything (including further lines) was left out.
// Never splits a UTF-8 sequence. max_width < 2 is treated as 2.
std::string Preview(std::string_view text, std::size_t max_width);

// Columns of a table aligned by display width. The last column is not padded; when it is
// wider than last_column_width, it is cut with Preview. Not thread-safe.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  // REQUIRES: cells.size() == header size.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  // total_width: the terminal width, or 0 when unknown (the last column then gets 72 columns).
  std::string Render(std::size_t total_width) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Columns of stdout when it is a terminal; 0 otherwise.
std::size_t TerminalWidth();

}  // namespace memd::cli
