// vector_bench: memd's vector index (memd::index::VectorIndex: an HNSW graph over int8 codes
// of the vectors, whose results are re-scored with the exact float vectors) against stock
// hnswlib (float vectors) and against exact scan, all measured in the same run so that the
// comparisons are ratios of interleaved rounds, immune to the machine's background load.
//
// What it measures (single-threaded, top-k = 10):
//  1. siftsmall (10K x 128, 100 queries from <sift dir>/siftsmall_{base,query}.fvecs).
//     memd is cosine-only, so base and query vectors are L2-normalised and the ground truth
//     is recomputed by an exact inner-product scan in double precision (the shipped L2
//     ground truth does not apply).
//  2. synthetic: N (default 100K) x 384 seeded Gaussian vectors, normalised. Queries are
//     1000 random base vectors plus Gaussian noise of norm ~0.5, renormalised (cosine ~0.9
//     to their source), so every query has a true neighbourhood; ground truth by exact scan.
//  For both, each contender builds its own graph from the same vectors in the same order
//  (M = 16, ef_construction = 100, seed 100):
//     memd     VectorIndex with the graph forced (hnsw_threshold 1, graph_beam_cost 0),
//              built by Add + IndexPending; searched by Search(q, 10, nullptr, beam): the
//              graph returns the best `beam` nodes of a beam that wide by int8 code
//              distance, all re-scored exactly, the 10 best kept
//     hnswlib  stock hnswlib 0.6.2, InnerProductSpace with its SSE distance and prefetching
//              (raw_hnsw_stock.cc), built by addPoint; searched by setEf(beam) + searchKnn(q, 10)
//     exact    VectorIndex::ExactSearch (in the widest beam's group only)
//  It prints build time (thread CPU and wall), the memory of each index (memd:
//  VectorIndex::MemoryBytes, i.e. the flat float vectors it re-scores from plus the int8
//  graph; hnswlib: StockHnsw::MemoryBytes, the same formula as memd's HnswGraph::MemoryBytes
//  applied to hnswlib's fields, float vectors inside the graph), then at beam widths 16, 32,
//  64, 128 and 256 the QPS (from thread CPU time; wall-clock in brackets), recall@10 and
//  recall@1 of each, and the median over interleaved rounds of (memd time / hnswlib time).
//  3. crossover: exact scan vs HNSW latency at N = 1K, 5K, 10K, 20K, 30K, 40K, 50K, 100K, 200K
//     (up to --crossover-max) vectors of dimension 256 made by memd's hash embedder from
//     synthetic ~40-word texts (Zipfian 50K-word vocabulary), queries of 3-6 words, for
//     k = 10 and k = 100 (the engine asks the vector index for max(top_k,
//     ranking.candidates = 100)). HNSW = VectorIndex::Search with the graph forced and the
//     default beam (beam 0 = ef_search, default 256); "default" = the same index and beam
//     with the default cost model (graph_beam_cost), which picks graph or scan. Used to
//     choose EngineOptions::hnsw_threshold and graph_beam_cost.
//
// Build and run (nothing heavy should run meanwhile; on one 2-core EPYC: ~30 s for sift,
// ~3 minutes for synthetic at --synthetic-n 50000, ~2 minutes for crossover at
// --crossover-max 50000; the defaults (100K) take several times longer):
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMD_BUILD_BENCH=ON
//   ninja -C build-bench vector_bench
//   build-bench/bench/vector_bench [--sift /work/shared/data/siftsmall] [--only sift|synthetic|crossover]
//                                  [--synthetic-n 100000] [--crossover-max 100000] [--rounds 5]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.h"
#include "index/vector_index.h"
#include "memd/embedder.h"
#include "raw_hnsw.h"
#include "util/binary_io.h"

