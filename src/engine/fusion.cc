#include "engine/fusion.h"

#include <algorithm>
#include <cstdio>
#include <optional>

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

// One candidate's evidence while fusing (FusedHit, with its explanation strings, is built
// for the k winners only).
struct Candidate {
  index::Slot slot = 0;
  double score = 0;
  std::optional<float> lexical_score, vector_score;
  int lexical_rank = 0, vector_rank = 0;  // 0: not ranked in that list
};

bool Better(const Candidate& a, const Candidate& b) {
  return a.score > b.score || (a.score == b.score && a.slot < b.slot);
}

}  // namespace

std::vector<FusedHit> Fuse(const FusionInput& input, const RankingOptions& options, std::size_t k) {
  const bool rrf = options.fusion == Fusion::kReciprocalRank;
  const double lexical_weight = 1.0 - options.vector_weight;
  double max_bm25 = 1e-9;
  for (const auto* list : {&input.lexical, &input.lexical_extra}) {
    for (const index::ScoredSlot& s : *list) max_bm25 = std::max<double>(max_bm25, s.score);
  }
  // Lexical entries first, then vector ones; a stable sort by slot keeps that order within a
  // slot, so a candidate's contributions are summed lexical first.
  std::vector<Candidate> all;
  all.reserve(input.lexical.size() + input.vector.size());
  for (std::size_t i = 0; i < input.lexical.size(); ++i) {
    Candidate c;
    c.slot = input.lexical[i].slot;
    c.lexical_score = input.lexical[i].score;
    c.lexical_rank = static_cast<int>(i + 1);
    c.score = rrf ? 2 * lexical_weight / (options.rrf_k + static_cast<double>(i + 1))
                  : lexical_weight * input.lexical[i].score / max_bm25;
    all.push_back(c);
  }
  for (std::size_t i = 0; i < input.vector.size(); ++i) {
    Candidate c;
    c.slot = input.vector[i].slot;
    c.vector_score = input.vector[i].score;
    c.vector_rank = static_cast<int>(i + 1);
    c.score = rrf ? 2 * options.vector_weight / (options.rrf_k + static_cast<double>(i + 1))
                  : options.vector_weight * input.vector[i].score;
    all.push_back(c);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Candidate& a, const Candidate& b) { return a.slot < b.slot; });
  std::vector<Candidate> merged;
  merged.reserve(all.size());
  for (const Candidate& c : all) {
    if (merged.empty() || merged.back().slot != c.slot) {
      merged.push_back(c);
      continue;
    }
    Candidate& m = merged.back();
    m.score += c.score;
    if (c.vector_rank != 0) m.vector_score = c.vector_score, m.vector_rank = c.vector_rank;
    if (c.lexical_rank != 0) m.lexical_score = c.lexical_score, m.lexical_rank = c.lexical_rank;
  }
  // Extra scores complete candidates already present; they never add candidates.
  auto find = [&](index::Slot slot) -> Candidate* {
    auto it = std::lower_bound(merged.begin(), merged.end(), slot,
                               [](const Candidate& c, index::Slot s) { return c.slot < s; });
    return it != merged.end() && it->slot == slot ? &*it : nullptr;
  };
  for (const index::ScoredSlot& s : input.lexical_extra) {
    Candidate* c = find(s.slot);
    if (c == nullptr || c->lexical_score) continue;
    c->lexical_score = s.score;
    if (!rrf) c->score += lexical_weight * s.score / max_bm25;
  }
  for (const index::ScoredSlot& s : input.vector_extra) {
    Candidate* c = find(s.slot);
    if (c == nullptr || c->vector_score) continue;
    c->vector_score = s.score;
    if (!rrf) c->score += options.vector_weight * s.score;
  }
  const std::size_t n = std::min(k, merged.size());
  std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(n), merged.end(), Better);
  const std::string name = FusionName(options);
  std::vector<FusedHit> hits(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Candidate& c = merged[i];
    FusedHit& hit = hits[i];
    hit.slot = c.slot;
    hit.score = c.score;
    if (c.lexical_score) hit.explain.lexical_score = *c.lexical_score;
    if (c.lexical_rank != 0) hit.explain.lexical_rank = c.lexical_rank;
    if (c.vector_score) hit.explain.vector_score = *c.vector_score;
    if (c.vector_rank != 0) hit.explain.vector_rank = c.vector_rank;
    hit.explain.fusion = name;
  }
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
