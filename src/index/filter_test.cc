// Semantics of the filter language: every operator on every field, checked through both
// Evaluate (columns) and Matches (one memory), which must agree.

#include "index/filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "index/filter_test_util.h"
#include "util/time_format.h"

namespace memd::index {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Corpus;
using testing::MakeMemory;

class FilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus_.Add(0, MakeMemory("fact", {"a", "b"}, 1000,
                              R"({"labels":["x","y",1,{"k":1}],"lang":"cpp","nested":{"deep":{"v":"hi"}},)"
                              R"("owner":null,"priority":3,"reviewed":true,"score":2.5})",
                              "file:///src/main.cc", 5000));
    corpus_.Add(1, MakeMemory("note", {"b"}, 2000, R"({"labels":"xyz","lang":"python","priority":3.0})"));
    corpus_.Add(2, MakeMemory("message", {}, 3000, "{}", "https://example.com/a"));
    corpus_.Add(3, MakeMemory("fact", {"c"}, 4000, R"({"lang":"go","nested":{"deep":"flat"},"priority":10})",
                              "file:///src/util.cc"));
    corpus_.Add(4, MakeMemory("document", {"a", "c"}, 5000,
                              R"({"a":{"b":2},"a.b":1,"priority":"high","reviewed":false,"score":-0.0})"));
  }
  std::vector<Slot> Select(std::string_view filter) { return corpus_.Select(filter); }

  Corpus corpus_;
};

TEST_F(FilterTest, EmptyFiltersMatchEveryLiveSlot) {
  for (std::string_view text : {"", "  \n", "{}", "null", " { } "}) {
    Result<Filter> f = Filter::Parse(text);
    ASSERT_TRUE(f.ok()) << text;
    EXPECT_TRUE(f->matches_all());
    EXPECT_THAT(corpus_.Select(*f, corpus_.Live(), text), ElementsAre(0, 1, 2, 3, 4));
  }
  EXPECT_FALSE(Filter::Parse(R"({"field":"kind","op":"eq","value":"fact"})")->matches_all());
}

TEST_F(FilterTest, KindSupportsStringOperators) {
  EXPECT_THAT(Select(R"({"field":"kind","op":"eq","value":"fact"})"), ElementsAre(0, 3));
  EXPECT_THAT(Select(R"({"field":"kind","op":"eq","value":"Fact"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"kind","op":"ne","value":"fact"})"), ElementsAre(1, 2, 4));
  EXPECT_THAT(Select(R"({"field":"kind","op":"in","value":["note","message","nope"]})"), ElementsAre(1, 2));
  EXPECT_THAT(Select(R"({"field":"kind","op":"in","value":[]})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"kind","op":"nin","value":["note","message"]})"), ElementsAre(0, 3, 4));
  EXPECT_THAT(Select(R"({"field":"kind","op":"contains","value":"ac"})"), ElementsAre(0, 3));
  EXPECT_THAT(Select(R"({"field":"kind","op":"contains","value":""})"), ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(FilterTest, SourceMatchesUriAndMissingSourceOnlyMatchesNegations) {
  EXPECT_THAT(Select(R"({"field":"source","op":"eq","value":"file:///src/main.cc"})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"source","op":"ne","value":"file:///src/main.cc"})"), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"source","op":"contains","value":"file://"})"), ElementsAre(0, 3));
  EXPECT_THAT(Select(R"({"field":"source","op":"contains","value":""})"), ElementsAre(0, 2, 3));
  EXPECT_THAT(Select(R"({"field":"source","op":"in","value":["https://example.com/a","x"]})"), ElementsAre(2));
  EXPECT_THAT(Select(R"({"field":"source","op":"nin","value":["https://example.com/a"]})"),
              ElementsAre(0, 1, 3, 4));
}

TEST_F(FilterTest, TagsSupportAnyAllContains) {
  EXPECT_THAT(Select(R"({"field":"tags","op":"any","value":["a","c"]})"), ElementsAre(0, 3, 4));
  EXPECT_THAT(Select(R"({"field":"tags","op":"all","value":["a","c"]})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"tags","op":"all","value":["a","zzz"]})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"tags","op":"contains","value":"b"})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"tags","op":"contains","value":"B"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"tags","op":"any","value":[]})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"tags","op":"all","value":[]})"), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"not":{"field":"tags","op":"contains","value":"b"}})"), ElementsAre(2, 3, 4));
}

TEST_F(FilterTest, CreatedAtComparesMillisecondsAndRfc3339) {
  EXPECT_THAT(Select(R"({"field":"created_at","op":"eq","value":2000})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"ne","value":2000})"), ElementsAre(0, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"gt","value":3000})"), ElementsAre(3, 4));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"gte","value":3000})"), ElementsAre(2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"lt","value":3000})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"lte","value":3000})"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"lte","value":3e3})"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"eq","value":"1970-01-01T00:00:02Z"})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"lt","value":"1970-01-01T00:00:03.000+00:00"})"),
              ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"created_at","op":"gte","value":"1970-01-02"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"created_at","op":"gt","value":9223372036854775807})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"created_at","op":"lt","value":-9223372036854775808})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"created_at","op":"gte","value":-9223372036854775808})"),
              ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(FilterTest, UpdatedAtIsItsOwnColumn) {
  EXPECT_THAT(Select(R"({"field":"updated_at","op":"eq","value":5000})"), ElementsAre(0, 4));
  EXPECT_THAT(Select(R"({"field":"updated_at","op":"gte","value":"1970-01-01T00:00:04Z"})"),
              ElementsAre(0, 3, 4));
}