namespace memd::bench {
namespace {

using index::Slot;
using index::VectorIndex;
using index::VectorIndexOptions;

constexpr int kM = 16;
constexpr int kEfConstruction = 100;
constexpr std::size_t kK = 10;
constexpr std::size_t kSeed = 100;  // memd's HnswGraph seeds hnswlib with 100 too

struct Flags {
  std::string sift_dir = "/work/shared/data/siftsmall";
  std::string only;
  std::size_t synthetic_n = 100000;
  std::size_t crossover_max = 100000;
  int rounds = 5;
};

// A dense matrix of row vectors.
struct Matrix {
  std::size_t rows = 0;
  int dim = 0;
  std::vector<float> data;
  const float* Row(std::size_t i) const { return data.data() + i * static_cast<std::size_t>(dim); }
  float* Row(std::size_t i) { return data.data() + i * static_cast<std::size_t>(dim); }
};

Matrix ReadFvecs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot open " + path);
  Matrix m;
  for (;;) {
    std::int32_t dim = 0;
    if (!in.read(reinterpret_cast<char*>(&dim), 4)) break;
    if (dim <= 0 || (m.dim != 0 && dim != m.dim)) Die("bad fvecs record in " + path);
    m.dim = dim;
    std::size_t old = m.data.size();
    m.data.resize(old + static_cast<std::size_t>(dim));
    if (!in.read(reinterpret_cast<char*>(m.data.data() + old), dim * 4)) Die("truncated fvecs file " + path);
    ++m.rows;
  }
  return m;
}

void Normalize(float* v, int dim) {
  double s = 0;
  for (int i = 0; i < dim; ++i) s += static_cast<double>(v[i]) * v[i];
  const float inv = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
  for (int i = 0; i < dim; ++i) v[i] *= inv;
}

void NormalizeAll(Matrix& m) {
  for (std::size_t i = 0; i < m.rows; ++i) Normalize(m.Row(i), m.dim);
}

// Exact top-k by inner product accumulated in double (independent of VectorIndex's code).
std::vector<std::vector<Slot>> GroundTruth(const Matrix& base, const Matrix& queries, std::size_t k) {
  std::vector<std::vector<Slot>> truth(queries.rows);
  std::vector<std::pair<double, Slot>> scored(base.rows);
  for (std::size_t q = 0; q < queries.rows; ++q) {
    const float* qv = queries.Row(q);
    for (std::size_t i = 0; i < base.rows; ++i) {
      const float* b = base.Row(i);
      double s = 0;
      for (int d = 0; d < base.dim; ++d) s += static_cast<double>(qv[d]) * b[d];
      scored[i] = {s, static_cast<Slot>(i)};
    }
    const std::size_t kk = std::min(k, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kk), scored.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (std::size_t j = 0; j < kk; ++j) truth[q].push_back(scored[j].second);
  }
  return truth;
}

// Fraction of the true top-k found in the answers' first k.
double Recall(const std::vector<std::vector<Slot>>& truth, const std::vector<std::vector<Slot>>& answers,
              std::size_t k) {
  std::size_t hit = 0, total = 0;
  for (std::size_t q = 0; q < truth.size(); ++q) {
    std::set<Slot> want(truth[q].begin(), truth[q].begin() + static_cast<std::ptrdiff_t>(std::min(k, truth[q].size())));
    for (std::size_t j = 0; j < std::min(k, answers[q].size()); ++j) hit += want.count(answers[q][j]);
    total += want.size();
  }
  return total == 0 ? 0 : static_cast<double>(hit) / static_cast<double>(total);
}

// A search under test: writes the labels of its top-k for one query.
struct Contender {
  std::string name;
  std::function<void(const float* query, std::vector<Slot>* out)> search;
  std::size_t max_queries_per_round = 0;  // a pass uses the first this many queries; 0: all
};

struct Timing {
  std::vector<double> seconds_per_query;  // thread CPU seconds, one entry per round
  std::vector<double> wall_per_query;     // wall-clock seconds, one entry per round
};

// Interleaved rounds: in every round each contender (in rotated order) runs whole passes over
// its queries until it has used min_seconds of thread CPU time. Returns per-round seconds per query. Recall is
// always computed over every query (AnswerAll).
std::vector<Timing> TimeRounds(const std::vector<Contender>& contenders, const Matrix& queries, int rounds,
                               double min_seconds = 0.25) {
  std::vector<Timing> out(contenders.size());
  std::vector<Slot> labels;
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t j = 0; j < contenders.size(); ++j) {
      const std::size_t c = (j + static_cast<std::size_t>(r)) % contenders.size();
      const Contender& con = contenders[c];
      const std::size_t nq = con.max_queries_per_round == 0 ? queries.rows
                                                            : std::min(queries.rows, con.max_queries_per_round);
      std::size_t done = 0;
      const double t0 = NowSeconds();
      const double cpu0 = ThreadCpuSeconds();
      double elapsed = 0;
      do {
        for (std::size_t q = 0; q < nq; ++q) con.search(queries.Row(q), &labels);
        done += nq;
        elapsed = ThreadCpuSeconds() - cpu0;
      } while (elapsed < min_seconds);
      out[c].seconds_per_query.push_back(elapsed / static_cast<double>(done));
      out[c].wall_per_query.push_back((NowSeconds() - t0) / static_cast<double>(done));
    }
  }
  return out;
}

