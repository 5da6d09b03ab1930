#include "engine/validation.h"

#include <algorithm>

#include "text/text.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/ulid.h"

namespace memd::engine {
namespace {

constexpr std::size_t kMaxNameBytes = 128;
constexpr std::size_t kMaxKindBytes = 64;
constexpr std::size_t kMaxTagBytes = 128;
constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxUriBytes = 4096;
constexpr std::size_t kMaxDescriptionBytes = 4096;
constexpr std::size_t kMaxPreferenceValueBytes = 64 * 1024;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '@';
}

Status ValidateName(std::string_view value, std::string_view what) {
  if (value.empty() || value.size() > kMaxNameBytes || value.front() == '.' ||
      !std::all_of(value.begin(), value.end(), IsNameChar)) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(text::TruncateUtf8(value, 64)) +
                                       "' is invalid: use 1-128 characters of A-Z a-z 0-9 . _ - @, not starting with '.'",
                                   std::string(what));
  }
  return Status::OK();
}

bool HasControlChars(std::string_view s, bool allow_whitespace) {
  for (unsigned char c : s) {
    if (c == 0x7f || (c < 0x20 && !(allow_whitespace && (c == '\n' || c == '\t' || c == '\r')))) return true;
  }
  return false;
}

Status ValidateLabel(std::string_view value, std::size_t max_bytes, const std::string& field, std::string_view what) {
  if (value.empty() || value.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + " must be 1-" + std::to_string(max_bytes) + " bytes", field);
  }
  if (!text::IsValidUtf8(value) || HasControlChars(value, false)) {
    return Status::InvalidArgument(std::string(what) + " must be valid UTF-8 without control characters", field);
  }
  return Status::OK();
}

Status ValidateText(std::string_view value, const EngineOptions& options, const std::string& field) {
  if (!text::IsValidUtf8(value)) {
    return Status::InvalidArgument("text is not valid UTF-8; re-encode it as UTF-8", field);
  }
  if (value.size() > options.max_text_bytes) {
    return Status::InvalidArgument("text is " + std::to_string(value.size()) + " bytes, above the limit of " +
                                       std::to_string(options.max_text_bytes) + "; split it into smaller memories",
                                   field);
  }
  if (HasControlChars(value, true)) {
    return Status::InvalidArgument("text contains control characters (e.g. NUL); remove them", field);
  }
  if (text::NormalizeForHash(value).empty()) {
    return Status::InvalidArgument("text is empty; a memory needs some non-whitespace text", field);
  }
  return Status::OK();
}

Status NormalizeTags(std::vector<std::string>& tags, const std::string& field) {
  if (tags.size() > kMaxTags) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxTags) + " tags are allowed", field);
  }
  for (std::size_t i = 0; i < tags.size(); ++i) {
    MEMD_RETURN_IF_ERROR(ValidateLabel(tags[i], kMaxTagBytes, field + "[" + std::to_string(i) + "]", "a tag"));
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return Status::OK();
}

Status ValidateSource(const SourceRef& s, const std::string& field) {
  MEMD_RETURN_IF_ERROR(ValidateLabel(s.uri, kMaxUriBytes, field + ".uri", "source uri"));
  if (s.line_start && *s.line_start < 1) {
    return Status::InvalidArgument("line_start must be >= 1", field + ".line_start");
  }
  if (s.line_end && (*s.line_end < 1 || (s.line_start && *s.line_end < *s.line_start))) {
    return Status::InvalidArgument("line_end must be >= line_start", field + ".line_end");
  }
  return Status::OK();
}

Status ValidateExpiry(Timestamp expires_at, Timestamp now, const std::string& field) {
  if (expires_at <= now) {
    return Status::InvalidArgument("expires_at is not in the future; omit it for a memory that never expires",
                                   field);
  }
  return Status::OK();
}

std::string Join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

}  // namespace

