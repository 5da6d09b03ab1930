// Search over one or several cubes of one user: per cube, filter -> lexical and vector
// rankings -> fusion, under the cube's shared lock; then a merge across cubes by score and
// one store read per returned hit.
#include <algorithm>
#include <set>

#include "engine/engine_impl.h"
#include "engine/fusion.h"
#include "engine/validation.h"
#include "index/filter.h"

namespace memd {

std::optional<SearchMode> ParseSearchMode(std::string_view name) {
  if (name == "hybrid") return SearchMode::kHybrid;
  if (name == "vector") return SearchMode::kVector;
  if (name == "lexical") return SearchMode::kLexical;
  return std::nullopt;
}

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kHybrid:
      return "hybrid";
    case SearchMode::kVector:
      return "vector";
    case SearchMode::kLexical:
      return "lexical";
  }
  return "hybrid";
}

namespace {

constexpr std::size_t kMaxProjectsPerSearch = 64;

struct CubeHit {
  std::size_t cube_index = 0;
  std::int64_t doc = 0;
  std::string id;  // the memory id, the tie-breaker between equal scores
  engine::FusedHit fused;
};

}  // namespace

Result<std::vector<Hit>> Engine::Impl::Search(std::string_view user, const std::vector<std::string>& projects,
                                              const SearchRequest& request) {
  if (projects.empty()) return Status::InvalidArgument("name at least one project to search", "projects");
  if (projects.size() > kMaxProjectsPerSearch) {
    return Status::InvalidArgument("at most 64 projects can be searched at once", "projects");
  }
  if (request.top_k < 1 || request.top_k > kMaxTopK) {
    return Status::InvalidArgument("top_k must be between 1 and " + std::to_string(kMaxTopK), "top_k");
  }
  if (!text::IsValidUtf8(request.query)) return Status::InvalidArgument("query is not valid UTF-8", "query");
  if (text::NormalizeForHash(request.query).empty()) {
    return Status::InvalidArgument("query is empty; give some words to search for", "query");
  }
  if (request.query.size() > options_.max_text_bytes) {
    return Status::InvalidArgument(
        "query is longer than " + std::to_string(options_.max_text_bytes) + " bytes", "query");
  }
  MEMD_ASSIGN_OR_RETURN(index::Filter filter, index::Filter::Parse(request.filter));

  std::vector<std::shared_ptr<engine::OpenCube>> cubes;
  std::set<std::string> seen;
  for (const auto& project : projects) {
    if (!seen.insert(project).second) continue;
    MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(CubeRef{std::string(user), project}, /*create=*/false));
    cubes.push_back(std::move(cube));
  }

  const bool use_lexical = request.mode != SearchMode::kVector;
  const bool use_vector = request.mode != SearchMode::kLexical;
  std::vector<std::string> terms;
  if (use_lexical) analyzer_.Analyze(request.query, &terms);
  std::vector<float> query_vector;
  if (use_vector) {
    query_vector.resize(static_cast<std::size_t>(embedder_->dimension()));
    std::string_view q = request.query;
    MEMD_RETURN_IF_ERROR(embedder_->Embed(std::span<const std::string_view>(&q, 1), query_vector));
  }

  const std::size_t k = static_cast<std::size_t>(request.top_k);
  const std::size_t depth = std::max(k, options_.ranking.candidates);
  const std::size_t vector_depth = std::max(k, options_.ranking.vector_candidates);
  const Timestamp now = Now();
  std::vector<CubeHit> merged;
  for (std::size_t c = 0; c < cubes.size(); ++c) {
    engine::OpenCube& cube = *cubes[c];
    std::shared_lock lock(cube.mu);
    const engine::CubeIndex& idx = *cube.index;
    std::unique_ptr<Bitset> allowed;
    idx.Allowed(&filter, now, &allowed);
    if (allowed && allowed->Count() == 0) continue;
    // Hybrid reads both rankings deep enough for fusion, the vector one with a beam just as
    // wide; a single mode needs its top k only (at the vector index's default beam).
    engine::FusionInput in;
    const bool hybrid = request.mode == SearchMode::kHybrid;
    if (use_lexical && !terms.empty())
      in.lexical = idx.bm25().Search(terms, hybrid ? depth : k, allowed.get());
    if (use_vector) {
      in.vector = hybrid ? idx.vectors().Search(query_vector, vector_depth, allowed.get(), vector_depth)
                         : idx.vectors().Search(query_vector, k, allowed.get());
    }
    std::vector<engine::FusedHit> fused;
    if (hybrid) {
      if (options_.ranking.fusion == Fusion::kWeightedScore) idx.CompleteSignals(terms, query_vector, &in);
      fused = engine::Fuse(in, options_.ranking, k);
    } else {
      fused = engine::Single(use_vector ? in.vector : in.lexical, use_vector, k);
    }
    for (auto& hit : fused) {
      if (request.min_score && hit.score < *request.min_score) continue;
      merged.push_back(CubeHit{c, idx.SlotDoc(hit.slot), idx.SlotId(hit.slot), std::move(hit)});
    }
  }
  std::sort(merged.begin(), merged.end(), [&](const CubeHit& a, const CubeHit& b) {
    if (a.fused.score != b.fused.score) return a.fused.score > b.fused.score;
    if (a.cube_index != b.cube_index)
      return cubes[a.cube_index]->row.project < cubes[b.cube_index]->row.project;
    return a.id < b.id;
  });

  if (merged.size() > k) merged.resize(k);
  // The hits' rows: from the row cache, the others in one read transaction per cube. The
  // epoch is taken before the store is read (see RowCache).
  const std::uint64_t epoch = row_cache_.epoch();
  std::vector<std::shared_ptr<const Memory>> memories(merged.size());
  std::vector<std::vector<std::size_t>> missing(cubes.size());  // positions in merged
  for (std::size_t i = 0; i < merged.size(); ++i) {
    const CubeHit& candidate = merged[i];
    memories[i] = row_cache_.Get(cubes[candidate.cube_index]->instance, candidate.doc);
    if (!memories[i]) missing[candidate.cube_index].push_back(i);
  }
  for (std::size_t c = 0; c < cubes.size(); ++c) {
    if (missing[c].empty()) continue;
    std::vector<std::int64_t> docs;
    for (std::size_t i : missing[c]) docs.push_back(merged[i].doc);
    MEMD_ASSIGN_OR_RETURN(auto rows, store_->GetMemoriesByDoc(cubes[c]->row.id, docs));
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (rows[j])
        memories[missing[c][j]] =
            row_cache_.Put(cubes[c]->instance, docs[j], std::move(rows[j]->memory), epoch);
    }
  }
  std::vector<Hit> hits;
  for (std::size_t i = 0; i < merged.size(); ++i) {
    CubeHit& candidate = merged[i];
    const Memory* memory = memories[i].get();
    // A concurrent delete may have won the race since the index was read: skip, never show it.
    if (!memory || memory->deleted || (memory->expires_at && *memory->expires_at <= now)) continue;
    Hit hit;
    hit.project = cubes[candidate.cube_index]->row.project;
    hit.memory = *memory;
    hit.score = candidate.fused.score;
    if (request.explain) hit.explain = std::move(candidate.fused.explain);
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace memd
