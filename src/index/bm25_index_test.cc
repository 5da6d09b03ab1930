#include "index/bm25_index.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace memd::index {
namespace {

using Doc = std::vector<std::string>;
using Terms = std::vector<std::string>;

// Naive BM25 in double precision over a slot -> terms map: the specification. Returns the
// score of every document.
std::map<Slot, double> ReferenceScores(const std::map<Slot, Doc>& docs, const Terms& query,
                                       Bm25Params p = {}) {
  const double n = static_cast<double>(docs.size());
  double total = 0;
  for (const auto& [s, doc] : docs) total += static_cast<double>(doc.size());
  const double avgdl = total / n;
  std::map<Slot, double> scores;
  for (const std::string& term : std::set<std::string>(query.begin(), query.end())) {
    double df = 0;
    for (const auto& [s, doc] : docs) df += std::count(doc.begin(), doc.end(), term) > 0 ? 1 : 0;
    const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    for (const auto& [s, doc] : docs) {
      const double tf = static_cast<double>(std::count(doc.begin(), doc.end(), term));
      const double dl = static_cast<double>(doc.size());
      scores[s] += tf == 0 ? 0 : idf * tf * (p.k1 + 1) / (tf + p.k1 * (1 - p.b + p.b * dl / avgdl));
    }
  }
  return scores;
}

// A skewed synthetic corpus: term ranks are log-uniform over the vocabulary.
std::vector<Doc> SyntheticDocs(std::size_t count, std::size_t vocab, std::size_t max_len,
                               std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::vector<Doc> docs(count);
  for (Doc& doc : docs) {
    const std::size_t n = len(rng);
    for (std::size_t i = 0; i < n; ++i) {
      const auto rank = static_cast<std::size_t>(std::pow(static_cast<double>(vocab), unit(rng))) - 1;
      doc.push_back("t" + std::to_string(rank));
    }
  }
  return docs;
}

Terms RandomQuery(std::mt19937& rng, std::size_t vocab, std::size_t terms) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Terms query;
  for (std::size_t i = 0; i < terms; ++i) {
    const auto rank = static_cast<std::size_t>(std::pow(static_cast<double>(vocab), unit(rng))) - 1;
    query.push_back("t" + std::to_string(rank));
  }
  return query;
}

