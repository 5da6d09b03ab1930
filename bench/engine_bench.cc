// engine_bench: durable bulk-add throughput of memd::Engine::AddBatch against raw SQLite
// inserts of the same data, measured in the same run (alternating rounds) so the ratio is
// robust to the machine's background load.
//
//   memd      Engine::AddBatch into a fresh cube of a fresh data directory (a temp dir on
//             the same file system), EngineOptions defaults: Durability::kFull, the built-in
//             hash embedder (dimension 256), HNSW graph built in the background past 20K.
//             Texts only (kind "note", no metadata or tags).
//   sqlite    the same texts plus a 1 KiB blob each (the size of a 256-float embedding) into
//             one table (INTEGER PRIMARY KEY, TEXT, BLOB) with a prepared INSERT, WAL and
//             synchronous=FULL, one transaction per batch: the floor for a durable store.
// Both: N memories (default 100K) in batches of 1000 of ~40-word English-like texts
// (20..60 words, Zipf(1) over a seeded 50K-word vocabulary with ~3% code identifiers),
// generated before timing. Reported: memories/s for each round, the median of each, and
// the median per-round ratio memd / sqlite. A third, diagnostic contender is memd with the
// HNSW graph disabled (hnsw_threshold = SIZE_MAX): the difference shows what background
// graph building costs the write path on this 2-core machine. Also reported (not part of the throughput): how
// long memd's background graph building runs after the last AddBatch returns, and the
// on-disk size of both.
//
// By default one client thread calls AddBatch (so embedding and the commit never overlap);
// --clients 2 runs two concurrent callers (what a server with two requests in flight sees).
//
// Run: build-bench/bench/engine_bench [--n 100000] [--batch 1000] [--rounds 3] [--clients 1]
//      [--skip sqlite,memd,nograph]   (leave contenders out, e.g. to profile one)
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "memd/engine.h"

