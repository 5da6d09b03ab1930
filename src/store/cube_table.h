// Reads and writes of the cubes table, shared by the read path and the writer.
// Each function runs on the given connection inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "memd/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace memd::store {

Result<std::optional<CubeRow>> FindCubeById(Db& db, std::int64_t cube_id);
Result<std::optional<CubeRow>> FindCubeByName(Db& db, std::string_view user, std::string_view project);
// Ordered by (user, project); every user when user is empty.
Result<std::vector<CubeRow>> ListCubeRows(Db& db, std::string_view user);

// REQUIRES: a write transaction is open. Inserts the cube unless (user, project) exists,
// then returns the stored row (an existing row keeps its embedder and dimension).
Result<CubeRow> InsertCubeIfMissing(Db& db, std::string_view user, std::string_view project,
                                    std::string_view embedder, int dimension, Timestamp now);
// REQUIRES: a write transaction is open. Deletes the cube and every row that belongs to it
// (memories, history, preferences, tombstones, idempotency keys when the table exists).
// NotFound if the cube does not exist.
Status DeleteCubeRows(Db& db, std::int64_t cube_id);

}  // namespace memd::store
