#include "ingest/file_chunks.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "ingest/chunk.h"
#include "ingest/extract.h"
#include "ingest/file_type.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace memd::ingest {
namespace {

namespace json = boost::json;

constexpr std::size_t kSniffBytes = 8192;

// Unicode code points of Windows-1252 bytes 0x80..0x9F.
constexpr char32_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// How each format labels the symbol in the context header.
const char* SymbolLabel(Format f) {
  switch (f) {
    case Format::kCode:
      return "Symbol";
    case Format::kMarkdown:
    case Format::kHtml:
      return "Section";
    default:
      return "";
  }
}

struct Builder {
  const SourceFile& file;
  const IngestOptions& options;
  std::string language;
  std::string kind;
  bool transcoded = false;
  std::vector<NewMemory> out;

  // Appends one chunk. Optional fields are added to metadata when set.
  void Add(const std::string& header, const std::string& body, std::optional<std::int64_t> line_start,
           std::optional<std::int64_t> line_end, const std::string& symbol, json::object extra = {}) {
    json::object meta = std::move(extra);
    meta["path"] = file.relative_path;
    meta["language"] = language;
    if (!symbol.empty()) meta["symbol"] = symbol;
    meta["content_hash"] = file.content_hash;
    meta["chunk"] = static_cast<std::int64_t>(out.size());
    if (transcoded) meta["encoding"] = "windows-1252";
    NewMemory m;
    m.text = header + body;
    m.kind = kind;
    m.metadata = CanonicalJson(meta);
    m.tags = options.tags;
    SourceRef source;
    source.uri = file.uri;
    source.line_start = line_start;
    source.line_end = line_end;
    m.source = std::move(source);
    out.push_back(std::move(m));
  }

  void AddChunks(const std::vector<Chunk>& chunks, Format format) {
    for (const Chunk& c : chunks) {
      Add(ContextHeader(file.relative_path, SymbolLabel(format), c.symbol), c.text, c.line_start, c.line_end,
          c.symbol);
    }
  }
};

std::string PageRange(std::int64_t a, std::int64_t b) {
  return a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
}

}  // namespace

std::string ContextHeader(std::string_view relative_path, std::string_view label, std::string_view value) {
  const bool url = relative_path.starts_with("http://") || relative_path.starts_with("https://");
  std::string h = url ? "URL: " : "File: ";
  h.append(relative_path);
  if (!label.empty() && !value.empty()) {
    h += " | ";
    h.append(label);
    h += ": ";
    h.append(value);
  }
  h.push_back('\n');
  return h;
}

std::string DecodeWindows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0) {
      AppendUtf8(kCp1252High[c - 0x80], &out);
    } else {
      AppendUtf8(c, &out);
    }
  }
  return out;
}

std::optional<std::string> BinaryReason(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, kSniffBytes);
  std::size_t control = 0;
  for (char ch : head) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == 0) return std::string("holds NUL bytes");
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B) ++control;
  }
  if (control * 10 > head.size()) return std::string("more than 10% control bytes");
  return std::nullopt;
}

std::string ChunkingFingerprint(const IngestOptions& options, std::string_view relative_path) {
  std::string key = "v" + std::to_string(kChunkFormatVersion) + ";" + std::to_string(options.chunking.max_bytes) + ";" +
                    std::to_string(options.chunking.min_bytes) + ";" + std::to_string(options.chunking.overlap_bytes) +
                    ";" + std::to_string(static_cast<int>(options.non_utf8)) + ";";
  for (const std::string& t : options.tags) key += t + ",";
  key += ";";
  key.append(relative_path);
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(Hash64(key)));
  return buf;
}

