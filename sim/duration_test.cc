#include "sim/duration.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(*ParseDurationUs("250us"), 250);
  EXPECT_EQ(*ParseDurationUs("10ms"), 10'000);
  EXPECT_EQ(*ParseDurationUs("60s"), 60'000'000);
  EXPECT_EQ(*ParseDurationUs("2m"), 120'000'000);
  EXPECT_EQ(*ParseDurationUs("1h"), 3'600'000'000);
  EXPECT_EQ(*ParseDurationUs("0s"), 0);
}

TEST(DurationTest, ParsesExactDecimals) {
  EXPECT_EQ(*ParseDurationUs("1.5s"), 1'500'000);
  EXPECT_EQ(*ParseDurationUs("0.25ms"), 250);
  EXPECT_EQ(*ParseDurationUs("0.000001s"), 1);
  EXPECT_FALSE(ParseDurationUs("0.5us").ok());
  EXPECT_FALSE(ParseDurationUs("1.s").ok());
}

TEST(DurationTest, RejectsMalformedText) {
  for (const char* bad : {"", "s", "10", "ten s", "10 s", "-1s", "+1s", "1x",
                          "1.2.3s", "99999999999999999s", "1e3s"}) {
    absl::StatusOr<int64_t> parsed = ParseDurationUs(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find(std::string("'") + bad + "'"),
                std::string::npos)
          << parsed.status();
    }
  }
}

TEST(DurationTest, SignedDurations) {
  EXPECT_EQ(*ParseSignedDurationUs("+500ms"), 500'000);
  EXPECT_EQ(*ParseSignedDurationUs("-2s"), -2'000'000);
  EXPECT_EQ(*ParseSignedDurationUs("3s"), 3'000'000);
  EXPECT_FALSE(ParseSignedDurationUs("--2s").ok());
  EXPECT_FALSE(ParseSignedDurationUs("-").ok());
}

TEST(DurationTest, FormatRoundTrips) {
  EXPECT_EQ(FormatDurationUs(10'000'000), "10s");
  EXPECT_EQ(FormatDurationUs(1'500'000), "1500ms");
  EXPECT_EQ(FormatDurationUs(250), "250us");
  EXPECT_EQ(FormatDurationUs(0), "0s");
  EXPECT_EQ(FormatDurationUs(-2'000'000), "-2s");
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000},
                     int64_t{123'456'789}, int64_t{-5000}}) {
    EXPECT_EQ(*ParseSignedDurationUs(FormatDurationUs(us)), us);
  }
}

}  // namespace
}  // namespace clustersim::sim
