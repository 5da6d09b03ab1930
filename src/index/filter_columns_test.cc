// FilterColumns: Evaluate == Matches on a randomized corpus, Save/Load, corrupt snapshots.

#include "index/filter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "index/filter_test_util.h"
#include "util/time_format.h"

namespace memd::index {
namespace {

namespace json = boost::json;
using testing::Corpus;
using testing::MakeMemory;

// Random memories and filters over small vocabularies, so that filters often match.
class RandomFilters {
 public:
  explicit RandomFilters(std::uint64_t seed) : rng_(seed) {}

  Memory RandomMemory() {
    static const char* kKinds[] = {"fact", "note", "message", "code"};
    static const char* kUris[] = {"file:///a.cc", "file:///b.py", "https://x.org/doc", ""};
    std::vector<std::string> tags;
    for (int t = 0; t < 6; ++t) {
      if (Chance(0.3)) tags.push_back("t" + std::to_string(t));
    }
    std::optional<std::string> uri;
    if (Chance(0.7)) uri = kUris[Uniform(4)];
    return MakeMemory(kKinds[Uniform(4)], tags, Uniform(100), RandomMetadata(), uri, Uniform(100));
  }

  // A filter of up to `depth` levels, as JSON text.
  std::string RandomFilter(int depth) {
    if (depth > 1 && Chance(0.4)) {
      int kind = Uniform(3);
      if (kind == 2) return R"({"not":)" + RandomFilter(depth - 1) + "}";
      std::string out = kind == 0 ? R"({"and":[)" : R"({"or":[)";
      int n = 1 + Uniform(3);
      for (int i = 0; i < n; ++i) out += (i ? "," : "") + RandomFilter(depth - 1);
      return out + "]}";
    }
    return RandomCondition();
  }

 private:
  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  json::value RandomScalar() {
    switch (Uniform(6)) {
      case 0: return nullptr;
      case 1: return Chance(0.5);
      case 2: return Uniform(5);                 // integer
      case 3: return Uniform(5) + (Chance(0.5) ? 0.0 : 0.5);  // double, sometimes integral
      default: {
        static const char* kStrings[] = {"", "a", "ab", "b", "abc", "ba", "Z"};
        return kStrings[Uniform(7)];
      }
    }
  }

  std::string RandomMetadata() {
    json::object obj;
    for (const char* key : {"n", "s", "m", "z"}) {
      if (Chance(0.6)) obj[key] = RandomScalar();
    }
    if (Chance(0.5)) {
      json::array arr;
      for (int i = Uniform(4); i > 0; --i) arr.push_back(RandomScalar());
      if (Chance(0.2)) arr.push_back(json::object{{"n", 1}});
      obj["arr"] = std::move(arr);
    }
    if (Chance(0.5)) {
      if (Chance(0.8)) {
        obj["o"] = json::object{{"p", RandomScalar()}, {"q", json::object{{"r", RandomScalar()}}}};
      } else {
        obj["o"] = RandomScalar();  // a scalar where others have an object
      }
    }
    if (Chance(0.1)) obj["o.p"] = RandomScalar();  // unaddressable key
    return json::serialize(obj);
  }

  std::string RandomCondition() {
    static const char* kFields[] = {"kind", "source", "tags", "created_at", "updated_at", "metadata.n",
                                    "metadata.s", "metadata.m", "metadata.z", "metadata.arr", "metadata.o",
                                    "metadata.o.p", "metadata.o.q.r", "metadata.o.p.x", "metadata.none"};
    std::string field = kFields[Uniform(15)];
    std::string op;
    json::value value;
    auto strings = [&](std::vector<std::string> vocab) {
      json::array arr;
      for (int i = Uniform(3); i > 0; --i) arr.push_back(json::value(vocab[Uniform(static_cast<int>(vocab.size()))]));
      return arr;
    };
    if (field == "kind" || field == "source") {
      std::vector<std::string> vocab = field == "kind"
                                           ? std::vector<std::string>{"fact", "note", "code", "x", "a"}
                                           : std::vector<std::string>{"file:///a.cc", "", "https://x.org/doc", ".py"};
      static const char* kOps[] = {"eq", "ne", "in", "nin", "contains"};
      op = kOps[Uniform(5)];
      value = (op == "in" || op == "nin") ? json::value(strings(vocab)) : json::value(vocab[Uniform(4)]);
    } else if (field == "tags") {
      static const char* kOps[] = {"any", "all", "contains"};
      op = kOps[Uniform(3)];
      std::vector<std::string> vocab = {"t0", "t1", "t2", "t3", "t9"};
      value = op == "contains" ? json::value(vocab[Uniform(5)]) : json::value(strings(vocab));
    } else if (field == "created_at" || field == "updated_at") {
      static const char* kOps[] = {"eq", "ne", "gt", "gte", "lt", "lte"};
      op = kOps[Uniform(6)];
      int t = Uniform(100);
      value = Chance(0.7) ? json::value(t) : json::value(FormatRfc3339(t));
    } else {
      static const char* kOps[] = {"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains"};
      op = kOps[Uniform(9)];
      if (op == "in" || op == "nin") {
        json::array arr;
        for (int i = Uniform(3); i > 0; --i) arr.push_back(RandomScalar());
        value = std::move(arr);
      } else {
        value = RandomScalar();
        if (op[0] == 'g' || op[0] == 'l') {
          while (!value.is_number() && !value.is_string()) value = RandomScalar();
        }
      }
    }
    json::object cond{{"field", field}, {"op", op}, {"value", value}};
    return json::serialize(cond);
  }

