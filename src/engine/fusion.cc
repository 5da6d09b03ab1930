#include "engine/fusion.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace memd::engine {

namespace {

std::string FusionName(const RankingOptions& options) {
  char buf[64];
  if (options.fusion == Fusion::kReciprocalRank) {
    if (options.vector_weight == 0.5) {
      std::snprintf(buf, sizeof(buf), "rrf(k=%g)", options.rrf_k);
    } else {
      std::snprintf(buf, sizeof(buf), "rrf(k=%g,vector=%g)", options.rrf_k, options.vector_weight);
    }
  } else {
    std::snprintf(buf, sizeof(buf), "weighted(vector=%g)", options.vector_weight);
  }
  return buf;
}

void SortAndTruncate(std::vector<FusedHit>& hits, std::size_t k) {
  auto better = [](const FusedHit& a, const FusedHit& b) {
    return a.score > b.score || (a.score == b.score && a.slot < b.slot);
  };
  if (hits.size() > k) {
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(k), hits.end(), better);
    hits.resize(k);
  } else {
    std::sort(hits.begin(), hits.end(), better);
  }
}

}  // namespace

std::vector<FusedHit> Fuse(const FusionInput& input, const RankingOptions& options, std::size_t k) {
  std::unordered_map<index::Slot, FusedHit> by_slot;
  by_slot.reserve(input.lexical.size() + input.vector.size());
  const bool rrf = options.fusion == Fusion::kReciprocalRank;
  const double lexical_weight = 1.0 - options.vector_weight;
  double max_bm25 = 1e-9;
  for (const auto* list : {&input.lexical, &input.lexical_extra}) {
    for (const index::ScoredSlot& s : *list) max_bm25 = std::max<double>(max_bm25, s.score);
  }
  for (std::size_t i = 0; i < input.lexical.size(); ++i) {
    FusedHit& hit = by_slot[input.lexical[i].slot];
    hit.explain.lexical_score = input.lexical[i].score;
    hit.explain.lexical_rank = static_cast<int>(i + 1);
    hit.score += rrf ? 2 * lexical_weight / (options.rrf_k + static_cast<double>(i + 1))
                     : lexical_weight * input.lexical[i].score / max_bm25;
  }
  for (std::size_t i = 0; i < input.vector.size(); ++i) {
    FusedHit& hit = by_slot[input.vector[i].slot];
    hit.explain.vector_score = input.vector[i].score;
    hit.explain.vector_rank = static_cast<int>(i + 1);
    hit.score += rrf ? 2 * options.vector_weight / (options.rrf_k + static_cast<double>(i + 1))
                     : options.vector_weight * input.vector[i].score;
  }
  // Extra scores complete candidates already present; they never add candidates.
  for (const index::ScoredSlot& s : input.lexical_extra) {
    auto it = by_slot.find(s.slot);
    if (it == by_slot.end() || it->second.explain.lexical_score) continue;
    it->second.explain.lexical_score = s.score;
    if (!rrf) it->second.score += lexical_weight * s.score / max_bm25;
  }
  for (const index::ScoredSlot& s : input.vector_extra) {
    auto it = by_slot.find(s.slot);
    if (it == by_slot.end() || it->second.explain.vector_score) continue;
    it->second.explain.vector_score = s.score;
    if (!rrf) it->second.score += options.vector_weight * s.score;
  }
  const std::string name = FusionName(options);
  std::vector<FusedHit> hits;
  hits.reserve(by_slot.size());
  for (auto& [slot, hit] : by_slot) {
    hit.slot = slot;
    hit.explain.fusion = name;
    hits.push_back(std::move(hit));
  }
  SortAndTruncate(hits, k);
  return hits;
}

std::vector<FusedHit> Single(const std::vector<index::ScoredSlot>& ranking, bool is_vector, std::size_t k) {
  std::vector<FusedHit> hits;
  for (std::size_t i = 0; i < ranking.size() && i < k; ++i) {
    FusedHit hit;
    hit.slot = ranking[i].slot;
    hit.score = ranking[i].score;
    if (is_vector) {
      hit.explain.vector_score = ranking[i].score;
      hit.explain.vector_rank = static_cast<int>(i + 1);
      hit.explain.fusion = "cosine";
    } else {
      hit.explain.lexical_score = ranking[i].score;
      hit.explain.lexical_rank = static_cast<int>(i + 1);
      hit.explain.fusion = "bm25";
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace memd::engine
