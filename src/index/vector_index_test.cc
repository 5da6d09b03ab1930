#include "index/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "util/temp_dir.h"

namespace memd::index {
namespace {

// Sanitizer and unoptimised builds run smaller data sets (TSan is slowest: hnswlib takes a
// mutex per visited node, and TSan tracks every one).
#if defined(__SANITIZE_THREAD__)
#define MEMD_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MEMD_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(MEMD_TEST_TSAN) || !defined(__OPTIMIZE__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
#ifdef MEMD_TEST_TSAN
constexpr bool kTsan = true;
#else
constexpr bool kTsan = false;
#endif

// Deterministic random unit vectors, one row per slot.
std::vector<std::vector<float>> RandomUnitVectors(std::size_t n, int dim, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (auto& v : out) {
    double norm = 0;
    for (auto& x : v) {
      x = normal(rng);
      norm += double{x} * x;
    }
    for (auto& x : v) x = static_cast<float>(x / std::sqrt(norm));
  }
  return out;
}

double DotD(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double{a[i]} * b[i];
  return s;
}

// Checks got against a double-precision brute force over the slots in `present` that pass
// `allowed`: same length, sorted, exact scores, and the same k-th best score (so the same set
// up to float-rounding ties).
void ExpectMatchesBruteForce(const std::vector<ScoredSlot>& got, const std::vector<std::vector<float>>& data,
                             const std::vector<bool>& present, const Bitset* allowed,
                             const std::vector<float>& query, std::size_t k) {
  std::vector<double> scores;
  for (std::size_t s = 0; s < data.size(); ++s) {
    if (present[s] && (allowed == nullptr || allowed->Test(s))) scores.push_back(DotD(data[s], query));
  }
  std::sort(scores.begin(), scores.end(), std::greater<>());
  ASSERT_EQ(got.size(), std::min(k, scores.size()));
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_LT(got[i].slot, data.size());
    EXPECT_TRUE(present[got[i].slot]);
    if (allowed != nullptr) {
      EXPECT_TRUE(allowed->Test(got[i].slot));
    }
    EXPECT_NEAR(got[i].score, DotD(data[got[i].slot], query), 1e-5);
    EXPECT_NEAR(got[i].score, scores[i], 1e-5);
    if (i > 0) {
      EXPECT_TRUE(BetterScored(got[i - 1], got[i]));
    }
  }
}

std::unique_ptr<VectorIndex> BuildIndex(const std::vector<std::vector<float>>& data,
                                        VectorIndexOptions options, int dim) {
  auto index = std::make_unique<VectorIndex>(dim, options);
  for (std::size_t s = 0; s < data.size(); ++s) index->Add(static_cast<Slot>(s), data[s]);
  return index;
}

std::vector<std::size_t> Slots(const std::vector<ScoredSlot>& r) {
  std::vector<std::size_t> out;
  for (const auto& s : r) out.push_back(s.slot);
  return out;
}

// A fresh temporary directory for one test.
TempDir NewTempDir() {
  auto dir = TempDir::Create("memd-vector-test-");
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  return std::move(dir).value();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(VectorIndexTest, ExactSearchMatchesBruteForce) {
  const int dim = 37;  // not a multiple of 4: exercises the scalar tail
  auto data = RandomUnitVectors(1500, dim, 1);
  auto index_ptr = BuildIndex(data, {}, dim);
  VectorIndex& index = *index_ptr;
  std::vector<bool> present(data.size(), true);
  auto queries = RandomUnitVectors(20, dim, 2);
  Bitset allowed(data.size());
  for (std::size_t s = 0; s < data.size(); s += 3) allowed.Set(s);
  for (const auto& q : queries) {
    ExpectMatchesBruteForce(index.Search(q, 10, nullptr), data, present, nullptr, q, 10);
    ExpectMatchesBruteForce(index.ExactSearch(q, 10, nullptr), data, present, nullptr, q, 10);
    ExpectMatchesBruteForce(index.Search(q, 7, &allowed), data, present, &allowed, q, 7);
  }
  EXPECT_FALSE(index.uses_hnsw());
  EXPECT_EQ(index.live_count(), data.size());
}

TEST(VectorIndexTest, ScoreSlotsGivesTheScoresSearchGives) {
  const int dim = 37;
  auto data = RandomUnitVectors(500, dim, 3);
  auto index_ptr = BuildIndex(data, {}, dim);
  VectorIndex& index = *index_ptr;
  index.Remove(7);
  const auto query = RandomUnitVectors(1, dim, 4)[0];
  std::map<Slot, float> expected;
  for (const ScoredSlot& s : index.ExactSearch(query, data.size(), nullptr)) expected[s.slot] = s.score;
  const std::vector<Slot> slots = {499, 3, 7, 0, 250, 100000};  // any order; 7 removed; 100000 absent
  const std::vector<float> scores = index.ScoreSlots(query, slots);
  ASSERT_EQ(scores.size(), slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    auto it = expected.find(slots[i]);
    EXPECT_EQ(scores[i], it == expected.end() ? 0.0f : it->second) << "slot " << slots[i];
  }
  EXPECT_EQ(index.ScoreSlots(std::vector<float>(dim + 1, 0.1f), slots),
            std::vector<float>(slots.size(), 0.0f));
}

TEST(VectorIndexTest, EdgeCasesReturnSensibleResults) {
  const int dim = 8;
  auto data = RandomUnitVectors(5, dim, 3);
  auto index_ptr = BuildIndex(data, {}, dim);
  VectorIndex& index = *index_ptr;
  EXPECT_TRUE(index.Search(data[0], 0, nullptr).empty());
  EXPECT_TRUE(index.Search(std::vector<float>(dim + 1, 0.1f), 3, nullptr).empty());
  EXPECT_EQ(index.Search(data[0], 100, nullptr).size(), 5u);  // k > live
  Bitset none(5);
  EXPECT_TRUE(index.Search(data[0], 3, &none).empty());
  Bitset short_allowed(2, true);  // bits beyond size() are not allowed
  EXPECT_EQ(Slots(index.Search(data[4], 5, &short_allowed)).size(), 2u);
  EXPECT_TRUE(index.Vector(99).empty());
  EXPECT_EQ(index.Vector(2), data[2]);
  index.Add(9, std::vector<float>(dim - 1, 0.0f));  // wrong size: ignored
  EXPECT_EQ(index.live_count(), 5u);
  VectorIndex empty(dim);
  EXPECT_TRUE(empty.Search(data[0], 3, nullptr).empty());
  EXPECT_EQ(empty.IndexPending(100), 0u);
}

TEST(VectorIndexTest, RemoveHidesSlotAndReAddReplacesIt) {
  const int dim = 16;
  auto data = RandomUnitVectors(300, dim, 4);
  for (bool graph : {false, true}) {
    VectorIndexOptions opt;
    opt.hnsw_threshold = graph ? 100 : 100000;
    auto index_ptr = BuildIndex(data, opt, dim);
    VectorIndex& index = *index_ptr;
    index.IndexPending(1000);
    EXPECT_EQ(index.uses_hnsw(), graph);
    std::vector<bool> present(data.size(), true);
    for (std::size_t s = 0; s < data.size(); s += 2) {
      index.Remove(static_cast<Slot>(s));
      present[s] = false;
    }
    index.Remove(10000);  // absent: no-op
    EXPECT_EQ(index.live_count(), 150u);
    for (std::size_t s = 0; s < 20; s += 2) {
      auto r = index.Search(data[s], 5, nullptr);
      ASSERT_FALSE(r.empty());
      EXPECT_NE(r[0].slot, s);
      ExpectMatchesBruteForce(index.ExactSearch(data[s], 5, nullptr), data, present, nullptr, data[s], 5);
    }
    // Re-adding a removed slot with a new vector: found at once, and after graph insertion.
    auto fresh = RandomUnitVectors(1, dim, 99)[0];
    index.Add(0, fresh);
    EXPECT_EQ(index.Search(fresh, 1, nullptr)[0].slot, 0u);
    index.IndexPending(1000);
    EXPECT_EQ(index.Search(fresh, 1, nullptr)[0].slot, 0u);
    EXPECT_EQ(index.Vector(0), fresh);
    // Adding a present slot replaces its vector.
    index.Add(1, data[2]);
    EXPECT_EQ(index.Vector(1), data[2]);
    EXPECT_EQ(index.live_count(), 151u);
  }
}

TEST(VectorIndexTest, PendingVectorIsFoundBeforeIndexPending) {
  const int dim = 32;
  auto data = RandomUnitVectors(1200, dim, 5);
  VectorIndexOptions opt;
  opt.hnsw_threshold = 1000;
  VectorIndex index(dim, opt);
  for (std::size_t s = 0; s < 999; ++s) index.Add(static_cast<Slot>(s), data[s]);
  EXPECT_EQ(index.pending_count(), 0u);  // below the threshold nothing is waiting
  EXPECT_EQ(index.IndexPending(100), 0u);
  EXPECT_FALSE(index.uses_hnsw());
  index.Add(999, data[999]);
  EXPECT_EQ(index.pending_count(), 1000u);
  EXPECT_EQ(index.IndexPending(100), 100u);  // in insertion order, bounded by max_items
  EXPECT_TRUE(index.uses_hnsw());
  EXPECT_EQ(index.pending_count(), 900u);
  EXPECT_EQ(index.IndexPending(100000), 900u);
  EXPECT_EQ(index.pending_count(), 0u);
  for (std::size_t s = 1000; s < 1200; ++s) index.Add(static_cast<Slot>(s), data[s]);
  EXPECT_EQ(index.pending_count(), 200u);
  std::vector<bool> present(data.size(), true);
  for (std::size_t s = 1000; s < 1200; s += 10) {
    auto r = index.Search(data[s], 3, nullptr);
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].slot, s);
    EXPECT_NEAR(r[0].score, 1.0f, 1e-5);
  }
  // Pending vectors also pass through filters.
  Bitset allowed(data.size());
  for (std::size_t s = 900; s < 1200; ++s) allowed.Set(s);
  ExpectMatchesBruteForce(index.Search(data[1100], 10, &allowed), data, present, &allowed, data[1100], 10);
}

