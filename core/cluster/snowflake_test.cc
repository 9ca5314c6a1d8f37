#include "core/cluster/snowflake.h"

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

constexpr int64_t kEpoch = kSnowflakeEpochMs;

TEST(SnowflakeTest, EpochIsStartOf2025Utc) { EXPECT_EQ(kEpoch, 1735689600000); }

// Snowflake.make in Effect 4.1.0 (dist/cluster/Snowflake.js under node).
TEST(SnowflakeTest, MakeMatchesEffect) {
  struct Case {
    int64_t timestamp_ms;
    int32_t machine_id;
    int64_t sequence;
    int64_t value;
  };
  const Case cases[] = {
      {kEpoch, 0, 0, 0},
      {kEpoch + 3, 1, 2, 12587010},  // effect-semantics.md §3
      {kEpoch, 1023, 4095, 4194303},
      // Machine ids and sequences past their bit widths wrap.
      {kEpoch, 1024, 0, 0},
      {kEpoch, 1025, 4096, 4096},
      {kEpoch, 5000, 4097, 3702785},
      {kEpoch + 1, 0, 8191, 4198399},
      // Negative parts keep their sign through '%', as on BigInts.
      {kEpoch, -1, 0, -4096},
      {kEpoch, 0, -1, -1},
      {kEpoch, -1025, -4097, -1},
      // Before the epoch.
      {kEpoch - 1, 0, 0, -4194304},
      {kEpoch - 1, 1023, 4095, -1},
      {0, 7, 9, -7280009832038371319},
      // The ends of the representable range.
      {kEpoch - (int64_t{1} << 41), 0, 0, INT64_MIN},
      {kEpoch + (int64_t{1} << 41) - 1, 1023, 4095, INT64_MAX},
      {kEpoch + (int64_t{1} << 41) - 1, 0, 0, 9223372036850581504},
      {1767225600000, 42, 17, 132271570944172049},
      {kEpoch + 123456789, 513, 2048, 517815306033152},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Snowflake> id =
        Snowflake::Make(c.timestamp_ms, MachineId(c.machine_id), c.sequence);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->value(), c.value)
        << c.timestamp_ms << " " << c.machine_id << " " << c.sequence;
  }
}

TEST(SnowflakeTest, MakeRejectsTimestampsOutsideTheRange) {
  for (int64_t ts : {Snowflake::kMinTimestampMs - 1,
                     Snowflake::kMaxTimestampMs + 1, INT64_MIN, INT64_MAX}) {
    absl::StatusOr<Snowflake> id = Snowflake::Make(ts, MachineId(0), 0);
    ASSERT_FALSE(id.ok()) << ts;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Snowflake::Make(Snowflake::kMaxTimestampMs + 1, MachineId(0), 0)
                .status()
                .message(),
            "snowflake timestamp 3934712855552 ms is outside [-463333655552, "
            "3934712855551]");
}

// Snowflake.toParts in Effect 4.1.0.
TEST(SnowflakeTest, PartsMatchEffect) {
  struct Case {
    int64_t value;
    int64_t timestamp_ms;
    int32_t machine_id;
    int32_t sequence;
  };
  const Case cases[] = {
      {0, 1735689600000, 0, 0},
      {1, 1735689600000, 0, 1},
      {4095, 1735689600000, 0, 4095},
      {4096, 1735689600000, 1, 0},
      {4194303, 1735689600000, 1023, 4095},
      {4194304, 1735689600001, 0, 0},
      {12587010, 1735689600003, 1, 2},
      {-1, 1735689599999, -1, -1},
      {-4194304, 1735689599999, 0, 0},
      {-4194305, 1735689599998, -1, -1},
      {INT64_MAX, 3934712855551, 1023, 4095},
      {INT64_MIN, -463333655552, 0, 0},
      {7345029563195113472, 3486881111915, 972, 0},
      {123456789012345678, 1765123992216, 783, 846},
  };
  for (const Case& c : cases) {
    const Snowflake id(c.value);
    EXPECT_EQ(id.timestamp_ms(), c.timestamp_ms) << c.value;
    EXPECT_EQ(id.machine_id(), MachineId(c.machine_id)) << c.value;
    EXPECT_EQ(id.sequence(), c.sequence) << c.value;
    EXPECT_EQ(
        id.parts(),
        (SnowflakeParts{c.timestamp_ms, MachineId(c.machine_id), c.sequence}));
  }
}

TEST(SnowflakeTest, DecimalForm) {
  EXPECT_EQ(Snowflake(12587010).ToString(), "12587010");
  EXPECT_EQ(Snowflake(-1).ToString(), "-1");
  EXPECT_EQ(*Snowflake::Parse("12587010"), Snowflake(12587010));
  EXPECT_EQ(*Snowflake::Parse("-9223372036854775808"), Snowflake(INT64_MIN));
  EXPECT_EQ(*Snowflake::Parse("9223372036854775807"), Snowflake(INT64_MAX));
}

TEST(SnowflakeTest, ParseRejectsMalformedText) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "snowflake \"\" is not a decimal integer"},
      {"abc", "snowflake \"abc\" is not a decimal integer"},
      {" 1", "snowflake \" 1\" is not a decimal integer"},
      {"0x10", "snowflake \"0x10\" is not a decimal integer"},
      {"9223372036854775808",
       "snowflake \"9223372036854775808\" is out of range "
       "[-9223372036854775808, 9223372036854775807]"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Snowflake> id = Snowflake::Parse(c.text);
    ASSERT_FALSE(id.ok()) << c.text;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(id.status().message(), c.message);
  }
}

TEST(SnowflakeTest, ValueSemantics) {
  EXPECT_LT(Snowflake(1), Snowflake(2));
  absl::flat_hash_set<Snowflake> ids{Snowflake(1), Snowflake(1)};
  EXPECT_EQ(ids.size(), 1u);
}

// Before the epoch the id is negative and its parts come back negative (as
// in Effect), so the round trip holds from the epoch on.
RC_GTEST_PROP(SnowflakeTest, CanonicalPartsRoundTrip, ()) {
  const SnowflakeParts parts{
      *rc::gen::inRange<int64_t>(kEpoch, Snowflake::kMaxTimestampMs + 1),
      MachineId(*rc::gen::inRange<int32_t>(0, 1024)),
      *rc::gen::inRange<int32_t>(0, kSnowflakeSequenceLimit)};
  absl::StatusOr<Snowflake> id =
      Snowflake::Make(parts.timestamp_ms, parts.machine_id, parts.sequence);
  RC_ASSERT(id.ok());
  RC_ASSERT(id->parts() == parts);
  RC_ASSERT(*Snowflake::Parse(id->ToString()) == *id);
}

RC_GTEST_PROP(SnowflakeTest, NonNegativeValuesRoundTripThroughParts, ()) {
  const int64_t value = *rc::gen::inRange<int64_t>(0, INT64_MAX);
  const SnowflakeParts parts = Snowflake(value).parts();
  absl::StatusOr<Snowflake> id =
      Snowflake::Make(parts.timestamp_ms, parts.machine_id, parts.sequence);
  RC_ASSERT(id.ok());
  RC_ASSERT(id->value() == value);
}

RC_GTEST_PROP(SnowflakeTest, DecimalFormRoundTrips, (int64_t value)) {
  RC_ASSERT(*Snowflake::Parse(Snowflake(value).ToString()) == Snowflake(value));
}

}  // namespace
}  // namespace clustersim
