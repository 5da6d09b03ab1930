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

// The two rankings of a hybrid search, each sorted best first (either may be empty), and
// optionally each candidate's score in the signal whose ranking missed it: a candidate
// found only lexically has its cosine in vector_extra and one found only by vector search
// its BM25 in lexical_extra (0 when no query term matches). Extra scores carry no rank.
struct FusionInput {
  std::vector<index::ScoredSlot> lexical;
  std::vector<index::ScoredSlot> vector;
  std::vector<index::ScoredSlot> lexical_extra;
  std::vector<index::ScoredSlot> vector_extra;
};

// Fuses the rankings per options.fusion and returns at most k hits, best first; ties
// broken by lower slot.
//   kReciprocalRank: sum over the lists a slot is ranked in of w / (rrf_k + rank), with
//   w = 2 * vector_weight for the vector list and 2 * (1 - vector_weight) for BM25 (0.5:
//   plain RRF). Extra scores are only reported in the explanation.
//   kWeightedScore: vector_weight * cosine + (1 - vector_weight) * bm25 / max_bm25, with
//   ranked and extra scores alike; a signal a candidate has no score for contributes 0.
std::vector<FusedHit> Fuse(const FusionInput& input, const RankingOptions& options, std::size_t k);

// Wraps a single ranking (lexical or vector mode) as FusedHits with its raw scores.
std::vector<FusedHit> Single(const std::vector<index::ScoredSlot>& ranking, bool is_vector, std::size_t k);

}  // namespace memd::engine