TEST_F(FilterTest, MetadataEqComparesScalarsOfTheSameType) {
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"eq","value":"cpp"})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.reviewed","op":"eq","value":true})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.reviewed","op":"eq","value":false})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"metadata.owner","op":"eq","value":null})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"eq","value":"3"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.reviewed","op":"eq","value":1})"), IsEmpty());
}

TEST_F(FilterTest, MetadataNumbersCompareAsDoubles) {
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"eq","value":3})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"eq","value":3.0})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"eq","value":3e0})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"in","value":[10.0,"high"]})"), ElementsAre(3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.score","op":"eq","value":0})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"metadata.score","op":"eq","value":-0.0})"), ElementsAre(4));
}

TEST_F(FilterTest, MissingMetadataMatchesOnlyNeAndNin) {
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"ne","value":"cpp"})"), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"nin","value":["cpp","go"]})"), ElementsAre(1, 2, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.owner","op":"ne","value":null})"), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.missing","op":"eq","value":null})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.missing","op":"gte","value":0})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.missing","op":"contains","value":""})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.missing","op":"ne","value":1})"), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.missing","op":"nin","value":[]})"), ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(FilterTest, MetadataRangesNeedTheSameType) {
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"gt","value":3})"), ElementsAre(3));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"gte","value":3})"), ElementsAre(0, 1, 3));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"lt","value":10})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"lte","value":10.0})"), ElementsAre(0, 1, 3));
  EXPECT_THAT(Select(R"({"field":"metadata.score","op":"lt","value":2.5})"), ElementsAre(4));
  // Strings compare bytewise; the numeric priorities never compare to a string.
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"gte","value":"a"})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"gt","value":"go"})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"lte","value":"go"})"), ElementsAre(0, 3));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"lt","value":""})"), IsEmpty());
}

TEST_F(FilterTest, MetadataContainsIsSubstringOrArrayElement) {
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"contains","value":"x"})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"contains","value":"yz"})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"contains","value":1})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"contains","value":1.0})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"contains","value":"yth"})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"metadata.priority","op":"contains","value":3})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"eq","value":"x"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"ne","value":"x"})"), ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(FilterTest, MetadataPathsDescendIntoObjects) {
  EXPECT_THAT(Select(R"({"field":"metadata.nested.deep.v","op":"eq","value":"hi"})"), ElementsAre(0));
  EXPECT_THAT(Select(R"({"field":"metadata.nested.deep","op":"eq","value":"flat"})"), ElementsAre(3));
  // An object is no scalar; a path through a non-object is missing.
  EXPECT_THAT(Select(R"({"field":"metadata.nested","op":"ne","value":"x"})"), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.nested.deep.v","op":"ne","value":"hi"})"), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.lang.x","op":"ne","value":1})"), ElementsAre(0, 1, 2, 3, 4));
  // "a.b" names the nested key, never a key containing a dot.
  EXPECT_THAT(Select(R"({"field":"metadata.a.b","op":"eq","value":2})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"metadata.a.b","op":"eq","value":1})"), IsEmpty());
}

TEST_F(FilterTest, LogicalOperatorsNest) {
  EXPECT_THAT(Select(R"({"and":[{"field":"kind","op":"eq","value":"fact"},
                                 {"field":"tags","op":"any","value":["a"]}]})"),
              ElementsAre(0));
  EXPECT_THAT(Select(R"({"or":[{"field":"kind","op":"eq","value":"note"},
                                {"field":"created_at","op":"gte","value":5000}]})"),
              ElementsAre(1, 4));
  EXPECT_THAT(Select(R"({"not":{"or":[{"field":"kind","op":"eq","value":"note"},
                                       {"field":"created_at","op":"gte","value":5000}]}})"),
              ElementsAre(0, 2, 3));
  EXPECT_THAT(Select(R"({"and":[{"not":{"field":"kind","op":"eq","value":"fact"}},
                                 {"field":"metadata.priority","op":"ne","value":"high"},
                                 {"or":[{"field":"tags","op":"contains","value":"b"},
                                        {"not":{"not":{"field":"source","op":"contains","value":"example"}}}]}]})"),
              ElementsAre(1, 2));
  EXPECT_THAT(Select(R"({"and":[{"field":"kind","op":"eq","value":"fact"}]})"), ElementsAre(0, 3));
}

