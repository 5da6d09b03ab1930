// The SQLite schema of a memd database and its forward migrations. The full schema, with
// what each column means, is documented at the top of schema.cc (and copied to
// docs/FORMAT.md). PRAGMA user_version holds the schema version; PRAGMA application_id holds
// kApplicationId so a memd database can be told apart from any other SQLite file.
#pragma once

#include <cstdint>

#include "memd/status.h"
#include "store/sqlite_db.h"

namespace memd::store {

// 'memd' in ASCII, stored in the SQLite header (PRAGMA application_id).
inline constexpr std::int32_t kApplicationId = 0x6D656D64;

// Prepares the connection's database for use at schema version target_version:
// 1. Reads the header without writing anything and refuses (FailedPrecondition) a database
//    from a newer memd or a SQLite file that is not a memd database; the file is left
//    byte-for-byte untouched in both cases. Corruption if the file is not SQLite at all.
// 2. Switches to WAL and enables foreign keys.
// 3. Applies migrations user_version+1 .. target_version in one IMMEDIATE transaction
//    (all or nothing; safe when several processes open the same new database at once).
// REQUIRES: 1 <= target_version <= kSchemaVersion. target_version < kSchemaVersion only in
// tests (to create a database as an older memd would have).
Status OpenSchema(Db& db, int target_version);

// Per-connection settings every memd connection uses (synchronous only matters for the
// writer). Does not write to the database file.
Status ConfigureConnection(Db& db, bool synchronous_full, int cache_kib);

}  // namespace memd::store
