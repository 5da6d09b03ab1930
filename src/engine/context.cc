// Context assembly: preferences, then the best memories for a query, each cited by id,
// deduplicated by normalised text, never over the token budget.
#include <set>

#include "engine/engine_impl.h"
#include "engine/validation.h"

namespace memd {

int EstimateTokens(std::string_view text) { return static_cast<int>((text.size() + 2) / 3); }

namespace {
constexpr int kMinBudget = 64;
constexpr int kMaxBudget = 200000;
constexpr int kContextCandidates = 100;
}  // namespace

Result<ContextBlock> Engine::Impl::Context(const CubeRef& ref, const ContextRequest& request) {
  if (request.token_budget < kMinBudget || request.token_budget > kMaxBudget) {
    return Status::InvalidArgument("token_budget must be between 64 and 200000", "token_budget");
  }
  SearchRequest search;
  search.query = request.query;
  search.top_k = kContextCandidates;
  search.filter = request.filter;
  MEMD_ASSIGN_OR_RETURN(auto hits, Search(ref.user, {ref.project}, search));

  ContextBlock block;
  if (request.include_preferences) {
    MEMD_ASSIGN_OR_RETURN(std::string prefs, FormatPreferencesForPrompt(ref));
    if (!prefs.empty() && EstimateTokens(prefs) <= request.token_budget) {
      block.text = prefs + "\n";
      MEMD_ASSIGN_OR_RETURN(auto list, ListPreferences(ref, ""));
      block.preferences = static_cast<int>(list.size());
    }
  }
  const std::string header = "Relevant memories (cite by [id]):\n";
  bool header_added = false;
  std::set<std::string> seen;
  for (const auto& hit : hits) {
    std::string normalized = text::NormalizeForHash(hit.memory.text);
    if (!seen.insert(normalized).second) continue;
    std::string line = "- [" + hit.memory.id + "] " + normalized + "\n";
    std::string candidate = block.text + (header_added ? "" : header) + line;
    if (EstimateTokens(candidate) > request.token_budget) continue;  // a shorter one may still fit
    block.text = std::move(candidate);
    header_added = true;
    block.memory_ids.push_back(hit.memory.id);
  }
  block.tokens = EstimateTokens(block.text);
  return block;
}

}  // namespace memd
