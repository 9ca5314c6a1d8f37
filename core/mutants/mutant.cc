#include "core/mutants/mutant.h"

#include <array>

namespace clustersim {
namespace {

constexpr std::array<MutantInfo, 4> kMutants = {{
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