// Mean recall@10 against ExactSearch, for random filters of the given selectivity.
double MeanRecall(const VectorIndex& index, std::size_t n, double selectivity, int queries,
                  std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  auto qs = RandomUnitVectors(queries, index.dimension(), seed + 1);
  double total = 0;
  for (const auto& q : qs) {
    Bitset allowed(n);
    const Bitset* filter = nullptr;
    if (selectivity < 1.0) {
      for (std::size_t s = 0; s < n; ++s) {
        if (u(rng) < selectivity) allowed.Set(s);
      }
      filter = &allowed;
    }
    auto exact = Slots(index.ExactSearch(q, 10, filter));
    auto got = Slots(index.Search(q, 10, filter));
    if (exact.empty()) {
      total += got.empty() ? 1.0 : 0.0;
      continue;
    }
    std::size_t hit = 0;
    for (auto s : got) hit += std::count(exact.begin(), exact.end(), s);
    total += static_cast<double>(hit) / static_cast<double>(exact.size());
  }
  return total / queries;
}

// One graph over uniformly random unit vectors (the hardest case for HNSW), built once and
// searched through two planners: the default one, and one forced onto the graph.
class VectorIndexRecallTest : public ::testing::Test {
 protected:
  static constexpr int kDim = 64;
  static std::size_t Size() { return kSanitized ? 4000 : 12000; }
  static void SetUpTestSuite() {
    VectorIndexOptions opt;
    opt.hnsw_threshold = 1000;
    VectorIndex built(kDim, opt);
    auto data = RandomUnitVectors(Size(), kDim, 42);
    for (std::size_t s = 0; s < data.size(); ++s) built.Add(static_cast<Slot>(s), data[s]);
    built.IndexPending(data.size());
    // Load the same data and graph under both planners.
    TempDir dir = NewTempDir();
    {
      BinaryWriter out(dir.Child("v.bin"));
      ASSERT_TRUE(built.Save(out, dir.Child("g.bin")).ok());
      ASSERT_TRUE(out.Finish().ok());
    }
    VectorIndexOptions graph_only = opt;
    graph_only.exact_scan_max = 0;
    graph_only.exact_selectivity = 0;
    graph_only.graph_beam_cost = 0;
    default_ = new VectorIndex(kDim, opt);
    graph_only_ = new VectorIndex(kDim, graph_only);
    for (VectorIndex* index : {default_, graph_only_}) {
      BinaryReader in(dir.Child("v.bin"));
      ASSERT_TRUE(index->Load(in, dir.Child("g.bin")).ok());
    }
  }
  static void TearDownTestSuite() {
    delete default_;
    delete graph_only_;
    default_ = graph_only_ = nullptr;
  }
  static VectorIndex* default_;
  static VectorIndex* graph_only_;
};
VectorIndex* VectorIndexRecallTest::default_ = nullptr;
VectorIndex* VectorIndexRecallTest::graph_only_ = nullptr;

