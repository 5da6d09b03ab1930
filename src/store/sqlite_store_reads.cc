// SqliteStore: the read methods. Each runs in one read transaction on a pooled connection.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "store/read_pool.h"
#include "store/row_codec.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace memd::store {
namespace {

Status CubeNotFound(std::int64_t cube_id) {
  return Status::NotFound("cube " + std::to_string(cube_id) + " does not exist");
}

// The cube's sequence in the current snapshot. NotFound if the cube does not exist.
Result<std::int64_t> CubeSeq(Db& db, std::int64_t cube_id) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT seq FROM cubes WHERE id = ?1"));
  stmt.BindInt(1, cube_id);
  MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return CubeNotFound(cube_id);
  return stmt.Int(0);
}

// Reads doc, operation and the memory fields (selected in that order).
Result<HistoryRow> ReadHistoryRow(const Stmt& stmt, const std::string& path) {
  HistoryRow row;
  row.operation = stmt.Text(1);
  Status status = ReadMemoryFields(stmt, 2, &row.memory);
  if (!status.ok()) {
    return status.WithContext("database " + path + ", history of doc " + std::to_string(stmt.Int(0)));
  }
  return row;
}

Preference ReadPreference(const Stmt& stmt) {
  Preference preference;
  preference.category = stmt.Text(0);
  preference.key = stmt.Text(1);
  preference.value = stmt.Text(2);
  preference.description = stmt.Text(3);
  preference.updated_at = stmt.Int(4);
  return preference;
}

#define MEMD_PREFERENCE_COLUMNS "category, key, value, description, updated_at"
#define MEMD_HISTORY_COLUMNS "doc, operation, " MEMD_MEMORY_FIELDS

}  // namespace

Result<std::optional<MemoryRow>> SqliteStore::GetMemory(std::int64_t cube_id, std::string_view id) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::optional<MemoryRow>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_ROW_COLUMNS
                                                ", embedding FROM memories WHERE cube_id = ?1 AND id = ?2"));
    stmt.BindInt(1, cube_id);
    stmt.BindText(2, id);
    MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return std::optional<MemoryRow>();
    MemoryRow row;
    MEMD_RETURN_IF_ERROR(ReadMemoryRow(stmt, /*with_embedding=*/true, db.path(), &row));
    return std::optional<MemoryRow>(std::move(row));
  });
}

Result<std::vector<std::optional<MemoryRow>>> SqliteStore::GetMemoriesByDoc(std::int64_t cube_id,
                                                                            std::span<const std::int64_t> docs) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<std::optional<MemoryRow>>> {
    // By rowid: one b-tree descent per row (by id it takes two, the unique index then the table).
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_ROW_COLUMNS " FROM memories WHERE doc = ?1 AND cube_id = ?2"));
    std::vector<std::optional<MemoryRow>> rows;
    rows.reserve(docs.size());
    for (const std::int64_t doc : docs) {
      stmt.Reset();
      stmt.BindInt(1, doc);
      stmt.BindInt(2, cube_id);
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) {
        rows.emplace_back();
        continue;
      }
      MemoryRow row;
      MEMD_RETURN_IF_ERROR(ReadMemoryRow(stmt, /*with_embedding=*/false, db.path(), &row));
      rows.emplace_back(std::move(row));
    }
    return rows;
  });
}

Result<std::vector<MemoryRow>> SqliteStore::ListMemories(std::int64_t cube_id, std::string_view after_id,
                                                         std::size_t limit, bool include_deleted) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<MemoryRow>> {
    std::vector<MemoryRow> rows;
    if (limit == 0) return rows;
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_ROW_COLUMNS " FROM memories WHERE cube_id = ?1 "
                                     "AND id > ?2 AND (?3 OR deleted = 0) ORDER BY id LIMIT ?4"));
    stmt.BindInt(1, cube_id);
    stmt.BindText(2, after_id);
    stmt.BindInt(3, include_deleted ? 1 : 0);
    stmt.BindInt(4, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return rows;
      MemoryRow& row = rows.emplace_back();
      MEMD_RETURN_IF_ERROR(ReadMemoryRow(stmt, /*with_embedding=*/false, db.path(), &row));
    }
  });
}