FileChunks BuildFileChunks(const SourceFile& file, const IngestOptions& options) {
  FileChunks result;
  FileType type =
      DetectFileType(file.type_name.empty() ? file.relative_path : file.type_name, file.bytes.substr(0, 512));
  Builder b{file, options, std::string(type.language), KindOf(type.format), false, {}};

  if (type.format == Format::kBinary) {
    result.skip = SkipReason::kBinary;
    result.skip_detail = "binary file extension";
    return result;
  }
  if (type.format == Format::kPdf) {
    auto pdf = ExtractPdf(file.bytes);
    if (!pdf.ok()) {
      if (pdf.status().code() == StatusCode::kFailedPrecondition) {
        result.skip = SkipReason::kUnsupportedType;
        result.skip_detail = pdf.status().message();
      } else {
        result.error = pdf.status();
      }
      return result;
    }
    // Pages joined by blank lines; page_of_line maps the joined text's lines to pages.
    std::string text;
    std::vector<std::int64_t> first_line;  // 1-based first line of each page
    std::int64_t line = 1;
    for (const std::string& page : pdf->pages) {
      if (!text.empty()) {
        text += "\n\n";
        line += 2;
      }
      first_line.push_back(line);
      text += page;
      line += std::count(page.begin(), page.end(), '\n');
    }
    auto page_of = [&](std::int64_t l) {
      return static_cast<std::int64_t>(std::upper_bound(first_line.begin(), first_line.end(), l) - first_line.begin());
    };
    const std::vector<Chunk> chunks = ChunkText(text, options.chunking);
    if (chunks.empty()) {
      result.skip = SkipReason::kUnsupportedType;
      result.skip_detail = "the PDF has no extractable text (scanned images need OCR first)";
      return result;
    }
    for (const Chunk& c : chunks) {
      const std::int64_t p0 = std::max<std::int64_t>(1, page_of(c.line_start));
      const std::int64_t p1 = std::max<std::int64_t>(p0, page_of(c.line_end));
      json::object extra;
      extra["page_start"] = p0;
      extra["page_end"] = p1;
      if (!pdf->title.empty()) extra["title"] = pdf->title;
      b.Add(ContextHeader(file.relative_path, "Pages", PageRange(p0, p1)), c.text, std::nullopt, std::nullopt, "",
            std::move(extra));
    }
    result.language = b.language;
    result.chunks = std::move(b.out);
    return result;
  }

  // Text formats: check and decode.
  std::string_view bytes = file.bytes;
  if (bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
    result.skip = SkipReason::kNotUtf8;
    result.skip_detail = "UTF-16 text; convert it to UTF-8";
    return result;
  }
  if (auto reason = BinaryReason(bytes)) {
    result.skip = SkipReason::kBinary;
    result.skip_detail = *reason;
    return result;
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 byte order mark
  std::string decoded;
  if (const std::size_t bad = FindInvalidUtf8(bytes); bad != std::string_view::npos) {
    if (options.non_utf8 == NonUtf8Policy::kSkip) {
      result.skip = SkipReason::kNotUtf8;
      result.skip_detail = "invalid UTF-8 at byte " + std::to_string(bad);
      return result;
    }
    decoded = DecodeWindows1252(bytes);
    bytes = decoded;
    b.transcoded = result.transcoded = true;
  }

  switch (type.format) {
    case Format::kHtml: {
      const HtmlText html = ExtractHtml(bytes);
      const std::vector<Chunk> chunks = ChunkMarkdown(html.text, options.chunking);
      auto source_line = [&](std::int64_t l) -> std::optional<std::int64_t> {
        if (l < 1 || static_cast<std::size_t>(l) > html.source_lines.size()) return std::nullopt;
        const std::int64_t s = html.source_lines[static_cast<std::size_t>(l - 1)];
        return s > 0 ? std::optional<std::int64_t>(s) : std::nullopt;
      };
      for (const Chunk& c : chunks) {
        std::optional<std::int64_t> a = source_line(c.line_start);
        std::optional<std::int64_t> z = source_line(c.line_end);
        if (!a || !z || *z < *a) a = z = std::nullopt;
        json::object extra;
        if (!html.title.empty()) extra["title"] = html.title;
        b.Add(ContextHeader(file.relative_path, "Section", c.symbol), c.text, a, z, c.symbol, std::move(extra));
      }
      if (b.out.empty()) {
        result.skip = SkipReason::kUnsupportedType;
        result.skip_detail = "the page has no text";
        return result;
      }
      break;
    }
    case Format::kConversation: {
      if (auto messages = ParseConversation(bytes)) {
        b.kind = kKindMessage;
        for (const ConversationMessage& m : *messages) {
          std::string who = m.role.empty() ? "message" : m.role;
          std::string ts = m.timestamp ? FormatRfc3339(*m.timestamp) : std::string();
          const std::string header = "Conversation: " + file.relative_path + " | " + who +
                                     (ts.empty() ? std::string() : " at " + ts) + "\n";
          // A message over max_bytes is cut like prose; each part is a memory.
          std::vector<Chunk> parts;
          if (m.content.size() > options.chunking.max_bytes) {
            parts = ChunkText(m.content, options.chunking);
          } else {
            parts.push_back(Chunk{m.content, 0, 0, ""});
          }
          for (std::size_t p = 0; p < parts.size(); ++p) {
            json::object extra;
            if (!m.role.empty()) extra["role"] = m.role;
            if (m.timestamp) {
              extra["timestamp"] = ts;
              extra["timestamp_ms"] = *m.timestamp;
            }
            extra["conversation"] = m.conversation;
            extra["message"] = m.index;
            if (parts.size() > 1) extra["part"] = static_cast<std::int64_t>(p);
            const std::optional<std::int64_t> line = m.line > 0 ? std::optional<std::int64_t>(m.line) : std::nullopt;
            b.Add(header, (m.role.empty() ? "" : m.role + ": ") + parts[p].text, line, line, "", std::move(extra));
          }
        }
        break;
      }
      // Not a conversation: plain JSON, chunked as code.
      b.kind = kKindCode;
      b.AddChunks(ChunkCode(bytes, FileType{Format::kCode, "json", CodeStructure::kNone}, options.chunking),
                  Format::kCode);
      break;
    }
    case Format::kMarkdown:
      b.AddChunks(ChunkMarkdown(bytes, options.chunking), Format::kMarkdown);
      break;
    case Format::kCode:
      b.AddChunks(ChunkCode(bytes, type, options.chunking), Format::kCode);
      break;
    default:
      b.AddChunks(ChunkText(bytes, options.chunking), Format::kText);
      break;
  }
  result.language = b.language;
  result.chunks = std::move(b.out);
  return result;
}

}  // namespace memd::ingest
