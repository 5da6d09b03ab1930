// search_latency_bench: single-threaded search latency of memd::Engine on cubes of N
// memories, plus cube open time (from snapshot and by rebuild) and resident memory.
//
// For each N (default 10K and 100K; --with-1m adds 1M, which takes ~10+ minutes):
//  1. Load: a fresh data directory (temp dir), EngineOptions defaults (Durability::kFull,
//     hash embedder dim 256, hnsw_threshold 20000, snapshot every 50K changes), AddBatch of
//     1000 texts at a time. Texts: 20..60 words (avg 40) drawn by Zipf(1) from a seeded
//     50K-word vocabulary, ~3% of words code identifiers such as parse_http_request.
//  2. Wait until the vector graph is complete. The public API exposes no pending count, so:
//     wait until the process is idle (its background graph-building thread has stopped:
//     < 5% of a core over 1 s), then add one sentinel memory (so that the cube is changed
//     and a snapshot will be written: Engine::Snapshot is a no-op for an unchanged cube),
//     wait idle again, call Engine::Snapshot, and read the pending-vector count from the
//     snapshot's vectors.bin (format in src/index/vector_index_io.cc). It must be 0; if not,
//     wait and repeat. So every timed search runs on the complete graph, and the figure
//     "graph complete after load" is the time from the last AddBatch to that point.
//  3. VmRSS (/proc/self/status) with the cube loaded, minus VmRSS before Engine::Open,
//     also scaled to 1M memories.
//  4. Queries: 1000 queries of 3..6 words from the same distribution (other seed) after 100
//     warm-up queries; each query runs in hybrid, vector and lexical mode (rotating order),
//     top_k 10, one thread. Reported per mode: p50/p95/p99 wall-clock latency, the same
//     for thread CPU time (steadier on a loaded machine) and QPS = queries / wall time.
//  5. Open time: destroy the Engine, Engine::Open again and time the first Stats() call
//     (which loads the cube): from the snapshot. Then destroy, delete <data>/snapshots and
//     time again: rebuild from the store; the graph is then rebuilt in the background, and
//     the time until it is complete is reported too (waiting at most --graph-wait seconds).
//     Finally the on-disk snapshot written after the rebuild is inspected for pending vectors
//     and the cube reopened once more.
//
// Run: build-bench/bench/search_latency_bench [--sizes 10000,100000] [--with-1m] [--queries 1000]
//                                            [--graph-wait 900] [--keep DIR]
//   --keep DIR   after each N, copies its closed data directory to DIR/<N> (for --open).
//   --open DIR   only step 5's first measurement, three times: Engine::Open on the existing
//                data directory DIR and the first Stats() (the cube loads from its snapshot).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "memd/engine.h"

