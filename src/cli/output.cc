#include "cli/output.h"

#include <sys/ioctl.h>
#include <unistd.h>
#include <utf8proc.h>

#include <algorithm>

#include "engine/memory_codec.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr std::size_t kDefaultLastColumnWidth = 72;
constexpr std::size_t kMinLastColumnWidth = 24;

// Width of one code point in terminal columns; control characters count 1 (they are shown
// as spaces by Preview).
std::size_t CodePointWidth(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return 1;
  int w = utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp));
  return w < 0 ? 1 : static_cast<std::size_t>(w);
}

}  // namespace

void Output::Json(const json::value& v) { out_ << engine::ToJsonText(v) << '\n'; }

void Output::Text(std::string_view text) {
  out_ << text;
  if (text.empty() || text.back() != '\n') out_ << '\n';
}

void Output::Error(const Status& status) {
  if (json_) {
    err_ << engine::ToJsonText(EncodeError(status)) << '\n';
    return;
  }
  err_ << "memd: error: " << status.message();
  if (!status.field().empty()) err_ << " (at " << status.field() << ")";
  err_ << '\n';
}

void Output::Note(std::string_view text) {
  if (!json_) err_ << text << '\n';
}

json::object EncodeError(const Status& status) {
  json::object e{{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}};
  if (!status.field().empty()) e["field"] = status.field();
  return json::object{{"error", std::move(e)}};
}

std::string FormatTime(Timestamp t) {
  std::string s = FormatRfc3339(t);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() == 24) s = s.substr(0, 19) + "Z";
  return s;
}

std::size_t DisplayWidth(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      ++width;
      ++i;
      continue;
    }
    width += CodePointWidth(cp);
    i += n;
  }
  return width;
}

std::string Preview(std::string_view text, std::size_t max_width) {
  max_width = std::max<std::size_t>(max_width, 2);
  std::size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  // Trailing blank lines do not count as "more".
  bool more_lines = newline != std::string_view::npos &&
                    text.find_first_not_of(" \t\r\n", newline) != std::string_view::npos;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  // The whole line fits when nothing follows it; otherwise keep one column for the "…".
  const bool fits = !more_lines && DisplayWidth(line) <= max_width;
  const std::size_t budget = fits ? max_width : max_width - 1;
  std::string out;
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size();) {
    char32_t cp = 0;
    std::size_t n = DecodeUtf8(line, i, &cp);
    std::size_t w = n == 0 ? 1 : CodePointWidth(cp);
    if (width + w > budget) break;
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for an ill-formed byte
      n = 1;
    } else if (cp < 0x20 || cp == 0x7F) {
      out += ' ';
    } else {
      out.append(line.substr(i, n));
    }
    width += w;
    i += n;
  }
  if (!fits) out += kEllipsis;
  return out;
}

std::string Table::Render(std::size_t total_width) const {
  const std::size_t columns = header_.size();
  std::vector<std::size_t> widths(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) widths[c] = DisplayWidth(header_[c]);
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c + 1 < columns && c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  std::size_t used = 0;
  for (std::size_t c = 0; c + 1 < columns; ++c) used += widths[c] + 2;
  std::size_t last = kDefaultLastColumnWidth;
  if (total_width > 0) last = total_width > used + kMinLastColumnWidth ? total_width - used : kMinLastColumnWidth;

  std::string out;
  auto append_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
      if (c + 1 == columns) {
        line += DisplayWidth(row[c]) > last ? Preview(row[c], last) : row[c];
      } else {
        line += row[c];
        line.append(widths[c] - DisplayWidth(row[c]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  append_row(header_);
  for (const auto& row : rows_) append_row(row);
  return out;
}

std::size_t TerminalWidth() {
  if (!isatty(STDOUT_FILENO)) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 0;
  return ws.ws_col;
}

}  // namespace memd::cli