std::vector<std::vector<Slot>> AnswerAll(const Contender& c, const Matrix& queries) {
  std::vector<std::vector<Slot>> answers(queries.rows);
  for (std::size_t q = 0; q < queries.rows; ++q) c.search(queries.Row(q), &answers[q]);
  return answers;
}

// Median over rounds of a[r] / b[r].
double MedianRatio(const Timing& a, const Timing& b) {
  std::vector<double> r;
  for (std::size_t i = 0; i < a.seconds_per_query.size(); ++i) r.push_back(a.seconds_per_query[i] / b.seconds_per_query[i]);
  return Median(r);
}

// Options under which VectorIndex::Search always uses the graph (see the header comment).
VectorIndexOptions MemdOptions() {
  VectorIndexOptions o;
  o.hnsw_threshold = 1;
  o.m = kM;
  o.ef_construction = kEfConstruction;
  o.graph_beam_cost = 0;
  return o;
}

// Seconds a step took: thread CPU time (steady under background load) and wall-clock.
struct Elapsed {
  double cpu = 0, wall = 0;
};

template <typename Fn>
Elapsed Measure(Fn&& fn) {
  const double wall0 = NowSeconds(), cpu0 = ThreadCpuSeconds();
  fn();
  return {ThreadCpuSeconds() - cpu0, NowSeconds() - wall0};
}

// Adds rows [from, to) and inserts every pending vector into the graph (IndexPending runs on
// the calling thread). Returns the time both took.
Elapsed AddAndIndex(VectorIndex& idx, const Matrix& base, std::size_t from, std::size_t to) {
  const Elapsed t = Measure([&] {
    for (std::size_t i = from; i < to; ++i) idx.Add(static_cast<Slot>(i), std::span<const float>(base.Row(i), base.dim));
    while (idx.pending_count() > 0) idx.IndexPending(std::size_t{1} << 20);
  });
  if (!idx.uses_hnsw() || idx.pending_count() != 0) Die("memd's graph was not built");
  return t;
}

// A copy of `source` with other search options, through Save/Load (options are fixed at
// construction; the graph is the same).
std::unique_ptr<VectorIndex> CopyWithOptions(const VectorIndex& source, const VectorIndexOptions& options,
                                             const std::string& scratch) {
  const std::string vectors_path = scratch + "/vectors.bin", graph_path = scratch + "/hnsw.bin";
  {
    BinaryWriter out(vectors_path);
    Status s = source.Save(out, graph_path);
    if (s.ok()) s = out.Finish();
    if (!s.ok()) Die("VectorIndex::Save: " + s.ToString());
  }
  auto copy = std::make_unique<VectorIndex>(source.dimension(), options);
  BinaryReader in(vectors_path);
  Status s = in.status();
  if (s.ok()) s = copy->Load(in, graph_path);
  if (!s.ok()) Die("VectorIndex::Load: " + s.ToString());
  return copy;
}

// VectorIndex::Search(q, k, nullptr, beam) (beam 0: the options' ef_search), or ExactSearch.
Contender MemdContender(std::string name, const VectorIndex* idx, std::size_t k, std::size_t beam,
                        bool exact = false) {
  const int dim = idx->dimension();
  return {std::move(name), [idx, k, beam, dim, exact](const float* q, std::vector<Slot>* out) {
            std::span<const float> query(q, static_cast<std::size_t>(dim));
            auto hits = exact ? idx->ExactSearch(query, k, nullptr) : idx->Search(query, k, nullptr, beam);
            out->resize(hits.size());
            for (std::size_t i = 0; i < hits.size(); ++i) (*out)[i] = hits[i].slot;
          }};
}

// Stock hnswlib's searchKnn(q, k) at the ef last set by SetEf.
Contender HnswlibContender(std::string name, const StockHnsw* g, std::size_t k) {
  return {std::move(name), [g, k](const float* q, std::vector<Slot>* out) { g->Search(q, k, out); }};
}

