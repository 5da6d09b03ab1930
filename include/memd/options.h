// Options of the engine. Each field states its default and its trade-off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "memd/embedder.h"
#include "memd/memory.h"

namespace memd {

// How hard a commit works to survive failures.
enum class Durability {
  kFull,    // default. fsync on every commit (group-committed): survives process crash and power loss
  kNormal,  // WAL synchronous=NORMAL: survives a process crash; the last commits may be lost on power loss
};

// How hybrid search fuses its lexical (BM25) and vector rankings.
enum class Fusion {
  kReciprocalRank,  // score = sum over lists of w / (rrf_k + rank); w from vector_weight
  kWeightedScore,   // score = vector_weight * cosine + (1 - vector_weight) * bm25 / max bm25
};

// Ranking knobs; the defaults were chosen on BEIR SciFact *train* (docs/PERFORMANCE.md).
struct RankingOptions {
  Fusion fusion = Fusion::kWeightedScore;
  double rrf_k = 60;
  // Share of the vector signal in [0, 1] (0.5 with kReciprocalRank is plain RRF).
  double vector_weight = 0.1;
  // Candidates taken from the BM25 ranking before hybrid fusion (at least top_k).
  std::size_t candidates = 50;
  // Candidates taken from the vector ranking before hybrid fusion (at least top_k), found
  // with an HNSW beam of the same width. With kWeightedScore every candidate is scored on
  // both signals before fusion, so the vector list only has to contribute documents BM25
  // ranks low or misses (bench/hybrid_tuning_bench, docs/PERFORMANCE.md).
  std::size_t vector_candidates = 20;
  float bm25_k1 = 1.2f;
  float bm25_b = 0.75f;
};

struct EngineOptions {
  // Directory holding memd.db (SQLite, WAL) and snapshots/. Created if missing.
  std::string data_dir = "./memd-data";
  Durability durability = Durability::kFull;
  // Largest accepted memory text, in bytes. Bigger texts are InvalidArgument: chunk them.
  std::size_t max_text_bytes = 64 * 1024;
  // Largest accepted metadata JSON, in bytes.
  std::size_t max_metadata_bytes = 16 * 1024;
  // Largest batch accepted by AddBatch.
  std::size_t max_batch = 100000;
  // Open cubes are closed (after a snapshot) least-recently-used first when their
  // estimated index memory exceeds this. 0: never close idle cubes.
  std::size_t cube_memory_budget_bytes = std::size_t{8} << 30;
  // Memory for the rows of recent search hits, so repeated hits are not read from the store
  // again (never stale: a change of a memory drops its row). 0: read every hit's row.
  std::size_t row_cache_bytes = std::size_t{128} << 20;
  // Embedder for new cubes; null: the built-in hash embedder (NewHashEmbedder()).
  // Opening a cube whose recorded embedder differs fails with FailedPrecondition.
  std::shared_ptr<const Embedder> embedder;
  // Cubes with fewer live vectors than this are searched by exact scan; larger ones by
  // HNSW (see docs/PERFORMANCE.md for how it was chosen).
  std::size_t hnsw_threshold = 20000;
  // A cube writes an index snapshot after this many changes since its last one (and on
  // close). 0: only on close and on explicit request.
  std::size_t snapshot_every_changes = 50000;
  // Helper threads that embed and analyse a large batch in parallel with the calling
  // thread. 0: one fewer than the hardware threads (at least 1).
  int compute_threads = 0;
  RankingOptions ranking;
  // Clock used for timestamps and TTL expiry; null: the system clock. Tests inject one.
  std::function<Timestamp()> clock;
};

}  // namespace memd
