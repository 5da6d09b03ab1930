// Bm25Index search: query preparation, term-at-a-time scoring with MaxScore-style pruning,
// and the exhaustive reference. See the class comment in bm25_index.h.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "index/bm25_index.h"

namespace memd::index {

namespace {

// Relative slack on score bounds: covers float rounding of contributions and of summing up
// to kMaxPrunedTerms of them (each add errs by at most 2^-24 of the running sum).
constexpr double kBoundSlack = 1.0 + 1e-4;
constexpr std::size_t kMaxPrunedTerms = 1000;
// Galloping to a candidate's posting costs about this many sequential posting visits. A
// filtered search scores just the allowed slots when that is cheaper than scanning the
// postings, and pruning switches to candidate lookups only then too.
constexpr std::size_t kCandidateCost = 4;

// Per-thread search scratch. acc is all zeros between searches: a lease zeroes the entries
// it touched (listed in touched or candidates) when it ends, even on an exception.
struct Scratch {
  std::vector<float> acc;
  std::vector<Slot> touched;
  std::vector<Slot> candidates;
  std::vector<float> heap;
};

class ScratchLease {
 public:
  explicit ScratchLease(std::size_t slots) : s_(Local()) {
    if (s_.acc.size() < slots) s_.acc.resize(slots, 0.0f);
    s_.touched.clear();
    s_.candidates.clear();
  }
  ~ScratchLease() {
    for (Slot slot : s_.touched) s_.acc[slot] = 0.0f;
    for (Slot slot : s_.candidates) s_.acc[slot] = 0.0f;
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch& scratch() { return s_; }

 private:
  static Scratch& Local() {
    thread_local Scratch scratch;
    return scratch;
  }
  Scratch& s_;
};

// The k-th largest acc over slots; -infinity when there are fewer than k slots.
float KthBest(std::span<const Slot> slots, const float* acc, std::size_t k, std::vector<float>* heap) {
  if (slots.size() < k) return -std::numeric_limits<float>::infinity();
  heap->clear();
  for (Slot slot : slots) {
    const float v = acc[slot];
    if (heap->size() < k) {
      heap->push_back(v);
      std::push_heap(heap->begin(), heap->end(), std::greater<float>());
    } else if (v > heap->front()) {
      std::pop_heap(heap->begin(), heap->end(), std::greater<float>());
      heap->back() = v;
      std::push_heap(heap->begin(), heap->end(), std::greater<float>());
    }
  }
  return heap->front();
}

// Calls fn(posting) for each of the slots (ascending) that has a posting, finding it by
// galloping search: O(c log(p / c)) for c slots and p postings.
template <typename PostingT, typename Fn>
void JoinPostings(std::span<const PostingT> postings, std::span<const Slot> slots, Fn&& fn) {
  const PostingT* p = postings.data();
  const PostingT* const end = p + postings.size();
  for (Slot slot : slots) {
    if (p == end) return;
    if (p->slot < slot) {
      // Invariant: lo->slot < slot. Double the step until passing slot, then bisect.
      const PostingT* lo = p;
      std::size_t step = 1;
      const PostingT* hi = end;
      while (static_cast<std::size_t>(end - lo) > step) {
        if (lo[step].slot >= slot) {
          hi = lo + step;
          break;
        }
        lo += step;
        step *= 2;
      }
      p = std::lower_bound(lo + 1, hi, slot, [](const PostingT& x, Slot s) { return x.slot < s; });
      if (p == end) return;
    }
    if (p->slot == slot) {
      fn(*p);
      ++p;
    }
  }
}

// Whether a document with this partial score, to which the remaining terms add at most
// `rest`, must rank below k documents whose partial scores are already >= theta.
bool CannotReach(float partial, double rest, float theta) {
  return (static_cast<double>(partial) + rest) * kBoundSlack < static_cast<double>(theta);
}

// The k best positive-scored slots, sorted by BetterScored.
std::vector<ScoredSlot> TopK(std::span<const Slot> slots, const float* acc, std::size_t k) {
  std::vector<ScoredSlot> heap;  // worst on top
  heap.reserve(std::min(k, slots.size()));
  for (Slot slot : slots) {
    const ScoredSlot c{slot, acc[slot]};
    if (!(c.score > 0.0f)) continue;
    if (heap.size() < k) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), BetterScored);
    } else if (BetterScored(c, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), BetterScored);
      heap.back() = c;
      std::push_heap(heap.begin(), heap.end(), BetterScored);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), BetterScored);
  return heap;
}

}  // namespace

