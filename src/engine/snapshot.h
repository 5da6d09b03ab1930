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

// Writes index as the cube's newest snapshot (tagged with index.applied_seq()) and removes
// older ones. On error nothing visible changes.
Status WriteSnapshot(const std::string& snapshots_root, const SnapshotIdentity& identity, const CubeIndex& index);

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
