#include "util/time_format.h"

#include <gtest/gtest.h>

#include <random>

namespace memd {
namespace {

constexpr Timestamp kNov21 = 1795262400000;  // 2026-11-21T12:00:00Z

TEST(TimeFormatTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(kNov21 + 123), "2026-11-21T12:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(TimeFormatTest, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-86400000), "1969-12-31T00:00:00.000Z");
}

TEST(TimeFormatTest, ClampsToFourDigitYears) {
  EXPECT_EQ(FormatRfc3339(INT64_MAX), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(INT64_MIN), "0000-01-01T00:00:00.000Z");
}

TEST(TimeFormatTest, ParsesUtcAndFractions) {
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00Z"), kNov21);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00.123Z"), kNov21 + 123);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00.1Z"), kNov21 + 100);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00.12Z"), kNov21 + 120);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00.123999999Z"), kNov21 + 123);
}

TEST(TimeFormatTest, ParsesLowercaseSeparators) {
  EXPECT_EQ(*ParseRfc3339("2026-11-21t12:00:00z"), kNov21);
}

TEST(TimeFormatTest, AppliesOffsets) {
  EXPECT_EQ(*ParseRfc3339("2026-11-21T14:00:00+02:00"), kNov21);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T06:30:00-05:30"), kNov21);
  EXPECT_EQ(*ParseRfc3339("2026-11-21T12:00:00-00:00"), kNov21);
  // Crossing a day, month and year boundary.
  EXPECT_EQ(*ParseRfc3339("2027-01-01T01:00:00+02:00"), *ParseRfc3339("2026-12-31T23:00:00Z"));
}

TEST(TimeFormatTest, DateAloneMeansMidnightUtc) {
  EXPECT_EQ(*ParseRfc3339("2026-11-21"), kNov21 - 12 * 3600 * 1000);
  EXPECT_EQ(*ParseRfc3339("1970-01-01"), 0);
  EXPECT_EQ(*ParseRfc3339("1969-12-31"), -86400000);
}

TEST(TimeFormatTest, LeapSecondRollsIntoNextMinute) {
  EXPECT_EQ(*ParseRfc3339("2016-12-31T23:59:60Z"), *ParseRfc3339("2017-01-01T00:00:00Z"));
}

TEST(TimeFormatTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "2026", "2026-11", "2026-1-21", "2026-11-21T", "2026-11-21T12:00Z", "2026-11-21T12:00:00",
        "2026-11-21 12:00:00Z", " 2026-11-21", "2026-11-21 ", "2026-11-21T12:00:00.Z",
        "2026-11-21T12:00:00+0200", "2026-11-21T12:00:00+02", "2026-11-21T12:00:00Zjunk",
        "2026-11-21T24:00:00Z", "2026-11-21T12:60:00Z", "2026-11-21T12:00:61Z", "2026-13-01",
        "2026-00-10", "2026-02-29", "2026-04-31", "2026-11-00", "2026-11-21T12:00:00+24:00",
        "2026-11-21T12:00:00+01:60", "yesterday", "+2026-11-21", "２０２６-11-21"}) {
    Result<Timestamp> r = ParseRfc3339(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(TimeFormatTest, AcceptsLeapDays) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29").ok());
  EXPECT_TRUE(ParseRfc3339("2000-02-29").ok());
  EXPECT_FALSE(ParseRfc3339("1900-02-29").ok());
}

TEST(TimeFormatTest, ErrorMessageSaysWhatIsAccepted) {
  Result<Timestamp> r = ParseRfc3339("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'yesterday'"), std::string::npos);
  EXPECT_NE(r.status().message().find("YYYY-MM-DD"), std::string::npos);
}

TEST(TimeFormatTest, FormatThenParseRoundTrips) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<Timestamp> dist(*ParseRfc3339("0000-01-01"),
                                                *ParseRfc3339("9999-12-31T23:59:59.999Z"));
  for (int i = 0; i < 2000; ++i) {
    Timestamp t = dist(rng);
    std::string text = FormatRfc3339(t);
    Result<Timestamp> back = ParseRfc3339(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, t) << text;
  }
}

TEST(TimeFormatTest, NowIsAfter2024) {
  EXPECT_GT(NowMillis(), *ParseRfc3339("2024-01-01"));
}

}  // namespace
}  // namespace memd