namespace memd::bench {
namespace {
namespace fs = std::filesystem;

const CubeRef kCube{"bench", "latency"};
constexpr std::size_t kVocabulary = 50000;

struct Flags {
  std::vector<std::size_t> sizes = {10000, 100000};
  std::size_t queries = 1000;
  std::size_t warmup = 100;
  // How long to wait for the background graph after a rebuild or reopen (step 5).
  double graph_wait_limit = 900;
  std::string keep_dir;  // --keep
  std::string open_dir;  // --open
};

std::unique_ptr<Engine> OpenEngine(const std::string& dir) {
  EngineOptions options;
  options.data_dir = dir;
  auto opened = Engine::Open(options);
  if (!opened.ok()) Die("Engine::Open: " + opened.status().ToString());
  return std::move(opened).value();
}

CubeStats StatsOrDie(Engine& engine) {
  auto stats = engine.Stats(kCube);
  if (!stats.ok()) Die("Stats: " + stats.status().ToString());
  return *stats;
}

// The pending-vector count recorded in the cube's current snapshot (vectors.bin, layout in
// src/index/vector_index_io.cc, version 2), or -1 if there is no snapshot.
std::int64_t SnapshotPendingVectors(const std::string& data_dir) {
  std::error_code ec;
  for (const auto& cube_dir : fs::directory_iterator(data_dir + "/snapshots", ec)) {
    std::ifstream current(cube_dir.path() / "CURRENT");
    std::string name;
    if (!(current >> name)) continue;
    std::ifstream in(cube_dir.path() / name / "vectors.bin", std::ios::binary);
    if (!in) Die("snapshot " + name + " has no vectors.bin");
    auto get = [&](auto* value) {
      if (!in.read(reinterpret_cast<char*>(value), sizeof(*value))) Die("vectors.bin is truncated");
    };
    std::uint32_t magic = 0, version = 0, dim = 0;
    get(&magic);
    get(&version);
    get(&dim);
    if (magic != 0x5849564D || version != 2) Die("vectors.bin has an unknown format; update this benchmark");
    // hnsw_threshold u64, m i32, ef_construction i32, ef_search i32, exact_selectivity f64,
    // exact_scan_max u64, slot_limit u64, live count u64.
    in.seekg(8 + 4 + 4 + 4 + 8 + 8 + 8 + 8, std::ios::cur);
    std::uint64_t words = 0, floats = 0, pending = 0;
    get(&words);
    in.seekg(static_cast<std::streamoff>(words * 8), std::ios::cur);
    get(&floats);
    in.seekg(static_cast<std::streamoff>(floats * 4), std::ios::cur);
    get(&pending);
    return static_cast<std::int64_t>(pending);
  }
  return -1;
}

std::vector<NewMemory> MakeBatch(const TextGenerator& gen, std::mt19937_64& rng, std::size_t n) {
  std::vector<NewMemory> items(n);
  for (auto& m : items) m.text = gen.Text(rng, std::uniform_int_distribution<int>(20, 60)(rng));
  return items;
}

// Waits until the background graph is complete and a snapshot holding it is on disk
// (step 2 of the header comment). Returns the seconds waited.
double WaitForCompleteGraph(Engine& engine, const std::string& data_dir, std::size_t n, int* sentinels) {
  const double t0 = NowSeconds();
  const bool want_graph = n >= EngineOptions{}.hnsw_threshold;
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (WaitForIdleProcess(3600) < 0) Die("the engine did not go idle within an hour");
    if (!want_graph) return NowSeconds() - t0;  // exact scan only: nothing is built in the background
    NewMemory sentinel;
    sentinel.text = "benchmark sentinel memory number " + std::to_string(++*sentinels);
    auto added = engine.Add(kCube, sentinel);
    if (!added.ok()) Die("Add: " + added.status().ToString());
    WaitForIdleProcess(3600, 1.0);
    Status s = engine.Snapshot(kCube);
    if (!s.ok()) Die("Snapshot: " + s.ToString());
    const std::int64_t pending = SnapshotPendingVectors(data_dir);
    if (pending == 0 && StatsOrDie(engine).vector_index == "hnsw") return NowSeconds() - t0;
    std::printf("  (snapshot still has %lld pending vectors; waiting)\n", static_cast<long long>(pending));
  }
  Die("the vector graph never completed");
}

struct ModeStats {
  std::vector<double> wall_ms, cpu_ms;
  double total_wall = 0;
  std::size_t hits = 0;
};

void PrintMode(const char* name, std::size_t n, const ModeStats& m) {
  std::printf("| %zu | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.1f |\n", n, name,
              Percentile(m.wall_ms, 50), Percentile(m.wall_ms, 95), Percentile(m.wall_ms, 99), Percentile(m.cpu_ms, 50),
              Percentile(m.cpu_ms, 95), Percentile(m.cpu_ms, 99),
              static_cast<double>(m.wall_ms.size()) / m.total_wall,
              static_cast<double>(m.hits) / static_cast<double>(m.wall_ms.size()));
}

void RunSize(std::size_t n, const Flags& flags) {
  std::printf("\n== N = %zu ==\nload average before: %s\n", n, LoadAverages().c_str());
  ScratchDir scratch("memd-latency-bench-");
  const std::string data_dir = scratch.path() + "/data";
  TextGenerator gen(kVocabulary, 21);
  std::mt19937_64 rng(22);
  int sentinels = 0;

  const std::int64_t rss_before = VmRssKib();
  auto engine = OpenEngine(data_dir);
  double t0 = NowSeconds();
  for (std::size_t done = 0; done < n; done += 1000) {
    auto added = engine->AddBatch(kCube, MakeBatch(gen, rng, std::min<std::size_t>(1000, n - done)));
    if (!added.ok()) Die("AddBatch: " + added.status().ToString());
  }
  const double load_seconds = NowSeconds() - t0;
  const double graph_wait = WaitForCompleteGraph(*engine, data_dir, n, &sentinels);
  CubeStats stats = StatsOrDie(*engine);
  const std::int64_t rss = VmRssKib() - rss_before;
  std::printf("loaded %lld memories in %.1f s (%.0f/s, load %s); graph complete and snapshotted %.1f s after the "
              "last AddBatch (%d sentinel memories); vector index: %s\n",
              static_cast<long long>(stats.memories), load_seconds, static_cast<double>(n) / load_seconds,
              LoadAverages().c_str(), graph_wait, sentinels, stats.vector_index.c_str());
  std::printf("VmRSS with the cube open: %.1f MiB above the process before Engine::Open = %.2f GiB per 1M memories "
              "(engine's own estimate index_bytes: %.1f MiB); data directory %.1f MiB\n",
              static_cast<double>(rss) / 1024, static_cast<double>(rss) / (1024.0 * 1024.0) * 1e6 / static_cast<double>(n),
              static_cast<double>(stats.index_bytes) / (1 << 20), static_cast<double>(DirectoryBytes(data_dir)) / (1 << 20));

  // Queries.
  std::mt19937_64 qrng(23);
  std::vector<std::string> queries(flags.warmup + flags.queries);
  for (auto& q : queries) q = gen.Query(qrng, std::uniform_int_distribution<int>(3, 6)(qrng));
  const SearchMode modes[] = {SearchMode::kHybrid, SearchMode::kVector, SearchMode::kLexical};
  ModeStats results[3];
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const bool timed = i >= flags.warmup;
    for (std::size_t j = 0; j < 3; ++j) {
      const std::size_t m = (i + j) % 3;
      SearchRequest request;
      request.query = queries[i];
      request.mode = modes[m];
      const double w0 = NowSeconds(), c0 = ThreadCpuSeconds();
      auto hits = engine->Search(kCube.user, {kCube.project}, request);
      const double c1 = ThreadCpuSeconds(), w1 = NowSeconds();
      if (!hits.ok()) Die("Search '" + queries[i] + "': " + hits.status().ToString());
      if (!timed) continue;
      results[m].wall_ms.push_back(1e3 * (w1 - w0));
      results[m].cpu_ms.push_back(1e3 * (c1 - c0));
      results[m].total_wall += w1 - w0;
      results[m].hits += hits->size();
    }
  }
  std::printf("\n%zu queries of 3..6 words (after %zu warm-up), top_k 10, load avg after: %s\n", flags.queries,
              flags.warmup, LoadAverages().c_str());
  std::printf("| N | mode | p50 ms | p95 ms | p99 ms | CPU p50 ms | CPU p95 ms | CPU p99 ms | QPS (wall) | hits/query |\n"
              "|---|---|---|---|---|---|---|---|---|---|\n");
  PrintMode("hybrid", n, results[0]);
  PrintMode("vector", n, results[1]);
  PrintMode("lexical", n, results[2]);
  std::fflush(stdout);