void ExpectSameResults(const std::vector<ScoredSlot>& a, const std::vector<ScoredSlot>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].slot, b[i].slot) << "rank " << i;
    EXPECT_EQ(a[i].score, b[i].score) << "rank " << i;  // bit-identical floats
  }
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("memd_bm25_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::string SaveToBytes(const Bm25Index& index) {
  const std::string path = TempPath("snapshot");
  {
    BinaryWriter out(path);
    EXPECT_TRUE(out.status().ok()) << out.status().ToString();
    index.Save(out);
    EXPECT_TRUE(out.Finish().ok());
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

Status LoadFromBytes(Bm25Index& index, std::string_view bytes) {
  BinaryReader in(bytes);
  return index.Load(in);
}

// The framing of a snapshot around a payload (see the format in bm25_index_io.cc).
std::string Frame(const std::string& payload, std::uint32_t version = 2) {
  std::string out;
  auto put = [&out](const auto& v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
  put(std::uint32_t{0x35324d42});
  put(version);
  put(std::uint64_t{payload.size()});
  out += payload;
  put(std::uint64_t{XXH3_64bits(payload.data(), payload.size())});
  return out;
}

void Varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <typename T>
void PutArray(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <typename T>
std::vector<T> TakeArray(std::string_view& in, std::uint64_t n) {
  std::vector<T> v(n);
  if (n > 0) std::memcpy(v.data(), in.data(), n * sizeof(T));
  in.remove_prefix(n * sizeof(T));
  return v;
}

std::string TakeBytes(std::string_view& in, std::uint64_t n) {
  std::string s(in.substr(0, n));
  in.remove_prefix(n);
  return s;
}

constexpr std::uint32_t kNoDocument = 0xffffffffu;
constexpr std::uint64_t kEmptyCell = ~std::uint64_t{0};

// A version 2 payload field by field, to forge snapshots whose checksum is valid.
struct Image {
  std::uint64_t documents = 0;
  std::uint64_t total_length = 0;
  std::vector<std::uint32_t> lengths;  // by slot
  std::vector<std::uint64_t> offsets;  // by slot
  std::string arena;
  std::vector<std::uint32_t> dfs;  // by term id
  std::vector<std::uint32_t> text_sizes;
  std::string texts;
  std::vector<std::uint32_t> free_ids;
  std::vector<std::uint32_t> postings;  // slot, tf, slot, tf, ...
  std::vector<std::uint64_t> cells;

  static Image Of(const std::string& snapshot) {
    std::string_view in(snapshot);
    in.remove_prefix(16);  // magic, version, payload size
    const std::vector<std::uint64_t> h = TakeArray<std::uint64_t>(in, 9);
    Image m;
    m.documents = h[6];
    m.total_length = h[7];
    m.lengths = TakeArray<std::uint32_t>(in, h[5]);
    m.offsets = TakeArray<std::uint64_t>(in, h[5]);
    m.arena = TakeBytes(in, h[8]);
    m.dfs = TakeArray<std::uint32_t>(in, h[0]);
    m.text_sizes = TakeArray<std::uint32_t>(in, h[0]);
    m.texts = TakeBytes(in, h[2]);
    m.free_ids = TakeArray<std::uint32_t>(in, h[1]);
    m.postings = TakeArray<std::uint32_t>(in, 2 * h[3]);
    m.cells = TakeArray<std::uint64_t>(in, h[4]);
    EXPECT_EQ(in.size(), 8u);  // the checksum
    return m;
  }
  std::string Payload() const {
    std::string p;
    const std::vector<std::uint64_t> header = {
        dfs.size(),     free_ids.size(), texts.size(), postings.size() / 2, cells.size(),
        lengths.size(), documents,       total_length, arena.size()};
    PutArray(p, header);
    PutArray(p, lengths);
    PutArray(p, offsets);
    p += arena;
    PutArray(p, dfs);
    PutArray(p, text_sizes);
    p += texts;
    PutArray(p, free_ids);
    PutArray(p, postings);
    PutArray(p, cells);
    return p;
  }
  std::string Snapshot() const { return Frame(Payload()); }
};

// Terms a (id 0), b (1), gone (2, released) and c (3); slot 0 = {a:2, b:1}, slot 3 =
// {b:1, c:1}, slot 5 = {} and slot 1 removed.
Bm25Index SmallIndex() {
  Bm25Index index;
  index.Add(0, Doc{"a", "a", "b"});
  index.Add(1, Doc{"gone", "b"});
  index.Add(3, Doc{"b", "c"});
  index.Add(5, Doc{});
  index.Remove(1);
  return index;
}

// Everything a caller may do with an index, which must stay memory-safe (checked under
// ASan and UBSan) on any index that Load accepted, however forged its snapshot. Saving
// (with its fsync) only when `save`.
void ExerciseLoaded(Bm25Index& index, bool save = true) {
  const Terms query{"a", "b", "c", "gone", "t0", "t1", "t2", "new"};
  (void)index.Search(query, 5, nullptr);
  (void)index.SearchExhaustive(query, 5, nullptr);
  Bitset allowed(8);
  allowed.Set(0), allowed.Set(3);
  (void)index.Search(query, 5, &allowed);
  std::vector<Slot> slots;
  for (Slot s = 0; s < 200; ++s) slots.push_back(s);
  (void)index.ScoreSlots(query, slots);
  for (Slot s = 0; s < 200; ++s) (void)index.DocTerms(s);
  for (const std::string& term : query) (void)index.DocumentFrequency(term);
  if (save) {
    Bm25Index copy;
    const Status reloaded = LoadFromBytes(copy, SaveToBytes(index));
    EXPECT_TRUE(reloaded.ok() || reloaded.code() == StatusCode::kCorruption) << reloaded.ToString();
  }
  index.Add(300, Doc{"a", "new", "t0"});
  index.Add(0, Doc{"b", "new"});
  for (Slot s = 0; s <= 300; ++s) index.Remove(s);
  EXPECT_EQ(index.doc_count(), 0u);
  EXPECT_EQ(index.total_length(), 0u);
  index.Add(2, Doc{"a", "c", "gone", "fresh"});
  EXPECT_EQ(index.Search(Terms{"fresh"}, 5, nullptr).size(), 1u);
  (void)index.MemoryBytes();
}

TEST(Bm25IndexTest, ScoreMatchesHandComputedValue) {
  Bm25Index index;
  index.Add(0, Doc{"a", "b", "a"});
  index.Add(1, Doc{"b", "c"});
  index.Add(2, Doc{"c", "c", "c", "d"});
  // N = 3, avgdl = 3. "a": df 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3); slot 0 has tf 2, dl 3:
  // idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 3)) = idf * 4.4 / 3.2.
  const double expected_a = std::log(8.0 / 3.0) * 4.4 / 3.2;
  auto hits = index.Search(Terms{"a"}, 10, nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].slot, 0u);
  EXPECT_NEAR(hits[0].score, expected_a, 1e-6 * expected_a);

  // "b": df 2, idf = ln(1 + 1.5 / 2.5) = ln(1.6); slot 1 (dl 2) beats slot 0 (dl 3).
  const double idf_b = std::log(1.6);
  const double slot1 = idf_b * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2.0 / 3.0));
  const double slot0 = idf_b * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 3.0 / 3.0));
  hits = index.Search(Terms{"b"}, 10, nullptr);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].slot, 1u);
  EXPECT_NEAR(hits[0].score, slot1, 1e-6 * slot1);
  EXPECT_EQ(hits[1].slot, 0u);
  EXPECT_NEAR(hits[1].score, slot0, 1e-6 * slot0);

  EXPECT_EQ(index.doc_count(), 3u);
  EXPECT_EQ(index.total_length(), 9u);
  EXPECT_EQ(index.DocumentFrequency("c"), 2u);
  EXPECT_EQ(index.DocumentFrequency("zzz"), 0u);
  EXPECT_EQ(index.term_count(), 4u);
  using Pairs = std::vector<std::pair<std::string, std::uint32_t>>;
  EXPECT_EQ(index.DocTerms(2), (Pairs{{"c", 3}, {"d", 1}}));
  EXPECT_TRUE(index.DocTerms(7).empty());
}

TEST(Bm25IndexTest, ScoresMatchNaiveReferenceOnSyntheticCorpus) {
  const auto docs = SyntheticDocs(400, 300, 30, 7);
  Bm25Params params{1.5f, 0.6f};
  Bm25Index index(params);
  std::map<Slot, Doc> ref;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    index.Add(static_cast<Slot>(i), docs[i]);
    ref[static_cast<Slot>(i)] = docs[i];
  }
  std::mt19937 rng(1);
  for (int q = 0; q < 30; ++q) {
    const Terms query = RandomQuery(rng, 300, 4);
    const auto hits = index.Search(query, 20, nullptr);
    const std::map<Slot, double> expected = ReferenceScores(ref, query, params);
    std::set<Slot> returned;
    for (const ScoredSlot& hit : hits) {
      EXPECT_NEAR(hit.score, expected.at(hit.slot), 1e-5 * expected.at(hit.slot));
      returned.insert(hit.slot);
    }
    // Nothing outside the results scores clearly above the last result.
    for (const auto& [slot, score] : expected) {
      if (returned.count(slot) == 0 && score > 0) {
        ASSERT_EQ(hits.size(), 20u);
        EXPECT_LE(score, hits.back().score * (1 + 1e-5));
      }
    }
  }
}

