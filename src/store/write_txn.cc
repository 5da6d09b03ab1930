#include "store/write_txn.h"

#include <string>

#include "store/cube_table.h"
#include "store/row_codec.h"

namespace memd::store {
namespace {

Result<std::optional<MemoryRow>> ReadOptionalRow(Stmt& stmt, const std::string& path) {
  MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<MemoryRow>();
  MemoryRow row;
  MEMD_RETURN_IF_ERROR(ReadMemoryRow(stmt, /*with_embedding=*/true, path, &row));
  return std::optional<MemoryRow>(std::move(row));
}

}  // namespace

Status SqliteWriteTxn::CheckEmbedding(const MemoryRow& row) const {
  if (row.embedding.size() == static_cast<std::size_t>(cube_.dimension)) return Status::OK();
  return Status::InvalidArgument("memory " + row.memory.id + " has an embedding of " +
                                 std::to_string(row.embedding.size()) + " floats but cube " +
                                 std::to_string(cube_.id) + " stores " + std::to_string(cube_.dimension));
}

Result<std::optional<MemoryRow>> SqliteWriteTxn::GetById(std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT " MEMD_ROW_COLUMNS
                                               ", embedding FROM memories WHERE cube_id = ?1 AND id = ?2"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, id);
  return ReadOptionalRow(stmt, db_.path());
}

Result<std::optional<MemoryRow>> SqliteWriteTxn::FindLiveByHash(std::string_view content_hash) {
  // memories_by_hash indexes an 8-byte prefix of the hash; the full hash is then compared.
  MEMD_ASSIGN_OR_RETURN(
      Stmt stmt, db_.Prepare("SELECT " MEMD_ROW_COLUMNS ", embedding FROM memories WHERE cube_id = ?1 AND "
                             "substr(content_hash, 1, 8) = substr(?2, 1, 8) AND "
                             "content_hash = ?2 AND deleted = 0 ORDER BY doc LIMIT 1"));
  stmt.BindInt(1, cube_.id);
  stmt.BindBlob(2, content_hash);
  return ReadOptionalRow(stmt, db_.path());
}

Status SqliteWriteTxn::Insert(MemoryRow& row) {
  if (row.doc != 0) {
    return Status::Internal("Insert of memory " + row.memory.id + " with doc " + std::to_string(row.doc) +
                            " already set; use Replace");
  }
  MEMD_RETURN_IF_ERROR(CheckEmbedding(row));
  std::string tags = EncodeTags(row.memory.tags);
  std::string scratch;
  std::string_view embedding = EmbeddingBytes(row.embedding, &scratch);
  MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                        db_.Prepare("INSERT INTO memories(cube_id, " MEMD_MEMORY_FIELDS
                                    ", content_hash, embedding, seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
                                    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"));
  stmt.BindInt(1, cube_.id);
  BindMemoryFields(stmt, 2, row.memory, tags);
  stmt.BindBlob(2 + kMemoryFieldCount, row.content_hash);
  stmt.BindBlob(3 + kMemoryFieldCount, embedding);
  stmt.BindInt(4 + kMemoryFieldCount, seq());
  Status status = stmt.Run();
  if (status.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("memory id " + row.memory.id + " already exists; choose another id");
  }
  MEMD_RETURN_IF_ERROR(status);
  row.doc = db_.last_insert_rowid();
  row.cube_id = cube_.id;
  row.seq = seq();
  changed_ = true;
  return Status::OK();
}

Status SqliteWriteTxn::Replace(MemoryRow& row) {
  MEMD_RETURN_IF_ERROR(CheckEmbedding(row));
  std::string tags = EncodeTags(row.memory.tags);
  std::string scratch;
  std::string_view embedding = EmbeddingBytes(row.embedding, &scratch);
  // The id is assigned to itself and must match: a doc keeps its id for life.
  MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                        db_.Prepare("UPDATE memories SET (" MEMD_MEMORY_FIELDS
                                    ") = (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15), "
                                    "content_hash = ?16, embedding = ?17, seq = ?18 "
                                    "WHERE doc = ?1 AND cube_id = ?2 AND id = ?3"));
  stmt.BindInt(1, row.doc);
  stmt.BindInt(2, cube_.id);
  BindMemoryFields(stmt, 3, row.memory, tags);
  stmt.BindBlob(3 + kMemoryFieldCount, row.content_hash);
  stmt.BindBlob(4 + kMemoryFieldCount, embedding);
  stmt.BindInt(5 + kMemoryFieldCount, seq());
  MEMD_RETURN_IF_ERROR(stmt.Run());
  if (db_.changes() == 0) {
    return Status::NotFound("memory " + row.memory.id + " (doc " + std::to_string(row.doc) +
                            ") does not exist in this cube");
  }
  row.cube_id = cube_.id;
  row.seq = seq();
  changed_ = true;
  return Status::OK();
}