Result<std::vector<HistoryRow>> SqliteStore::GetHistory(std::int64_t cube_id, std::int64_t doc) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<HistoryRow>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_HISTORY_COLUMNS " FROM history WHERE cube_id = ?1 "
                                     "AND doc = ?2 ORDER BY version"));
    stmt.BindInt(1, cube_id);
    stmt.BindInt(2, doc);
    std::vector<HistoryRow> rows;
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return rows;
      MEMD_ASSIGN_OR_RETURN(HistoryRow row, ReadHistoryRow(stmt, db.path()));
      rows.push_back(std::move(row));
    }
  });
}

Result<std::int64_t> SqliteStore::ScanAll(std::int64_t cube_id,
                                          const std::function<Status(MemoryRow&&)>& fn) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::int64_t> {
    MEMD_ASSIGN_OR_RETURN(std::int64_t seq, CubeSeq(db, cube_id));
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_ROW_COLUMNS
                                                ", embedding FROM memories WHERE cube_id = ?1 ORDER BY doc"));
    stmt.BindInt(1, cube_id);
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return seq;
      MemoryRow row;
      MEMD_RETURN_IF_ERROR(ReadMemoryRow(stmt, /*with_embedding=*/true, db.path(), &row));
      MEMD_RETURN_IF_ERROR(fn(std::move(row)));
    }
  });
}

Result<std::int64_t> SqliteStore::ScanChangedSince(std::int64_t cube_id, std::int64_t after_seq,
                                                   const std::function<Status(ChangedDoc&&)>& fn) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::int64_t> {
    MEMD_ASSIGN_OR_RETURN(std::int64_t seq, CubeSeq(db, cube_id));
    // Two doc-ordered streams, merged: changed rows, and tombstones of purged docs.
    MEMD_ASSIGN_OR_RETURN(Stmt rows, db.Prepare("SELECT " MEMD_ROW_COLUMNS ", embedding FROM memories "
                                                "WHERE cube_id = ?1 AND seq > ?2 ORDER BY doc"));
    MEMD_ASSIGN_OR_RETURN(Stmt tombstones,
                          db.Prepare("SELECT doc FROM tombstones t WHERE cube_id = ?1 AND seq > ?2 AND NOT "
                                     "EXISTS(SELECT 1 FROM memories m WHERE m.doc = t.doc) ORDER BY doc"));
    for (Stmt* stmt : {&rows, &tombstones}) {
      stmt->BindInt(1, cube_id);
      stmt->BindInt(2, after_seq);
    }
    MEMD_ASSIGN_OR_RETURN(bool has_row, rows.Step());
    MEMD_ASSIGN_OR_RETURN(bool has_tombstone, tombstones.Step());
    while (has_row || has_tombstone) {
      ChangedDoc change;
      if (has_row && (!has_tombstone || rows.Int(0) < tombstones.Int(0))) {
        MemoryRow row;
        MEMD_RETURN_IF_ERROR(ReadMemoryRow(rows, /*with_embedding=*/true, db.path(), &row));
        change.doc = row.doc;
        change.row = std::move(row);
        MEMD_ASSIGN_OR_RETURN(has_row, rows.Step());
      } else {
        change.doc = tombstones.Int(0);
        MEMD_ASSIGN_OR_RETURN(has_tombstone, tombstones.Step());
      }
      MEMD_RETURN_IF_ERROR(fn(std::move(change)));
    }
    return seq;
  });
}

Result<std::vector<std::int64_t>> SqliteStore::ExpiredDocs(std::int64_t cube_id, Timestamp now) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<std::int64_t>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT doc FROM memories WHERE cube_id = ?1 AND expires_at IS NOT "
                                     "NULL AND expires_at <= ?2 ORDER BY doc"));
    stmt.BindInt(1, cube_id);
    stmt.BindInt(2, now);
    std::vector<std::int64_t> docs;
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return docs;
      docs.push_back(stmt.Int(0));
    }
  });
}