TEST(Bm25IndexTest, IdfUsesOnlyOwnIndexStatistics) {
  Bm25Index a;
  Bm25Index b;
  a.Add(0, Doc{"apple", "pie"});
  a.Add(1, Doc{"banana", "split"});
  b.Add(0, Doc{"apple", "pie"});
  b.Add(1, Doc{"apple", "juice"});
  const auto before = a.Search(Terms{"apple"}, 10, nullptr);
  const auto in_b = b.Search(Terms{"apple"}, 10, nullptr);
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(in_b.size(), 2u);
  EXPECT_NE(before[0].score, in_b[0].score);  // same document, different corpora

  for (Slot s = 2; s < 200; ++s) b.Add(s, Doc{"apple", "tart", "crumble"});
  ExpectSameResults(a.Search(Terms{"apple"}, 10, nullptr), before);
  EXPECT_EQ(a.DocumentFrequency("apple"), 1u);
  EXPECT_EQ(b.DocumentFrequency("apple"), 200u);
}

TEST(Bm25IndexTest, RemoveUpdatesStatisticsExactly) {
  const auto docs = SyntheticDocs(300, 200, 25, 11);
  Bm25Index with;     // gets every doc, then loses the odd slots
  Bm25Index without;  // never sees the odd slots
  with.SetMinPruneVolumeForTest(0);
  without.SetMinPruneVolumeForTest(0);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    with.Add(static_cast<Slot>(i), docs[i]);
    if (i % 2 == 0) without.Add(static_cast<Slot>(i), docs[i]);
  }
  // A term only the removed documents have, which must disappear entirely.
  with.Add(1001, Doc{"ephemeral", "t1"});
  for (std::size_t i = 1; i < docs.size(); i += 2) with.Remove(static_cast<Slot>(i));
  with.Remove(1001);
  with.Remove(1001);  // absent: no-op
  with.Remove(5000);  // never present: no-op

  EXPECT_EQ(with.doc_count(), without.doc_count());
  EXPECT_EQ(with.total_length(), without.total_length());
  EXPECT_EQ(with.term_count(), without.term_count());
  EXPECT_EQ(with.DocumentFrequency("ephemeral"), 0u);
  EXPECT_TRUE(with.Search(Terms{"ephemeral"}, 10, nullptr).empty());
  for (std::size_t r = 0; r < 200; ++r) {
    const std::string term = "t" + std::to_string(r);
    EXPECT_EQ(with.DocumentFrequency(term), without.DocumentFrequency(term)) << term;
  }
  for (std::size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(with.DocTerms(static_cast<Slot>(i)), without.DocTerms(static_cast<Slot>(i)));
  }
  std::mt19937 rng(3);
  for (int q = 0; q < 50; ++q) {
    const Terms query = RandomQuery(rng, 200, 3);
    ExpectSameResults(with.Search(query, 10, nullptr), without.Search(query, 10, nullptr));
  }
}

TEST(Bm25IndexTest, ReaddedSlotDoesNotResurrectOldPostings) {
  Bm25Index index;
  for (Slot s = 0; s < 20; ++s) index.Add(s, Doc{"common", "x" + std::to_string(s % 3)});
  index.Remove(4);  // lazily leaves postings of slot 4 behind
  index.Add(4, Doc{"fresh"});
  EXPECT_TRUE(index.Contains(4));
  for (const ScoredSlot& hit : index.Search(Terms{"common", "x1"}, 100, nullptr)) EXPECT_NE(hit.slot, 4u);
  const auto hits = index.Search(Terms{"fresh"}, 10, nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].slot, 4u);
  EXPECT_EQ(index.DocumentFrequency("common"), 19u);
  EXPECT_EQ(index.doc_count(), 20u);
}

TEST(Bm25IndexTest, AddAtPresentSlotReplacesDocument) {
  Bm25Index index;
  index.Add(0, Doc{"old", "old"});
  index.Add(1, Doc{"other"});
  index.Add(0, Doc{"new"});
  EXPECT_EQ(index.doc_count(), 2u);
  EXPECT_EQ(index.total_length(), 2u);
  EXPECT_EQ(index.DocumentFrequency("old"), 0u);
  EXPECT_TRUE(index.Search(Terms{"old"}, 10, nullptr).empty());
  ASSERT_EQ(index.Search(Terms{"new"}, 10, nullptr).size(), 1u);
}