// BM25 contribution of one posting of one query term.
class Bm25Index::TermScorer {
 public:
  TermScorer(float weight, float norm0, float norm1) : weight_(weight), norm0_(norm0), norm1_(norm1) {}
  float Score(std::uint32_t tf, std::uint32_t length) const {
    const auto f = static_cast<float>(tf);
    return weight_ * f / (f + (norm0_ + norm1_ * static_cast<float>(length)));
  }

 private:
  float weight_;  // idf * (k1 + 1)
  float norm0_;   // k1 * (1 - b)
  float norm1_;   // k1 * b / avgdl
};

struct Bm25Index::QueryTerm {
  const Term* term;
  TermScorer scorer;
  double bound;  // >= any contribution of term (before kBoundSlack)
};

// The distinct known query terms, rarest first (ties by text), so the order (and with it
// every float sum) depends only on the query and the exact statistics.
std::vector<Bm25Index::QueryTerm> Bm25Index::PrepareQuery(std::span<const std::string> query_terms) const {
  std::vector<QueryTerm> out;
  if (doc_count_ == 0 || total_length_ == 0) return out;
  std::vector<std::uint32_t> ids;
  ids.reserve(query_terms.size());
  for (const std::string& text : query_terms) {
    const std::uint32_t id = FindTerm(text);
    if (id != kNoTerm) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

  const double n = static_cast<double>(doc_count_);
  const double avgdl = static_cast<double>(total_length_) / n;
  const double k1 = params_.k1;
  const double b = params_.b;
  const auto norm0 = static_cast<float>(k1 * (1.0 - b));
  const auto norm1 = static_cast<float>(k1 * b / avgdl);
  out.reserve(ids.size());
  for (std::uint32_t id : ids) {
    const Term& term = terms_[id];
    const double df = term.df;
    const double idf = std::log1p((n - df + 0.5) / (df + 0.5));
    const auto weight = static_cast<float>(idf * (k1 + 1.0));
    // A posting's length is >= its tf, and weight * tf / (tf + norm0 + norm1 * tf) grows
    // with tf, so max_tf bounds every contribution.
    const double m = std::max<std::uint32_t>(term.max_tf, 1);
    const double bound = weight * m / (m * (1.0 + norm1) + norm0);
    out.push_back(QueryTerm{&term, TermScorer(weight, norm0, norm1), bound});
  }
  std::sort(out.begin(), out.end(), [](const QueryTerm& x, const QueryTerm& y) {
    if (x.term->df != y.term->df) return x.term->df < y.term->df;
    return x.term->text < y.term->text;
  });
  return out;
}

template <bool kFiltered>
void Bm25Index::Accumulate(const QueryTerm& q, const Bitset* allowed, float* acc,
                           std::vector<Slot>* touched) const {
  const std::uint32_t* lengths = doc_length_.data();
  const TermScorer scorer = q.scorer;  // a copy: stores to acc cannot alias it
  for (const Posting& p : q.term->postings) {
    const std::uint32_t length = lengths[p.slot];
    if (length == kAbsent) continue;
    if constexpr (kFiltered) {
      if (!allowed->Test(p.slot)) continue;
    }
    float& a = acc[p.slot];
    if (a == 0.0f) touched->push_back(p.slot);
    a += scorer.Score(p.tf, length);
  }
}

// Adds q's contribution to each candidate (live, ascending) that has a posting.
void Bm25Index::AccumulateCandidates(const QueryTerm& q, std::span<const Slot> candidates, float* acc) const {
  const TermScorer scorer = q.scorer;  // a copy: stores to acc cannot alias it
  const std::uint32_t* lengths = doc_length_.data();
  JoinPostings(std::span(q.term->postings), candidates,
               [&](const auto& p) { acc[p.slot] += scorer.Score(p.tf, lengths[p.slot]); });
}

std::vector<ScoredSlot> Bm25Index::SearchExhaustive(std::span<const std::string> query_terms, std::size_t k,
                                                    const Bitset* allowed) const {
  if (k == 0) return {};
  return ScoreAll(PrepareQuery(query_terms), k, allowed);
}

std::vector<float> Bm25Index::ScoreSlots(std::span<const std::string> query_terms,
                                         std::span<const Slot> slots) const {
  std::vector<float> scores(slots.size(), 0.0f);
  if (slots.empty()) return scores;
  // Same terms, same order, same float sums as Search: the scores are identical.
  const std::uint32_t* lengths = doc_length_.data();
  const std::size_t n = doc_length_.size();
  for (const QueryTerm& q : PrepareQuery(query_terms)) {
    const TermScorer scorer = q.scorer;
    std::size_t i = 0;
    JoinPostings(std::span(q.term->postings), slots, [&](const Posting& p) {
      while (slots[i] != p.slot) ++i;  // JoinPostings visits slots in order
      if (p.slot < n && lengths[p.slot] != kAbsent) scores[i] += scorer.Score(p.tf, lengths[p.slot]);
    });
  }
  return scores;
}

std::vector<ScoredSlot> Bm25Index::ScoreAll(std::span<const QueryTerm> query, std::size_t k,
                                            const Bitset* allowed) const {
  if (query.empty()) return {};
  ScratchLease lease(doc_length_.size());
  Scratch& s = lease.scratch();
  for (const QueryTerm& q : query) {
    if (allowed != nullptr) {
      Accumulate<true>(q, allowed, s.acc.data(), &s.touched);
    } else {
      Accumulate<false>(q, nullptr, s.acc.data(), &s.touched);
    }
  }
  return TopK(s.touched, s.acc.data(), k);
}

std::vector<ScoredSlot> Bm25Index::Search(std::span<const std::string> query_terms, std::size_t k,
                                          const Bitset* allowed) const {
  if (k == 0) return {};
  const std::vector<QueryTerm> query = PrepareQuery(query_terms);
  const std::size_t n = query.size();
  // volume[i]: postings of terms i.., the cost of scoring them exhaustively.
  std::vector<std::size_t> volume(n + 1, 0);
  for (std::size_t i = n; i-- > 0;) volume[i] = volume[i + 1] + query[i].term->postings.size();
  if (n > kMaxPrunedTerms || volume[0] < min_prune_volume_) return ScoreAll(query, k, allowed);
  // rest[i]: bound on what terms i.. can add to any document.
  std::vector<double> rest(n + 1, 0.0);
  for (std::size_t i = n; i-- > 0;) rest[i] = rest[i + 1] + query[i].bound;

  const std::size_t slots = doc_length_.size();
  ScratchLease lease(slots);
  Scratch& s = lease.scratch();
  float* acc = s.acc.data();
  std::size_t next = 0;  // first term not yet scored
  bool candidates_only = false;

  if (allowed != nullptr && allowed->Count() * n * kCandidateCost < volume[0]) {
    allowed->ForEach([&](std::size_t slot) {
      if (slot < slots && doc_length_[slot] != kAbsent && doc_length_[slot] > 0) {
        s.candidates.push_back(static_cast<Slot>(slot));
      }
    });
    s.touched = s.candidates;  // pruning shrinks candidates; the lease must still zero all
    candidates_only = true;
  }
  // Phase 1: score whole postings lists, rarest term first, until no document outside the
  // accumulator can reach the top k and few enough inside still can.
  while (!candidates_only && next < n) {
    if (allowed != nullptr) {
      Accumulate<true>(query[next], allowed, acc, &s.touched);
    } else {
      Accumulate<false>(query[next], nullptr, acc, &s.touched);
    }
    ++next;
    if (next == n || s.touched.size() < k) continue;
    // theta <= best partial <= rest[0] - rest[next]: skip computing it while that cannot
    // help, or when it would cost more (one pass over touched) than it could save.
    if (rest[next] * kBoundSlack >= rest[0] - rest[next] || volume[next] < s.touched.size()) continue;
    const float theta = KthBest(s.touched, acc, k, &s.heap);
    if (!CannotReach(0.0f, rest[next], theta)) continue;
    const auto reachable = [&](Slot slot) { return !CannotReach(acc[slot], rest[next], theta); };
    const auto count = static_cast<std::size_t>(std::count_if(s.touched.begin(), s.touched.end(), reachable));
    if (count * (n - next) * kCandidateCost > volume[next]) continue;
    // The candidates in slot order: sort them, or when many, scan the accumulator (slots
    // outside it score 0 and fail the test, as theta exceeds rest[next]).
    if (count * 16 > slots) {
      for (std::size_t slot = 0; slot < slots; ++slot) {
        if (reachable(static_cast<Slot>(slot))) s.candidates.push_back(static_cast<Slot>(slot));
      }
    } else {
      for (Slot slot : s.touched) {
        if (reachable(slot)) s.candidates.push_back(slot);
      }
      std::sort(s.candidates.begin(), s.candidates.end());
    }
    candidates_only = true;
  }
  if (!candidates_only) return TopK(s.touched, acc, k);
  // Phase 2: look up only the surviving candidates, dropping those that fall out of reach.
  for (; next < n; ++next) {
    AccumulateCandidates(query[next], s.candidates, acc);
    if (next + 1 == n || s.candidates.size() <= k) continue;
    const float theta = KthBest(s.candidates, acc, k, &s.heap);
    std::erase_if(s.candidates, [&](Slot slot) { return CannotReach(acc[slot], rest[next + 1], theta); });
  }
  return TopK(s.candidates, acc, k);
}

}  // namespace memd::index
