// Index snapshots of one cube on disk: <data>/snapshots/<cube id>/snap-<seq>/ holding the
// CubeIndex files and a MANIFEST, and <data>/snapshots/<cube id>/CURRENT naming the valid
// one. A snapshot is written into a temporary directory, every file fsynced, the MANIFEST
// (cube identity, sequence, size and XXH3 checksum of every file) written last, the
// directory renamed into place and CURRENT replaced atomically. Loading verifies CURRENT,
// the MANIFEST, the identity, every file's size and checksum, and that the sequence is not
// ahead of the store; any failure means "rebuild from the store", never a trusted index.
#pragma once

#include <cstdint>
#include <string>

#include "engine/cube_index.h"
#include "memd/status.h"
#include "store/store.h"

namespace memd::engine {

// The identity a snapshot must match to be loaded for a cube.
struct SnapshotIdentity {
  std::int64_t cube_id = 0;
  std::string user;
  std::string project;
  std::string embedder;
  int dimension = 0;
  Timestamp created_at = 0;
};

// Writes one snapshot of a cube in two steps, so that the index need only be held still
// for the first: WriteFiles copies the index into a temporary directory (the caller keeps
// the index unchanged meanwhile, e.g. under the cube's shared lock); Publish, which needs no
// lock, fsyncs the files, checksums them into the MANIFEST, renames the directory into
// place, replaces CURRENT and removes older snapshots. Until Publish succeeds nothing
// visible changes, and a writer destroyed before that removes its temporary directory.
// Not thread-safe; the caller serialises snapshots of one cube.
class SnapshotWriter {
 public:
  SnapshotWriter(std::string snapshots_root, SnapshotIdentity identity);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Writes index's files, tagged with index.applied_seq(). Call once.
  Status WriteFiles(const CubeIndex& index);
  // Makes the files written by WriteFiles durable and the cube's current snapshot.
  Status Publish();

 private:
  std::string FinalName() const;  // "snap-<sequence>"

  std::string cube_dir_;
  SnapshotIdentity identity_;
  std::string tmp_dir_;  // set by WriteFiles; cleared once published
  std::int64_t sequence_ = -1;
};

// Loads the cube's current snapshot into index (which must be empty). Errors:
// NotFound when there is none; Corruption when it fails any check (the caller rebuilds);
// the snapshot's sequence must be <= max_seq.
Status LoadSnapshot(const std::string& snapshots_root, const SnapshotIdentity& identity, std::int64_t max_seq,
                    CubeIndex& index);

// Sequence of the cube's current snapshot per its MANIFEST, or -1 if none/unreadable.
std::int64_t SnapshotSequence(const std::string& snapshots_root, std::int64_t cube_id);

// Removes every snapshot of a cube.
Status RemoveSnapshots(const std::string& snapshots_root, std::int64_t cube_id);

}  // namespace memd::engine