void PrintHeader(const char* title) {
  std::printf("\n== %s ==\nload average before: %s\n", title, LoadAverages().c_str());
}

double Mib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Part 1 and 2: memd vs stock hnswlib vs exact on one data set, each building its own graph.
void CompareOnDataset(const char* title, const Matrix& base, const Matrix& queries, const Flags& flags,
                      std::size_t exact_queries_per_round) {
  PrintHeader(title);
  std::printf("base %zu x %d, %zu queries, k=%zu, M=%d, ef_construction=%d, %d interleaved rounds\n", base.rows,
              base.dim, queries.rows, kK, kM, kEfConstruction, flags.rounds);
  const double t0 = NowSeconds();
  const auto truth = GroundTruth(base, queries, kK);
  std::printf("ground truth (exact double-precision inner-product scan): %.1f s\n", NowSeconds() - t0);

  // Builds, one after the other, from the same vectors in the same order.
  VectorIndex memd(base.dim, MemdOptions());
  const Elapsed memd_build = AddAndIndex(memd, base, 0, base.rows);
  StockHnsw hnswlib(base.dim, base.rows, kM, kEfConstruction, kSeed);
  const Elapsed hnswlib_build = Measure([&] {
    for (std::size_t i = 0; i < base.rows; ++i) hnswlib.Add(base.Row(i), static_cast<Slot>(i));
  });
  const double n = static_cast<double>(base.rows);
  std::printf("build, thread CPU (wall): memd Add + IndexPending %.2f s (%.2f s) = %.0f inserts/s, hnswlib addPoint "
              "%.2f s (%.2f s) = %.0f inserts/s; memd/hnswlib CPU time %.3f; load %s\n",
              memd_build.cpu, memd_build.wall, n / memd_build.cpu, hnswlib_build.cpu, hnswlib_build.wall,
              n / hnswlib_build.cpu, memd_build.cpu / hnswlib_build.cpu, LoadAverages().c_str());
  const std::size_t float_bytes = base.rows * static_cast<std::size_t>(base.dim) * sizeof(float);
  std::printf("memory: memd VectorIndex::MemoryBytes %.1f MiB (of which the flat float vectors n*dim*4 = %.1f MiB, "
              "the rest the int8 graph with capacity 1.25 n and bitsets); hnswlib %.1f MiB (float vectors inside "
              "the graph, capacity n; HnswGraph::MemoryBytes' formula on hnswlib's fields); memd/hnswlib %.3f\n",
              Mib(memd.MemoryBytes()), Mib(float_bytes), Mib(hnswlib.MemoryBytes()),
              static_cast<double>(memd.MemoryBytes()) / static_cast<double>(hnswlib.MemoryBytes()));

  std::printf("\nQPS = 1 / median over rounds of thread-CPU seconds per query (wall-clock QPS in brackets);\n"
              "time vs hnswlib = median of per-round CPU-time ratios.\n"
              "\n| beam | contender | QPS CPU (wall) | recall@10 | recall@1 | time vs hnswlib | load avg |\n"
              "|---|---|---|---|---|---|---|\n");
  struct Row {
    std::size_t beam;
    double memd_qps, hnswlib_qps, qps_ratio, memd_recall, hnswlib_recall;
  };
  std::vector<Row> rows;
  const std::vector<std::size_t> beams = {16, 32, 64, 128, 256};
  for (std::size_t beam : beams) {
    hnswlib.SetEf(beam);
    std::vector<Contender> contenders = {
        MemdContender("memd VectorIndex::Search", &memd, kK, beam),
        HnswlibContender("hnswlib (stock, SSE)", &hnswlib, kK),
    };
    if (beam == beams.back()) {
      contenders.push_back(MemdContender("exact VectorIndex::ExactSearch", &memd, kK, 0, /*exact=*/true));
      contenders.back().max_queries_per_round = exact_queries_per_round;
    }
    std::vector<double> recall, recall1;
    for (const auto& c : contenders) {
      const auto answers = AnswerAll(c, queries);
      recall.push_back(Recall(truth, answers, kK));
      recall1.push_back(Recall(truth, answers, 1));
    }
    const auto timing = TimeRounds(contenders, queries, flags.rounds);
    const std::string load = LoadAverages();
    for (std::size_t c = 0; c < contenders.size(); ++c) {
      std::printf("| %zu | %s | %.0f (%.0f) | %.4f | %.4f | %.3f | %s |\n", beam, contenders[c].name.c_str(),
                  1.0 / Median(timing[c].seconds_per_query), 1.0 / Median(timing[c].wall_per_query), recall[c],
                  recall1[c], MedianRatio(timing[c], timing[1]), load.c_str());
    }
    rows.push_back({beam, 1.0 / Median(timing[0].seconds_per_query), 1.0 / Median(timing[1].seconds_per_query),
                    1.0 / MedianRatio(timing[0], timing[1]), recall[0], recall[1]});
    std::fflush(stdout);
  }
  std::printf("\nsummary (QPS ratio = 1 / median of per-round memd/hnswlib CPU-time ratios):\n"
              "\n| beam | memd QPS | hnswlib QPS | memd/hnswlib QPS | memd recall@10 | hnswlib recall@10 |\n"
              "|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %zu | %.0f | %.0f | %.3f | %.4f | %.4f |\n", r.beam, r.memd_qps, r.hnswlib_qps, r.qps_ratio,
                r.memd_recall, r.hnswlib_recall);
  }
  std::fflush(stdout);
}