Result<std::pair<std::int64_t, std::int64_t>> SqliteStore::CountMemories(std::int64_t cube_id) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::pair<std::int64_t, std::int64_t>> {
    // Both counts come from indexes: all rows from memories_by_cube, soft-deleted ones from
    // the small partial index memories_deleted.
    std::int64_t total = 0;
    std::int64_t deleted = 0;
    {
      MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT count(*) FROM memories WHERE cube_id = ?1"));
      stmt.BindInt(1, cube_id);
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      total = found ? stmt.Int(0) : 0;
    }
    {
      MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                            db.Prepare("SELECT count(*) FROM memories WHERE cube_id = ?1 AND deleted = 1"));
      stmt.BindInt(1, cube_id);
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      deleted = found ? stmt.Int(0) : 0;
    }
    return std::pair<std::int64_t, std::int64_t>(total - deleted, deleted);
  });
}

Result<std::optional<Preference>> SqliteStore::GetPreference(std::int64_t cube_id, std::string_view category,
                                                             std::string_view key) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::optional<Preference>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_PREFERENCE_COLUMNS " FROM preferences WHERE "
                                                "cube_id = ?1 AND category = ?2 AND key = ?3"));
    stmt.BindInt(1, cube_id);
    stmt.BindText(2, category);
    stmt.BindText(3, key);
    MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return std::optional<Preference>();
    return std::optional<Preference>(ReadPreference(stmt));
  });
}

Result<std::vector<Preference>> SqliteStore::ListPreferences(std::int64_t cube_id,
                                                             std::string_view category) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<Preference>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_PREFERENCE_COLUMNS " FROM preferences WHERE "
                                     "cube_id = ?1 AND (?2 = '' OR category = ?2) ORDER BY category, key"));
    stmt.BindInt(1, cube_id);
    stmt.BindText(2, category);
    std::vector<Preference> preferences;
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return preferences;
      preferences.push_back(ReadPreference(stmt));
    }
  });
}

Result<std::vector<SourceState>> SqliteStore::ListSources(std::int64_t cube_id, std::string_view uri_prefix) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<SourceState>> {
    // A range on the primary key (BINARY collation compares bytes), not LIKE/GLOB, whose
    // wildcards a path may contain: [prefix, successor), where successor is the smallest
    // string greater than every string starting with prefix ("" = unbounded).
    std::string successor(uri_prefix);
    while (!successor.empty() && static_cast<unsigned char>(successor.back()) == 0xFF) successor.pop_back();
    if (!successor.empty()) successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT uri, size, mtime_ns, content_hash, etag, last_modified, chunks, "
                                     "ingested_at FROM sources WHERE cube_id = ?1 AND uri >= ?2 AND "
                                     "(?3 = '' OR uri < ?3) ORDER BY uri"));
    stmt.BindInt(1, cube_id);
    stmt.BindText(2, uri_prefix);
    stmt.BindText(3, successor);
    std::vector<SourceState> states;
    for (;;) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return states;
      SourceState& s = states.emplace_back();
      s.uri = stmt.Text(0);
      s.size = stmt.Int(1);
      s.mtime_ns = stmt.Int(2);
      s.content_hash = stmt.Text(3);
      s.etag = stmt.Text(4);
      s.last_modified = stmt.Text(5);
      s.chunks = stmt.Int(6);
      s.ingested_at = stmt.Int(7);
    }
  });
}

Status SqliteStore::ScanHistory(std::int64_t cube_id,
                                const std::function<Status(std::int64_t doc, HistoryRow&&)>& fn) {
  return RunRead(*readers_, [&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_HISTORY_COLUMNS " FROM history WHERE cube_id = ?1 "
                                     "ORDER BY doc, version"));
    stmt.BindInt(1, cube_id);
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return Status::OK();
      MEMD_ASSIGN_OR_RETURN(HistoryRow row, ReadHistoryRow(stmt, db.path()));
      MEMD_RETURN_IF_ERROR(fn(stmt.Int(0), std::move(row)));
    }
  });
}

}  // namespace memd::store