TEST(Bm25IndexTest, OutOfOrderAddsGiveSameResultsAsInOrder) {
  const auto docs = SyntheticDocs(500, 300, 20, 5);
  std::vector<Slot> order(docs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Slot>(i);
  std::mt19937 rng(9);
  std::shuffle(order.begin(), order.end(), rng);
  Bm25Index in_order;
  Bm25Index shuffled;
  in_order.SetMinPruneVolumeForTest(0);
  shuffled.SetMinPruneVolumeForTest(0);
  for (std::size_t i = 0; i < docs.size(); ++i) in_order.Add(static_cast<Slot>(i), docs[i]);
  for (Slot s : order) shuffled.Add(s, docs[s]);
  for (int q = 0; q < 50; ++q) {
    const Terms query = RandomQuery(rng, 300, 5);
    ExpectSameResults(shuffled.Search(query, 15, nullptr), in_order.Search(query, 15, nullptr));
  }
}

TEST(Bm25IndexTest, AllowedBitsetRestrictsResults) {
  const auto docs = SyntheticDocs(2000, 100, 20, 21);
  Bm25Index index;
  index.SetMinPruneVolumeForTest(0);
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i), docs[i]);
  std::mt19937 rng(4);
  // Dense (scans postings) and sparse (scores only allowed slots) filters, including bits
  // beyond the last slot and bits of absent slots.
  for (std::size_t every : {2u, 50u, 997u}) {
    Bitset allowed(docs.size() + 100);
    for (std::size_t i = 0; i < allowed.size(); i += every) allowed.Set(i);
    index.Remove(static_cast<Slot>(every));  // allowed but absent
    for (int q = 0; q < 20; ++q) {
      const Terms query = RandomQuery(rng, 100, 3);
      const auto hits = index.Search(query, 10, &allowed);
      for (const ScoredSlot& hit : hits) {
        EXPECT_TRUE(allowed.Test(hit.slot));
        EXPECT_TRUE(index.Contains(hit.slot));
      }
      ExpectSameResults(hits, index.SearchExhaustive(query, 10, &allowed));
    }
  }
  Bitset none(docs.size());
  EXPECT_TRUE(index.Search(Terms{"t0", "t1"}, 10, &none).empty());
  Bitset empty_size;  // allows nothing
  EXPECT_TRUE(index.Search(Terms{"t0"}, 10, &empty_size).empty());
}

TEST(Bm25IndexTest, RepeatedQueryTermsCountOnce) {
  const auto docs = SyntheticDocs(200, 50, 20, 2);
  Bm25Index index;
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i), docs[i]);
  ExpectSameResults(index.Search(Terms{"t3", "t3", "t7", "t3", "t7"}, 10, nullptr),
                    index.Search(Terms{"t7", "t3"}, 10, nullptr));
}

TEST(Bm25IndexTest, TiesAreOrderedBySlot) {
  Bm25Index index;
  for (Slot s : {9u, 2u, 5u, 7u}) index.Add(s, Doc{"same", "words"});
  index.Add(3, Doc{"other"});
  auto hits = index.Search(Terms{"same"}, 3, nullptr);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].slot, 2u);
  EXPECT_EQ(hits[1].slot, 5u);
  EXPECT_EQ(hits[2].slot, 7u);
  EXPECT_EQ(hits[0].score, hits[2].score);
}

TEST(Bm25IndexTest, EmptyQueriesAndZeroKReturnNothing) {
  Bm25Index index;
  EXPECT_TRUE(index.Search(Terms{"a"}, 10, nullptr).empty());
  index.Add(0, Doc{"a"});
  index.Add(1, Doc{});  // an empty document counts in N
  EXPECT_EQ(index.doc_count(), 2u);
  EXPECT_TRUE(index.Search(Terms{}, 10, nullptr).empty());
  EXPECT_TRUE(index.Search(Terms{"unknown"}, 10, nullptr).empty());
  EXPECT_TRUE(index.Search(Terms{"a"}, 0, nullptr).empty());
  // N = 2, df = 1: idf = ln(1 + 1.5 / 1.5) = ln 2; avgdl = 0.5, dl = 1.
  const double expected = std::log(2.0) * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2.0));
  const auto hits = index.Search(Terms{"a"}, 10, nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, expected, 1e-6 * expected);
}

TEST(Bm25IndexTest, PrunedSearchEqualsExhaustiveSearch) {
  const auto docs = SyntheticDocs(3000, 2000, 40, 13);
  Bm25Index index;
  index.SetMinPruneVolumeForTest(0);
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i), docs[i]);
  for (std::size_t i = 0; i < docs.size(); i += 7) index.Remove(static_cast<Slot>(i));
  // Many duplicate documents make exact score ties at the top-k boundary.
  for (Slot s = 5000; s < 5040; ++s) index.Add(s, docs[s % 50]);
  std::mt19937 rng(17);
  Bitset allowed(6000);
  for (std::size_t i = 0; i < allowed.size(); i += 3) allowed.Set(i);
  for (int q = 0; q < 100; ++q) {
    const Terms query = RandomQuery(rng, 2000, 1 + q % 8);
    for (std::size_t k : {1u, 3u, 10u, 100u}) {
      ExpectSameResults(index.Search(query, k, nullptr), index.SearchExhaustive(query, k, nullptr));
      ExpectSameResults(index.Search(query, k, &allowed), index.SearchExhaustive(query, k, &allowed));
    }
  }
}