void RunSift(const Flags& flags) {
  Matrix base = ReadFvecs(flags.sift_dir + "/siftsmall_base.fvecs");
  Matrix queries = ReadFvecs(flags.sift_dir + "/siftsmall_query.fvecs");
  NormalizeAll(base);
  NormalizeAll(queries);
  CompareOnDataset("siftsmall (L2-normalised; ground truth recomputed by inner product)", base, queries, flags, 0);
}

void RunSynthetic(const Flags& flags) {
  const int dim = 384;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  Matrix base;
  base.rows = flags.synthetic_n;
  base.dim = dim;
  base.data.resize(base.rows * dim);
  for (float& x : base.data) x = gauss(rng);
  NormalizeAll(base);
  Matrix queries;
  queries.rows = 1000;
  queries.dim = dim;
  queries.data.resize(queries.rows * dim);
  const float noise = 0.5f / std::sqrt(static_cast<float>(dim));  // noise vector norm ~0.5
  for (std::size_t q = 0; q < queries.rows; ++q) {
    const float* src = base.Row(std::uniform_int_distribution<std::size_t>(0, base.rows - 1)(rng));
    for (int d = 0; d < dim; ++d) queries.Row(q)[d] = src[d] + noise * gauss(rng);
  }
  NormalizeAll(queries);
  char title[160];
  std::snprintf(title, sizeof(title),
                "synthetic %zu x %d (seed 42; queries = 1000 base vectors + noise of norm 0.5, renormalised)",
                base.rows, dim);
  CompareOnDataset(title, base, queries, flags, /*exact_queries_per_round=*/100);
}

