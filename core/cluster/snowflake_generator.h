// SnowflakeGenerator: hands out unique, non-decreasing snowflakes for one
// node, following Effect 4.1.0's generator. Each id takes the current
// millisecond with a fresh sequence; within a millisecond the sequence
// counts up, and after 4096 ids it borrows the next millisecond. When the
// clock is behind the last used millisecond (it stepped back, or ids were
// borrowed ahead of it) the generator keeps counting in that millisecond
// rather than going back. So (millisecond, sequence) strictly increases: with
// a fixed machine id the ids never repeat and never decrease. (Effect 4.0
// skipped the 4096 check in that case, and ids repeated.) Changing the
// machine id mid-millisecond may give a smaller id, as in Effect.
//
// Uniqueness across nodes rests on distinct machine ids modulo 1024. Effect
// draws the initial machine id at random and replaces it with the one
// RunnerStorage.register returns; here the caller passes the initial id
// (RandomMachineId draws it like Effect does) and calls SetMachineId.
//
// Strict mode (hardened; effect-semantics.md §14.2) closes the gaps that
// remain: a new machine id moves to the next millisecond, so ids keep
// increasing across SetMachineId; the caller gives it a step-free clock
// (core/runtime/step_free_clock.h) and storage hands out a machine id unique
// mod 1024 per registration (core/storage/runner_store.h), so borrowing
// milliseconds ahead of the clock cannot collide with another runner or a
// later incarnation (which has another machine id).
//
// Not thread-safe. Holds a reference to the node's clock, which must outlive
// the generator.
#ifndef CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_GENERATOR_H_
#define CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_GENERATOR_H_

#include <cstdint>

#include "core/cluster/machine_id.h"
#include "core/cluster/snowflake.h"
#include "core/mutants/mutant.h"
#include "core/runtime/clock.h"
#include "core/runtime/random.h"

namespace clustersim {

// A machine id uniform in [0, 1024), as Effect's
// Math.floor(Math.random() * 1024): the top 10 bits of one draw.
MachineId RandomMachineId(Random& random);

class SnowflakeGenerator {
 public:
  // Reads the clock once: ids start at the current millisecond. `mutant`
  // Mutant::kSnowflakeWrap restores Effect 4.0's unchecked sequence (for
  // sweeps); other mutants do not concern the generator.
  SnowflakeGenerator(const Clock& clock, MachineId machine_id,
                     bool strict = false, Mutant mutant = Mutant::kNone);

  SnowflakeGenerator(const SnowflakeGenerator&) = delete;
  SnowflakeGenerator& operator=(const SnowflakeGenerator&) = delete;

  void SetMachineId(MachineId machine_id);
  MachineId machine_id() const { return machine_id_; }

  // Effect's nextUnsafe. Requires the clock to stay within the snowflake
  // timestamp range (1955..2094).
  Snowflake Next();

 private:
  const Clock& clock_;
  const bool strict_;
  const Mutant mutant_;
  MachineId machine_id_;
  int32_t sequence_ = 0;
  int64_t sequence_at_ms_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SNOWFLAKE_GENERATOR_H_
