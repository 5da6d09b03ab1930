// Filter::Parse: validation errors name the path of the offending input and say what is
// allowed there.

#include <gtest/gtest.h>

#include <string>

#include "index/filter.h"

namespace memd::index {
namespace {

struct BadFilter {
  std::string json;
  std::string field;     // expected Status::field()
  std::string message;   // expected substring of the message
};

void PrintTo(const BadFilter& b, std::ostream* os) { *os << b.json; }

class FilterParseErrorTest : public ::testing::TestWithParam<BadFilter> {};

TEST_P(FilterParseErrorTest, NamesThePathAndWhatIsAllowed) {
  const BadFilter& bad = GetParam();
  Result<Filter> f = Filter::Parse(bad.json);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f.status().field(), bad.field);
  EXPECT_NE(f.status().message().find(bad.message), std::string::npos) << f.status().message();
}

const BadFilter kBadFilters[] = {
    // Malformed JSON and shapes.
    {R"({"field":"kind",)", "filter", "not valid JSON"},
    {R"({"field":"kind"} x)", "filter", "not valid JSON"},
    {R"([1,2])", "filter", "expected an object, got an array"},
    {R"("kind")", "filter", "expected an object, got a string"},
    {R"({"and":[{}]})", "filter.and[0]", "empty filter object"},
    {R"({"and":[null]})", "filter.and[0]", "expected an object, got null"},
    {R"({"and":[]})", "filter.and", "'and' needs a non-empty array of filters, got an empty array"},
    {R"({"or":{"field":"kind"}})", "filter.or", "'or' needs a non-empty array of filters, got an object"},
    {R"({"not":[{"field":"kind","op":"eq","value":"x"}]})", "filter.not", "'not' needs one filter object"},
    {R"({"and":[{"field":"kind","op":"eq","value":"x"}],"or":[]})", "filter.or", "exactly one key"},
    {R"({"not":{"field":"kind","op":"eq","value":"x"},"field":"kind"})", "filter.field", "exactly one key"},
    // Conditions: keys.
    {R"({"fieldd":"kind","op":"eq","value":"x"})", "filter.fieldd", "unknown key 'fieldd' in a condition"},
    {R"({"fieldd":"kind","op":"eq","value":"x"})", "filter.fieldd", "did you mean 'field'?"},
    {R"({"field":"kind","op":"eq","value":"x","extra":1})", "filter.extra", "unknown key 'extra'"},
    {R"({"field":"kind","value":"x"})", "filter.op", "missing 'op'"},
    {R"({"field":"kind","op":"eq"})", "filter.value", "missing 'value'"},
    {R"({"op":"eq","value":"x"})", "filter.field", "missing 'field'"},
    // Fields.
    {R"({"field":"kinds","op":"eq","value":"x"})", "filter.field", "unknown field 'kinds'; use kind, tags"},
    {R"({"field":"kinds","op":"eq","value":"x"})", "filter.field", "did you mean 'kind'?"},
    {R"({"field":"expires_at","op":"eq","value":1})", "filter.field", "unknown field 'expires_at'"},
    {R"({"field":7,"op":"eq","value":"x"})", "filter.field", "'field' must be a string, got a number"},
    {R"({"field":"metadata","op":"eq","value":"x"})", "filter.field", "has an empty key"},
    {R"({"field":"metadata.","op":"eq","value":"x"})", "filter.field", "has an empty key"},
    {R"({"field":"metadata.a..b","op":"eq","value":"x"})", "filter.field", "has an empty key"},
    {R"({"field":"metadata.a.","op":"eq","value":"x"})", "filter.field", "has an empty key"},
    // Operators.
    {R"({"field":"kind","op":"equals","value":"x"})", "filter.op",
     "unknown operator 'equals' for field 'kind'; use one of eq, ne, in, nin, contains"},
    {R"({"field":"kind","op":"gt","value":"x"})", "filter.op",
     "operator 'gt' does not apply to field 'kind'; use one of eq, ne, in, nin, contains"},
    {R"({"field":"source","op":"lte","value":"x"})", "filter.op", "does not apply to field 'source'"},
    {R"({"field":"tags","op":"eq","value":["a"]})", "filter.op", "use one of any, all, contains"},
    {R"({"field":"tags","op":"ne","value":["a"]})", "filter.op", "tags are a set"},
    {R"({"field":"tags","op":"in","value":["a"]})", "filter.op", "does not apply to field 'tags'"},
    {R"({"field":"created_at","op":"in","value":[1]})", "filter.op",
     "use one of eq, ne, gt, gte, lt, lte"},
    {R"({"field":"updated_at","op":"contains","value":1})", "filter.op", "does not apply"},
    {R"({"field":"metadata.x","op":"any","value":[1]})", "filter.op", "does not apply to field 'metadata.x'"},
    {R"({"field":"kind","op":["eq"],"value":"x"})", "filter.op", "'op' must be a string"},
    {R"({"field":"kind","op":"EQ","value":"x"})", "filter.op", "unknown operator 'EQ'"},
    // Values.
    {R"({"field":"kind","op":"eq","value":1})", "filter.value", "'eq' on 'kind' needs a string, got a number"},
    {R"({"field":"kind","op":"in","value":"fact"})", "filter.value",
     "'in' on 'kind' needs an array of strings, got a string"},
    {R"({"field":"kind","op":"nin","value":["a",2]})", "filter.value[1]", "needs an array of strings"},
    {R"({"field":"source","op":"contains","value":null})", "filter.value", "needs a string, got null"},
    {R"({"field":"tags","op":"any","value":"a"})", "filter.value", "'any' on 'tags' needs an array of strings"},
    {R"({"field":"tags","op":"all","value":[true]})", "filter.value[0]", "needs an array of strings"},
    {R"({"field":"tags","op":"contains","value":["a"]})", "filter.value", "needs a string, got an array"},
    {R"({"field":"created_at","op":"gt","value":"yesterday"})", "filter.value",
     "'gt' on 'created_at' needs integer milliseconds since the epoch or an RFC 3339 string"},
    {R"({"field":"created_at","op":"gt","value":"yesterday"})", "filter.value", "got 'yesterday'"},
    {R"({"field":"created_at","op":"eq","value":1.5})", "filter.value", "not an integer"},
    {R"({"field":"created_at","op":"eq","value":18446744073709551615})", "filter.value", "not an integer"},
    {R"({"field":"updated_at","op":"lt","value":true})", "filter.value", "got a boolean"},
    {R"({"field":"updated_at","op":"lt","value":"2026-02-30"})", "filter.value", "RFC 3339"},
    {R"({"field":"metadata.x","op":"eq","value":[1]})", "filter.value", "needs a scalar"},
    {R"({"field":"metadata.x","op":"ne","value":{"a":1}})", "filter.value", "got an object"},
    {R"({"field":"metadata.x","op":"in","value":1})", "filter.value", "needs an array of scalars, got a number"},
    {R"({"field":"metadata.x","op":"in","value":[1,[2]]})", "filter.value[1]", "got an array"},
    {R"({"field":"metadata.x","op":"gt","value":true})", "filter.value", "needs a number or a string, got a boolean"},
    {R"({"field":"metadata.x","op":"lte","value":null})", "filter.value", "needs a number or a string, got null"},
    {R"({"field":"metadata.x","op":"contains","value":["a"]})", "filter.value", "needs a scalar"},
    {R"({"field":"metadata.x","op":"eq","value":1e999})", "filter.value", "number out of range"},
    // Paths below the root.
    {R"({"and":[{"field":"kind","op":"eq","value":"x"},{"field":"kind","op":"eq","value":"x"},
                {"field":"kind","op":"equals","value":"x"}]})",
     "filter.and[2].op", "unknown operator"},
    {R"({"or":[{"not":{"and":[{"field":"tags","op":"any","value":["a",3]}]}}]})",
     "filter.or[0].not.and[0].value[1]", "needs an array of strings"},
};

