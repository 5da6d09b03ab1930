// The memd database schema (SQLite, WAL mode, foreign keys on).
//
// Header: PRAGMA application_id = 0x6D656D64 ('memd'); PRAGMA user_version = schema version
// (kSchemaVersion in store.h). Versions are applied in order by the migrations below; a
// database with a newer version than the build understands is refused and not modified.
//
// Conventions: timestamps are INTEGER milliseconds since the Unix epoch (UTC); booleans are
// INTEGER 0/1; "seq" is a cube's change sequence (see store.h).
//
// meta(key TEXT PRIMARY KEY, value TEXT)                                 -- since v1
//   Free-form facts about the file: 'application' = 'memd', 'created_schema_version'.
//
// cubes                                                                  -- since v1
//   id          INTEGER PRIMARY KEY AUTOINCREMENT  never reused, so files keyed by cube id
//                                                  (index snapshots) cannot be mistaken
//   user, project TEXT NOT NULL, UNIQUE(user, project)
//   embedder    TEXT     the embedder name the cube's vectors were made with
//   dimension   INTEGER  floats per embedding
//   created_at  INTEGER
//   seq         INTEGER  last committed change sequence; 0 for a new cube
//
// memories: the current version of every memory                         -- since v1
//   doc         INTEGER PRIMARY KEY AUTOINCREMENT  store-wide, never reused
//   cube_id     INTEGER REFERENCES cubes(id) ON DELETE CASCADE
//   id          TEXT     ULID; UNIQUE(cube_id, id)
//   text, kind  TEXT
//   metadata    TEXT     canonical JSON object
//   tags        TEXT     JSON array of strings, sorted and unique
//   source_uri  TEXT NULL (NULL: no source), source_line_start/_end INTEGER NULL
//   created_at, updated_at INTEGER; expires_at INTEGER NULL (NULL: never expires)
//   version     INTEGER  1 at creation, +1 per update/delete/restore
//   deleted     INTEGER  1 = soft-deleted (restorable)
//   content_hash BLOB    SHA-256 of the normalised content (the dedup key)
//   embedding   BLOB     dimension float32 values, little-endian
//   seq         INTEGER  sequence of the transaction that last wrote the row
//   Indexes: memories_by_cube(cube_id)                       -- doc-ordered scans
//            memories_by_hash(cube_id, substr(content_hash, 1, 8)) WHERE deleted = 0
//              -- dedup lookup; an 8-byte prefix keeps this randomly-written index small
//                 (about 20% less disk traffic on bulk inserts); lookups recheck the full hash
//            memories_by_seq(cube_id, seq)                   -- catch-up scans
//            memories_deleted(cube_id) WHERE deleted = 1     -- counts without a table scan
//            memories_by_expiry(cube_id, expires_at) WHERE expires_at IS NOT NULL  -- since v2
//
// history: previous versions of memories                                 -- since v1
//   cube_id, doc, version (PRIMARY KEY(doc, version)), operation TEXT ('update', 'delete',
//   'restore': the operation that replaced that version), then the memory fields as in memories
//   (id, text, kind, metadata, tags, source_uri, source_line_start, source_line_end,
//   created_at, updated_at, expires_at, deleted). Index history_by_cube(cube_id, doc, version).
//   Rows are removed with their memory when it is purged.
//
// preferences                                                            -- since v1
//   cube_id, category, key (PRIMARY KEY(cube_id, category, key)), value TEXT (canonical
//   JSON), description TEXT, updated_at INTEGER. WITHOUT ROWID.
//
// tombstones: purged docs, so an index can catch up on removals          -- since v1
//   doc INTEGER PRIMARY KEY, cube_id, seq (the purging transaction).
//   Index tombstones_by_seq(cube_id, seq).
//
// idempotency: the first response of each idempotent request            -- since v2
//   cube_id, key (PRIMARY KEY(cube_id, key)), request_hash TEXT (hex digest of the canonical
//   request), response BLOB, created_at INTEGER. Index idempotency_by_age(cube_id,
//   created_at). Rows older than 24 h are deleted lazily when a new key is stored.
//
// api_keys: credentials of the server, bound to a user, not to a cube    -- since v3
//   id          TEXT PRIMARY KEY  public key id, "k_" + 12 base32 characters; WITHOUT ROWID
//   user        TEXT     the user the key acts as (no foreign key: a user is not a row)
//   name        TEXT     free label, may be empty
//   secret_hash BLOB UNIQUE  SHA-256 of the whole secret string. Secrets are 256 random bits,
//               so a fast unsalted hash is right: no dictionary or brute force can invert it,
//               and a slow password hash (bcrypt, Argon2) would only cost time on every
//               request. The secret itself is never stored.
//   scopes      TEXT     JSON array of scope names ("read", "write", "admin"), sorted
//   projects    TEXT     JSON array of project names, sorted; [] = all of the user's projects
//   tier        TEXT     rate-limit tier name
//   created_at  INTEGER; revoked_at INTEGER NULL (NULL: active)
//   Index api_keys_by_user(user, created_at).
//
// sources: what an ingester last saw of each file or URL in a cube       -- since v4
//   cube_id, uri (PRIMARY KEY(cube_id, uri)) TEXT (absolute path or URL), size INTEGER,
//   mtime_ns INTEGER, content_hash TEXT, etag TEXT, last_modified TEXT, chunks INTEGER (live
//   chunks left by the last ingest), ingested_at INTEGER. WITHOUT ROWID.
//   Also memories_by_source(cube_id, source_uri) WHERE deleted = 0 AND source_uri IS NOT NULL:
//   the live chunks of one source, for replacing them.
//
// jobs: background jobs (ingestion), not part of any cube                -- since v5
//   id TEXT PRIMARY KEY ("j_" + ULID), user, project TEXT (the cube it writes, which may not
//   exist yet), kind TEXT, request TEXT (JSON object), status TEXT ('queued', 'running',
//   'done', 'failed', 'cancelled'), progress TEXT (JSON object), error TEXT,
//   cancel_requested INTEGER 0/1, created_at, updated_at INTEGER, finished_at INTEGER NULL.
//   WITHOUT ROWID. Indexes jobs_by_user(user, id), jobs_unfinished(status) WHERE status IN
//   ('queued', 'running').
//
// Every table but meta, api_keys and jobs has cube_id REFERENCES cubes(id) ON DELETE CASCADE.
#include "store/schema.h"

