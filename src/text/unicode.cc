// IsValidUtf8, TruncateUtf8, NormalizeForHash and CaseFold.
#include <utf8proc.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "text/text.h"
#include "util/utf8.h"

namespace memd::text {
namespace {

constexpr utf8proc_option_t kNfcOptions = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
constexpr utf8proc_option_t kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);

constexpr std::size_t kMaxRetainedCodePoints = std::size_t{1} << 16;

bool IsAscii(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    if (chunk & 0x8080808080808080ULL) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

constexpr std::array<char, 128> MakeLowerTable() {
  std::array<char, 128> table{};
  for (int c = 0; c < 128; ++c) table[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return table;
}
constexpr std::array<char, 128> kLower = MakeLowerTable();

// Lower-cases ASCII letters; other bytes are copied.
void AsciiLowerInto(std::string_view s, std::string* out) {
  out->resize(s.size());
  char* dst = out->data();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    dst[i] = c < 0x80 ? kLower[c] : static_cast<char>(c);
  }
}

// Runs utf8proc's decompose + reencode with options into *out, through a per-thread code
// point buffer so repeated calls do not allocate. Returns false if s is ill-formed.
bool Utf8procMapInto(std::string_view s, utf8proc_option_t options, std::string* out) {
  thread_local std::vector<utf8proc_int32_t> buffer;
  const auto* src = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto length = static_cast<utf8proc_ssize_t>(s.size());
  // A code point takes at least one byte, so s.size() code points suffice unless
  // decomposition or folding expands; then utf8proc reports the size it needs.
  if (buffer.size() < s.size() + 8) buffer.resize(s.size() + 8);
  utf8proc_ssize_t count =
      utf8proc_decompose(src, length, buffer.data(), static_cast<utf8proc_ssize_t>(buffer.size()), options);
  if (count < 0) return false;
  if (static_cast<std::size_t>(count) > buffer.size()) {
    buffer.resize(static_cast<std::size_t>(count));
    count = utf8proc_decompose(src, length, buffer.data(), count, options);
    if (count < 0) return false;
  }
  // Composes in place and writes UTF-8 over the same buffer (never longer than 4 bytes per
  // code point, so it fits).
  const utf8proc_ssize_t bytes = utf8proc_reencode(buffer.data(), count, options);
  if (bytes >= 0) out->assign(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(bytes));
  // Keep the scratch buffer for the common short inputs, but do not pin megabytes per thread
  // after one large document.
  if (buffer.size() > kMaxRetainedCodePoints) std::vector<utf8proc_int32_t>().swap(buffer);
  return bytes >= 0;
}

// Decodes the Unicode White_Space character at s[i], if any, and returns its length; 0 if
// s[i] does not start one.
std::size_t WhitespaceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return (c == ' ' || (c >= '\t' && c <= '\r')) ? 1 : 0;
  if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3) return 0;  // quick reject
  char32_t cp;
  const std::size_t len = DecodeUtf8(s, i, &cp);
  if (len == 0) return 0;
  const bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  return space ? len : 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

std::string_view TruncateUtf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  // Back up over at most 3 continuation bytes to the start of the cut sequence.
  for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80; ++i) --end;
  if ((static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) end = max_bytes;  // ill-formed: cut bytes
  return s.substr(0, end);
}

std::string NormalizeForHash(std::string_view s) {
  std::string normalized;
  if (!IsAscii(s) && Utf8procMapInto(s, kNfcOptions, &normalized)) s = normalized;
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t space = WhitespaceLength(s, i);
    if (space > 0) {
      pending_space = !out.empty();
      i += space;
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

void CaseFoldInto(std::string_view s, std::string* out) {
  if (IsAscii(s) || !Utf8procMapInto(s, kFoldOptions, out)) AsciiLowerInto(s, out);
}

std::string CaseFold(std::string_view s) {
  std::string out;
  CaseFoldInto(s, &out);
  return out;
}

}  // namespace memd::text