namespace memd::bench {
namespace {

struct Flags {
  std::size_t n = 100000;
  std::size_t batch = 1000;
  int rounds = 3;
  int clients = 1;   // threads calling AddBatch concurrently (memd only)
  std::string skip;  // contenders not to run (for profiling one): "sqlite", "memd", "nograph"
};

void CheckSqlite(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Die(std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
}

void Exec(sqlite3* db, const char* sql) { CheckSqlite(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

// Raw SQLite baseline. Returns memories/s.
double RunSqlite(const std::vector<std::string>& texts, std::size_t batch, const std::string& dir,
                 std::uint64_t* disk_bytes) {
  const std::string path = dir + "/raw.db";
  sqlite3* db = nullptr;
  CheckSqlite(sqlite3_open(path.c_str(), &db), db, "open");
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  Exec(db, "CREATE TABLE memories(id INTEGER PRIMARY KEY, text TEXT NOT NULL, embedding BLOB NOT NULL)");
  sqlite3_stmt* insert = nullptr;
  CheckSqlite(sqlite3_prepare_v2(db, "INSERT INTO memories(text, embedding) VALUES(?, ?)", -1, &insert, nullptr), db,
              "prepare");
  // 1 KiB blobs: slices of a random buffer, so building them costs nothing.
  std::vector<unsigned char> pool(64 * 1024 + 1024);
  std::mt19937_64 rng(3);
  for (auto& b : pool) b = static_cast<unsigned char>(rng());

  const double t0 = NowSeconds();
  for (std::size_t start = 0; start < texts.size(); start += batch) {
    Exec(db, "BEGIN");
    for (std::size_t i = start; i < std::min(texts.size(), start + batch); ++i) {
      sqlite3_bind_text(insert, 1, texts[i].data(), static_cast<int>(texts[i].size()), SQLITE_STATIC);
      sqlite3_bind_blob(insert, 2, pool.data() + (i * 64) % (64 * 1024), 1024, SQLITE_STATIC);
      CheckSqlite(sqlite3_step(insert), db, "insert");
      sqlite3_reset(insert);
    }
    Exec(db, "COMMIT");
  }
  const double seconds = NowSeconds() - t0;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  *disk_bytes = DirectoryBytes(dir);
  return static_cast<double>(texts.size()) / seconds;
}

struct MemdResult {
  double per_second = 0;
  double background_seconds = 0;  // graph building (and snapshots) after the last AddBatch
  std::vector<double> batch_ms;   // latency of each AddBatch call
  std::uint64_t disk_bytes = 0;
  std::size_t deduplicated = 0;
  std::string vector_index;
};

// memd through Engine::AddBatch from `clients` threads, each taking the next batch in turn.
MemdResult RunMemd(const std::vector<std::string>& texts, std::size_t batch, const std::string& dir, int clients,
                   bool graph = true) {
  EngineOptions options;
  options.data_dir = dir + "/memd";
  options.durability = Durability::kFull;
  if (!graph) options.hnsw_threshold = std::numeric_limits<std::size_t>::max();
  auto opened = Engine::Open(options);
  if (!opened.ok()) Die("Engine::Open: " + opened.status().ToString());
  std::unique_ptr<Engine> engine = std::move(opened).value();
  const CubeRef cube{"bench", "bulk"};
  MemdResult r;
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  auto client = [&] {
    std::vector<NewMemory> items;
    std::vector<double> latencies;
    std::size_t deduplicated = 0;
    for (;;) {
      const std::size_t start = next.fetch_add(batch);
      if (start >= texts.size()) break;
      items.clear();
      for (std::size_t i = start; i < std::min(texts.size(), start + batch); ++i) {
        NewMemory m;
        m.text = texts[i];
        items.push_back(std::move(m));
      }
      const double b0 = NowSeconds();
      auto added = engine->AddBatch(cube, items);
      latencies.push_back(1e3 * (NowSeconds() - b0));
      if (!added.ok()) Die("AddBatch: " + added.status().ToString());
      for (const auto& a : *added) deduplicated += a.deduplicated ? 1 : 0;
    }
    std::lock_guard lock(mu);
    r.batch_ms.insert(r.batch_ms.end(), latencies.begin(), latencies.end());
    r.deduplicated += deduplicated;
  };
  const double t0 = NowSeconds();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) threads.emplace_back(client);
  for (auto& t : threads) t.join();
  const double seconds = NowSeconds() - t0;
  r.per_second = static_cast<double>(texts.size()) / seconds;
  r.background_seconds = WaitForIdleProcess(1800);
  auto stats = engine->Stats(cube);
  if (!stats.ok()) Die("Stats: " + stats.status().ToString());
  if (stats->memories != static_cast<std::int64_t>(texts.size() - r.deduplicated)) Die("memory count mismatch");
  r.vector_index = stats->vector_index;
  engine.reset();
  r.disk_bytes = DirectoryBytes(options.data_dir);
  return r;
}

std::string BatchLatencies(const std::vector<double>& ms) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%.0f / %.0f / %.0f ms", Percentile(ms, 50), Percentile(ms, 99),
                Percentile(ms, 100));
  return buf;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) Die("missing value after " + a);
    std::string v = argv[++i];
    if (a == "--n") {
      f.n = std::stoul(v);
    } else if (a == "--batch") {
      f.batch = std::stoul(v);
    } else if (a == "--rounds") {
      f.rounds = std::stoi(v);
    } else if (a == "--clients") {
      f.clients = std::stoi(v);
    } else if (a == "--skip") {
      f.skip = v;
    } else {
      Die("unknown flag " + a + " (see the header comment of bench/engine_bench.cc)");
    }
  }
  return f;
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::printf("engine_bench on %s\n", DescribeMachine().c_str());
  TextGenerator gen(50000, 11);
  std::mt19937_64 rng(12);
  std::vector<std::string> texts(flags.n);
  std::size_t words = 0, bytes = 0;
  for (auto& t : texts) {
    const int w = std::uniform_int_distribution<int>(20, 60)(rng);
    t = gen.Text(rng, w);
    words += static_cast<std::size_t>(w);
    bytes += t.size();
  }
  std::printf("%zu texts, %.1f words and %.0f bytes on average, batches of %zu, %d alternating rounds\n", texts.size(),
              static_cast<double>(words) / static_cast<double>(texts.size()),
              static_cast<double>(bytes) / static_cast<double>(texts.size()), flags.batch, flags.rounds);
  std::printf("example: %s\n\n", texts[0].c_str());
  std::printf("memd clients (threads calling AddBatch): %d\n\n", flags.clients);
  std::printf("| round | sqlite mem/s | memd mem/s | memd/sqlite | memd AddBatch p50 / p99 / max | memd background after last add | memd, no graph (diagnostic) mem/s | no-graph AddBatch p50 / p99 / max | load avg |\n"
              "|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  std::vector<double> sqlite_rates, memd_rates, ratios, nograph_rates, nograph_ratios;
  std::uint64_t sqlite_disk = 0, memd_disk = 0;
  for (int round = 0; round < flags.rounds; ++round) {
    double sqlite_rate = 0;
    MemdResult memd, nograph;
    // Rotate the order, so no contender always runs on a warmer page cache.
    for (int j = 0; j < 3; ++j) {
      ScratchDir dir("memd-engine-bench-");
      const int which = (j + round) % 3;
      const char* names[] = {"sqlite", "memd", "nograph"};
      if (flags.skip.find(names[which]) != std::string::npos) continue;
      if (which == 0) {
        sqlite_rate = RunSqlite(texts, flags.batch, dir.path(), &sqlite_disk);
      } else if (which == 1) {
        memd = RunMemd(texts, flags.batch, dir.path(), flags.clients);
        memd_disk = memd.disk_bytes;
      } else {
        nograph = RunMemd(texts, flags.batch, dir.path(), flags.clients, /*graph=*/false);
      }
    }
    sqlite_rates.push_back(sqlite_rate);
    memd_rates.push_back(memd.per_second);
    ratios.push_back(memd.per_second / sqlite_rate);
    nograph_rates.push_back(nograph.per_second);
    nograph_ratios.push_back(nograph.per_second / sqlite_rate);
    std::printf("| %d | %.0f | %.0f | %.3f | %s | %.1f s (index: %s, %zu deduplicated) | %.0f (%.3f of sqlite) | %s | %s |\n",
                round + 1, sqlite_rate, memd.per_second, memd.per_second / sqlite_rate,
                BatchLatencies(memd.batch_ms).c_str(), memd.background_seconds, memd.vector_index.c_str(),
                memd.deduplicated, nograph.per_second, nograph.per_second / sqlite_rate,
                BatchLatencies(nograph.batch_ms).c_str(), LoadAverages().c_str());
    std::fflush(stdout);
  }
  std::printf("\nmedian: sqlite %.0f memories/s, memd %.0f memories/s, memd/sqlite %.3f (median of per-round ratios); "
              "diagnostic memd without graph %.0f memories/s, %.3f of sqlite\n",
              Median(sqlite_rates), Median(memd_rates), Median(ratios), Median(nograph_rates), Median(nograph_ratios));
  std::printf("on disk after close: sqlite %.1f MiB, memd %.1f MiB (store + index snapshot)\n",
              static_cast<double>(sqlite_disk) / (1 << 20), static_cast<double>(memd_disk) / (1 << 20));
  return 0;
}

}  // namespace
}  // namespace memd::bench

int main(int argc, char** argv) { return memd::bench::Main(argc, argv); }
