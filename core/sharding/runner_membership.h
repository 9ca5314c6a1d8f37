// RunnerMembership: a node's view of the cluster's runners and of the shard
// assignment — Effect 4.1.0 Sharding's RunnerStorage sync loop
// (effect-semantics.md §2.4, effect-delta-4.1.md §4.5).
//
// Every refresh_assignments_interval_ms it (re-)registers this runner if the
// last snapshot lacks it (under the registration lock, which shutdown's
// unregister also takes), reads the runners, and tracks which are healthy.
// When the healthy set changes it recomputes, per shard group, the owner of
// every shard with the 4.1.0 hash ring over the healthy runners of that
// group, and publishes the assignment to ShardLocks. Ring and healthy-set
// state lives outside the retried loop body, so a storage failure (the loop
// restarts after 1 s) keeps it; `changed` survives until the assignment is
// actually recomputed. With runner_join_debounce_ms > 0, runners joining
// after the first assignment wait in a pending set (acquiring nothing here
// meanwhile) until the set has been quiet for the debounce, 4x the debounce
// has passed, or the assignment changes anyway. If no runner is healthy, this
// runner marks itself healthy (deadlock guard).
//
// A client-only node (no runner address) runs the loop too, for routing, but
// never registers and has no ShardLocks.
//
// Observable events: "runner.register" ("<host:port> machine=<id>"),
// "runner.unavailable" ("<host:port>"), "sharding.assignments"
// ("runners=<healthy> self=<shards assigned here>"), "sharding.sync_failed".
//
// Single-threaded. Owned by the runner's Sharding; the storage client,
// ShardLocks, generator and metrics outlive it.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_MEMBERSHIP_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_MEMBERSHIP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "core/cluster/cluster_metrics.h"
#include "core/cluster/hash_ring.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner.h"
#include "core/cluster/snowflake_generator.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/shard_locks.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

class RunnerMembership {
 public:
  // `locks` is null exactly on client-only nodes. `is_shutdown` tells
  // whether the runner is shutting down; `on_runner_unavailable` is told of
  // every runner that vanished or turned unhealthy (Effect's
  // Runners.onRunnerUnavailable).
  RunnerMembership(
      const ShardingConfig& config, const NodeEnv& env,
      storage::StorageClient& storage, ShardLocks* locks,
      SnowflakeGenerator& snowflakes, Scope& parent, ClusterMetrics& metrics,
      std::function<bool()> is_shutdown,
      std::function<void(const RunnerAddress&)> on_runner_unavailable);
  ~RunnerMembership();
  RunnerMembership(const RunnerMembership&) = delete;
  RunnerMembership& operator=(const RunnerMembership&) = delete;

  void Start();
  // Stops the sync loop (shutdown).
  void Stop();
  // Shutdown: removes this runner from storage under the registration lock,
  // so a registration in flight cannot re-advertise it. Errors ignored.
  Task<void> Unregister();

  // The runner the current assignment gives the shard, if any.
  std::optional<RunnerAddress> OwnerOf(const ShardId& shard) const;
  const ShardLocks::Assignments& assignments() const { return assignments_; }

  // The last snapshot of registered runners, with their stored health.
  std::vector<storage::RunnerEntry> runners() const;
  // The local estimate of healthy runners; the health checker adjusts it.
  int64_t healthy_runner_count() const { return healthy_runner_count_; }
  void AdjustHealthyRunnerCount(int64_t delta) {
    healthy_runner_count_ += delta;
  }
  // The id storage gave this runner (unset before the first registration).
  std::optional<MachineId> machine_id() const { return machine_id_; }

 private:
  Task<void> SyncLoop();
  // Runs iterations until one fails; returns the failure.
  Task<absl::Status> SyncUntilError();
  void AddToRings(const Runner& runner);
  void RemoveFromRings(const Runner& runner);
  // Hardened mode (effect-semantics.md §14.11). Effect's Runner equality
  // ignores groups, so a re-registration that only changes groups goes
  // unseen: this notices it. And Effect updates its rings incrementally,
  // adding a re-registered runner's new weight and then removing its old
  // entry by address, which drops it from every ring: hardened mode
  // rebuilds the rings from the healthy set on every change instead (the
  // same set gives the same rings on every runner, whatever the order of
  // joins).
  void NoteGroupsChange(const Runner& runner);
  void RebuildRings();
  void RecomputeAssignments();

  const ShardingConfig& config_;
  NodeEnv env_;
  storage::StorageClient& storage_;
  ShardLocks* locks_;
  SnowflakeGenerator& snowflakes_;
  ClusterMetrics& metrics_;
  std::function<bool()> is_shutdown_;
  std::function<void(const RunnerAddress&)> on_runner_unavailable_;
  const std::optional<Runner> self_;

  // Kept across loop restarts (4.1.0).
  std::map<std::string, HashRing> rings_;
  absl::btree_map<Runner, bool> all_runners_;
  absl::btree_map<Runner, bool> next_runners_;
  absl::btree_set<Runner> healthy_runners_;
  absl::btree_set<Runner> pending_runners_;
  int64_t pending_since_ms_ = 0;
  int64_t pending_changed_at_ms_ = 0;
  bool assignments_published_ = false;
  bool changed_ = false;
  int64_t healthy_runner_count_ = 0;
  std::optional<MachineId> machine_id_;

  ShardLocks::Assignments assignments_;
  Semaphore registration_lock_{1};
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_MEMBERSHIP_H_
