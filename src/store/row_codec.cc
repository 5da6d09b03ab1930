#include "store/row_codec.h"

#include <bit>
#include <boost/json.hpp>
#include <cstring>
#include <limits>

namespace memd::store {

std::string EncodeTags(const std::vector<std::string>& tags) {
  boost::json::array array;
  array.reserve(tags.size());
  for (const std::string& tag : tags) array.emplace_back(boost::json::string_view(tag.data(), tag.size()));
  return boost::json::serialize(array);
}

Status DecodeTags(std::string_view json, std::vector<std::string>* tags) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
  if (ec) return Status::Corruption("tags are not valid JSON (" + ec.message() + ")");
  const boost::json::array* array = value.if_array();
  if (array == nullptr) return Status::Corruption("tags are not a JSON array");
  tags->clear();
  tags->reserve(array->size());
  for (const boost::json::value& item : *array) {
    const boost::json::string* s = item.if_string();
    if (s == nullptr) return Status::Corruption("tags contain a value that is not a string");
    tags->emplace_back(s->data(), s->size());
  }
  return Status::OK();
}

std::string_view EmbeddingBytes(const std::vector<float>& embedding, std::string* scratch) {
  static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559);
  if constexpr (std::endian::native == std::endian::little) {
    return {reinterpret_cast<const char*>(embedding.data()), embedding.size() * sizeof(float)};
  } else {
    scratch->resize(embedding.size() * sizeof(float));
    for (std::size_t i = 0; i < embedding.size(); ++i) {
      auto bits = __builtin_bswap32(std::bit_cast<std::uint32_t>(embedding[i]));
      std::memcpy(scratch->data() + i * 4, &bits, 4);
    }
    return *scratch;
  }
}

Status DecodeEmbedding(std::string_view bytes, std::vector<float>* embedding) {
  if (bytes.size() % sizeof(float) != 0) {
    return Status::Corruption("embedding blob has " + std::to_string(bytes.size()) +
                              " bytes, not a multiple of 4");
  }
  embedding->resize(bytes.size() / sizeof(float));
  if (!bytes.empty()) std::memcpy(embedding->data(), bytes.data(), bytes.size());
  if constexpr (std::endian::native != std::endian::little) {
    for (float& f : *embedding) f = std::bit_cast<float>(__builtin_bswap32(std::bit_cast<std::uint32_t>(f)));
  }
  return Status::OK();
}

void BindMemoryFields(Stmt& stmt, int first, const Memory& memory, const std::string& tags_json) {
  stmt.BindText(first + 0, memory.id);
  stmt.BindText(first + 1, memory.text);
  stmt.BindText(first + 2, memory.kind);
  stmt.BindText(first + 3, memory.metadata);
  stmt.BindText(first + 4, tags_json);
  if (memory.source.has_value()) {
    stmt.BindText(first + 5, memory.source->uri);
    stmt.BindOptionalInt(first + 6, memory.source->line_start);
    stmt.BindOptionalInt(first + 7, memory.source->line_end);
  } else {
    stmt.BindNull(first + 5);
    stmt.BindNull(first + 6);
    stmt.BindNull(first + 7);
  }
  stmt.BindInt(first + 8, memory.created_at);
  stmt.BindInt(first + 9, memory.updated_at);
  stmt.BindOptionalInt(first + 10, memory.expires_at);
  stmt.BindInt(first + 11, memory.version);
  stmt.BindInt(first + 12, memory.deleted ? 1 : 0);
}

Status ReadMemoryFields(const Stmt& stmt, int first, Memory* memory) {
  memory->id = stmt.Text(first + 0);
  memory->text = stmt.Text(first + 1);
  memory->kind = stmt.Text(first + 2);
  memory->metadata = stmt.Text(first + 3);
  MEMD_RETURN_IF_ERROR(DecodeTags(stmt.Text(first + 4), &memory->tags));
  if (stmt.IsNull(first + 5)) {
    memory->source.reset();
  } else {
    memory->source = SourceRef{std::string(stmt.Text(first + 5)), stmt.OptionalInt(first + 6),
                               stmt.OptionalInt(first + 7)};
  }
  memory->created_at = stmt.Int(first + 8);
  memory->updated_at = stmt.Int(first + 9);
  memory->expires_at = stmt.OptionalInt(first + 10);
  memory->version = stmt.Int(first + 11);
  memory->deleted = stmt.Int(first + 12) != 0;
  return Status::OK();
}

Status ReadMemoryRow(const Stmt& stmt, bool with_embedding, const std::string& path, MemoryRow* row) {
  row->doc = stmt.Int(0);
  row->cube_id = stmt.Int(1);
  Status status = ReadMemoryFields(stmt, 2, &row->memory);
  row->content_hash = stmt.Blob(2 + kMemoryFieldCount);
  row->seq = stmt.Int(3 + kMemoryFieldCount);
  if (status.ok()) {
    if (with_embedding) {
      status = DecodeEmbedding(stmt.Blob(kRowColumnCount), &row->embedding);
    } else {
      row->embedding.clear();
    }
  }
  if (!status.ok())
    return status.WithContext("database " + path + ", memory doc " + std::to_string(row->doc));
  return Status::OK();
}

}  // namespace memd::store
