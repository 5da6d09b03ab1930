// Shared pieces of the chunkers: a line index over the text, byte ranges ("pieces") with
// their labels, packing lines into bounded pieces, merging tiny neighbours, and turning
// pieces into Chunks. Internal to ingest/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/chunk.h"

namespace memd::ingest::chunking {

// Line boundaries of a text. Line i spans [Begin(i), End(i)), End including its '\n'.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int size() const { return static_cast<int>(begins_.size()); }
  std::size_t Begin(int i) const { return begins_[static_cast<std::size_t>(i)]; }
  std::size_t End(int i) const { return i + 1 < size() ? begins_[static_cast<std::size_t>(i) + 1] : text_.size(); }
  // Line i without its line break ("\n" or "\r\n").
  std::string_view Line(int i) const;
  // Bytes of lines a..b inclusive.
  std::size_t Bytes(int a, int b) const { return End(b) - Begin(a); }
  // True if line i holds only spaces and tabs.
  bool Blank(int i) const;
  // The 0-based line holding byte offset.
  int LineOf(std::size_t offset) const;
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::vector<std::size_t> begins_;
};

// A contiguous byte range of the text with the labels of what it holds.
struct Piece {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::vector<std::string> labels;  // distinct, in order; empty entries are not stored
  std::size_t size() const { return end - begin; }
};

// Appends label to piece's labels unless empty or already there.
void AddLabel(Piece& piece, const std::string& label);

// Appends pieces covering lines a..b, each at most max_bytes: whole lines packed greedily,
// and a line longer than max_bytes cut at a UTF-8 boundary (at whitespace when there is
// some in the second half of the window).
void PackLines(const LineIndex& lines, int a, int b, std::size_t max_bytes, const std::string& label,
               std::vector<Piece>* out);

// Appends pieces covering blocks (contiguous line ranges, in order), packing whole blocks
// greedily up to max_bytes; a block over max_bytes is cut with PackLines.
void PackBlocks(const LineIndex& lines, const std::vector<std::pair<int, int>>& blocks, std::size_t max_bytes,
                const std::string& label, std::vector<Piece>* out);

// Merges neighbours where one is smaller than min_bytes and both fit in max_bytes.
// REQUIRES: pieces are contiguous and in order.
std::vector<Piece> MergeTiny(std::vector<Piece> pieces, std::size_t min_bytes, std::size_t max_bytes);

// Joins labels with ", ", at most three then ", …".
std::string JoinLabels(const std::vector<std::string>& labels);

// Turns pieces into chunks: text trimmed of leading blank lines and trailing whitespace,
// line numbers of what remains; whitespace-only pieces are dropped.
std::vector<Chunk> ToChunks(const LineIndex& lines, const std::vector<Piece>& pieces);

// The largest cut position in [from, from + max_bytes] of text that is not inside a UTF-8
// sequence, preferring just after whitespace in the second half. Always > from when
// from < text.size().
std::size_t CutPosition(std::string_view text, std::size_t from, std::size_t max_bytes);

}  // namespace memd::ingest::chunking
