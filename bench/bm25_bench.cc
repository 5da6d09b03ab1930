// Bm25Index: build throughput, memory and Search latency on synthetic corpora, against two
// baselines in the same run:
//  - exhaustive: the same term-at-a-time accumulation without pruning (SearchExhaustive);
//  - naive: score every document from a forward index (sorted (term, tf) per document).
// Corpus: 100K or 1M documents of 25..75 terms drawn from a Zipf(1.0) vocabulary of 100K
// terms. Queries: 5 terms, either Zipf-drawn ("zipf": usually includes terms that occur in
// most documents, the hard case) or uniform over ranks 100..20K ("mid": content words).
// Search benchmarks report p50/p99 latency and, for the pruned search, the speedup over the
// exhaustive one measured on the same queries.
//
// Run: build-bm25/bench/bm25_bench --benchmark_min_time=2s
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "index/bm25_index.h"

namespace memd::index {
namespace {

constexpr std::size_t kVocabulary = 100000;
constexpr std::size_t kQueries = 1000;
constexpr std::size_t kQueryTerms = 5;

// Vose's alias method: O(1) draws from a discrete distribution.
class AliasSampler {
 public:
  explicit AliasSampler(const std::vector<double>& weights) : prob_(weights.size()), alias_(weights.size()) {
    const std::size_t n = weights.size();
    double total = 0;
    for (double w : weights) total += w;
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small;
    std::vector<std::uint32_t> large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back();
      small.pop_back();
      const std::uint32_t l = large.back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (std::uint32_t i : large) prob_[i] = 1.0;
    for (std::uint32_t i : small) prob_[i] = 1.0;
  }
  template <typename Rng>
  std::uint32_t operator()(Rng& rng) const {
    const auto i = static_cast<std::uint32_t>(rng() % prob_.size());
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

using Query = std::vector<std::string>;

struct Corpus {
  std::vector<std::string> vocabulary;
  Bm25Index index;
  // Forward index for the naive baseline: document d's (term, tf) sorted by term are
  // entries[offsets[d] .. offsets[d + 1]).
  std::vector<std::size_t> offsets;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> entries;
  std::vector<std::uint32_t> lengths;
  std::uint64_t total_length = 0;
  std::map<std::string, std::vector<Query>> queries;
  double build_seconds = 0;
  double build_cpu_seconds = 0;
};

std::string Term(std::uint32_t rank) { return "w" + std::to_string(rank); }

std::unique_ptr<Corpus> BuildCorpus(std::size_t docs) {
  auto corpus = std::make_unique<Corpus>();
  std::vector<double> weights(kVocabulary);
  for (std::size_t r = 0; r < kVocabulary; ++r) weights[r] = 1.0 / static_cast<double>(r + 1);
  const AliasSampler zipf(weights);
  for (std::uint32_t r = 0; r < kVocabulary; ++r) corpus->vocabulary.push_back(Term(r));

  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::size_t> length(25, 75);
  std::vector<std::uint32_t> ids;
  std::vector<std::string> terms;
  corpus->offsets.push_back(0);
  double seconds = 0;
  double cpu_seconds = 0;
  for (std::size_t d = 0; d < docs; ++d) {
    ids.resize(length(rng));
    terms.clear();
    for (std::uint32_t& id : ids) {
      id = zipf(rng);
      terms.push_back(corpus->vocabulary[id]);
    }
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuMicros();
    corpus->index.Add(static_cast<Slot>(d), terms);
    cpu_seconds += (ThreadCpuMicros() - cpu_start) / 1e6;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::sort(ids.begin(), ids.end());
    for (std::size_t i = 0; i < ids.size();) {
      std::size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) ++j;
      corpus->entries.emplace_back(ids[i], static_cast<std::uint32_t>(j - i));
      i = j;
    }
    corpus->offsets.push_back(corpus->entries.size());
    corpus->lengths.push_back(static_cast<std::uint32_t>(ids.size()));
    corpus->total_length += ids.size();
  }
  corpus->build_seconds = seconds;
  corpus->build_cpu_seconds = cpu_seconds;

  std::uniform_int_distribution<std::uint32_t> mid(100, 20000);
  for (std::size_t q = 0; q < kQueries; ++q) {
    Query zipf_query;
    Query mid_query;
    for (std::size_t t = 0; t < kQueryTerms; ++t) {
      zipf_query.push_back(Term(zipf(rng)));
      mid_query.push_back(Term(mid(rng)));
    }
    corpus->queries["zipf"].push_back(zipf_query);
    corpus->queries["mid"].push_back(mid_query);
  }
  return corpus;
}

Corpus& GetCorpus(std::size_t docs) {
  static std::map<std::size_t, std::unique_ptr<Corpus>> cache;
  auto& slot = cache[docs];
  if (!slot) slot = BuildCorpus(docs);
  return *slot;
}

// Naive exhaustive BM25 over the forward index (same formula, double precision).
std::vector<ScoredSlot> NaiveSearch(const Corpus& c, const Query& query, std::size_t k) {
  std::vector<std::uint32_t> ids;
  for (const std::string& term : query) ids.push_back(static_cast<std::uint32_t>(std::stoul(term.substr(1))));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const double n = static_cast<double>(c.lengths.size());
  const double avgdl = static_cast<double>(c.total_length) / n;
  const double k1 = 1.2;
  const double b = 0.75;
  std::vector<double> idf;
  for (std::uint32_t id : ids) {
    const double df = c.index.DocumentFrequency(c.vocabulary[id]);
    idf.push_back(std::log1p((n - df + 0.5) / (df + 0.5)));
  }
  std::vector<ScoredSlot> heap;
  for (std::size_t d = 0; d < c.lengths.size(); ++d) {
    const auto* begin = c.entries.data() + c.offsets[d];
    const auto* end = c.entries.data() + c.offsets[d + 1];
    double score = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto* it = std::lower_bound(begin, end, std::pair<std::uint32_t, std::uint32_t>{ids[i], 0});
      if (it == end || it->first != ids[i]) continue;
      const double tf = it->second;
      score += idf[i] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * c.lengths[d] / avgdl));
    }
    if (score <= 0) continue;
    const ScoredSlot s{static_cast<Slot>(d), static_cast<float>(score)};
    if (heap.size() < k) {
      heap.push_back(s);
      std::push_heap(heap.begin(), heap.end(), BetterScored);
    } else if (BetterScored(s, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), BetterScored);
      heap.back() = s;
      std::push_heap(heap.begin(), heap.end(), BetterScored);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), BetterScored);
  return heap;
}