TEST(Bm25IndexTest, ScoreSlotsEqualsSearchScoresBitForBit) {
  const auto docs = SyntheticDocs(3000, 2000, 40, 29);
  Bm25Index index;
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i), docs[i]);
  for (std::size_t i = 0; i < docs.size(); i += 5) index.Remove(static_cast<Slot>(i));
  std::mt19937 rng(31);
  for (int q = 0; q < 50; ++q) {
    const Terms query = RandomQuery(rng, 2000, 1 + q % 6);
    const std::vector<ScoredSlot> all = index.SearchExhaustive(query, docs.size(), nullptr);
    std::map<Slot, float> expected;
    for (const ScoredSlot& s : all) expected[s.slot] = s.score;
    // Every slot: removed ones (multiples of 5), non-matching ones and ones past the end.
    std::vector<Slot> slots;
    for (Slot s = 0; s < docs.size() + 10; ++s) slots.push_back(s);
    const std::vector<float> scores = index.ScoreSlots(query, slots);
    ASSERT_EQ(scores.size(), slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      auto it = expected.find(slots[i]);
      EXPECT_EQ(scores[i], it == expected.end() ? 0.0f : it->second) << "slot " << slots[i];
    }
    // A sparse subset gives the same values.
    std::vector<Slot> some;
    for (Slot s = 1; s < docs.size(); s += 97) some.push_back(s);
    const std::vector<float> sparse = index.ScoreSlots(query, some);
    for (std::size_t i = 0; i < some.size(); ++i) EXPECT_EQ(sparse[i], scores[some[i]]);
  }
  EXPECT_TRUE(index.ScoreSlots(Terms{}, std::vector<Slot>{1, 2}) == (std::vector<float>{0.0f, 0.0f}));
  EXPECT_TRUE(index.ScoreSlots(RandomQuery(rng, 2000, 3), std::vector<Slot>{}).empty());
}

TEST(Bm25IndexTest, HeavyChurnKeepsTermsAndResultsConsistent) {
  // Unique terms per document exercise term release, id reuse and table deletion; mass
  // removal exercises postings and arena compaction.
  Bm25Index index;
  Bm25Index survivors;
  std::mt19937 rng(8);
  for (Slot s = 0; s < 4000; ++s) {
    Doc doc{"u" + std::to_string(s), "shared", "m" + std::to_string(s % 37),
            "long_term_text_" + std::to_string(s)};
    for (Slot f = 0; f < 10; ++f) doc.push_back("f" + std::to_string((s * 7 + f * 13) % 600));
    index.Add(s, doc);
    if (s % 5 == 0) survivors.Add(s, doc);
  }
  const std::size_t full_memory = index.MemoryBytes();
  for (Slot s = 0; s < 4000; ++s) {
    if (s % 5 != 0) index.Remove(s);
  }
  EXPECT_LT(index.MemoryBytes(), full_memory);
  EXPECT_EQ(index.term_count(), survivors.term_count());
  for (Slot s = 0; s < 4000; ++s) {
    EXPECT_EQ(index.DocumentFrequency("u" + std::to_string(s)), s % 5 == 0 ? 1u : 0u);
  }
  // New terms reuse released ids without disturbing live ones.
  for (Slot s = 4000; s < 4500; ++s) {
    const Doc doc{"v" + std::to_string(s), "shared"};
    index.Add(s, doc);
    survivors.Add(s, doc);
  }
  for (Slot s = 0; s < 4500; ++s) EXPECT_EQ(index.DocTerms(s), survivors.DocTerms(s));
  for (int q = 0; q < 50; ++q) {
    const Terms query{"shared", "m" + std::to_string(q % 37), "u" + std::to_string(rng() % 4000),
                      "v" + std::to_string(4000 + rng() % 500)};
    ExpectSameResults(index.Search(query, 10, nullptr), survivors.Search(query, 10, nullptr));
  }
}

TEST(Bm25IndexTest, SaveLoadRoundTripIsExact) {
  const auto docs = SyntheticDocs(1500, 800, 30, 3);
  Bm25Index index;
  index.SetMinPruneVolumeForTest(0);
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i), docs[i]);
  for (std::size_t i = 0; i < docs.size(); i += 4) index.Remove(static_cast<Slot>(i));  // dead postings
  index.Add(8, docs[9]);  // a re-added slot
  for (Slot s = 2000; s < 2010; ++s) index.Add(s, Doc{"unique" + std::to_string(s), "t1"});
  for (Slot s = 2000; s < 2010; s += 2) index.Remove(s);  // released term ids
  index.Add(3000, Doc{});  // empty document at a high slot
  const std::string bytes = SaveToBytes(index);

  Bm25Index loaded;
  loaded.Add(0, Doc{"previous", "content"});  // replaced by Load
  loaded.SetMinPruneVolumeForTest(0);
  ASSERT_TRUE(LoadFromBytes(loaded, bytes).ok());
  EXPECT_EQ(loaded.doc_count(), index.doc_count());
  EXPECT_EQ(loaded.total_length(), index.total_length());
  EXPECT_EQ(loaded.term_count(), index.term_count());
  EXPECT_EQ(loaded.DocumentFrequency("previous"), 0u);
  for (Slot s = 0; s <= 3001; ++s) {
    EXPECT_EQ(loaded.Contains(s), index.Contains(s));
    EXPECT_EQ(loaded.DocTerms(s), index.DocTerms(s));
  }
  for (std::size_t r = 0; r < 800; ++r) {
    const std::string term = "t" + std::to_string(r);
    EXPECT_EQ(loaded.DocumentFrequency(term), index.DocumentFrequency(term));
  }
  std::vector<Slot> slots;
  for (Slot s = 0; s < 1600; s += 3) slots.push_back(s);
  std::mt19937 rng(5);
  for (int q = 0; q < 50; ++q) {
    const Terms query = RandomQuery(rng, 800, 1 + q % 6);
    ExpectSameResults(loaded.Search(query, 10, nullptr), index.Search(query, 10, nullptr));
    ExpectSameResults(loaded.SearchExhaustive(query, 1000, nullptr),
                      index.SearchExhaustive(query, 1000, nullptr));
    EXPECT_EQ(loaded.ScoreSlots(query, slots), index.ScoreSlots(query, slots));
  }
  // Without dead postings and removed documents' bytes the image is no bigger, and it
  // saves to the same bytes.
  EXPECT_LE(loaded.MemoryBytes(), index.MemoryBytes());
  EXPECT_GE(loaded.MemoryBytes(), index.MemoryBytes() / 2);
  EXPECT_EQ(SaveToBytes(loaded), bytes);
  Bm25Index twice;
  ASSERT_TRUE(LoadFromBytes(twice, bytes).ok());
  EXPECT_EQ(twice.MemoryBytes(), loaded.MemoryBytes());

  // Both keep evolving identically (new terms take the same released ids), so their
  // snapshots stay byte-identical.
  for (Bm25Index* i : {&index, &loaded}) {
    i->Add(3001, Doc{"t1", "t2", "brand_new"});
    i->Add(2000, Doc{"other_new", "t3"});
    i->Remove(5);
    i->Add(5, Doc{"t5"});
  }
  ExpectSameResults(loaded.Search(Terms{"t1", "brand_new", "t5"}, 10, nullptr),
                    index.Search(Terms{"t1", "brand_new", "t5"}, 10, nullptr));
  EXPECT_EQ(SaveToBytes(loaded), SaveToBytes(index));
  Bm25Index reloaded;
  ASSERT_TRUE(LoadFromBytes(reloaded, SaveToBytes(index)).ok());
  for (Slot s = 0; s <= 3001; ++s) EXPECT_EQ(reloaded.DocTerms(s), index.DocTerms(s));
}

