// The SQLite implementation of WriteTxn, and RunCubeWrite, which runs one Store::Write body
// on the writer connection (inside the savepoint GroupWriter opened for it).
#pragma once

#include <cstdint>

#include "memd/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace memd::store {

// Not thread-safe; lives for one WriteFn call on the writer thread.
class SqliteWriteTxn final : public WriteTxn {
 public:
  SqliteWriteTxn(Db& db, CubeRow cube) : db_(db), cube_(std::move(cube)) {}

  const CubeRow& cube() const override { return cube_; }
  std::int64_t seq() const override { return cube_.seq + 1; }

  Result<std::optional<MemoryRow>> GetById(std::string_view id) override;
  Result<std::optional<MemoryRow>> FindLiveByHash(std::string_view content_hash) override;
  Status Insert(MemoryRow& row) override;
  Status Replace(MemoryRow& row) override;
  Status AppendHistory(std::int64_t doc, const HistoryRow& entry) override;
  Status Purge(std::int64_t doc) override;
  Result<std::optional<IdempotencyRow>> GetIdempotency(std::string_view key) override;
  Status PutIdempotency(const IdempotencyRow& row) override;
  Status PutPreference(const Preference& preference) override;
  Status DeletePreference(std::string_view category, std::string_view key) override;
  Result<std::vector<MemoryRow>> LiveBySource(std::string_view uri) override;
  Status PutSource(const SourceState& state) override;
  Result<bool> DeleteSource(std::string_view uri) override;

  // True once any call changed the database.
  bool changed() const { return changed_; }

 private:
  Status CheckEmbedding(const MemoryRow& row) const;

  Db& db_;
  const CubeRow cube_;
  bool changed_ = false;
};

// Loads the cube, runs fn on a SqliteWriteTxn and, if fn changed anything, advances the
// cube's sequence by one. Sets *seq to the new sequence, or to the unchanged one if nothing
// changed, and *advanced to whether it advanced. Errors: NotFound if the cube does not
// exist; otherwise fn's error.
// REQUIRES: a write transaction (savepoint) is open on db; the caller rolls it back on error.
Status RunCubeWrite(Db& db, std::int64_t cube_id, const WriteFn& fn, std::int64_t* seq, bool* advanced);

}  // namespace memd::store