TEST_F(VectorIndexRecallTest, RecallAtTenIsAtLeast95PercentAtEverySelectivity) {
  for (VectorIndex* index : {default_, graph_only_}) {
    ASSERT_NE(index, nullptr);
    ASSERT_TRUE(index->uses_hnsw());
    ASSERT_EQ(index->pending_count(), 0u);
    for (double sel : {0.001, 0.01, 0.05, 0.10, 0.25, 0.50, 1.0}) {
      const double recall = MeanRecall(*index, Size(), sel, 40, static_cast<std::uint64_t>(sel * 1e6));
      EXPECT_GE(recall, 0.95) << (index == default_ ? "default" : "graph-only") << " planner, selectivity "
                              << sel;
    }
  }
}

TEST_F(VectorIndexRecallTest, GraphSearchStaysCorrectWithDeletionsAndPending) {
  // A private copy of the scenario: delete a quarter of the graph, add pending vectors.
  VectorIndexOptions opt;
  opt.hnsw_threshold = 500;
  opt.exact_scan_max = 0;
  opt.exact_selectivity = 0;
  const std::size_t n = kSanitized ? 1200 : 3000, graph_n = n * 5 / 6;
  auto data = RandomUnitVectors(n, 32, 7);
  VectorIndex index(32, opt);
  for (std::size_t s = 0; s < graph_n; ++s) index.Add(static_cast<Slot>(s), data[s]);
  index.IndexPending(n);
  for (std::size_t s = 0; s < graph_n; s += 4) index.Remove(static_cast<Slot>(s));
  for (std::size_t s = graph_n; s < n; ++s) index.Add(static_cast<Slot>(s), data[s]);
  auto qs = RandomUnitVectors(30, 32, 8);
  double recall = 0;
  for (const auto& q : qs) {
    auto got = index.Search(q, 10, nullptr);
    auto exact = Slots(index.ExactSearch(q, 10, nullptr));
    ASSERT_EQ(got.size(), 10u);
    std::size_t hit = 0;
    for (const auto& r : got) {
      EXPECT_FALSE(r.slot < graph_n && r.slot % 4 == 0) << "removed slot " << r.slot << " returned";
      hit += std::count(exact.begin(), exact.end(), r.slot);
    }
    recall += hit / 10.0;
  }
  EXPECT_GE(recall / qs.size(), 0.95);
}