  // Open times.
  engine.reset();
  t0 = NowSeconds();
  engine = OpenEngine(data_dir);
  const double open_engine = NowSeconds() - t0;
  t0 = NowSeconds();
  stats = StatsOrDie(*engine);
  const double from_snapshot = NowSeconds() - t0;
  const std::string index_after_snapshot_load = stats.vector_index;
  engine.reset();
  fs::remove_all(data_dir + "/snapshots");
  t0 = NowSeconds();
  engine = OpenEngine(data_dir);
  const double open_engine2 = NowSeconds() - t0;
  t0 = NowSeconds();
  stats = StatsOrDie(*engine);
  const double rebuild = NowSeconds() - t0;
  const double graph_rebuild = WaitForIdleProcess(flags.graph_wait_limit);
  // Below the threshold there is no graph and every vector is "pending" by definition.
  std::string pending_on_disk = "n/a (no graph below the threshold)";
  if (n >= EngineOptions{}.hnsw_threshold) {
    const std::int64_t p = SnapshotPendingVectors(data_dir);
    pending_on_disk = p < 0 ? "none (no snapshot written yet)" : "one with " + std::to_string(p) + " pending vectors";
  }
  engine.reset();
  t0 = NowSeconds();
  engine = OpenEngine(data_dir);
  stats = StatsOrDie(*engine);
  const double reopen = NowSeconds() - t0;
  const double graph_again = WaitForIdleProcess(flags.graph_wait_limit);
  auto waited = [&](double s) {
    char buf[64];
    if (s < 0) {
      std::snprintf(buf, sizeof(buf), "still running after %.0f s (not waited for)", flags.graph_wait_limit);
    } else {
      std::snprintf(buf, sizeof(buf), "%.1f s", s);
    }
    return std::string(buf);
  };
  std::printf("\nopen: Engine::Open %.3f s + first Stats() from snapshot %.3f s (vector index %s); after deleting "
              "snapshots: Engine::Open %.3f s + first Stats() (rebuild from the store) %.3f s, then background work "
              "(graph build, snapshot): %s; snapshot on disk by then: %s; reopening after that: %.3f s, then "
              "background work: %s; load %s\n",
              open_engine, from_snapshot, index_after_snapshot_load.c_str(), open_engine2, rebuild,
              waited(graph_rebuild).c_str(), pending_on_disk.c_str(), reopen, waited(graph_again).c_str(),
              LoadAverages().c_str());
  std::fflush(stdout);
  if (!flags.keep_dir.empty()) {
    engine.reset();
    const std::string kept = flags.keep_dir + "/" + std::to_string(n);
    fs::remove_all(kept);
    fs::create_directories(flags.keep_dir);
    fs::copy(data_dir, kept, fs::copy_options::recursive);
    std::printf("data directory kept in %s\n", kept.c_str());
  }
}

