// AssignmentConvergenceChecker: the assignment-convergence invariant — after
// every change of the cluster's membership, each shard ends up owned by its
// ring owner, and by that owner alone, within a bound the configuration
// implies.
//
// Read from the trace:
//   membership  a runner joins at its node's "runner.register" and leaves at
//               its "runner.unregister" (not "... failed") or its node's
//               "node.crash"; the ring owners are core/cluster/hash_ring's
//               GetShards over the members (weight 1), as every runner
//               computes them from the same set (Effect 4.1.0's rings are a
//               pure function of it);
//   ownership   "shard.acquire" / "shard.release" ("<group>:<n>
//               runner=<host:port>"), "shard.release_all" ("runner=..."),
//               and a crash drops all of its node's shards.
// A change opens a window; the window closes when every shard of the group
// has exactly its ring owner as owner (the latency is recorded), or fails at
// change + bound. A newer change replaces an open window (only the newest
// membership has a target).
//
// The bound, derived from core/sharding/config.h (every term in ms):
//   E  shard_lock_expiration  a crashed runner leaves storage's live set
//                             (GetRunners) when its heartbeat is E old; its
//                             locks lapse by then too;
//   R  refresh_assignments    peers read the new set at their next sync,
//   C  storage call timeout   plus that getRunners call;
//   T  entity_termination     an old owner stops the shard's entities,
//   L  shard_lock_interval    then releases the lock (one lock call);
//   P  kAcquirePassPauseMs    the new owner's next acquire pass,
//   L                         plus its acquire call.
// A crash costs E + R + C + P + L; a join R + C + T + L + P + L (the joiner
// waits for the old owner's release); a graceful leave (shards released
// before the unregister) R + C + P + L. BoundMs takes the sum of all terms,
// E + R + C + T + P + 2L, plus kMessageSlackMs for network latency and
// clock drift over the few messages on the path, which covers each case.
// The bound holds only while storage answers within C and messages arrive:
// a scenario judges a window only when it opened after the last timed
// fault and the plan has no whole-run loss, corruption or storage faults
// (each makes a lock call fail an unbounded number of times in a row), and
// the checker judges it only if the storage node stays up (not crashed or
// paused) from its opening to its deadline: with a crash that no restart
// follows, the last fault ends but the database stays gone.
//
// Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_ASSIGNMENT_CONVERGENCE_H_
#define CLUSTERSIM_SIM_CHECKERS_ASSIGNMENT_CONVERGENCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "core/cluster/runner_address.h"
#include "core/sharding/config.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kAssignmentConvergence[] = "assignment-convergence";

class AssignmentConvergenceChecker {
 public:
  static constexpr int64_t kMessageSlackMs = 1'000;

  // The bound explained above, for runners configured as `config` whose
  // storage calls time out after `storage_call_timeout_ms`.
  static int64_t BoundMs(const sharding::ShardingConfig& config,
                         int64_t storage_call_timeout_ms);

  struct Options {
    std::string group = "default";
    int32_t shards = 0;
    int64_t bound_us = 0;
    // Windows opened before this instant are not judged (still measured).
    int64_t judge_from_us = 0;
    // The trace node of the storage server.
    uint32_t storage_node = 0;
  };

  AssignmentConvergenceChecker(Options options, FindingSink sink);

  // The runner that trace node `node` runs.
  void AddRunner(uint32_t node, RunnerAddress address);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);
  // Judges an open window whose deadline passed by `now_us`.
  void Finish(int64_t now_us);

  int64_t changes() const { return changes_; }
  int64_t converged() const { return converged_; }
  int64_t judged() const { return judged_; }
  // The slowest convergence of a judged window.
  int64_t max_latency_us() const { return max_latency_us_; }
  int64_t malformed() const { return malformed_; }

 private:
  void MembershipChanged(int64_t time_us);
  void CheckDeadline(int64_t time_us);
  void Reassess(int64_t time_us);
  std::string Mismatch() const;

  const Options options_;
  FindingSink sink_;
  absl::btree_map<uint32_t, RunnerAddress> runners_;
  absl::btree_set<RunnerAddress> members_;
  // Element i: the ring owner of shard i+1 (empty: no members).
  std::vector<RunnerAddress> targets_;
  // Shard number -> runner keys that hold it.
  absl::btree_map<int32_t, absl::btree_set<std::string>> owners_;
  std::optional<int64_t> window_start_us_;
  bool window_judged_ = false;
  bool storage_up_ = true;
  int64_t changes_ = 0;
  int64_t converged_ = 0;
  int64_t judged_ = 0;
  int64_t max_latency_us_ = 0;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_ASSIGNMENT_CONVERGENCE_H_