INSTANTIATE_TEST_SUITE_P(All, FilterParseErrorTest, ::testing::ValuesIn(kBadFilters));

std::string Nested(int levels) {
  std::string json = R"({"field":"kind","op":"eq","value":"x"})";
  for (int i = 1; i < levels; ++i) json = R"({"and":[)" + json + "]}";
  return json;
}

TEST(FilterParseTest, AcceptsTheMaximumDepth) {
  EXPECT_TRUE(Filter::Parse(Nested(kMaxFilterDepth)).ok());
}

TEST(FilterParseTest, RejectsDeeperNesting) {
  Result<Filter> f = Filter::Parse(Nested(kMaxFilterDepth + 1));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("nested more than 16 levels"), std::string::npos) << f.status().message();
  std::string path = "filter";
  for (int i = 0; i < kMaxFilterDepth; ++i) path += ".and[0]";
  EXPECT_EQ(f.status().field(), path);
}

TEST(FilterParseTest, RejectsAbsurdJsonNestingWithoutRecursing) {
  std::string json(100000, '[');
  Result<Filter> f = Filter::Parse(json);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().field(), "filter");
  EXPECT_NE(f.status().message().find("flatten"), std::string::npos) << f.status().message();
}

std::string Conditions(int n) {
  std::string json = R"({"or":[)";
  for (int i = 0; i < n; ++i) json += std::string(i ? "," : "") + R"({"field":"kind","op":"eq","value":"x"})";
  return json + "]}";
}

