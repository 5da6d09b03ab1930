#include "store/cube_table.h"

#include <string>

namespace memd::store {
namespace {

#define MEMD_CUBE_COLUMNS "id, user, project, embedder, dimension, created_at, seq"

CubeRow ReadCube(const Stmt& stmt) {
  CubeRow cube;
  cube.id = stmt.Int(0);
  cube.user = stmt.Text(1);
  cube.project = stmt.Text(2);
  cube.embedder = stmt.Text(3);
  cube.dimension = static_cast<int>(stmt.Int(4));
  cube.created_at = stmt.Int(5);
  cube.seq = stmt.Int(6);
  return cube;
}

Result<std::optional<CubeRow>> ReadOptionalCube(Stmt& stmt) {
  MEMD_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<CubeRow>();
  return std::optional<CubeRow>(ReadCube(stmt));
}

}  // namespace

Result<std::optional<CubeRow>> FindCubeById(Db& db, std::int64_t cube_id) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_CUBE_COLUMNS " FROM cubes WHERE id = ?1"));
  stmt.BindInt(1, cube_id);
  return ReadOptionalCube(stmt);
}

Result<std::optional<CubeRow>> FindCubeByName(Db& db, std::string_view user, std::string_view project) {
  MEMD_ASSIGN_OR_RETURN(
      Stmt stmt, db.Prepare("SELECT " MEMD_CUBE_COLUMNS " FROM cubes WHERE user = ?1 AND project = ?2"));
  stmt.BindText(1, user);
  stmt.BindText(2, project);
  return ReadOptionalCube(stmt);
}

Result<std::vector<CubeRow>> ListCubeRows(Db& db, std::string_view user) {
  MEMD_ASSIGN_OR_RETURN(
      Stmt stmt, user.empty() ? db.Prepare("SELECT " MEMD_CUBE_COLUMNS " FROM cubes ORDER BY user, project")
                              : db.Prepare("SELECT " MEMD_CUBE_COLUMNS
                                           " FROM cubes WHERE user = ?1 ORDER BY user, project"));
  if (!user.empty()) stmt.BindText(1, user);
  std::vector<CubeRow> cubes;
  while (true) {
    MEMD_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return cubes;
    cubes.push_back(ReadCube(stmt));
  }
}

Result<CubeRow> InsertCubeIfMissing(Db& db, std::string_view user, std::string_view project,
                                    std::string_view embedder, int dimension, Timestamp now) {
  {
    MEMD_ASSIGN_OR_RETURN(Stmt insert,
                          db.Prepare("INSERT INTO cubes(user, project, embedder, dimension, created_at, seq) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT(user, project) DO NOTHING"));
    insert.BindText(1, user);
    insert.BindText(2, project);
    insert.BindText(3, embedder);
    insert.BindInt(4, dimension);
    insert.BindInt(5, now);
    MEMD_RETURN_IF_ERROR(insert.Run());
  }
  MEMD_ASSIGN_OR_RETURN(std::optional<CubeRow> cube, FindCubeByName(db, user, project));
  if (!cube.has_value()) {
    return Status::Internal("cube " + std::string(user) + "/" + std::string(project) +
                            " is missing right after it was inserted (database " + db.path() + ")");
  }
  return *std::move(cube);
}

Status DeleteCubeRows(Db& db, std::int64_t cube_id) {
  // Children first, so the cascades on the cubes row find nothing left to do. Tables that
  // an older schema (a test database opened at that version) lacks are skipped.
  static constexpr const char* kChildTables[] = {"history", "tombstones", "preferences", "memories",
                                                 "idempotency", "sources"};
  for (const char* table : kChildTables) {
    MEMD_ASSIGN_OR_RETURN(std::int64_t found,
                          db.QueryInt(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                                      table + "'"));
    if (found == 0) continue;
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(std::string("DELETE FROM ") + table + " WHERE cube_id = ?1"));
    stmt.BindInt(1, cube_id);
    MEMD_RETURN_IF_ERROR(stmt.Run());
  }
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("DELETE FROM cubes WHERE id = ?1"));
  stmt.BindInt(1, cube_id);
  MEMD_RETURN_IF_ERROR(stmt.Run());
  if (db.changes() == 0) return Status::NotFound("cube " + std::to_string(cube_id) + " does not exist");
  return Status::OK();
}

}  // namespace memd::store
