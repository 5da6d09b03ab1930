#include "ingest/chunk_util.h"

#include <algorithm>

namespace memd::ingest::chunking {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  begins_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i + 1 < text.size()) begins_.push_back(i + 1);
  }
}

std::string_view LineIndex::Line(int i) const {
  std::string_view line = text_.substr(Begin(i), End(i) - Begin(i));
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool LineIndex::Blank(int i) const {
  for (char c : Line(i)) {
    if (c != ' ' && c != '\t' && c != '\f' && c != '\v') return false;
  }
  return true;
}

int LineIndex::LineOf(std::size_t offset) const {
  const auto it = std::upper_bound(begins_.begin(), begins_.end(), offset);
  return static_cast<int>(it - begins_.begin()) - 1;
}

void AddLabel(Piece& piece, const std::string& label) {
  if (label.empty()) return;
  if (std::find(piece.labels.begin(), piece.labels.end(), label) != piece.labels.end()) return;
  piece.labels.push_back(label);
}

std::size_t CutPosition(std::string_view text, std::size_t from, std::size_t max_bytes) {
  const std::size_t limit = std::min(text.size(), from + max_bytes);
  if (limit == text.size()) return limit;
  // Prefer just after whitespace in the second half of the window.
  for (std::size_t i = limit; i > from + max_bytes / 2; --i) {
    const char c = text[i - 1];
    if (c == ' ' || c == '\n' || c == '\t') return i;
  }
  std::size_t cut = limit;
  while (cut > from && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  if (cut == from) {
    // A window smaller than one character: take the whole character.
    cut = from + 1;
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
  }
  return cut;
}

void PackLines(const LineIndex& lines, int a, int b, std::size_t max_bytes, const std::string& label,
               std::vector<Piece>* out) {
  Piece current;
  bool open = false;
  auto flush = [&] {
    if (open) out->push_back(std::move(current));
    current = Piece();
    open = false;
  };
  for (int i = a; i <= b; ++i) {
    const std::size_t begin = lines.Begin(i);
    const std::size_t end = lines.End(i);
    if (end - begin > max_bytes) {
      flush();
      std::size_t pos = begin;
      while (pos < end) {
        const std::size_t cut = std::min(end, CutPosition(lines.text(), pos, max_bytes));
        Piece p;
        p.begin = pos;
        p.end = cut;
        AddLabel(p, label);
        out->push_back(std::move(p));
        pos = cut;
      }
      continue;
    }
    if (open && end - current.begin > max_bytes) flush();
    if (!open) {
      current.begin = begin;
      AddLabel(current, label);
      open = true;
    }
    current.end = end;
  }
  flush();
}

void PackBlocks(const LineIndex& lines, const std::vector<std::pair<int, int>>& blocks, std::size_t max_bytes,
                const std::string& label, std::vector<Piece>* out) {
  Piece current;
  bool open = false;
  for (const auto& [a, b] : blocks) {
    const std::size_t begin = lines.Begin(a);
    const std::size_t end = lines.End(b);
    if (end - begin > max_bytes) {
      if (open) out->push_back(std::move(current));
      open = false;
      PackLines(lines, a, b, max_bytes, label, out);
      continue;
    }
    if (open && end - current.begin > max_bytes) {
      out->push_back(std::move(current));
      open = false;
    }
    if (!open) {
      current = Piece();
      current.begin = begin;
      AddLabel(current, label);
      open = true;
    }
    current.end = end;
  }
  if (open) out->push_back(std::move(current));
}

std::vector<Piece> MergeTiny(std::vector<Piece> pieces, std::size_t min_bytes, std::size_t max_bytes) {
  if (min_bytes == 0 || pieces.size() < 2) return pieces;
  std::vector<Piece> out;
  out.reserve(pieces.size());
  for (Piece& p : pieces) {
    if (!out.empty()) {
      Piece& last = out.back();
      if ((last.size() < min_bytes || p.size() < min_bytes) && p.end - last.begin <= max_bytes) {
        last.end = p.end;
        for (const std::string& l : p.labels) AddLabel(last, l);
        continue;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i == 3) {
      out += ", …";
      break;
    }
    if (i > 0) out += ", ";
    out += labels[i];
  }
  return out;
}

std::vector<Chunk> ToChunks(const LineIndex& lines, const std::vector<Piece>& pieces) {
  std::vector<Chunk> chunks;
  const std::string_view text = lines.text();
  for (const Piece& p : pieces) {
    std::size_t begin = p.begin;
    std::size_t end = p.end;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' ||
                           text[end - 1] == '\t' || text[end - 1] == '\f' || text[end - 1] == '\v')) {
      --end;
    }
    // Drop whole leading blank lines (keep the indentation of the first non-blank one).
    for (std::size_t i = begin; i < end; ++i) {
      const char c = text[i];
      if (c == '\n') {
        begin = i + 1;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
        break;
      }
    }
    if (end <= begin) continue;
    Chunk c;
    c.text.assign(text.substr(begin, end - begin));
    c.line_start = lines.LineOf(begin) + 1;
    c.line_end = lines.LineOf(end - 1) + 1;
    c.symbol = JoinLabels(p.labels);
    chunks.push_back(std::move(c));
  }
  return chunks;
}

}  // namespace memd::ingest::chunking