TEST(FilterParseTest, AcceptsTheMaximumNodeCount) {
  EXPECT_TRUE(Filter::Parse(Conditions(kMaxFilterNodes - 1)).ok());
}

TEST(FilterParseTest, RejectsTooManyNodes) {
  Result<Filter> f = Filter::Parse(Conditions(kMaxFilterNodes));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().field(), "filter.or[255]");
  EXPECT_NE(f.status().message().find("more than 256 nodes"), std::string::npos) << f.status().message();
}

TEST(FilterParseTest, RejectsTooManyValues) {
  std::string values;
  for (std::size_t i = 0; i <= kMaxFilterValues; ++i) values += std::string(i ? "," : "") + "\"v\"";
  Result<Filter> f = Filter::Parse(R"({"field":"kind","op":"in","value":[)" + values + "]}");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().field(), "filter.value");
  EXPECT_NE(f.status().message().find("at most 1024 values"), std::string::npos) << f.status().message();
}

TEST(FilterParseTest, UsesTheGivenRootInPaths) {
  Result<Filter> f = Filter::Parse(R"({"not":{"field":"kind","op":"gt","value":"x"}})", "request.filter");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().field(), "request.filter.not.op");
}

TEST(FilterParseTest, LongUserTextIsTruncatedInMessages) {
  std::string field(10000, 'q');
  Result<Filter> f = Filter::Parse(R"({"field":")" + field + R"(","op":"eq","value":"x"})");
  ASSERT_FALSE(f.ok());
  EXPECT_LT(f.status().message().size(), 400u);
}

TEST(FilterParseTest, AcceptsEveryAllowedOperator) {
  const char* good[] = {
      R"({"field":"kind","op":"eq","value":"x"})",
      R"({"field":"kind","op":"ne","value":"x"})",
      R"({"field":"kind","op":"in","value":["x"]})",
      R"({"field":"kind","op":"nin","value":[]})",
      R"({"field":"kind","op":"contains","value":"x"})",
      R"({"field":"source","op":"eq","value":"file:///a"})",
      R"({"field":"tags","op":"any","value":["x"]})",
      R"({"field":"tags","op":"all","value":["x","y"]})",
      R"({"field":"tags","op":"contains","value":"x"})",
      R"({"field":"created_at","op":"eq","value":0})",
      R"({"field":"created_at","op":"ne","value":-5})",
      R"({"field":"created_at","op":"gt","value":"2026-11-21T12:00:00.5+01:00"})",
      R"({"field":"updated_at","op":"gte","value":"2026-11-21"})",
      R"({"field":"updated_at","op":"lt","value":1.7e12})",
      R"({"field":"updated_at","op":"lte","value":"2026-11-21t12:00:00z"})",
      R"({"field":"metadata.x","op":"eq","value":null})",
      R"({"field":"metadata.x.y","op":"ne","value":true})",
      R"({"field":"metadata.x","op":"gt","value":1})",
      R"({"field":"metadata.x","op":"gte","value":"a"})",
      R"({"field":"metadata.x","op":"lt","value":-1.5})",
      R"({"field":"metadata.x","op":"lte","value":""})",
      R"({"field":"metadata.x","op":"in","value":[1,"a",null,false]})",
      R"({"field":"metadata.x","op":"nin","value":[]})",
      R"({"field":"metadata.x","op":"contains","value":3})",
      R"({"field":"metadata.ünïcode key","op":"eq","value":"ok"})",
  };
  for (const char* json : good) {
    Result<Filter> f = Filter::Parse(json);
    EXPECT_TRUE(f.ok()) << json << ": " << f.status().ToString();
  }
}

}  // namespace
}  // namespace memd::index