Status SqliteWriteTxn::AppendHistory(std::int64_t doc, const HistoryRow& entry) {
  std::string tags = EncodeTags(entry.memory.tags);
  MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                        db_.Prepare("INSERT INTO history(cube_id, doc, operation, " MEMD_MEMORY_FIELDS
                                    ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                    "?13, ?14, ?15, ?16 WHERE EXISTS(SELECT 1 FROM memories "
                                    "WHERE doc = ?2 AND cube_id = ?1)"));
  stmt.BindInt(1, cube_.id);
  stmt.BindInt(2, doc);
  stmt.BindText(3, entry.operation);
  BindMemoryFields(stmt, 4, entry.memory, tags);
  Status status = stmt.Run();
  if (status.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("the history of memory " + entry.memory.id + " already has version " +
                                 std::to_string(entry.memory.version));
  }
  MEMD_RETURN_IF_ERROR(status);
  if (db_.changes() == 0) {
    return Status::NotFound("memory doc " + std::to_string(doc) + " does not exist in this cube");
  }
  changed_ = true;
  return Status::OK();
}

Status SqliteWriteTxn::Purge(std::int64_t doc) {
  {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("DELETE FROM memories WHERE doc = ?1 AND cube_id = ?2"));
    stmt.BindInt(1, doc);
    stmt.BindInt(2, cube_.id);
    MEMD_RETURN_IF_ERROR(stmt.Run());
    if (db_.changes() == 0) {
      return Status::NotFound("memory doc " + std::to_string(doc) + " does not exist in this cube");
    }
  }
  {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("DELETE FROM history WHERE doc = ?1"));
    stmt.BindInt(1, doc);
    MEMD_RETURN_IF_ERROR(stmt.Run());
  }
  MEMD_ASSIGN_OR_RETURN(
      Stmt stmt, db_.Prepare("INSERT OR REPLACE INTO tombstones(doc, cube_id, seq) VALUES(?1, ?2, ?3)"));
  stmt.BindInt(1, doc);
  stmt.BindInt(2, cube_.id);
  stmt.BindInt(3, seq());
  MEMD_RETURN_IF_ERROR(stmt.Run());
  changed_ = true;
  return Status::OK();
}

Result<std::optional<IdempotencyRow>> SqliteWriteTxn::GetIdempotency(std::string_view key) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT request_hash, response, created_at FROM idempotency "
                                               "WHERE cube_id = ?1 AND key = ?2"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, key);
  MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<IdempotencyRow>();
  IdempotencyRow row;
  row.key = key;
  row.request_hash = stmt.Text(0);
  row.response = stmt.Blob(1);
  row.created_at = stmt.Int(2);
  return std::optional<IdempotencyRow>(std::move(row));
}

Status SqliteWriteTxn::PutIdempotency(const IdempotencyRow& row) {
  {
    // Lazy expiry: keys older than the retention window, measured from the new key's time.
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db_.Prepare("DELETE FROM idempotency WHERE cube_id = ?1 AND created_at < ?2"));
    stmt.BindInt(1, cube_.id);
    stmt.BindInt(2, row.created_at - kIdempotencyRetentionMs);
    MEMD_RETURN_IF_ERROR(stmt.Run());
  }
  MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                        db_.Prepare("INSERT INTO idempotency(cube_id, key, request_hash, response, "
                                    "created_at) VALUES(?1, ?2, ?3, ?4, ?5) "
                                    "ON CONFLICT(cube_id, key) DO UPDATE SET request_hash = "
                                    "excluded.request_hash, response = excluded.response, "
                                    "created_at = excluded.created_at"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, row.key);
  stmt.BindText(3, row.request_hash);
  stmt.BindBlob(4, row.response);
  stmt.BindInt(5, row.created_at);
  MEMD_RETURN_IF_ERROR(stmt.Run());
  changed_ = true;
  return Status::OK();
}

