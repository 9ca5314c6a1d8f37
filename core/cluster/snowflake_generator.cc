#include "core/cluster/snowflake_generator.h"

#include "absl/status/statusor.h"
#include "core/base/check.h"

namespace clustersim {

MachineId RandomMachineId(Random& random) {
  return MachineId(
      static_cast<int32_t>(random.NextU64() >> (64 - kSnowflakeMachineIdBits)));
}

SnowflakeGenerator::SnowflakeGenerator(const Clock& clock, MachineId machine_id,
                                       bool strict, Mutant mutant)
    : clock_(clock),
      strict_(strict),
      mutant_(mutant),
      machine_id_(machine_id),
      sequence_at_ms_(clock.NowMs()) {}

void SnowflakeGenerator::SetMachineId(MachineId machine_id) {
  if (strict_ && machine_id != machine_id_ && sequence_ > 0) {
    // Ids of the new machine id start above every id given so far.
    ++sequence_at_ms_;
    sequence_ = 0;
  }
  machine_id_ = machine_id;
}

Snowflake SnowflakeGenerator::Next() {
  const int64_t now_ms = clock_.NowMs();
  if (now_ms > sequence_at_ms_) {
    sequence_ = 0;
    sequence_at_ms_ = now_ms;
  } else if (sequence_ >= kSnowflakeSequenceLimit &&
             (mutant_ != Mutant::kSnowflakeWrap || now_ms == sequence_at_ms_)) {
    // Same millisecond or clock behind, and the sequence is used up. (Effect
    // 4.0 checked only in the same millisecond: the mutant.)
    ++sequence_at_ms_;
    sequence_ = 0;
  }
  absl::StatusOr<Snowflake> id =
      Snowflake::Make(sequence_at_ms_, machine_id_, sequence_++);
  CHECK(id.ok(), "the node clock left the snowflake timestamp range");
  return *id;
}

}  // namespace clustersim
