#include "cli/input.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/file_util.h"
#include "util/json.h"

namespace memd::cli {

Result<std::string> ReadInput(const std::string& path) {
  if (path != "-") return ReadFile(path);
  std::string content;
  char buffer[1 << 16];
  while (true) {
    std::size_t n = std::fread(buffer, 1, sizeof(buffer), stdin);
    content.append(buffer, n);
    if (n < sizeof(buffer)) break;
  }
  if (std::ferror(stdin)) return Status::IOError(std::string("cannot read stdin: ") + std::strerror(errno));
  return content;
}

std::string LineField(std::size_t line) { return "line " + std::to_string(line); }

Status AtLine(const Status& status, std::size_t line) {
  if (status.ok()) return status;
  const std::string label = LineField(line);
  auto names_line = [&label](const std::string& s) {
    return s.compare(0, label.size(), label) == 0 && (s.size() == label.size() || s[label.size()] == '.' ||
                                                      s[label.size()] == ':' || s[label.size()] == '[');
  };
  std::string field = status.field();
  if (field.empty()) {
    field = label;
  } else if (!names_line(field)) {
    field = label + "." + field;
  }
  Status out = names_line(status.message()) ? status : status.WithContext(label);
  return out.WithField(std::move(field));
}

Result<std::vector<JsonLine>> ParseJsonLines(std::string_view content) {
  std::vector<JsonLine> lines;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view text = content.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto value = ParseJson(text, LineField(number));
    if (!value.ok()) return AtLine(value.status(), number);
    lines.push_back(JsonLine{number, std::move(value).value()});
  }
  return lines;
}

}  // namespace memd::cli
