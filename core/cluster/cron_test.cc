#include "core/cluster/cron.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/cluster/cron_test_vectors.h"

namespace clustersim {
namespace {

std::optional<std::string_view> Zone(const char* time_zone) {
  if (time_zone == nullptr) return std::nullopt;
  return std::string_view(time_zone);
}

std::string Describe(const testing::CronNextVector& v) {
  return std::string("cron \"") + v.expression + "\" tz " +
         (v.time_zone == nullptr ? "(none)" : v.time_zone) + " policy " +
         std::string(DstOverlapPolicyName(v.policy)) + " from " +
         std::to_string(v.from_ms);
}

TEST(CronTest, ParsesAndRejectsExactlyAsEffect) {
  for (const testing::CronParseVector& v : testing::kGoldenCronParseVectors) {
    const absl::StatusOr<Cron> cron =
        Cron::Parse(v.expression, Zone(v.time_zone));
    SCOPED_TRACE(std::string("\"") + v.expression + "\" tz " +
                 (v.time_zone == nullptr ? "(none)" : v.time_zone));
    if (v.error == nullptr) {
      EXPECT_TRUE(cron.ok()) << cron.status();
      continue;
    }
    ASSERT_FALSE(cron.ok());
    EXPECT_EQ(cron.status().code(), absl::StatusCode::kInvalidArgument);
    // Effect's own message, after ours naming the field or the zone.
    EXPECT_NE(cron.status().message().find(v.error), std::string::npos)
        << cron.status();
  }
}

TEST(CronTest, NextMatchesEffectBitForBit) {
  int checked = 0;
  for (const testing::CronNextVector& v : testing::kGoldenCronNextVectors) {
    const absl::StatusOr<Cron> cron =
        Cron::Parse(v.expression, Zone(v.time_zone), v.policy);
    ASSERT_TRUE(cron.ok()) << Describe(v) << ": " << cron.status();
    int64_t at = v.from_ms;
    for (int i = 0; i < v.run_count; ++i) {
      const absl::StatusOr<int64_t> next = cron->Next(at);
      ASSERT_TRUE(next.ok())
          << Describe(v) << " run " << i << ": " << next.status();
      ASSERT_EQ(*next, v.runs[i])
          << Describe(v) << " run " << i << " after " << at << ": got "
          << FormatIsoMs(*next) << ", Effect " << FormatIsoMs(v.runs[i]);
      at = *next;
      ++checked;
    }
    if (v.then_error) {
      EXPECT_EQ(cron->Next(at).status().code(), absl::StatusCode::kOutOfRange)
          << Describe(v) << " after " << at;
    }
  }
  EXPECT_GT(checked, 10'000);
}

// The vectors of shared/notes/effect-parity-4.1.md §1.8, spelled out.
TEST(CronTest, ParityNoteVectors) {
  struct Case {
    const char* expression;
    const char* time_zone;
    const char* after;
    const char* next;
  };
  const Case cases[] = {
      {"*/5 * * * *", nullptr, "2025-01-01T00:05:00.000Z",
       "2025-01-01T00:10:00.000Z"},
      {"*/5 * * * *", nullptr, "2025-01-01T00:04:59.999Z",
       "2025-01-01T00:05:00.000Z"},
      {"0 0 31 * *", nullptr, "2025-02-01T00:00:00.000Z",
       "2025-03-31T00:00:00.000Z"},
      {"30 2 * * *", "America/New_York", "2025-03-09T00:00:00.000Z",
       "2025-03-09T07:30:00.000Z"},
      {"0 0 1 * MON", nullptr, "2025-01-01T00:00:00.000Z",
       "2025-01-06T00:00:00.000Z"},
  };
  for (const Case& c : cases) {
    absl::Time after;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, c.after, &after, &error));
    const absl::StatusOr<Cron> cron =
        Cron::Parse(c.expression, Zone(c.time_zone));
    ASSERT_TRUE(cron.ok()) << cron.status();
    const absl::StatusOr<int64_t> next = cron->Next(absl::ToUnixMillis(after));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(FormatIsoMs(*next), c.next)
        << c.expression << " after " << c.after;
  }
}

TEST(CronTest, ErrorsNameTheFieldAndItsText) {
  absl::StatusOr<Cron> cron = Cron::Parse("61 0 * * *");
  ASSERT_FALSE(cron.ok());
  EXPECT_EQ(std::string(cron.status().message()),
            "cron expression \"61 0 * * *\": minutes field \"61\": Expected a "
            "value between 0 and 59");
  cron = Cron::Parse("* * * * * * *");
  EXPECT_NE(cron.status().message().find("7 fields, want 5 or 6"),
            std::string::npos)
      << cron.status();
  cron = Cron::Parse("0 * * * *", "Mars/Base");
  EXPECT_NE(cron.status().message().find("time zone \"Mars/Base\""),
            std::string::npos)
      << cron.status();
  cron = Cron::Parse("0 \xff * * *");
  EXPECT_NE(cron.status().message().find("not valid UTF-8"), std::string::npos)
      << cron.status();
}

TEST(CronTest, NextRejectsStartsOutsideEffectsRange) {
  const absl::StatusOr<Cron> cron = Cron::Parse("* * * * *");
  ASSERT_TRUE(cron.ok());
  EXPECT_TRUE(cron->Next(kCronMaxFromMs - 86'400'000).ok());
  EXPECT_EQ(cron->Next(kCronMaxFromMs + 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(cron->Next(kCronMinFromMs - 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(CronTest, PolicyNames) {
  for (const DstOverlapPolicy policy :
       {DstOverlapPolicy::kEarlier, DstOverlapPolicy::kLater,
        DstOverlapPolicy::kBoth}) {
    EXPECT_EQ(*ParseDstOverlapPolicy(DstOverlapPolicyName(policy)), policy);
  }
  EXPECT_EQ(ParseDstOverlapPolicy("Earlier").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CronTest, FormatIsoMsIsJavaScriptsToIsoString) {
  EXPECT_EQ(FormatIsoMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(1735689600123), "2025-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatIsoMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoMs(kJsDateMaxMs), "+275760-09-13T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(-kJsDateMaxMs), "-271821-04-20T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(-62198755200000), "-000001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(253402300800000), "+010000-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace clustersim
