// Plain text: paragraphs (runs of non-blank lines) packed up to max_bytes - overlap_bytes,
// then each chunk after the first starts overlap_bytes earlier, at a sentence, line or word
// boundary inside the previous chunk, so a body never exceeds max_bytes.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "ingest/chunk.h"
#include "ingest/chunk_util.h"

namespace memd::ingest {
namespace {

using chunking::LineIndex;
using chunking::Piece;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Where the overlap copied from the piece [begin, end) starts: the first sentence or line
// start in its last `overlap` bytes, else the first word start; end when there is none.
std::size_t OverlapStart(std::string_view text, std::size_t begin, std::size_t end, std::size_t overlap) {
  while (end > begin && IsSpace(text[end - 1])) --end;
  if (overlap == 0 || end <= begin + 1) return end;
  const std::size_t lo = std::max(begin + 1, end > overlap ? end - overlap : begin + 1);
  for (std::size_t p = lo; p < end; ++p) {
    const char prev = text[p - 1];
    if (IsSpace(text[p])) continue;
    if (prev == '\n') return p;
    if (prev == ' ' && p >= 2 && (text[p - 2] == '.' || text[p - 2] == '!' || text[p - 2] == '?')) return p;
  }
  for (std::size_t p = lo; p < end; ++p) {
    if (text[p - 1] == ' ' && !IsSpace(text[p])) return p;
  }
  return end;
}

}  // namespace

Status ValidateChunkOptions(const ChunkOptions& o) {
  if (o.max_bytes < 256 || o.max_bytes > 60000) {
    return Status::InvalidArgument("chunk max_bytes must be 256..60000 (the default is 2000)", "chunking.max_bytes");
  }
  if (o.min_bytes > o.max_bytes / 2) {
    return Status::InvalidArgument("chunk min_bytes must be at most max_bytes / 2", "chunking.min_bytes");
  }
  if (o.overlap_bytes > o.max_bytes / 4) {
    return Status::InvalidArgument("chunk overlap_bytes must be at most max_bytes / 4", "chunking.overlap_bytes");
  }
  return Status::OK();
}

std::vector<Chunk> ChunkText(std::string_view text, const ChunkOptions& options) {
  const LineIndex lines(text);
  std::vector<std::pair<int, int>> paragraphs;
  int start = -1;
  for (int i = 0; i < lines.size(); ++i) {
    if (lines.Blank(i)) {
      if (start >= 0) paragraphs.push_back({start, i});  // the blank line closes the paragraph
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) paragraphs.push_back({start, lines.size() - 1});
  const std::size_t overlap = std::min(options.overlap_bytes, options.max_bytes / 4);
  std::vector<Piece> pieces;
  chunking::PackBlocks(lines, paragraphs, options.max_bytes - overlap, "", &pieces);
  pieces = chunking::MergeTiny(std::move(pieces), options.min_bytes, options.max_bytes - overlap);
  if (overlap > 0) {
    for (std::size_t k = pieces.size(); k-- > 1;) {
      pieces[k].begin = OverlapStart(text, pieces[k - 1].begin, pieces[k - 1].end, overlap);
    }
  }
  return chunking::ToChunks(lines, pieces);
}

}  // namespace memd::ingest