Status ValidateCubeRef(const CubeRef& cube) {
  MEMD_RETURN_IF_ERROR(ValidateName(cube.user, "user"));
  return ValidateName(cube.project, "project");
}

Status NormalizeNewMemory(NewMemory& m, const EngineOptions& options, Timestamp now, const std::string& field) {
  MEMD_RETURN_IF_ERROR(ValidateText(m.text, options, Join(field, "text")));
  MEMD_RETURN_IF_ERROR(ValidateLabel(m.kind, kMaxKindBytes, Join(field, "kind"), "kind"));
  MEMD_ASSIGN_OR_RETURN(m.metadata, CanonicalJsonObject(m.metadata, Join(field, "metadata"), options.max_metadata_bytes));
  MEMD_RETURN_IF_ERROR(NormalizeTags(m.tags, Join(field, "tags")));
  if (m.source) MEMD_RETURN_IF_ERROR(ValidateSource(*m.source, Join(field, "source")));
  if (m.id && !IsValidUlid(*m.id)) {
    return Status::InvalidArgument("id '" + std::string(text::TruncateUtf8(*m.id, 64)) +
                                       "' is not a ULID (26 characters of Crockford base32); omit it to get one",
                                   Join(field, "id"));
  }
  if (m.expires_at) MEMD_RETURN_IF_ERROR(ValidateExpiry(*m.expires_at, now, Join(field, "expires_at")));
  return Status::OK();
}

Status ApplyPatch(const MemoryPatch& patch, Memory& m, const EngineOptions& options, Timestamp now) {
  if (patch.text) {
    MEMD_RETURN_IF_ERROR(ValidateText(*patch.text, options, "text"));
    m.text = *patch.text;
  }
  if (patch.kind) {
    MEMD_RETURN_IF_ERROR(ValidateLabel(*patch.kind, kMaxKindBytes, "kind", "kind"));
    m.kind = *patch.kind;
  }
  if (patch.metadata) {
    MEMD_ASSIGN_OR_RETURN(m.metadata, CanonicalJsonObject(*patch.metadata, "metadata", options.max_metadata_bytes));
  }
  if (patch.tags) {
    std::vector<std::string> tags = *patch.tags;
    MEMD_RETURN_IF_ERROR(NormalizeTags(tags, "tags"));
    m.tags = std::move(tags);
  }
  if (patch.clear_source) {
    m.source.reset();
  } else if (patch.source) {
    MEMD_RETURN_IF_ERROR(ValidateSource(*patch.source, "source"));
    m.source = *patch.source;
  }
  if (patch.clear_expires_at) {
    m.expires_at.reset();
  } else if (patch.expires_at) {
    MEMD_RETURN_IF_ERROR(ValidateExpiry(*patch.expires_at, now, "expires_at"));
    m.expires_at = *patch.expires_at;
  }
  return Status::OK();
}

std::string ContentHash(std::string_view text, std::string_view canonical_metadata) {
  std::string material = text::NormalizeForHash(text);
  material.push_back('\0');
  material.append(canonical_metadata);
  return Sha256(material);
}

Result<std::string> ValidatePreference(std::string_view category, std::string_view key, std::string_view value,
                                       std::string_view description) {
  MEMD_RETURN_IF_ERROR(ValidateLabel(category, 64, "category", "category"));
  MEMD_RETURN_IF_ERROR(ValidateLabel(key, 128, "key", "key"));
  if (description.size() > kMaxDescriptionBytes || !text::IsValidUtf8(description)) {
    return Status::InvalidArgument("description must be valid UTF-8 of at most 4096 bytes", "description");
  }
  if (value.size() > kMaxPreferenceValueBytes) {
    return Status::InvalidArgument("value is larger than 64 KiB", "value");
  }
  MEMD_ASSIGN_OR_RETURN(auto parsed, ParseJson(value, "value"));
  return CanonicalJson(parsed);
}

}  // namespace memd::engine