TEST(VectorIndexTest, SaveLoadRoundTripGivesSameResults) {
  const int dim = 24;
  auto data = RandomUnitVectors(900, dim, 11);
  TempDir dir = NewTempDir();
  for (bool graph : {false, true}) {
    VectorIndexOptions opt;
    opt.hnsw_threshold = graph ? 300 : 100000;
    opt.exact_scan_max = 0;
    VectorIndex index(dim, opt);
    for (std::size_t s = 0; s < 800; ++s) index.Add(static_cast<Slot>(s), data[s]);
    index.IndexPending(10000);
    for (std::size_t s = 0; s < 800; s += 5) index.Remove(static_cast<Slot>(s));
    for (std::size_t s = 800; s < 900; ++s)
      index.Add(static_cast<Slot>(s + 100), data[s]);  // pending, sparse slots
    index.Add(5, data[5]);                             // re-added: pending
    {
      BinaryWriter out(dir.Child("vec.bin"));
      ASSERT_TRUE(index.Save(out, dir.Child("graph.bin")).ok());
      ASSERT_TRUE(out.Finish().ok());
    }
    VectorIndex loaded(dim, opt);
    BinaryReader in(dir.Child("vec.bin"));
    ASSERT_TRUE(in.status().ok());
    Status st = loaded.Load(in, dir.Child("graph.bin"));
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(in.AtEnd());
    EXPECT_EQ(loaded.uses_hnsw(), graph);
    EXPECT_EQ(loaded.live_count(), index.live_count());
    EXPECT_EQ(loaded.pending_count(), index.pending_count());
    EXPECT_EQ(loaded.Vector(5), data[5]);
    EXPECT_EQ(loaded.Vector(950), data[850]);
    EXPECT_TRUE(loaded.Vector(10).empty());
    Bitset half(1000);
    for (std::size_t s = 0; s < 1000; s += 2) half.Set(s);
    for (const auto& q : RandomUnitVectors(10, dim, 12)) {
      auto a = index.Search(q, 10, nullptr), b = loaded.Search(q, 10, nullptr);
      EXPECT_EQ(Slots(a), Slots(b));
      EXPECT_EQ(Slots(index.Search(q, 10, &half)), Slots(loaded.Search(q, 10, &half)));
    }
    // The loaded index keeps working: more adds, graph insertion, removal.
    loaded.IndexPending(10000);
    EXPECT_EQ(loaded.Search(data[850], 1, nullptr)[0].slot, 950u);
    loaded.Remove(950);
    EXPECT_NE(loaded.Search(data[850], 1, nullptr)[0].slot, 950u);
    loaded.Add(2000, data[0]);  // slot 0 was removed, so its vector has no other owner
    EXPECT_EQ(loaded.Search(data[0], 1, nullptr)[0].slot, 2000u);
  }
}