#include <array>
#include <chrono>
#include <string>
#include <thread>

#include "store/store.h"

namespace memd::store {
namespace {

constexpr const char* kMigration1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cubes(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user TEXT NOT NULL,
  project TEXT NOT NULL,
  embedder TEXT NOT NULL,
  dimension INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE(user, project)
);

CREATE TABLE memories(
  doc INTEGER PRIMARY KEY AUTOINCREMENT,
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  text TEXT NOT NULL,
  kind TEXT NOT NULL,
  metadata TEXT NOT NULL,
  tags TEXT NOT NULL,
  source_uri TEXT,
  source_line_start INTEGER,
  source_line_end INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  content_hash BLOB NOT NULL,
  embedding BLOB NOT NULL,
  seq INTEGER NOT NULL,
  UNIQUE(cube_id, id)
);
CREATE INDEX memories_by_cube ON memories(cube_id);
CREATE INDEX memories_by_hash ON memories(cube_id, substr(content_hash, 1, 8)) WHERE deleted = 0;
CREATE INDEX memories_by_seq ON memories(cube_id, seq);
CREATE INDEX memories_deleted ON memories(cube_id) WHERE deleted = 1;

CREATE TABLE history(
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  doc INTEGER NOT NULL,
  version INTEGER NOT NULL,
  operation TEXT NOT NULL,
  id TEXT NOT NULL,
  text TEXT NOT NULL,
  kind TEXT NOT NULL,
  metadata TEXT NOT NULL,
  tags TEXT NOT NULL,
  source_uri TEXT,
  source_line_start INTEGER,
  source_line_end INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  deleted INTEGER NOT NULL,
  PRIMARY KEY(doc, version)
);
CREATE INDEX history_by_cube ON history(cube_id, doc, version);

CREATE TABLE preferences(
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY(cube_id, category, key)
) WITHOUT ROWID;

CREATE TABLE tombstones(
  doc INTEGER PRIMARY KEY,
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL
);
CREATE INDEX tombstones_by_seq ON tombstones(cube_id, seq);

INSERT INTO meta(key, value) VALUES('application', 'memd');
INSERT INTO meta(key, value) VALUES('created_schema_version', '1');
)sql";

constexpr const char* kMigration2 = R"sql(
CREATE TABLE idempotency(
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(cube_id, key)
);
CREATE INDEX idempotency_by_age ON idempotency(cube_id, created_at);
CREATE INDEX memories_by_expiry ON memories(cube_id, expires_at) WHERE expires_at IS NOT NULL;
)sql";

// memories_by_cube stays, although memories_by_seq(cube_id, seq) serves every cube_id
// lookup: only memories_by_cube, implicitly (cube_id, doc), gives ScanAll its doc order.
// Without it, EXPLAIN QUERY PLAN of ScanAll shows "USE TEMP B-TREE FOR ORDER BY": a cold
// load, export or verify would sort the whole cube, embeddings included, in memory.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE api_keys(
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash BLOB NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  projects TEXT NOT NULL,
  tier TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX api_keys_by_user ON api_keys(user, created_at);
)sql";

constexpr const char* kMigration4 = R"sql(
CREATE TABLE sources(
  cube_id INTEGER NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
  uri TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  chunks INTEGER NOT NULL,
  ingested_at INTEGER NOT NULL,
  PRIMARY KEY(cube_id, uri)
) WITHOUT ROWID;
CREATE INDEX memories_by_source ON memories(cube_id, source_uri) WHERE deleted = 0 AND source_uri IS NOT NULL;
)sql";

