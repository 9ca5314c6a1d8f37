#include "core/mutants/mutant.h"

#include <array>

namespace clustersim {
namespace {

constexpr std::array<MutantInfo, 9> kMutants = {{
    {Mutant::kNoSelfStop, "no-self-stop",
     "hardened mode's lease self-stop and stall handler are off: a runner "
     "paused past its lease runs its entities on when it resumes"},
    {Mutant::kReplyWedge, "reply-wedge",
     "hardened mode's reply-save retries are off: a save that still fails "
     "after 4 x 200 ms leaves its request unanswered while the entity lives"},
    {Mutant::kEarlyRelease, "early-release",
     "a shard's lock is released before its entities and singletons stop, "
     "so the next owner starts them while they still run"},
    {Mutant::kNoLockCheck, "no-lock-check",
     "a runner takes messages for shards it does not hold"},
    {Mutant::kNoDedupe, "no-dedupe",
     "storage stores a request whose primary key is taken as a new request "
     "instead of answering Duplicate, so a resent request runs twice"},
    {Mutant::kLateStop, "late-stop",
     "hardened mode's stall handler is off: a runner resumed after a pause "
     "past its lease runs the work queued meanwhile before its lease watch "
     "stops the lapsed shards"},
    {Mutant::kUnjournaledActivity, "unjournaled-activity",
     "a replayed workflow activity ignores its journaled result and runs "
     "the attempt again"},
    {Mutant::kLostWakeup, "lost-wakeup",
     "a durable deferred's completion is stored but does not wake the run "
     "suspended on it"},
    {Mutant::kSnowflakeWrap, "snowflake-wrap",
     "Effect 4.0's snowflake generator: while the clock is behind the "
     "millisecond in use, the sequence wraps past 4096 instead of borrowing "
     "the next millisecond, so ids repeat"},
}};

}  // namespace

std::span<const MutantInfo> CoreMutants() { return kMutants; }

std::optional<Mutant> ParseMutant(std::string_view name) {
  for (const MutantInfo& info : kMutants) {
    if (info.name == name) return info.mutant;
  }
  return std::nullopt;
}

std::string_view MutantName(Mutant mutant) {
  for (const MutantInfo& info : kMutants) {
    if (info.mutant == mutant) return info.name;
  }
  return "none";
}

}  // namespace clustersim