// --open: the cube open time from the snapshot of an existing data directory.
void TimeOpen(const std::string& dir) {
  for (int i = 0; i < 3; ++i) {
    const double t0 = NowSeconds();
    auto engine = OpenEngine(dir);
    const double t1 = NowSeconds();
    CubeStats stats = StatsOrDie(*engine);
    const double t2 = NowSeconds();
    std::printf("open %d: Engine::Open %.3f s + first Stats() %.3f s = %.3f s; %lld memories, vector index %s, "
                "load %s\n",
                i + 1, t1 - t0, t2 - t1, t2 - t0, static_cast<long long>(stats.memories), stats.vector_index.c_str(),
                LoadAverages().c_str());
    std::fflush(stdout);
  }
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--with-1m") {
      f.sizes.push_back(1000000);
      continue;
    }
    if (i + 1 >= argc) Die("missing value after " + a);
    std::string v = argv[++i];
    if (a == "--sizes") {
      f.sizes.clear();
      std::stringstream ss(v);
      std::string item;
      while (std::getline(ss, item, ',')) f.sizes.push_back(std::stoul(item));
    } else if (a == "--queries") {
      f.queries = std::stoul(v);
    } else if (a == "--graph-wait") {
      f.graph_wait_limit = std::stod(v);
    } else if (a == "--keep") {
      f.keep_dir = v;
    } else if (a == "--open") {
      f.open_dir = v;
    } else {
      Die("unknown flag " + a + " (see the header comment of bench/search_latency_bench.cc)");
    }
  }
  return f;
}

}  // namespace
}  // namespace memd::bench

int main(int argc, char** argv) {
  using namespace memd::bench;
  const Flags flags = ParseFlags(argc, argv);
  std::printf("search_latency_bench on %s\n", DescribeMachine().c_str());
  std::printf("The Python service this replaces served ~128 search req/s with p95 120 ms (not re-run here).\n");
  if (!flags.open_dir.empty()) {
    TimeOpen(flags.open_dir);
    return 0;
  }
  for (std::size_t n : flags.sizes) RunSize(n, flags);
  return 0;
}