  std::mt19937_64 rng_;
};

// A corpus of n random memories in which some slots were removed and a few re-added.
Corpus RandomCorpus(RandomFilters& random, int n) {
  Corpus corpus;
  std::mt19937 rng(7);
  for (Slot s = 0; s < static_cast<Slot>(n); ++s) corpus.Add(s, random.RandomMemory());
  for (Slot s = 0; s < static_cast<Slot>(n); ++s) {
    if (rng() % 4 == 0) corpus.Remove(s);
  }
  for (Slot s = 0; s < static_cast<Slot>(n); s += 17) corpus.Add(s, random.RandomMemory());
  return corpus;
}

TEST(FilterColumnsTest, EvaluateAgreesWithMatchesOnRandomFilters) {
  RandomFilters random(1234);
  Corpus corpus = RandomCorpus(random, 1500);
  Bitset live = corpus.Live();
  // Some live bits are cleared so that NOT must stay within live.
  for (Slot s = 0; s < live.size(); s += 11) live.Reset(s);
  int nonempty = 0;
  for (int i = 0; i < 250; ++i) {
    std::string text = random.RandomFilter(3);
    Result<Filter> filter = Filter::Parse(text);
    ASSERT_TRUE(filter.ok()) << text << ": " << filter.status().ToString();
    std::vector<Slot> selected = corpus.Select(*filter, live, text);
    if (!selected.empty() && selected.size() < live.Count()) ++nonempty;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(nonempty, 100);  // the generator exercises selective filters, not only all/none
}

class FilterColumnsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "filter_columns_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::string SaveBytes(const FilterColumns& columns) {
    BinaryWriter out(path_);
    columns.Save(out);
    EXPECT_TRUE(out.Finish().ok());
    std::ifstream in(path_, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  std::string path_;
};

TEST_F(FilterColumnsFileTest, SaveLoadRoundTripPreservesResults) {
  RandomFilters random(99);
  Corpus corpus = RandomCorpus(random, 1500);
  std::string bytes = SaveBytes(corpus.columns());

  FilterColumns loaded;
  BinaryReader reader(path_);
  ASSERT_TRUE(reader.status().ok());
  ASSERT_TRUE(loaded.Load(reader).ok());
  EXPECT_TRUE(reader.AtEnd());
  EXPECT_EQ(loaded.size(), corpus.columns().size());
  EXPECT_EQ(SaveBytes(loaded), bytes);  // a loaded snapshot saves identically

  Bitset live = corpus.Live();
  for (int i = 0; i < 200; ++i) {
    Filter filter = *Filter::Parse(random.RandomFilter(3));
    Bitset expected = filter.Evaluate(corpus.columns(), live);
    Bitset actual = filter.Evaluate(loaded, live);
    ASSERT_EQ(actual.words(), expected.words()) << i;
  }
}

TEST_F(FilterColumnsFileTest, LoadedColumnsAcceptFurtherWrites) {
  Corpus corpus;
  corpus.Add(0, MakeMemory("fact", {"a"}, 10, R"({"k":"v","arr":[1]})"));
  corpus.Add(1, MakeMemory("note", {"b"}, 20, R"({"k":"w"})"));
  SaveBytes(corpus.columns());
  FilterColumns loaded;
  BinaryReader reader(path_);
  ASSERT_TRUE(loaded.Load(reader).ok());
  loaded.Remove(0);
  loaded.Add(2, MakeMemory("fact", {"a"}, 30, R"({"k":"v"})"));
  Bitset live(3, true);
  EXPECT_EQ(Filter::Parse(R"({"field":"metadata.k","op":"eq","value":"v"})")->Evaluate(loaded, live).Count(), 1u);
  EXPECT_TRUE(Filter::Parse(R"({"field":"tags","op":"contains","value":"a"})")->Evaluate(loaded, live).Test(2));
  EXPECT_EQ(Filter::Parse(R"({"field":"metadata.arr","op":"contains","value":1})")->Evaluate(loaded, live).Count(),
            0u);
}

TEST_F(FilterColumnsFileTest, EmptyColumnsRoundTrip) {
  FilterColumns empty;
  std::string bytes = SaveBytes(empty);
  FilterColumns loaded;
  BinaryReader reader{std::string_view(bytes)};
  ASSERT_TRUE(loaded.Load(reader).ok());
  EXPECT_EQ(loaded.size(), 0u);
  EXPECT_EQ(Filter().Evaluate(loaded, Bitset(10, true)).Count(), 0u);
}

// Fills columns with a little of everything, for the corruption tests.
Corpus SmallCorpus() {
  Corpus corpus;
  corpus.Add(0, MakeMemory("fact", {"a", "b"}, 10, R"({"n":1,"s":"x","arr":[1,"y",null,true],"o":{"p":false}})",
                           "file:///a"));
  corpus.Add(1, MakeMemory("note", {"b"}, 20, R"({"n":2.5,"s":null})"));
  corpus.Add(2, MakeMemory("code", {}, 30, "{}", "file:///b"));
  corpus.Remove(1);
  return corpus;
}

TEST_F(FilterColumnsFileTest, TruncatedSnapshotsAreCorruptionAndLeaveColumnsUnchanged) {
  Corpus corpus = SmallCorpus();
  std::string bytes = SaveBytes(corpus.columns());
  Filter kind = *Filter::Parse(R"({"field":"kind","op":"eq","value":"fact"})");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    FilterColumns target;
    target.Add(5, MakeMemory("fact", {}, 0, "{}"));
    BinaryReader reader(std::string_view(bytes).substr(0, n));
    Status s = target.Load(reader);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "prefix " << n;
    ASSERT_EQ(kind.Evaluate(target, Bitset(6, true)).Count(), 1u) << "prefix " << n;
  }
}

TEST_F(FilterColumnsFileTest, DamagedSnapshotsNeverCauseUndefinedBehaviour) {
  Corpus corpus = SmallCorpus();
  std::string bytes = SaveBytes(corpus.columns());
  const char* filters[] = {
      R"({"field":"kind","op":"contains","value":""})",
      R"({"not":{"field":"tags","op":"all","value":["a","b"]}})",
      R"({"field":"metadata.n","op":"gte","value":0})",
      R"({"field":"metadata.s","op":"contains","value":"x"})",
      R"({"field":"metadata.arr","op":"contains","value":"y"})",
      R"({"field":"source","op":"in","value":["file:///a"]})",
      R"({"field":"created_at","op":"lt","value":25})",
  };
  int loaded = 0;
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xFF}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      FilterColumns target;
      BinaryReader reader{std::string_view(damaged)};
      Status s = target.Load(reader);
      if (!s.ok()) {
        ASSERT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
        continue;
      }
      ++loaded;  // e.g. a changed timestamp or number: valid, just different
      for (const char* f : filters) {
        Bitset result = Filter::Parse(f)->Evaluate(target, Bitset(1 + rng() % 70, true));
        EXPECT_LE(result.Count(), 3u);
      }
    }
  }
  EXPECT_GT(loaded, 0);
}

TEST_F(FilterColumnsFileTest, RejectsBadMagicAndVersion) {
  std::string bytes = SaveBytes(SmallCorpus().columns());
  for (std::size_t offset : {0, 4}) {
    std::string damaged = bytes;
    damaged[offset] = 9;
    FilterColumns target;
    BinaryReader reader{std::string_view(damaged)};
    Status s = target.Load(reader);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find(offset == 0 ? "magic" : "version"), std::string::npos) << s.message();
  }
}

TEST(FilterColumnsMemoryTest, MemoryBytesGrowsWithContent) {
  FilterColumns columns;
  std::size_t empty = columns.MemoryBytes();
  for (Slot s = 0; s < 1000; ++s) {
    columns.Add(s, MakeMemory("fact", {"t" + std::to_string(s % 10)}, s, R"({"id":)" + std::to_string(s) + "}"));
  }
  EXPECT_GT(columns.MemoryBytes(), empty + 1000 * 20);
  EXPECT_EQ(columns.size(), 1000u);
}

}  // namespace
}  // namespace memd::index
