// Fusion of a lexical and a vector ranking into one list (pure; unit-tested).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "index/scored.h"
#include "memd/options.h"
#include "memd/search.h"

namespace memd::engine {

// One fused result with the evidence behind it.
struct FusedHit {
  index::Slot slot = 0;
  double score = 0;
  HitExplain explain;
};

// Fuses two rankings (each sorted best first; either may be empty) per options.fusion and
// returns at most k hits, best first; ties broken by lower slot.
//   kReciprocalRank: sum over the lists a slot appears in of w / (rrf_k + rank), with
//   w = 2 * vector_weight for the vector list and 2 * (1 - vector_weight) for BM25 (0.5: plain RRF).
//   kWeightedScore: vector_weight * cosine + (1 - vector_weight) * bm25 / max_bm25, with a
//   missing signal contributing 0.
std::vector<FusedHit> Fuse(const std::vector<index::ScoredSlot>& lexical, const std::vector<index::ScoredSlot>& vector,
                           const RankingOptions& options, std::size_t k);

// Wraps a single ranking (lexical or vector mode) as FusedHits with its raw scores.
std::vector<FusedHit> Single(const std::vector<index::ScoredSlot>& ranking, bool is_vector, std::size_t k);

}  // namespace memd::engine