TEST(VectorIndexTest, FloatGraphSnapshotLoadsVectorsAndRebuildsTheGraph) {
  // Version 1 snapshots (graphs of float vectors) keep their vectors; the graph is rebuilt.
  const int dim = 24;
  auto data = RandomUnitVectors(600, dim, 21);
  TempDir dir = NewTempDir();
  VectorIndexOptions opt;
  opt.hnsw_threshold = 300;
  VectorIndex index(dim, opt);
  for (std::size_t s = 0; s < data.size(); ++s) index.Add(static_cast<Slot>(s), data[s]);
  index.IndexPending(10000);
  index.Remove(7);
  {
    BinaryWriter out(dir.Child("vec.bin"));
    ASSERT_TRUE(index.Save(out, dir.Child("graph.bin")).ok());
    ASSERT_TRUE(out.Finish().ok());
  }
  std::string bytes = ReadFile(dir.Child("vec.bin"));
  const std::uint32_t v1 = 1;
  std::memcpy(bytes.data() + 4, &v1, sizeof v1);  // the version follows the magic
  WriteFile(dir.Child("vec.bin"), bytes);
  WriteFile(dir.Child("graph.bin"), "float graph of an older memd");  // never read
  VectorIndex loaded(dim, opt);
  BinaryReader in(dir.Child("vec.bin"));
  Status st = loaded.Load(in, dir.Child("graph.bin"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(loaded.uses_hnsw());
  EXPECT_EQ(loaded.live_count(), data.size() - 1);
  EXPECT_EQ(loaded.pending_count(), data.size() - 1);
  EXPECT_EQ(loaded.Search(data[42], 1, nullptr)[0].slot, 42u);  // exact until the graph exists
  EXPECT_EQ(loaded.IndexPending(10000), data.size() - 1);
  EXPECT_TRUE(loaded.uses_hnsw());
  EXPECT_EQ(loaded.pending_count(), 0u);
  EXPECT_EQ(loaded.Search(data[42], 1, nullptr)[0].slot, 42u);
  EXPECT_TRUE(loaded.Vector(7).empty());
}

TEST(VectorIndexTest, CorruptInputIsCorruptionAndLeavesIndexUnchanged) {
  const int dim = 8;
  auto data = RandomUnitVectors(120, dim, 13);
  VectorIndexOptions opt;
  opt.hnsw_threshold = 50;
  VectorIndex index(dim, opt);
  for (std::size_t s = 0; s < 100; ++s) index.Add(static_cast<Slot>(s), data[s]);
  index.IndexPending(1000);
  index.Remove(3);
  index.Add(100, data[100]);
  TempDir dir = NewTempDir();
  const std::string main_path = dir.Child("vec.bin"), graph_path = dir.Child("graph.bin");
  {
    BinaryWriter out(main_path);
    ASSERT_TRUE(index.Save(out, graph_path).ok());
    ASSERT_TRUE(out.Finish().ok());
  }
  const std::string main_bytes = ReadFile(main_path), graph_bytes = ReadFile(graph_path);
  const std::string victim_graph = dir.Child("victim_graph.bin");
  WriteFile(victim_graph, graph_bytes);

  auto victim = std::make_unique<VectorIndex>(dim, opt);
  victim->Add(7, data[7]);
  auto expect_unchanged = [&] {
    ASSERT_EQ(victim->live_count(), 1u);
    ASSERT_EQ(victim->Vector(7), data[7]);
  };
  // Every truncation of the main stream.
  for (std::size_t len = 0; len < main_bytes.size(); ++len) {
    BinaryReader in(std::string_view(main_bytes).substr(0, len));
    Status st = victim->Load(in, victim_graph);
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << "length " << len;
  }
  expect_unchanged();
  // Every single-byte corruption of the main stream: an error, or (for bits inside vector
  // values, which only the snapshot checksum can catch) a consistent index.
  const std::size_t vector_stride = kSanitized ? 29 : 11;  // every header byte, a sample of the vectors
  for (std::size_t pos = 0; pos < main_bytes.size(); pos += pos < 160 ? 1 : vector_stride) {
    std::string bad = main_bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5A);
    VectorIndex fresh(dim, opt);
    BinaryReader in(std::string_view(bad), "corrupt");
    Status st = fresh.Load(in, victim_graph);
    if (st.ok()) {
      EXPECT_EQ(fresh.Search(data[1], 5, nullptr).size(), 5u);
    } else {
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << "byte " << pos;
    }
  }
  // Wrong dimension.
  {
    VectorIndex other(dim * 2, opt);
    BinaryReader in(std::string_view(main_bytes), "main");
    EXPECT_EQ(other.Load(in, graph_path).code(), StatusCode::kCorruption);
  }
  // Truncated graph files and corrupt graph bytes.
  std::mt19937_64 rng(14);
  const std::size_t graph_steps = kSanitized ? 40 : 120;
  for (std::size_t i = 0; i < graph_steps; ++i) {
    std::string bad = graph_bytes;
    if (i % 2 == 0) {
      bad.resize(rng() % bad.size());
    } else {
      std::size_t pos = i < 100 ? i : rng() % bad.size();  // the header, then anywhere
      bad[pos] = static_cast<char>(bad[pos] ^ (1 + rng() % 255));
    }
    WriteFile(victim_graph, bad);
    BinaryReader in(std::string_view(main_bytes), "main");
    Status st = victim->Load(in, victim_graph);
    if (st.ok()) {
      // The flip hit a link that still points at a valid node: the graph must be usable.
      for (std::size_t s = 0; s < 10; ++s) EXPECT_EQ(victim->Search(data[s + 10], 1, nullptr).size(), 1u);
      victim = std::make_unique<VectorIndex>(dim, opt);
      victim->Add(7, data[7]);
    } else {
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << "graph case " << i << ": " << st.ToString();
    }
  }
  expect_unchanged();
  // Missing graph file.
  {
    BinaryReader in(std::string_view(main_bytes), "main");
    EXPECT_FALSE(victim->Load(in, dir.Child("missing.bin")).ok());
  }
  expect_unchanged();
}

TEST(VectorIndexTest, ConcurrentSearchDuringAddRemoveAndIndexPending) {
  const int dim = 16;
  const std::size_t n = kTsan ? 500 : kSanitized ? 1500 : 3000;
  auto data = RandomUnitVectors(n, dim, 21);
  VectorIndexOptions opt;
  opt.hnsw_threshold = n / 4;
  opt.exact_scan_max = 50;
  VectorIndex index(dim, opt);
  std::atomic<std::size_t> added{0};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> searches{0};
  auto reader = [&](std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Bitset allowed(n);
    for (std::size_t s = 0; s < n; s += 3) allowed.Set(s);
    while (!done.load()) {
      const auto& q = data[rng() % n];
      auto r = index.Search(q, 10, (rng() & 1) ? &allowed : nullptr);
      const std::size_t limit = added.load();  // Add(s) returned before added became s + 1
      for (std::size_t i = 0; i < r.size(); ++i) {
        ASSERT_LE(r[i].slot, limit);  // only slots that were added
        if (i > 0) {
          ASSERT_TRUE(BetterScored(r[i - 1], r[i]));
        }
      }
      searches.fetch_add(1);
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  for (std::size_t s = 0; s < n; ++s) {
    index.Add(static_cast<Slot>(s), data[s]);
    added.store(s + 1);
    if (s % 7 == 0 && s > 0) index.Remove(static_cast<Slot>(s - 1));
    if (s % 100 == 99) index.IndexPending(80);
  }
  index.IndexPending(n);
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_TRUE(index.uses_hnsw());
  EXPECT_EQ(index.pending_count(), 0u);
  EXPECT_GT(searches.load(), 0u);
  EXPECT_EQ(index.Search(data[n - 1], 1, nullptr)[0].slot, n - 1);
}

TEST(VectorIndexTest, MemoryBytesCoversVectors) {
  const int dim = 32;
  auto data = RandomUnitVectors(1000, dim, 31);
  VectorIndexOptions opt;
  opt.hnsw_threshold = 500;
  auto index_ptr = BuildIndex(data, opt, dim);
  VectorIndex& index = *index_ptr;
  const std::size_t flat = index.MemoryBytes();
  EXPECT_GE(flat, 1000u * dim * sizeof(float));
  index.IndexPending(1000);
  EXPECT_GE(index.MemoryBytes(), flat + 1000u * dim * sizeof(float));  // the graph keeps a copy
}

}  // namespace
}  // namespace memd::index