TEST(Bm25IndexTest, EmptyIndexRoundTrips) {
  Bm25Index index;
  Bm25Index loaded;
  loaded.Add(1, Doc{"x"});
  ASSERT_TRUE(LoadFromBytes(loaded, SaveToBytes(index)).ok());
  EXPECT_EQ(loaded.doc_count(), 0u);
  EXPECT_EQ(loaded.term_count(), 0u);
  EXPECT_TRUE(loaded.Search(Terms{"x"}, 10, nullptr).empty());
  // An index whose every document was removed keeps its slots and released ids.
  index.Add(0, Doc{"x", "y"});
  index.Add(4, Doc{"y"});
  index.Remove(0);
  index.Remove(4);
  ASSERT_TRUE(LoadFromBytes(loaded, SaveToBytes(index)).ok());
  EXPECT_EQ(loaded.doc_count(), 0u);
  EXPECT_EQ(loaded.term_count(), 0u);
  loaded.Add(2, Doc{"y", "z"});
  index.Add(2, Doc{"y", "z"});
  EXPECT_EQ(SaveToBytes(loaded), SaveToBytes(index));
}

TEST(Bm25IndexTest, TruncatedOrFlippedSnapshotIsCorruption) {
  Bm25Index index;
  for (Slot s = 0; s < 20; ++s) index.Add(s, Doc{"alpha", "beta" + std::to_string(s % 4), "gamma"});
  index.Remove(7);
  const std::string bytes = SaveToBytes(index);
  Bm25Index target;
  target.Add(7, Doc{"kept"});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Status status = LoadFromBytes(target, std::string_view(bytes).substr(0, n));
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << "prefix " << n;
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    EXPECT_EQ(LoadFromBytes(target, bad).code(), StatusCode::kCorruption) << "byte " << i;
  }
  // A failed load leaves the index unchanged.
  EXPECT_EQ(target.doc_count(), 1u);
  EXPECT_EQ(target.DocumentFrequency("kept"), 1u);
}

TEST(Bm25IndexTest, OlderFormatVersionIsRefusedSoTheIndexIsRebuilt) {
  // A version 1 snapshot (terms {"a"}, slot 0 = {a:1}), valid in its own format.
  std::string v1;
  Varint(v1, 1), Varint(v1, 1), v1 += "a";
  Varint(v1, 1), Varint(v1, 1);                // one document of total length 1
  Varint(v1, 0), Varint(v1, 1);                // slot 0, one term
  Varint(v1, 0), Varint(v1, 1);                // a:1
  Bm25Index index;
  index.Add(2, Doc{"before"});
  const Status status = LoadFromBytes(index, Frame(v1, 1));
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.ToString().find("version 1"), std::string::npos) << status.ToString();
  EXPECT_NE(status.ToString().find("rebuilt"), std::string::npos) << status.ToString();
  EXPECT_EQ(index.DocumentFrequency("before"), 1u);
  EXPECT_EQ(LoadFromBytes(index, Frame(Image::Of(SaveToBytes(SmallIndex())).Payload(), 3)).code(),
            StatusCode::kCorruption);
}

TEST(Bm25IndexTest, UnreadableSnapshotFileKeepsReaderError) {
  BinaryReader in(TempPath("does_not_exist"));
  Bm25Index index;
  EXPECT_EQ(index.Load(in).code(), StatusCode::kIOError);
}