Status SqliteWriteTxn::PutPreference(const Preference& preference) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("INSERT INTO preferences(cube_id, category, key, value, "
                                               "description, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                                               "ON CONFLICT(cube_id, category, key) DO UPDATE SET value = "
                                               "excluded.value, description = excluded.description, "
                                               "updated_at = excluded.updated_at"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, preference.category);
  stmt.BindText(3, preference.key);
  stmt.BindText(4, preference.value);
  stmt.BindText(5, preference.description);
  stmt.BindInt(6, preference.updated_at);
  MEMD_RETURN_IF_ERROR(stmt.Run());
  changed_ = true;
  return Status::OK();
}

Status SqliteWriteTxn::DeletePreference(std::string_view category, std::string_view key) {
  MEMD_ASSIGN_OR_RETURN(
      Stmt stmt, db_.Prepare("DELETE FROM preferences WHERE cube_id = ?1 AND category = ?2 AND key = ?3"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, category);
  stmt.BindText(3, key);
  MEMD_RETURN_IF_ERROR(stmt.Run());
  if (db_.changes() == 0) {
    return Status::NotFound("preference " + std::string(category) + "/" + std::string(key) +
                            " does not exist");
  }
  changed_ = true;
  return Status::OK();
}

Result<std::vector<MemoryRow>> SqliteWriteTxn::LiveBySource(std::string_view uri) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT " MEMD_ROW_COLUMNS ", embedding FROM memories "
                                               "WHERE cube_id = ?1 AND source_uri = ?2 AND deleted = 0 AND "
                                               "source_uri IS NOT NULL ORDER BY doc"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, uri);
  std::vector<MemoryRow> rows;
  for (;;) {
    MEMD_ASSIGN_OR_RETURN(std::optional<MemoryRow> row, ReadOptionalRow(stmt, db_.path()));
    if (!row) return rows;
    rows.push_back(*std::move(row));
  }
}

// Source states are bookkeeping of the ingester, not cube content: writing them alone does
// not advance the cube's sequence (no index or cached result depends on them).
Status SqliteWriteTxn::PutSource(const SourceState& state) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("INSERT OR REPLACE INTO sources(cube_id, uri, size, mtime_ns, "
                                               "content_hash, etag, last_modified, chunks, ingested_at) "
                                               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, state.uri);
  stmt.BindInt(3, state.size);
  stmt.BindInt(4, state.mtime_ns);
  stmt.BindText(5, state.content_hash);
  stmt.BindText(6, state.etag);
  stmt.BindText(7, state.last_modified);
  stmt.BindInt(8, state.chunks);
  stmt.BindInt(9, state.ingested_at);
  return stmt.Run();
}

Result<bool> SqliteWriteTxn::DeleteSource(std::string_view uri) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("DELETE FROM sources WHERE cube_id = ?1 AND uri = ?2"));
  stmt.BindInt(1, cube_.id);
  stmt.BindText(2, uri);
  MEMD_RETURN_IF_ERROR(stmt.Run());
  return db_.changes() > 0;
}

Status RunCubeWrite(Db& db, std::int64_t cube_id, const WriteFn& fn, std::int64_t* seq, bool* advanced) {
  *advanced = false;
  MEMD_ASSIGN_OR_RETURN(std::optional<CubeRow> cube, FindCubeById(db, cube_id));
  if (!cube.has_value()) {
    return Status::NotFound("cube " + std::to_string(cube_id) + " does not exist (it may have been deleted)");
  }
  SqliteWriteTxn txn(db, *std::move(cube));
  MEMD_RETURN_IF_ERROR(fn(txn));
  if (!txn.changed()) {
    *seq = txn.cube().seq;
    return Status::OK();
  }
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("UPDATE cubes SET seq = ?2 WHERE id = ?1"));
  stmt.BindInt(1, cube_id);
  stmt.BindInt(2, txn.seq());
  MEMD_RETURN_IF_ERROR(stmt.Run());
  *seq = txn.seq();
  *advanced = true;
  return Status::OK();
}

}  // namespace memd::store
