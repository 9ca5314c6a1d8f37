// LockBeliefChecker: the lock-belief invariant (SPEC.md §4, issue 9): a
// runner acts for a shard only while storage holds a live lease of that
// runner on it.
//
// A runner shows that it believes it holds a shard whenever it starts an
// entity of the shard or runs a step of one (entity.start, entity.step:
// "<EntityAddress> runner=<host>:<port>", core/sharding/entity_manager.h).
// At each such event the checker asks storage, through `LockQuery`, whether
// the runner holds a live lease on the shard at that instant, judged as the
// storage server judges it (its own clock, its lock rows); a no is a
// violation naming the runner, the entity and what storage holds instead.
// It audits both sides at once, so it sees a runner acting on a lease that
// lapsed, was released, or was never granted, even when no second runner
// has taken the shard yet (which the single-activation checker needs).
//
// Why it can hold: a runner measures its lease from the moment it sent the
// acquire or refresh, before storage stamps it, and hardened mode stops a
// shard's entities once the lease may have lapsed by the runner's own clock
// (with margins for drift; core/sharding/shard_locks.h), and releases a
// lock only after they stopped. Effect (reference mode) fences nothing: a
// runner paused past its lease runs on when it resumes (§14.3).
//
// One finding per episode: after a violation for (runner, shard), the next
// is reported only once a check of that pair passed again.
// Single-threaded; feed it events in trace order.
#ifndef CLUSTERSIM_SIM_CHECKERS_LOCK_BELIEF_H_
#define CLUSTERSIM_SIM_CHECKERS_LOCK_BELIEF_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kLockBelief[] = "lock-belief";

class LockBeliefChecker {
 public:
  // OK if `runner` holds a live lease on `shard` ("<group>:<n>") now in
  // storage's eyes; otherwise an error saying what storage holds.
  using LockQuery = std::function<absl::Status(std::string_view shard,
                                               std::string_view runner)>;

  LockBeliefChecker(LockQuery query, FindingSink sink);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);

  // Events checked against storage (a run that checked none judged nothing).
  int64_t checked() const { return checked_; }
  // Entity events whose detail does not parse.
  int64_t malformed() const { return malformed_; }

 private:
  LockQuery query_;
  FindingSink sink_;
  // (runner, shard) pairs in a reported episode.
  absl::btree_set<std::pair<std::string, std::string>> failing_;
  int64_t checked_ = 0;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_LOCK_BELIEF_H_
