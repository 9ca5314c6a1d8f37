// Mutant: the registry of deliberately injected defects in the core (SPEC.md
// §7). Each is off by default, declared here once with its description, and
// enabled for a run with `--bug NAME` on any scenario it applies to; the
// code it breaks checks for it at one site. A harness is worth what it
// catches: each mutant has a sweep test that finds it.
//
//   no-self-stop  hardened mode's lease self-stop and stall handler are off:
//                 a runner paused past its lease runs its entities on when it
//                 resumes (core/sharding/shard_locks.h);
//   reply-wedge   hardened mode's reply-save retries are off: a save that
//                 still fails after Effect's 4 x 200 ms leaves its request
//                 unanswered while the entity lives (effect-semantics.md
//                 §14.1; core/sharding/sharding.cc);
//   early-release a shard's lock is released before its entities and
//                 singletons stop (core/sharding/shard_locks.cc);
//   no-lock-check a runner takes messages for shards it does not hold
//                 (Sharding::HasShardId);
//   no-dedupe     storage stores a request whose primary key is taken as a
//                 new request, so a resend runs twice
//                 (core/storage/message_store.cc);
//   late-stop     hardened mode's stall handler is off: after a pause the
//                 lease self-stop waits for its watch fiber, so a resumed
//                 runner first runs the work queued for shards whose lease
//                 lapsed (core/sharding/shard_locks.cc);
//   unjournaled-activity  a replayed activity ignores its journaled result
//                 and runs the attempt again (core/workflow/cluster_engine.cc);
//   lost-wakeup   a durable deferred's completion does not wake the run
//                 suspended on it (core/workflow/workflow_entity.cc);
//   snowflake-wrap  Effect 4.0's snowflake generator: while the clock is
//                 behind the millisecond in use (stepped back, or ids
//                 borrowed ahead of it) the sequence is not checked against
//                 4096 and wraps, so ids repeat (effect-semantics.md §3,
//                 §14.2; core/cluster/snowflake_generator.cc).
//
// Value types; pure functions.
#ifndef CLUSTERSIM_CORE_MUTANTS_MUTANT_H_
#define CLUSTERSIM_CORE_MUTANTS_MUTANT_H_

#include <optional>
#include <span>
#include <string_view>

namespace clustersim {

enum class Mutant {
  kNone,
  kNoSelfStop,
  kReplyWedge,
  kEarlyRelease,
  kNoLockCheck,
  kNoDedupe,
  kLateStop,
  kUnjournaledActivity,
  kLostWakeup,
  kSnowflakeWrap,
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;
  std::string_view description;
};

// Every core mutant, in declaration order (kNone excluded).
std::span<const MutantInfo> CoreMutants();
// The mutant named `name`, if it is one.
std::optional<Mutant> ParseMutant(std::string_view name);
std::string_view MutantName(Mutant mutant);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_MUTANTS_MUTANT_H_
