#include "util/json.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace memd {
namespace {

namespace json = boost::json;

std::string Canon(std::string_view text) {
  auto parsed = ParseJson(text, "f");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? CanonicalJson(*parsed) : std::string();
}

Status ParseError(std::string_view text, std::size_t max_depth = kDefaultMaxJsonDepth) {
  auto parsed = ParseJson(text, "metadata", max_depth);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
  return parsed.ok() ? Status::OK() : parsed.status();
}

TEST(JsonTest, ParsesValuesOfEveryKind) {
  auto v = ParseJson(R"( {"a": [1, -2, 3.5, true, null, "x"], "b": {}} )", "f");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_object());
  EXPECT_EQ(v->at("a").at(0).as_int64(), 1);
  EXPECT_EQ(v->at("a").at(2).as_double(), 3.5);
  EXPECT_TRUE(v->at("b").is_object());
}

TEST(JsonTest, SyntaxErrorNamesFieldAndByteOffset) {
  Status s = ParseError(R"({"a": x})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "metadata");
  EXPECT_NE(s.message().find("byte 6"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'x'"), std::string::npos) << s.message();
}

TEST(JsonTest, RejectsTrailingDataTruncationAndEmptyText) {
  Status trailing = ParseError("[1] [2]");
  EXPECT_NE(trailing.message().find("after the JSON value at byte 4"), std::string::npos)
      << trailing.message();
  Status truncated = ParseError(R"({"a": [1, 2)");
  EXPECT_NE(truncated.message().find("ends early"), std::string::npos) << truncated.message();
  Status empty = ParseError("   ");
  EXPECT_NE(empty.message().find("empty"), std::string::npos) << empty.message();
}

TEST(JsonTest, RejectsExtensions) {
  ParseError("[1, 2,]").IgnoreError();  // trailing comma
  ParseError("// c\n1").IgnoreError();  // comment
  ParseError("NaN").IgnoreError();
  ParseError("{'a': 1}").IgnoreError();  // single quotes
  ParseError("{\"a\" 1}").IgnoreError();
}

TEST(JsonTest, RejectsInvalidUtf8InStrings) {
  Status overlong = ParseError("[\"a\xC0\xAF\"]");
  EXPECT_NE(overlong.message().find("invalid UTF-8 at byte 3"), std::string::npos) << overlong.message();
  Status surrogate = ParseError("\"\xED\xA0\x80\"");
  EXPECT_NE(surrogate.message().find("UTF-8"), std::string::npos) << surrogate.message();
  Status truncated = ParseError("\"\xE2\x82\"");
  EXPECT_NE(truncated.message().find("UTF-8"), std::string::npos) << truncated.message();
  EXPECT_TRUE(ParseJson("\"caf\xC3\xA9\"", "f").ok());
}

TEST(JsonTest, RejectsLoneSurrogateEscapesAndRawControlCharacters) {
  Status lone = ParseError(R"("\udc00")");
  EXPECT_NE(lone.message().find("surrogate"), std::string::npos) << lone.message();
  Status high = ParseError(R"("\ud800")");
  EXPECT_NE(high.message().find("high surrogate"), std::string::npos) << high.message();
  EXPECT_NE(high.message().find("byte 1"), std::string::npos) << high.message();
  Status control = ParseError("\"a\x01\"");
  EXPECT_NE(control.message().find("\\u0001"), std::string::npos) << control.message();
  EXPECT_TRUE(ParseJson(R"("\ud83d\ude00")", "f").ok());  // a valid pair
}

TEST(JsonTest, EnforcesMaxDepth) {
  std::string ok_depth = std::string(3, '[') + std::string(3, ']');
  EXPECT_TRUE(ParseJson(ok_depth, "f", 3).ok());
  Status s = ParseError("[[[[1]]]]", 3);
  EXPECT_NE(s.message().find("exceeds 3 levels"), std::string::npos) << s.message();
  // The default bound stops a deeply nested bomb without recursion trouble.
  ParseError(std::string(100000, '[')).IgnoreError();
}

TEST(JsonTest, RejectsNumbersOverflowingDouble) {
  Status s = ParseError("{\"x\": [1e400]}");
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
  ParseError("-1e400").IgnoreError();
  EXPECT_TRUE(ParseJson("1e-400", "f").ok());  // underflow to 0 is fine
}

TEST(JsonTest, CanonicalSortsKeysRecursivelyAndIsCompact) {
  EXPECT_EQ(Canon(R"({ "b": 1, "a": { "z": [ 3, {"y": 1, "x": 2} ], "m": null } })"),
            R"({"a":{"m":null,"z":[3,{"x":2,"y":1}]},"b":1})");
  // Byte order: upper case before lower case, shorter prefix first, UTF-8 after ASCII.
  EXPECT_EQ(Canon(R"({"b":0,"B":0,"ab":0,"a":0,"é":0})"),
            "{\"B\":0,\"a\":0,\"ab\":0,\"b\":0,\"\xC3\xA9\":0}");
}

TEST(JsonTest, CanonicalIsIndependentOfInputKeyOrder) {
  EXPECT_EQ(Canon(R"({"x": 1, "y": [true, false], "z": "s"})"),
            Canon(R"({"z": "s", "x": 1, "y": [true, false]})"));
}

TEST(JsonTest, CanonicalNumbersUseShortestRoundTripForm) {
  EXPECT_EQ(
      Canon("[1.0, 1.5, 0.1, -0.0, 1e21, 1E2, 123456789012345678901234567890, -7, 18446744073709551615]"),
      "[1,1.5,0.1,0,1e+21,100,1.2345678901234568e+29,-7,18446744073709551615]");
}

TEST(JsonTest, CanonicalEscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(Canon(R"(["q\"b\\s\/n\nt\tc\u0001e\u00e9"])"), "[\"q\\\"b\\\\s/n\\nt\\tc\\u0001e\xC3\xA9\"]");
}

TEST(JsonTest, CanonicalTextIsAFixedPoint) {
  const std::string once =
      Canon(R"({"k": [1.25, 2e-7, "\u2028", {"b": 1e300, "a": -1}], "dup": 1, "dup": 2})");
  EXPECT_EQ(Canon(once), once);
  EXPECT_NE(once.find("\"dup\":2"), std::string::npos) << once;  // last duplicate wins
}

TEST(JsonTest, CanonicalWritesNonFiniteDoublesAsNull) {
  json::array a{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(CanonicalJson(a), "[null,null]");
}

TEST(JsonTest, CanonicalObjectAcceptsObjectsAndEmptyText) {
  auto empty = CanonicalJsonObject("", "metadata", 100);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "{}");
  auto obj = CanonicalJsonObject(R"({"b": 2, "a": 1})", "metadata", 100);
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(*obj, R"({"a":1,"b":2})");
}

TEST(JsonTest, CanonicalObjectRejectsNonObjects) {
  for (const char* text : {"[]", "1", "\"s\"", "null", "true"}) {
    auto r = CanonicalJsonObject(text, "metadata", 100);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "metadata");
    EXPECT_NE(r.status().message().find("expected a JSON object"), std::string::npos);
  }
  EXPECT_FALSE(CanonicalJsonObject("{", "metadata", 100).ok());
}

TEST(JsonTest, CanonicalObjectEnforcesSizeOnInputAndOutput) {
  auto big_input = CanonicalJsonObject(R"({"a":  1})", "metadata", 8);
  ASSERT_FALSE(big_input.ok());
  EXPECT_NE(big_input.status().message().find("limit is 8 bytes"), std::string::npos);
  // 1e-7 is written back as 1e-07, one byte longer: the canonical form is checked too.
  auto big_output = CanonicalJsonObject(R"({"a":1e-7})", "metadata", 10);
  ASSERT_FALSE(big_output.ok());
  EXPECT_NE(big_output.status().message().find("is 11 bytes"), std::string::npos);
  EXPECT_TRUE(CanonicalJsonObject(R"({"a":1e-7})", "metadata", 11).ok());
}

}  // namespace
}  // namespace memd
