// hybrid_tuning_bench: how deep a hybrid search must read the vector ranking, and with what
// HNSW beam, to return the weighted-fusion top-10 it would return with perfect knowledge,
// and what each choice costs. Used to choose RankingOptions::vector_candidates and
// VectorIndexOptions::ef_search (docs/PERFORMANCE.md, "Hybrid search tuning").
//
// Input: a cube's index snapshot directory (<data>/snapshots/<cube>/snap-<seq>, e.g. from
// the load test's 100K cube: bench/load/load_fixture + `memd add --jsonl`, then one
// `memd serve` until graph_pending is 0) and a query file (one query per line).
// Gold: kWeightedScore fusion (engine default weights) over every document, both signals
// exact (BM25 by exhaustive scoring, cosine by exact scan). For hybrid configurations
// (lexical depth, vector depth read with a beam as wide, with or without completing each
// candidate's missing signal as the engine does) it reports recall@10 against the gold
// top-10 and the mean / p99 thread-CPU microseconds of BM25 search + vector search +
// completion + fusion (the query's analysis and embedding are the same for all and left
// out); for vector mode, recall@10 against the exact top-10 at several beams. Ground truth
// is computed first, so the timed searches run on warm caches.
//
// Run: build-bench/bench/hybrid_tuning_bench --snapshot DIR --queries FILE [--n 500]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "bench_util.h"
#include "engine/cube_index.h"
#include "engine/fusion.h"
#include "memd/embedder.h"
#include "memd/options.h"
#include "text/text.h"

