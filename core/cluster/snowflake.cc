#include "core/cluster/snowflake.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/parse_int.h"
#include "fmt/format.h"

namespace clustersim {

absl::StatusOr<Snowflake> Snowflake::Make(int64_t timestamp_ms,
                                          MachineId machine_id,
                                          int64_t sequence) {
  if (timestamp_ms < kMinTimestampMs || timestamp_ms > kMaxTimestampMs) {
    return absl::InvalidArgumentError(
        fmt::format("snowflake timestamp {} ms is outside [{}, {}]",
                    timestamp_ms, kMinTimestampMs, kMaxTimestampMs));
  }
  // Left shifts of negative values are defined (two's complement) since
  // C++20 and equal BigInt shifts while the result fits.
  const int64_t offset_ms = timestamp_ms - kSnowflakeEpochMs;
  const int64_t machine =
      machine_id.value() % (int32_t{1} << kSnowflakeMachineIdBits);
  return Snowflake(
      (offset_ms << (kSnowflakeMachineIdBits + kSnowflakeSequenceBits)) |
      (machine << kSnowflakeSequenceBits) |
      (sequence % kSnowflakeSequenceLimit));
}

absl::StatusOr<Snowflake> Snowflake::Parse(std::string_view decimal) {
  absl::StatusOr<int64_t> value =
      ParseDecimal("snowflake", decimal, INT64_MIN, INT64_MAX);
  if (!value.ok()) return value.status();
  return Snowflake(*value);
}

int64_t Snowflake::timestamp_ms() const {
  return (value_ >> (kSnowflakeMachineIdBits + kSnowflakeSequenceBits)) +
         kSnowflakeEpochMs;
}

MachineId Snowflake::machine_id() const {
  return MachineId(static_cast<int32_t>((value_ >> kSnowflakeSequenceBits) %
                                        (1 << kSnowflakeMachineIdBits)));
}

int32_t Snowflake::sequence() const {
  return static_cast<int32_t>(value_ % kSnowflakeSequenceLimit);
}

SnowflakeParts Snowflake::parts() const {
  return SnowflakeParts{timestamp_ms(), machine_id(), sequence()};
}

std::string Snowflake::ToString() const { return absl::StrCat(value_); }

}  // namespace clustersim
