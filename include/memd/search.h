// Requests and results of search, listing and context assembly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memd/memory.h"

namespace memd {

enum class SearchMode { kHybrid, kVector, kLexical };

// Parses "hybrid" | "vector" | "lexical"; nullopt otherwise.
std::optional<SearchMode> ParseSearchMode(std::string_view name);
std::string_view SearchModeName(SearchMode mode);

inline constexpr int kMaxTopK = 1000;

// A search over one or more cubes of one user.
//
// filter is JSON text (empty: no filter). Grammar:
//   filter := {"and": [filter...]} | {"or": [filter...]} | {"not": filter} | condition
//   condition := {"field": FIELD, "op": OP, "value": VALUE}
//   FIELD := "kind" | "tags" | "created_at" | "updated_at" | "source" | "metadata.<key>[.<key>...]"
//   OP := eq ne gt gte lt lte in nin contains  (and for "tags": any all)
// Time values are milliseconds since the epoch or RFC 3339 strings. Unknown fields or
// operators and type mismatches are InvalidArgument naming the path, e.g. "filter.and[2].op".
struct SearchRequest {
  std::string query;               // non-empty UTF-8
  int top_k = 10;                  // 1..kMaxTopK
  SearchMode mode = SearchMode::kHybrid;
  std::string filter;
  std::optional<double> min_score; // drop hits scoring below
  bool explain = false;            // fill Hit::explain
};

// Per-signal evidence for one hit (only when SearchRequest::explain).
struct HitExplain {
  std::optional<double> vector_score;   // cosine similarity
  std::optional<int> vector_rank;       // 1-based rank in the vector list
  std::optional<double> lexical_score;  // BM25
  std::optional<int> lexical_rank;      // 1-based rank in the BM25 list
  std::string fusion;                   // how score was computed, e.g. "rrf(k=60)"
};

// One search result. score is comparable across the cubes of one search.
struct Hit {
  std::string project;
  Memory memory;
  double score = 0;
  std::optional<HitExplain> explain;
};

// A page of List.
struct ListRequest {
  int limit = 50;               // 1..1000
  std::string cursor;           // from the previous page's next_cursor; empty: first page
  std::string filter;           // same grammar as SearchRequest::filter
  bool include_deleted = false;
};
struct ListPage {
  std::vector<Memory> memories;  // ascending id (creation order)
  std::string next_cursor;       // empty when this is the last page
};

// Assembly of a prompt-ready block for a query within a token budget.
struct ContextRequest {
  std::string query;
  int token_budget = 2000;       // 64..200000
  std::string filter;
  bool include_preferences = true;
};
struct ContextBlock {
  std::string text;                     // never longer than token_budget tokens
  int tokens = 0;                       // by EstimateTokens()
  std::vector<std::string> memory_ids;  // cited memories, in the order they appear
  int preferences = 0;                  // number of preferences included
};

// memd's token count until a real tokenizer exists: ceil(UTF-8 bytes / 3). BPE tokenizers
// average about 4 bytes per token on English prose and about 3 on code, so this
// deliberately overestimates: a block that fits by this count fits a real budget.
int EstimateTokens(std::string_view text);

}  // namespace memd