TEST(Bm25IndexTest, InconsistentSnapshotWithValidChecksumIsCorruption) {
  const Image valid = Image::Of(SaveToBytes(SmallIndex()));
  // The image is what the comment on SmallIndex says.
  ASSERT_EQ(valid.lengths, (std::vector<std::uint32_t>{3, kNoDocument, kNoDocument, 2, kNoDocument, 0}));
  ASSERT_EQ(valid.dfs, (std::vector<std::uint32_t>{1, 2, 0, 1}));
  ASSERT_EQ(valid.texts, "abc");
  ASSERT_EQ(valid.free_ids, (std::vector<std::uint32_t>{2}));
  ASSERT_EQ(valid.postings, (std::vector<std::uint32_t>{0, 2, 0, 1, 3, 1, 3, 1}));
  ASSERT_EQ(valid.offsets[0], 0u);
  {
    Bm25Index ok_index;
    ASSERT_TRUE(LoadFromBytes(ok_index, valid.Snapshot()).ok());
    EXPECT_EQ(ok_index.doc_count(), 3u);
    EXPECT_EQ(ok_index.total_length(), 5u);
    EXPECT_EQ(ok_index.DocumentFrequency("b"), 2u);
    EXPECT_TRUE(ok_index.Contains(5));
  }
  const std::size_t live_cell = static_cast<std::size_t>(
      std::find_if(valid.cells.begin(), valid.cells.end(), [](std::uint64_t c) { return c != kEmptyCell; }) -
      valid.cells.begin());
  const std::size_t empty_cell = static_cast<std::size_t>(
      std::find(valid.cells.begin(), valid.cells.end(), kEmptyCell) - valid.cells.begin());
  auto with_id = [](std::uint64_t cell, std::uint32_t id) {
    return (cell & ~std::uint64_t{0xffffffffu}) | id;
  };
  using Edit = std::function<void(Image&)>;
  const std::vector<std::pair<std::string, Edit>> edits = {
      {"posting at an absent slot", [](Image& m) { m.postings[0] = 1; }},
      {"posting beyond the slots", [](Image& m) { m.postings[6] = 6; }},
      {"posting at slot 2^32 - 1", [](Image& m) { m.postings[6] = 0xffffffffu; }},
      {"unsorted postings", [](Image& m) { std::swap(m.postings[2], m.postings[4]); }},
      {"repeated posting slot", [](Image& m) { m.postings[4] = 0; }},
      {"zero tf", [](Image& m) { m.postings[3] = 0; }},
      {"tfs not adding up to the total length", [](Image& m) { m.postings[1] = 1; }},
      {"df above the postings", [](Image& m) { m.dfs[0] = 2; }},
      {"df moved between terms", [](Image& m) { m.dfs[0] = 2, m.dfs[1] = 1; }},
      {"term without documents or free id", [](Image& m) { m.dfs[3] = 0, m.postings.resize(6); }},
      {"released id with a text", [](Image& m) { m.text_sizes[2] = 1, m.texts = "abxc"; }},
      {"text sizes beyond the texts", [](Image& m) { m.text_sizes[3] = 2; }},
      {"live id on the free list", [](Image& m) { m.free_ids = {0}; }},
      {"released id missing from the free list", [](Image& m) { m.free_ids.clear(); }},
      {"free id out of range", [](Image& m) { m.free_ids = {9}; }},
      {"free id twice", [](Image& m) {
         Bm25Index two_released;
         for (Slot s = 0; s < 3; ++s) two_released.Add(s, Doc{"x" + std::to_string(s)});
         two_released.Remove(0), two_released.Remove(1);
         m = Image::Of(SaveToBytes(two_released));
         ASSERT_EQ(m.free_ids.size(), 2u);
         m.free_ids[1] = m.free_ids[0];
       }},
      {"arena offset beyond the arena", [](Image& m) { m.offsets[5] = m.arena.size(); }},
      {"arena offsets not ascending", [](Image& m) { m.offsets[3] = 0; }},
      {"first arena offset not 0", [](Image& m) { m.offsets[0] = 1; }},
      {"absent slot with an offset", [](Image& m) { m.offsets[1] = 1; }},
      {"arena without documents", [](Image& m) {
         m = Image::Of(SaveToBytes(Bm25Index()));
         m.arena = "x";
       }},
      {"document count mismatch", [](Image& m) { m.documents = 4; }},
      {"total length mismatch", [](Image& m) { m.total_length = 6; }},
      {"lengths not adding up to the total", [](Image& m) { m.lengths[5] = 1; }},
      {"table size not a power of two", [](Image& m) { m.cells.resize(24, kEmptyCell); }},
      {"table too full", [](Image& m) {
         std::vector<std::uint64_t> cells;
         for (std::uint64_t c : m.cells) {
           if (c != kEmptyCell) cells.push_back(c);
         }
         cells.push_back(kEmptyCell);
         m.cells = cells;  // 3 live terms in 4 cells
       }},
      {"no table for live terms", [](Image& m) { m.cells.clear(); }},
      {"cell id out of range", [&](Image& m) { m.cells[live_cell] = with_id(m.cells[live_cell], 7); }},
      {"cell naming a released id", [&](Image& m) { m.cells[live_cell] = with_id(m.cells[live_cell], 2); }},
      {"id twice in the table", [&](Image& m) { m.cells[empty_cell] = m.cells[live_cell]; }},
      {"live term missing from the table", [&](Image& m) { m.cells[live_cell] = kEmptyCell; }},
  };
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& [name, edit] : edits) {
    Image m = valid;
    edit(m);
    cases.emplace_back(name, m.Payload());
  }
  auto with_header = [&](std::size_t word, std::uint64_t value) {
    std::string p = valid.Payload();
    std::memcpy(p.data() + word * 8, &value, 8);
    return p;
  };
  cases.emplace_back("trailing bytes", valid.Payload() + std::string(1, '\0'));
  cases.emplace_back("truncated payload", valid.Payload().substr(0, valid.Payload().size() - 1));
  cases.emplace_back("truncated header", valid.Payload().substr(0, 40));
  cases.emplace_back("empty payload", "");
  cases.emplace_back("huge term count", with_header(0, std::uint64_t{1} << 40));
  cases.emplace_back("term count overflowing", with_header(0, ~std::uint64_t{0} / 8 + 1));
  cases.emplace_back("huge slot count", with_header(5, std::uint64_t{1} << 62));
  cases.emplace_back("posting count off by one", with_header(3, valid.postings.size() / 2 + 1));
  for (const auto& [name, bad] : cases) {
    Bm25Index index;
    index.Add(2, Doc{"before"});
    const Status status = LoadFromBytes(index, Frame(bad));
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << name << ": " << status.ToString();
    EXPECT_EQ(index.DocumentFrequency("before"), 1u) << name;
  }
  std::string bad_magic = valid.Snapshot();
  bad_magic[0] = 'X';
  Bm25Index index;
  EXPECT_EQ(LoadFromBytes(index, bad_magic).code(), StatusCode::kCorruption);
}