void RunCrossover(const Flags& flags) {
  PrintHeader("crossover: exact scan vs HNSW, dim 256, hash-embedded synthetic texts");
  std::vector<std::size_t> sizes;
  for (std::size_t n : {1000, 5000, 10000, 20000, 30000, 40000, 50000, 100000, 200000}) {
    if (n <= flags.crossover_max) sizes.push_back(n);
  }
  const std::size_t max_n = sizes.back();
  auto embedder = NewHashEmbedder(256);
  TextGenerator gen(50000, 7);
  std::mt19937_64 rng(8);
  std::vector<std::string> texts(max_n), query_texts(1000);
  for (auto& t : texts) t = gen.Text(rng, std::uniform_int_distribution<int>(20, 60)(rng));
  for (auto& q : query_texts) q = gen.Query(rng, std::uniform_int_distribution<int>(3, 6)(rng));
  auto embed = [&](const std::vector<std::string>& in) {
    Matrix m;
    m.rows = in.size();
    m.dim = 256;
    m.data.resize(m.rows * 256);
    std::vector<std::string_view> views(in.begin(), in.end());
    Status s = embedder->Embed(views, m.data);
    if (!s.ok()) Die("embedding failed: " + s.ToString());
    return m;
  };
  const double t0 = NowSeconds();
  const Matrix base = embed(texts);
  const Matrix queries = embed(query_texts);
  std::printf("embedded %zu texts + %zu queries in %.1f s; beam = default ef_search %d, default graph_beam_cost %.0f, "
              "%d interleaved rounds\n",
              base.rows, queries.rows, NowSeconds() - t0, VectorIndexOptions{}.ef_search,
              VectorIndexOptions{}.graph_beam_cost, flags.rounds);

  ScratchDir scratch("memd-vector-bench-");
  VectorIndexOptions forced;  // defaults, but the graph is started at once and always used
  forced.hnsw_threshold = 1;
  forced.graph_beam_cost = 0;
  VectorIndexOptions model = forced;  // the same graph, but the default cost model decides
  model.graph_beam_cost = VectorIndexOptions{}.graph_beam_cost;
  VectorIndex idx(256, forced);
  std::printf("\nHNSW = VectorIndex::Search with the graph forced (graph_beam_cost 0); default = VectorIndex::Search "
              "with the default cost model (it picks graph or scan; recall 1.0000 means it scanned). Both: beam 0 = ef_search.\n"
              "µs = median over rounds of thread-CPU time per query.\n"
              "\n| N | k | exact µs | HNSW µs | HNSW/exact | HNSW recall@k | default µs | default recall@k | load avg |\n"
              "|---|---|---|---|---|---|---|---|---|\n");
  std::size_t have = 0;
  std::map<std::size_t, std::size_t> crossover;  // k -> first N where HNSW beats exact
  for (std::size_t n : sizes) {
    Matrix prefix;
    prefix.rows = n;
    prefix.dim = 256;
    prefix.data.assign(base.data.begin(), base.data.begin() + static_cast<std::ptrdiff_t>(n * 256));
    AddAndIndex(idx, base, have, n);
    have = n;
    auto with_model = CopyWithOptions(idx, model, scratch.path());
    const auto truth100 = GroundTruth(prefix, queries, 100);
    for (std::size_t k : {std::size_t{10}, std::size_t{100}}) {
      auto truth = truth100;
      for (auto& t : truth) t.resize(std::min(t.size(), k));
      std::vector<Contender> contenders = {MemdContender("exact", &idx, k, 0, /*exact=*/true),
                                           MemdContender("hnsw", &idx, k, 0),
                                           MemdContender("default", with_model.get(), k, 0)};
      for (auto& c : contenders) c.max_queries_per_round = 300;
      const double recall = Recall(truth, AnswerAll(contenders[1], queries), k);
      const double default_recall = Recall(truth, AnswerAll(contenders[2], queries), k);
      const auto timing = TimeRounds(contenders, queries, flags.rounds, 0.1);
      const double exact_us = 1e6 * Median(timing[0].seconds_per_query);
      const double hnsw_us = 1e6 * Median(timing[1].seconds_per_query);
      const double default_us = 1e6 * Median(timing[2].seconds_per_query);
      const double ratio = MedianRatio(timing[1], timing[0]);
      if (ratio < 1.0 && !crossover.count(k)) crossover[k] = n;
      std::printf("| %zu | %zu | %.0f | %.0f | %.3f | %.4f | %.0f | %.4f | %s |\n", n, k, exact_us, hnsw_us, ratio, recall,
                  default_us, default_recall, LoadAverages().c_str());
      std::fflush(stdout);
    }
  }
  for (std::size_t k : {std::size_t{10}, std::size_t{100}}) {
    if (crossover.count(k)) {
      std::printf("k=%zu: HNSW first faster than exact scan at N=%zu (of the sizes measured)\n", k, crossover[k]);
    } else {
      std::printf("k=%zu: HNSW never faster than exact scan up to N=%zu\n", k, max_n);
    }
  }
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--sift") {
      f.sift_dir = value();
    } else if (a == "--only") {
      f.only = value();
    } else if (a == "--synthetic-n") {
      f.synthetic_n = std::stoul(value());
    } else if (a == "--crossover-max") {
      f.crossover_max = std::stoul(value());
    } else if (a == "--rounds") {
      f.rounds = std::stoi(value());
    } else {
      Die("unknown flag " + a + " (see the header comment of bench/vector_bench.cc)");
    }
  }
  return f;
}

}  // namespace
}  // namespace memd::bench

int main(int argc, char** argv) {
  using namespace memd::bench;
  const Flags flags = ParseFlags(argc, argv);
  std::printf("vector_bench on %s\n", DescribeMachine().c_str());
  if (flags.only.empty() || flags.only == "sift") RunSift(flags);
  if (flags.only.empty() || flags.only == "synthetic") RunSynthetic(flags);
  if (flags.only.empty() || flags.only == "crossover") RunCrossover(flags);
  return 0;
}