enum class Method { kPruned, kExhaustive, kNaive };

std::vector<ScoredSlot> Run(Method method, const Corpus& c, const Query& q, std::size_t k, const Bitset* allowed) {
  switch (method) {
    case Method::kPruned: return c.index.Search(q, k, allowed);
    case Method::kExhaustive: return c.index.SearchExhaustive(q, k, allowed);
    case Method::kNaive: return NaiveSearch(c, q, k);
  }
  return {};
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Mean thread CPU time in microseconds of one pass over the queries.
double PassMicros(Method method, const Corpus& c, const std::vector<Query>& queries, std::size_t k,
                  const Bitset* allowed) {
  const double start = ThreadCpuMicros();
  for (const Query& q : queries) benchmark::DoNotOptimize(Run(method, c, q, k, allowed));
  return (ThreadCpuMicros() - start) / static_cast<double>(queries.size());
}

// Args: documents, query set (0 zipf, 1 mid), k, allowed fraction in 1/1000 (1000 = none).
void SearchBench(benchmark::State& state, Method method) {
  const Corpus& c = GetCorpus(static_cast<std::size_t>(state.range(0)));
  const std::vector<Query>& queries = c.queries.at(state.range(1) == 0 ? "zipf" : "mid");
  const auto k = static_cast<std::size_t>(state.range(2));
  const auto permille = static_cast<std::size_t>(state.range(3));
  Bitset filter(c.lengths.size());
  std::mt19937 rng(7);
  for (std::size_t i = 0; i < filter.size(); ++i) {
    if (rng() % 1000 < permille) filter.Set(i);
  }
  const Bitset* allowed = permille < 1000 ? &filter : nullptr;

  std::vector<double> wall;
  std::vector<double> cpu;  // per-query thread CPU time: robust to other load on the machine
  std::size_t i = 0;
  for (auto _ : state) {
    const Query& q = queries[i++ % queries.size()];
    const double cpu_start = ThreadCpuMicros();
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(Run(method, c, q, k, allowed));
    wall.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    cpu.push_back(ThreadCpuMicros() - cpu_start);
  }
  state.counters["p50_us"] = Percentile(wall, 0.50);
  state.counters["p99_us"] = Percentile(wall, 0.99);
  state.counters["p50_cpu_us"] = Percentile(cpu, 0.50);
  state.counters["p99_cpu_us"] = Percentile(cpu, 0.99);
  if (method == Method::kPruned) {
    // Same queries, both ways, outside the timed loop.
    const double pruned = PassMicros(Method::kPruned, c, queries, k, allowed);
    const double exhaustive = PassMicros(Method::kExhaustive, c, queries, k, allowed);
    state.counters["vs_exhaustive_x"] = exhaustive / pruned;
  }
}

void BM_Bm25Search(benchmark::State& state) { SearchBench(state, Method::kPruned); }
void BM_Bm25SearchExhaustive(benchmark::State& state) { SearchBench(state, Method::kExhaustive); }
void BM_NaiveForwardScan(benchmark::State& state) { SearchBench(state, Method::kNaive); }

void BM_Bm25Build(benchmark::State& state) {
  const auto docs = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const Corpus& c = GetCorpus(docs);
    state.SetIterationTime(c.build_seconds);
    state.counters["docs_per_s"] = static_cast<double>(docs) / c.build_seconds;
    state.counters["docs_per_cpu_s"] = static_cast<double>(docs) / c.build_cpu_seconds;
    state.counters["index_MiB"] = static_cast<double>(c.index.MemoryBytes()) / (1 << 20);
    state.counters["bytes_per_posting"] =
        static_cast<double>(c.index.MemoryBytes()) / static_cast<double>(c.entries.size());
    state.counters["terms"] = static_cast<double>(c.index.term_count());
  }
}

void SearchArgs(benchmark::internal::Benchmark* b, bool with_filters) {
  b->ArgNames({"docs", "mid", "k", "allowed_permille"});
  for (std::int64_t docs : {100000, 1000000}) {
    for (std::int64_t set : {0, 1}) {
      for (std::int64_t k : {10, 100}) b->Args({docs, set, k, 1000});
    }
    if (with_filters) {
      for (std::int64_t permille : {100, 5}) b->Args({docs, 0, 10, permille});
    }
  }
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Bm25Build)->Arg(100000)->Arg(1000000)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Bm25Search)->Apply([](auto* b) { SearchArgs(b, true); });
BENCHMARK(BM_Bm25SearchExhaustive)->Apply([](auto* b) { SearchArgs(b, true); });
BENCHMARK(BM_NaiveForwardScan)
    ->ArgNames({"docs", "mid", "k", "allowed_permille"})
    ->Args({100000, 0, 10, 1000})
    ->Args({100000, 1, 10, 1000})
    ->Args({1000000, 0, 10, 1000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace memd::index

BENCHMARK_MAIN();
