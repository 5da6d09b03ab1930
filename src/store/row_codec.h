// How memory rows map to SQLite columns: the column lists shared by every query, the JSON
// encoding of tags (Boost.JSON) and the float32 little-endian encoding of embeddings.
// Decoding checks its input: malformed stored values become Corruption, never UB.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memd/memory.h"
#include "memd/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace memd::store {

// The memory fields, in the order ReadMemoryFields and BindMemoryFields use (13 columns).
#define MEMD_MEMORY_FIELDS                                                                       \
  "id, text, kind, metadata, tags, source_uri, source_line_start, source_line_end, created_at, " \
  "updated_at, expires_at, version, deleted"
inline constexpr int kMemoryFieldCount = 13;

// A full memory row: doc, cube_id, the memory fields, content_hash, seq (17 columns), then
// optionally the embedding (column 17).
#define MEMD_ROW_COLUMNS "doc, cube_id, " MEMD_MEMORY_FIELDS ", content_hash, seq"
inline constexpr int kRowColumnCount = 17;

// Tags as a compact JSON array of strings.
std::string EncodeTags(const std::vector<std::string>& tags);
// Corruption unless json is an array of strings.
Status DecodeTags(std::string_view json, std::vector<std::string>* tags);

// The bytes of an embedding: float32 little-endian. On little-endian hosts this is a view of
// the vector itself; otherwise the bytes are built in *scratch. Valid while both live.
std::string_view EmbeddingBytes(const std::vector<float>& embedding, std::string* scratch);
// Corruption unless bytes.size() is a multiple of 4.
Status DecodeEmbedding(std::string_view bytes, std::vector<float>* embedding);

// Binds the 13 memory fields to parameters first..first+12. tags_json (EncodeTags of
// memory.tags) and memory must outlive the statement's use (SQLITE_STATIC binds).
void BindMemoryFields(Stmt& stmt, int first, const Memory& memory, const std::string& tags_json);
// Reads the 13 memory fields from columns first..first+12 of the current row.
Status ReadMemoryFields(const Stmt& stmt, int first, Memory* memory);

// Reads a row selected with MEMD_ROW_COLUMNS (and the embedding as column 17 when
// with_embedding). Corruption errors name the database path and the doc.
Status ReadMemoryRow(const Stmt& stmt, bool with_embedding, const std::string& path, MemoryRow* row);

}  // namespace memd::store