constexpr const char* kMigration5 = R"sql(
CREATE TABLE jobs(
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  project TEXT NOT NULL,
  kind TEXT NOT NULL,
  request TEXT NOT NULL,
  status TEXT NOT NULL,
  progress TEXT NOT NULL,
  error TEXT NOT NULL,
  cancel_requested INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
) WITHOUT ROWID;
CREATE INDEX jobs_by_user ON jobs(user, id);
CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running');
)sql";

// kMigrations[i] upgrades a database from version i to version i + 1.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {kMigration1, kMigration2, kMigration3, kMigration4,
                                                                 kMigration5};

Status NewerSchema(const Db& db, std::int64_t found, int understood) {
  return Status::FailedPrecondition("database " + db.path() + " was written by a newer memd (schema " +
                                    std::to_string(found) + ", this build understands up to " +
                                    std::to_string(understood) + "); upgrade memd");
}

// Refuses files this build must not touch. Only reads.
Status CheckHeader(Db& db, int target_version) {
  // One snapshot: another process may be creating the schema right now.
  ReadTransaction snapshot(db);
  MEMD_RETURN_IF_ERROR(snapshot.Begin());
  MEMD_ASSIGN_OR_RETURN(std::int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version > target_version) return NewerSchema(db, version, target_version);
  MEMD_ASSIGN_OR_RETURN(std::int64_t application_id, db.QueryInt("PRAGMA application_id"));
  bool foreign = application_id != 0 && application_id != kApplicationId;
  if (!foreign && version == 0) {
    // A fresh file has no tables; a SQLite file with tables but no memd header is not ours.
    MEMD_ASSIGN_OR_RETURN(std::int64_t objects, db.QueryInt("SELECT count(*) FROM sqlite_master"));
    foreign = objects > 0;
  }
  if (foreign) {
    return Status::FailedPrecondition("database " + db.path() +
                                      " is a SQLite file that was not created by memd; point memd at "
                                      "an empty or memd data directory");
  }
  return Status::OK();
}

Status Migrate(Db& db, int target_version) {
  MEMD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto run = [&]() -> Status {
    // Re-read under the write lock: another process may have migrated meanwhile.
    MEMD_ASSIGN_OR_RETURN(std::int64_t version, db.QueryInt("PRAGMA user_version"));
    if (version > target_version) return NewerSchema(db, version, target_version);
    for (auto v = version; v < target_version; ++v) {
      MEMD_RETURN_IF_ERROR(db.Exec(kMigrations[static_cast<std::size_t>(v)])
                               .WithContext("migrating to schema " + std::to_string(v + 1)));
    }
    if (version < target_version) {
      MEMD_RETURN_IF_ERROR(db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId)));
      MEMD_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(target_version)));
    }
    return db.Exec("COMMIT");
  };
  Status status = run();
  if (!status.ok() && db.in_transaction()) db.Exec("ROLLBACK").IgnoreError();
  return status;
}

// Switches a database to WAL unless it is already. The switch needs an exclusive lock, and
// SQLite answers SQLITE_BUSY at once (without the busy handler) while another process is
// opening the same fresh file, so a busy switch is retried for up to kWalSwitchWait.
Status EnableWal(Db& db) {
  constexpr auto kWalSwitchWait = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + kWalSwitchWait;
  for (;;) {
    MEMD_ASSIGN_OR_RETURN(Stmt mode_stmt, db.Prepare("PRAGMA journal_mode = WAL"));
    Result<bool> row = mode_stmt.Step();
    if (row.status().code() == StatusCode::kUnavailable && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    MEMD_RETURN_IF_ERROR(row.status());
    std::string mode = *row ? std::string(mode_stmt.Text(0)) : std::string();
    if (mode != "wal") {
      return Status::IOError("database " + db.path() + " could not be switched to WAL mode (journal_mode is '" + mode +
                             "'); put the data directory on a local filesystem");
    }
    return Status::OK();
  }
}

}  // namespace

Status ConfigureConnection(Db& db, bool synchronous_full, int cache_kib) {
  std::string pragmas = "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA synchronous = ";
  pragmas += synchronous_full ? "FULL" : "NORMAL";
  pragmas += "; PRAGMA cache_size = -" + std::to_string(cache_kib) + ";";
  return db.Exec(pragmas);
}

Status OpenSchema(Db& db, int target_version) {
  if (target_version < 1 || target_version > kSchemaVersion) {
    return Status::Internal("schema version " + std::to_string(target_version) + " is not in 1.." +
                            std::to_string(kSchemaVersion));
  }
  MEMD_RETURN_IF_ERROR(CheckHeader(db, target_version));
  MEMD_RETURN_IF_ERROR(EnableWal(db));
  // Cap the WAL file left behind after large transactions.
  MEMD_RETURN_IF_ERROR(db.Exec("PRAGMA journal_size_limit = 67108864"));
  MEMD_ASSIGN_OR_RETURN(std::int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version < target_version) MEMD_RETURN_IF_ERROR(Migrate(db, target_version));
  return Status::OK();
}

}  // namespace memd::store