// What Load trusts to the checksum instead of checking (the arena's lists, the table's
// placement, distinct texts) can make a forged snapshot load, but never unsafe to use.
TEST(Bm25IndexTest, ForgedArenaOrTableOnlyGivesWrongAnswers) {
  const Image valid = Image::Of(SaveToBytes(SmallIndex()));
  using Edit = std::function<void(Image&)>;
  const std::vector<std::pair<std::string, Edit>> edits = {
      {"duplicate term texts", [](Image& m) { m.texts = "abb"; }},
      {"arena naming ids out of range", [](Image& m) {
         for (std::size_t i = 1; i < m.arena.size(); ++i) m.arena[i] = '\x7f';
       }},
      {"arena with huge counts", [](Image& m) {
         for (char& c : m.arena) c = '\xff';
       }},
      {"arena naming other terms", [](Image& m) {
         m.arena[m.offsets[0] + 1] = 3;  // slot 0 lists ids 3 and 4 instead of 0 and 1
       }},
      {"arena naming a released term", [](Image& m) {
         m.arena[m.offsets[3] + 1] = 2;  // slot 3 lists "gone"
       }},
      {"table cells misplaced", [](Image& m) { std::reverse(m.cells.begin(), m.cells.end()); }},
      {"table tags wrong", [](Image& m) {
         for (std::uint64_t& c : m.cells) {
           if (c != kEmptyCell) c ^= std::uint64_t{0x5a5a5a5a} << 32;
         }
       }},
  };
  for (const auto& [name, edit] : edits) {
    SCOPED_TRACE(name);
    Image m = valid;
    edit(m);
    Bm25Index index;
    ASSERT_TRUE(LoadFromBytes(index, m.Snapshot()).ok());
    ExerciseLoaded(index);
  }
}

TEST(Bm25IndexTest, MutatedPayloadsNeverCrash) {
  Bm25Index index;
  const auto docs = SyntheticDocs(30, 20, 6, 1);
  for (std::size_t i = 0; i < docs.size(); ++i) index.Add(static_cast<Slot>(i * 3), docs[i]);
  index.Remove(3);
  const std::string payload = Image::Of(SaveToBytes(index)).Payload();
  std::mt19937 rng(99);
  int loaded = 0;
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string p = payload;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % p.size();
      switch (rng() % 8) {  // mostly in place, which keeps the sizes consistent
        case 0:
          p.erase(at, 1 + rng() % 4);
          break;
        case 1:
          p.insert(at, 1, static_cast<char>(rng()));
          break;
        case 2:
          p[at] = static_cast<char>(p[at] ^ (1 << (rng() % 8)));
          break;
        default:
          p[at] = static_cast<char>(rng() % 4 == 0 ? 0xff : rng() % 8);
          break;
      }
      if (p.empty()) p = "x";
    }
    Bm25Index target;
    const Status status = LoadFromBytes(target, Frame(p));
    if (status.ok()) {
      ++loaded;  // still an index that every call must handle safely
      ExerciseLoaded(target, loaded % 8 == 0);
    } else {
      EXPECT_EQ(status.code(), StatusCode::kCorruption);
    }
  }
  // Most mutations are caught; some (e.g. within a term's text or the arena) still load.
  EXPECT_GT(loaded, 0);
  EXPECT_LT(loaded, 3000);
}

TEST(Bm25IndexTest, MemoryBytesTracksContent) {
  Bm25Index index;
  const std::size_t empty = index.MemoryBytes();
  const auto docs = SyntheticDocs(2000, 500, 40, 6);
  std::size_t postings = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    index.Add(static_cast<Slot>(i), docs[i]);
    postings += std::set<std::string>(docs[i].begin(), docs[i].end()).size();
  }
  // At least 8 bytes per posting plus 12 per slot; not wildly more.
  EXPECT_GE(index.MemoryBytes(), empty + postings * 8 + docs.size() * 12);
  EXPECT_LE(index.MemoryBytes(), empty + postings * 40 + docs.size() * 64 + 500 * 128);
  // A loaded copy holds the same content in exactly sized arrays.
  Bm25Index loaded;
  ASSERT_TRUE(LoadFromBytes(loaded, SaveToBytes(index)).ok());
  EXPECT_GE(loaded.MemoryBytes(), empty + postings * 8 + docs.size() * 12);
  EXPECT_LE(loaded.MemoryBytes(), index.MemoryBytes());
}

TEST(Bm25IndexTest, ParametersAreClamped) {
  EXPECT_EQ(Bm25Index(Bm25Params{-1.0f, 2.0f}).params().k1, 1.2f);
  EXPECT_EQ(Bm25Index(Bm25Params{-1.0f, 2.0f}).params().b, 1.0f);
  EXPECT_EQ(Bm25Index(Bm25Params{NAN, NAN}).params().b, 0.75f);
  // k1 = 0: every matching term contributes exactly its idf.
  Bm25Index index(Bm25Params{0.0f, 0.5f});
  index.Add(0, Doc{"a", "a", "a"});
  index.Add(1, Doc{"b"});
  const auto hits = index.Search(Terms{"a"}, 10, nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, std::log(1 + 1.5 / 1.5), 1e-6);
}

}  // namespace
}  // namespace memd::index
