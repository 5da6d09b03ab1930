// Reading command input: whole files (or stdin for "-") and JSON Lines, with errors that name
// the 1-based line ("line 17: ...") so a user can fix the file. Pure except for reading.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "memd/status.h"

namespace memd::cli {

// Returns the content of path, or all of stdin when path is "-".
// Errors: IOError naming the path.
Result<std::string> ReadInput(const std::string& path);

// "line 17".
std::string LineField(std::size_t line);

// Names line `line` in a failed status: the message gets the prefix "line N: " and the field
// becomes "line N" (or "line N.<field>" when the status named a field relative to the line,
// e.g. "text"; a field that already starts with "line N" is kept).
Status AtLine(const Status& status, std::size_t line);

// One non-blank line of a JSON Lines input.
struct JsonLine {
  std::size_t line = 0;  // 1-based physical line number
  boost::json::value value;
};

// Parses every line that is not blank (only spaces, tabs or a CR) as one JSON value.
// A trailing CR is ignored. Errors: InvalidArgument at the first bad line (invalid JSON,
// invalid UTF-8, trailing data), named as by AtLine.
Result<std::vector<JsonLine>> ParseJsonLines(std::string_view content);

}  // namespace memd::cli