namespace memd {
namespace {

struct Query {
  std::vector<std::string> terms;
  std::vector<float> vector;
  std::vector<index::Slot> gold;
};

std::vector<index::Slot> Slots(const std::vector<engine::FusedHit>& hits) {
  std::vector<index::Slot> out;
  for (const auto& h : hits) out.push_back(h.slot);
  return out;
}

double Recall(const std::vector<index::Slot>& got, const std::vector<index::Slot>& gold) {
  if (gold.empty()) return 1.0;
  std::set<index::Slot> g(gold.begin(), gold.end());
  std::size_t hit = 0;
  for (index::Slot s : got) hit += g.count(s);
  return static_cast<double>(hit) / static_cast<double>(gold.size());
}

int Main(int argc, char** argv) {
  std::string snapshot, queries_path;
  std::size_t n = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--snapshot")
      snapshot = v;
    else if (a == "--queries")
      queries_path = v;
    else if (a == "--n")
      n = std::stoul(v);
  }
  if (snapshot.empty() || queries_path.empty()) {
    std::fprintf(stderr, "usage: hybrid_tuning_bench --snapshot DIR --queries FILE [--n 500]\n");
    return 2;
  }
  std::printf("# %s\n# load %s\n", bench::DescribeMachine().c_str(), bench::LoadAverages().c_str());
  const RankingOptions ranking;
  const auto embedder = NewHashEmbedder();
  text::Analyzer analyzer;
  std::vector<Query> queries;
  {
    std::ifstream in(queries_path);
    std::string line;
    while (queries.size() < n && std::getline(in, line)) {
      Query q;
      analyzer.Analyze(line, &q.terms);
      q.vector.resize(static_cast<std::size_t>(embedder->dimension()));
      std::string_view text = line;
      if (!embedder->Embed(std::span<const std::string_view>(&text, 1), q.vector).ok()) return 1;
      queries.push_back(std::move(q));
    }
  }
  index::VectorIndexOptions vopt;  // defaults: ef_search 256
  engine::CubeIndex idx(embedder->dimension(), vopt, index::Bm25Params{ranking.bm25_k1, ranking.bm25_b});
  if (Status st = idx.Load(snapshot); !st.ok()) {
    std::fprintf(stderr, "load: %s\n", st.ToString().c_str());
    return 1;
  }
  if (idx.vectors().pending_count() > 0) {
    const double t0 = bench::NowSeconds();
    idx.mutable_vectors().IndexPending(SIZE_MAX);
    std::printf("# graph built in %.1f s (the snapshot had none)\n", bench::NowSeconds() - t0);
  }
  const std::size_t all = idx.live_count();
  std::vector<std::vector<index::Slot>> exact10;
  for (Query& q : queries) {
    engine::FusionInput in;
    in.lexical = idx.bm25().SearchExhaustive(q.terms, all, nullptr);
    in.vector = idx.vectors().ExactSearch(q.vector, all, nullptr);
    q.gold = Slots(engine::Fuse(in, ranking, 10));
    std::vector<index::Slot> e;
    for (const auto& s : idx.vectors().ExactSearch(q.vector, 10, nullptr)) e.push_back(s.slot);
    exact10.push_back(std::move(e));
  }
  std::printf(
      "| mode | lexical depth | vector depth = beam | completion | recall@10 | mean us | p99 us |\n"
      "|---|---|---|---|---|---|---|\n");
  for (std::size_t beam : {16, 32, 64, 128, 256}) {
    std::vector<double> us;
    double recall = 0;
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const double t0 = bench::ThreadCpuSeconds();
      const auto got = idx.vectors().Search(queries[i].vector, 10, nullptr, beam);
      us.push_back((bench::ThreadCpuSeconds() - t0) * 1e6);
      std::vector<index::Slot> a;
      for (const auto& s : got) a.push_back(s.slot);
      recall += Recall(a, exact10[i]);
    }
    std::printf("| vector, k 10 (vs exact top-10) | | %zu | | %.4f | %.0f | %.0f |\n", beam,
                recall / static_cast<double>(queries.size()), bench::Mean(us), bench::Percentile(us, 99));
  }
  struct Config {
    std::size_t lexical_depth, vector_depth;
    bool complete;
  };
  const Config configs[] = {{100, 100, false}, {100, 10, true}, {100, 20, true}, {100, 40, true},
                            {100, 100, true},  {50, 40, true},  {20, 40, true},  {50, 20, true},
                            {30, 20, true},    {20, 20, true},  {20, 10, true}};
  for (const Config& c : configs) {
    std::vector<double> us;
    double recall = 0;
    for (const Query& q : queries) {
      const double t0 = bench::ThreadCpuSeconds();
      engine::FusionInput in;
      in.lexical = idx.bm25().Search(q.terms, c.lexical_depth, nullptr);
      in.vector = idx.vectors().Search(q.vector, c.vector_depth, nullptr, c.vector_depth);
      if (c.complete) idx.CompleteSignals(q.terms, q.vector, &in);
      const auto hits = engine::Fuse(in, ranking, 10);
      us.push_back((bench::ThreadCpuSeconds() - t0) * 1e6);
      recall += Recall(Slots(hits), q.gold);
    }
    std::printf("| hybrid | %zu | %zu | %s | %.4f | %.0f | %.0f |\n", c.lexical_depth, c.vector_depth,
                c.complete ? "yes" : "no", recall / static_cast<double>(queries.size()), bench::Mean(us),
                bench::Percentile(us, 99));
  }
  // The engine before this benchmark: vector ranking to depth 100 at beam 256, no completion.
  {
    std::vector<double> us;
    double recall = 0;
    for (const Query& q : queries) {
      const double t0 = bench::ThreadCpuSeconds();
      engine::FusionInput in;
      in.lexical = idx.bm25().Search(q.terms, 100, nullptr);
      in.vector = idx.vectors().Search(q.vector, 100, nullptr, 256);
      const auto hits = engine::Fuse(in, ranking, 10);
      us.push_back((bench::ThreadCpuSeconds() - t0) * 1e6);
      recall += Recall(Slots(hits), q.gold);
    }
    std::printf("| hybrid (previous default: beam 256) | 100 | 100 | no | %.4f | %.0f | %.0f |\n",
                recall / static_cast<double>(queries.size()), bench::Mean(us), bench::Percentile(us, 99));
  }
  return 0;
}

}  // namespace
}  // namespace memd

int main(int argc, char** argv) { return memd::Main(argc, argv); }
