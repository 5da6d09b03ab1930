// Markdown: sections at ATX ("## Title") and setext ("Title\n====") headings outside fenced
// code blocks, each labelled with its heading path ("Guide > Install > Linux"); a YAML front
// matter block is its own section. A section over max_bytes is cut at paragraphs, a fenced
// block being one paragraph; then tiny neighbours are merged.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/chunk.h"
#include "ingest/chunk_util.h"

namespace memd::ingest {
namespace {

using chunking::LineIndex;
using chunking::Piece;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Up to three spaces of indentation, as CommonMark allows for headings and fences.
std::string_view DropIndent(std::string_view line) {
  std::size_t n = 0;
  while (n < 3 && n < line.size() && line[n] == ' ') ++n;
  return line.substr(n);
}

// The level (1-6) of an ATX heading line, 0 if it is not one; *title receives its text.
int AtxHeading(std::string_view line, std::string* title) {
  const std::string_view s = DropIndent(line);
  std::size_t n = 0;
  while (n < s.size() && s[n] == '#') ++n;
  if (n == 0 || n > 6 || (n < s.size() && s[n] != ' ' && s[n] != '\t')) return 0;
  std::string_view t = Trim(s.substr(n));
  // Closing hashes: "## Title ##".
  std::size_t end = t.size();
  while (end > 0 && t[end - 1] == '#') --end;
  if (end == 0 || t[end - 1] == ' ' || t[end - 1] == '\t') t = Trim(t.substr(0, end));
  title->assign(t);
  return static_cast<int>(n);
}

// A fence opener or closer: 3+ backticks or tildes. Returns the fence marker or "".
std::string_view Fence(std::string_view line) {
  const std::string_view s = DropIndent(line);
  if (s.empty() || (s.front() != '`' && s.front() != '~')) return {};
  std::size_t n = 0;
  while (n < s.size() && s[n] == s.front()) ++n;
  return n >= 3 ? s.substr(0, n) : std::string_view();
}

// "===" or "---" (setext underline): returns 1 or 2, else 0.
int SetextLevel(std::string_view line) {
  const std::string_view s = Trim(line);
  if (s.size() < 2 || (s.front() != '=' && s.front() != '-')) return 0;
  for (char c : s) {
    if (c != s.front()) return 0;
  }
  return s.front() == '=' ? 1 : 2;
}

bool LooksLikeListOrTable(std::string_view line) {
  const std::string_view s = Trim(line);
  if (s.empty()) return false;
  if (s.front() == '|' || s.front() == '>') return true;
  if ((s.front() == '-' || s.front() == '*' || s.front() == '+') && s.size() > 1 && s[1] == ' ') return true;
  std::size_t d = 0;
  while (d < s.size() && s[d] >= '0' && s[d] <= '9') ++d;
  return d > 0 && d + 1 < s.size() && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ';
}

struct Section {
  int first = 0;
  int last = 0;
  std::string label;
};

}  // namespace

std::vector<Chunk> ChunkMarkdown(std::string_view text, const ChunkOptions& options) {
  const LineIndex lines(text);
  const int n = lines.size();
  std::vector<bool> in_fence(static_cast<std::size_t>(n), false);
  std::vector<Section> sections;
  std::vector<std::pair<int, std::string>> path;  // (level, title) of the open headings
  auto label = [&] {
    std::string out;
    for (const auto& [level, title] : path) {
      if (!out.empty()) out += " > ";
      out += title;
    }
    return out;
  };
  auto start_section = [&](int line, std::string section_label) {
    if (!sections.empty()) sections.back().last = line - 1;
    sections.push_back({line, n - 1, std::move(section_label)});
  };
  int i = 0;
  if (n > 1 && Trim(lines.Line(0)) == "---") {
    for (int j = 1; j < n; ++j) {
      const std::string_view l = Trim(lines.Line(j));
      if (l == "---" || l == "...") {
        sections.push_back({0, j, "front matter"});
        i = j + 1;
        break;
      }
    }
  }
  if (i < n && (sections.empty() || sections.back().last < i)) start_section(i, "");
  std::string_view fence;
  for (; i < n; ++i) {
    const std::string_view line = lines.Line(i);
    if (!fence.empty()) {
      in_fence[static_cast<std::size_t>(i)] = true;
      const std::string_view f = Fence(line);
      if (!f.empty() && f.front() == fence.front() && f.size() >= fence.size() && Trim(DropIndent(line)) == f) {
        fence = {};
      }
      continue;
    }
    if (const std::string_view f = Fence(line); !f.empty()) {
      fence = f;
      in_fence[static_cast<std::size_t>(i)] = true;
      continue;
    }
    std::string title;
    int level = AtxHeading(line, &title);
    int heading_line = i;
    if (level == 0 && i > 0 && !in_fence[static_cast<std::size_t>(i - 1)]) {
      const int setext = SetextLevel(line);
      const std::string_view prev = lines.Line(i - 1);
      std::string unused;
      if (setext > 0 && !lines.Blank(i - 1) && !LooksLikeListOrTable(prev) && AtxHeading(prev, &unused) == 0) {
        level = setext;
        heading_line = i - 1;
        title.assign(Trim(prev));
      }
    }
    if (level == 0) continue;
    while (!path.empty() && path.back().first >= level) path.pop_back();
    path.push_back({level, title.empty() ? std::string("(untitled)") : title});
    if (!sections.empty() && sections.back().first == heading_line) {
      sections.back().label = label();  // a section that starts with this heading
    } else {
      start_section(heading_line, label());
    }
  }

  std::vector<Piece> pieces;
  for (const Section& s : sections) {
    if (s.first > s.last) continue;
    if (lines.Bytes(s.first, s.last) <= options.max_bytes) {
      Piece p;
      p.begin = lines.Begin(s.first);
      p.end = lines.End(s.last);
      chunking::AddLabel(p, s.label);
      pieces.push_back(std::move(p));
      continue;
    }
    // Paragraphs: runs of non-blank lines, a fenced block counting as one run.
    std::vector<std::pair<int, int>> blocks;
    int start = -1;
    for (int j = s.first; j <= s.last; ++j) {
      const bool boundary = lines.Blank(j) && !in_fence[static_cast<std::size_t>(j)];
      if (boundary) {
        if (start >= 0) blocks.push_back({start, j});
        start = -1;
      } else if (start < 0) {
        start = j;
      }
    }
    if (start >= 0) blocks.push_back({start, s.last});
    if (!blocks.empty()) {
      blocks.front().first = s.first;  // leading blank lines belong to the first block
      for (std::size_t k = 1; k < blocks.size(); ++k) blocks[k].first = blocks[k - 1].second + 1;
      blocks.back().second = s.last;
    }
    chunking::PackBlocks(lines, blocks, options.max_bytes, s.label, &pieces);
  }
  return chunking::ToChunks(lines, chunking::MergeTiny(std::move(pieces), options.min_bytes, options.max_bytes));
}

}  // namespace memd::ingest