TEST_F(FilterTest, NotIsRelativeToLive) {
  Bitset live = corpus_.Live();
  live.Reset(2);
  live.Reset(3);
  Filter f = *Filter::Parse(R"({"not":{"field":"kind","op":"eq","value":"fact"}})");
  EXPECT_THAT(corpus_.Select(f, live), ElementsAre(1, 4));
  Filter ne = *Filter::Parse(R"({"field":"metadata.lang","op":"ne","value":"cpp"})");
  EXPECT_THAT(corpus_.Select(ne, live), ElementsAre(1, 4));
  EXPECT_THAT(corpus_.Select(Filter(), live), ElementsAre(0, 1, 4));
}

TEST_F(FilterTest, LiveMayBeSmallerOrLargerThanTheColumns) {
  Filter f = *Filter::Parse(R"({"not":{"field":"kind","op":"eq","value":"note"}})");
  Bitset small(2, true);
  EXPECT_THAT(corpus_.Select(f, small), ElementsAre(0));
  Bitset large(200, true);  // slots 5.. were never added, so they never match
  EXPECT_THAT(corpus_.Select(f, large), ElementsAre(0, 2, 3, 4));
  EXPECT_EQ(Filter().Evaluate(corpus_.columns(), large).Count(), 5u);
}

TEST_F(FilterTest, RemovedSlotsNeverMatch) {
  corpus_.Remove(0);
  EXPECT_EQ(corpus_.columns().size(), 4u);
  Bitset everything(5, true);  // even when the caller still calls slot 0 live
  Filter f = *Filter::Parse(R"({"field":"kind","op":"eq","value":"fact"})");
  EXPECT_EQ(f.Evaluate(corpus_.columns(), everything).Test(0), false);
  Filter all = *Filter::Parse(R"({"not":{"field":"kind","op":"eq","value":"nothing"}})");
  EXPECT_FALSE(all.Evaluate(corpus_.columns(), everything).Test(0));
  EXPECT_THAT(Select(R"({"field":"tags","op":"contains","value":"a"})"), ElementsAre(4));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"eq","value":"cpp"})"), IsEmpty());
}

TEST_F(FilterTest, ReaddedSlotMatchesOnlyItsNewAttributes) {
  corpus_.Remove(0);
  corpus_.Add(0, MakeMemory("note", {"z"}, 7000, R"({"lang":"rust"})"));
  EXPECT_THAT(Select(R"({"field":"kind","op":"eq","value":"fact"})"), ElementsAre(3));
  EXPECT_THAT(Select(R"({"field":"tags","op":"any","value":["a","b"]})"), ElementsAre(1, 4));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"eq","value":"cpp"})"), IsEmpty());
  EXPECT_THAT(Select(R"({"field":"metadata.labels","op":"contains","value":"x"})"), ElementsAre(1));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"eq","value":"rust"})"), ElementsAre(0));
  // Adding over a present slot replaces it.
  corpus_.Add(0, MakeMemory("code", {}, 8000, "{}"));
  EXPECT_THAT(Select(R"({"field":"kind","op":"in","value":["note","code"]})"), ElementsAre(0, 1));
  EXPECT_THAT(Select(R"({"field":"metadata.lang","op":"eq","value":"rust"})"), IsEmpty());
}

TEST_F(FilterTest, MalformedMetadataCountsAsEmpty) {
  corpus_.Add(5, MakeMemory("fact", {}, 0, "not json"));
  corpus_.Add(6, MakeMemory("fact", {}, 0, "[1,2]"));
  corpus_.Add(7, MakeMemory("fact", {}, 0, ""));
  EXPECT_THAT(Select(R"({"field":"metadata.x","op":"ne","value":1})"), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
  EXPECT_THAT(Select(R"({"field":"metadata.x","op":"eq","value":null})"), IsEmpty());
}

TEST_F(FilterTest, ManyRemovalsCompactWithoutChangingResults) {
  Corpus corpus;
  for (Slot s = 0; s < 5000; ++s) {
    corpus.Add(s, MakeMemory(s % 2 ? "odd" : "even", {"t" + std::to_string(s % 7)}, s,
                             R"({"n":)" + std::to_string(s % 10) + R"(,"arr":[)" + std::to_string(s % 3) + "]}"));
  }
  std::size_t before = corpus.columns().MemoryBytes();
  for (Slot s = 0; s < 5000; ++s) {
    if (s % 5 != 0) corpus.Remove(s);
  }
  EXPECT_EQ(corpus.columns().size(), 1000u);
  EXPECT_LT(corpus.columns().MemoryBytes(), before);
  EXPECT_EQ(corpus.Select(R"({"field":"kind","op":"eq","value":"odd"})").size(), 500u);
  EXPECT_EQ(corpus.Select(R"({"field":"metadata.n","op":"eq","value":5})").size(), 500u);
  EXPECT_EQ(corpus.Select(R"({"field":"metadata.arr","op":"contains","value":0})").size(), 334u);
  EXPECT_EQ(corpus.Select(R"({"field":"tags","op":"contains","value":"t0"})").size(), 143u);
}

}  // namespace
}  // namespace memd::index
