// Snowflake: Effect's 64-bit unique id for messages and replies.
//   value = (timestamp_ms - epoch) << 22 | (machine_id % 1024) << 12
//           | (sequence % 4096)
// with epoch 2025-01-01T00:00:00Z. Effect computes this on JavaScript
// BigInts; for every input whose result fits in 64 bits (all timestamps in
// [kMinTimestampMs, kMaxTimestampMs]) two's-complement int64 arithmetic gives
// the same value, including the odd results of negative machine ids or
// sequences (JavaScript's '%' keeps the dividend's sign, as C++'s does).
// Carried as a decimal string in JSON and storage.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_H_
#define CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "core/cluster/machine_id.h"

namespace clustersim {

// Date.UTC(2025, 0, 1).
inline constexpr int64_t kSnowflakeEpochMs = 1735689600000;
inline constexpr int kSnowflakeMachineIdBits = 10;
inline constexpr int kSnowflakeSequenceBits = 12;
// Ids per millisecond per generator (4096).
inline constexpr int32_t kSnowflakeSequenceLimit = 1 << kSnowflakeSequenceBits;

struct SnowflakeParts {
  int64_t timestamp_ms;
  MachineId machine_id;
  int32_t sequence;

  friend bool operator==(const SnowflakeParts&,
                         const SnowflakeParts&) = default;
};

class Snowflake {
 public:
  // The timestamps whose offset from the epoch fits the 42 signed bits left
  // after the shift (about 1955 to 2094).
  static constexpr int64_t kMinTimestampMs =
      kSnowflakeEpochMs - (int64_t{1} << 41);
  static constexpr int64_t kMaxTimestampMs =
      kSnowflakeEpochMs + (int64_t{1} << 41) - 1;

  // Effect's Snowflake.make. The machine id and the sequence are reduced
  // modulo 1024 and 4096. InvalidArgument if timestamp_ms is outside
  // [kMinTimestampMs, kMaxTimestampMs] (Effect would build a BigInt wider
  // than 64 bits).
  static absl::StatusOr<Snowflake> Make(int64_t timestamp_ms,
                                        MachineId machine_id, int64_t sequence);

  // Parses the decimal form: an optional '-' and digits, within int64.
  // Stricter than JavaScript's BigInt() (no whitespace, hex or empty
  // string). InvalidArgument otherwise.
  static absl::StatusOr<Snowflake> Parse(std::string_view decimal);

  constexpr explicit Snowflake(int64_t value) : value_(value) {}

  int64_t value() const { return value_; }

  // Effect's Snowflake.timestamp / machineId / sequence / toParts. The shift
  // is arithmetic and '%' truncates, as on BigInts, so negative ids give
  // negative parts exactly as in Effect.
  int64_t timestamp_ms() const;
  MachineId machine_id() const;
  int32_t sequence() const;
  SnowflakeParts parts() const;

  // Decimal form.
  std::string ToString() const;

  friend auto operator<=>(Snowflake, Snowflake) = default;
  friend bool operator==(Snowflake, Snowflake) = default;

  template <typename H>
  friend H AbslHashValue(H h, Snowflake id) {
    return H::combine(std::move(h), id.value_);
  }

  friend std::ostream& operator<<(std::ostream& os, Snowflake id) {
    return os << id.value_;
  }

 private:
  int64_t value_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_H_
