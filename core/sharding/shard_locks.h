// ShardLocks: a runner's shard-lock state machine (Effect 4.1.0 Sharding's
// shard acquisition, refresh and release; effect-semantics.md §4.3 and
// effect-delta-4.1.md §4.1-4.4, §4.8, §4.10).
//
// Shard sets (disjoint except as noted):
//   self        the ring assigns the shard here and lock storage is healthy;
//   acquired    the lock is held and the shard is active (only these are
//               processed);
//   releasing   graceful or forced release in progress (the lock is still
//               held and refreshed; entities may still drain);
//   force-releasing  (a subset of releasing) lost on a lock-storage failure,
//               waiting for one releaseAll after storage recovers.
//
// Loops (fibers of this object's scopes):
//   acquisition  woken by the active latch: moves shards no longer assigned
//                (or all of them during the shutdown handoff) to releasing,
//                starts their release, and acquires the unowned self shards
//                unless locks are unhealthy, a forced release is pending,
//                the runner is shutting down or runner joins are pending;
//   refresh      every lock interval: refresh(acquired ∪ releasing) with 5
//                retries 50 ms apart, bounded by the interval; refreshed
//                shards not returned move to releasing (releaseLostShards);
//                a failure marks lock storage unhealthy (everything is force
//                released after recovery); while unhealthy it probes with
//                refresh(self, []). Hardened mode (lease self-stop on): a
//                failure only records "shard.refresh_failed"; the shards
//                run on until a refresh lands or their lease may lapse.
//   release      per shard (or one forced releaseAll): stop the entities,
//                stop the singletons, wait for healthy lock storage, release,
//                clear the bookkeeping and unregister the shard's reply
//                handlers; retried every 50 ms until it succeeds.
//
// Fencing (hardened mode): the FencingToken of each held shard, from acquire
// and refresh, is kept for the owner's writes (TokenFor).
//
// Lease self-stop (hardened mode; effect-semantics.md §14.3). Storage grants
// a lease for shard_lock_expiration_ms of its clock from when it handles the
// acquire or refresh, so by this runner's monotonic clock the lease surely
// holds until the call's send time plus
// ShardingConfig::lease_self_stop_after_us(). When that instant passes
// without a newer grant, the shard's entities and singletons stop at once
// (ShardLockHooks::StopShardsNow), before any other owner can acquire it by
// the storage clock, and the shard moves to releasing. A watch fiber does
// this on time; after a pause the stall handler does it before the runner
// runs anything else (core/runtime/stall_detector.h). Event
// "shard.self_stop" ("<group:n> runner=<host:port> late_ms=<n>").
//
// Observable events: "shard.acquire" / "shard.release"
// ("<group:n> runner=<host:port>"), "shard.locks_unhealthy",
// "shard.locks_still_unhealthy", "shard.locks_healthy",
// "shard.acquire_failed", "shard.release_failed" (at most every 30 s),
// "shard.unknown_grant" (hardened: a timed-out acquire that landed),
// "shard.forced_pending", "shard.release_all".
//
// Single-threaded. Owned by the runner's Sharding; the hooks, storage client
// and metrics outlive it. Its fibers live in two child scopes of `parent`:
// the loops, and the release fibers, which outlive the loops at shutdown.
#ifndef CLUSTERSIM_CORE_SHARDING_SHARD_LOCKS_H_
#define CLUSTERSIM_CORE_SHARDING_SHARD_LOCKS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "core/cluster/cluster_metrics.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/shard_set.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/storage/fencing_token.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

// What the lock state machine needs from the rest of the runner.
class ShardLockHooks {
 public:
  virtual ~ShardLockHooks() = default;
  virtual bool IsShutdown() const = 0;
  // Stops the entities of `shards` on every entity manager that is not
  // closed (gracefully, or forced) and completes when they are gone.
  virtual Task<void> InterruptShards(std::vector<ShardId> shards,
                                     bool force) = 0;
  // Stops the singletons of shards no longer acquired and completes when
  // those of `shards` have stopped (4.1.0's startSyncSingletons +
  // awaitStoppingSingletons).
  virtual Task<void> StopSingletons(std::vector<ShardId> shards) = 0;
  // Starts a singleton sync in the background.
  virtual void SyncSingletons() = 0;
  // Stops the entities and singletons of `shards` (no longer acquired)
  // before returning (hardened mode's lease self-stop).
  virtual void StopShardsNow(const std::vector<ShardId>& shards) = 0;
  // Shards were acquired: read storage now.
  virtual void OnShardsAcquired() = 0;
  // The shard's lock was released: unregister its local reply handlers.
  virtual void OnShardReleased(const ShardId& shard) = 0;
};

class ShardLocks {
 public:
  using Assignments = absl::btree_map<ShardId, RunnerAddress>;

  // `config` must be validated and have a runner address.
  ShardLocks(const ShardingConfig& config, const NodeEnv& env,
             storage::StorageClient& storage, Scope& parent,
             ShardLockHooks& hooks, ClusterMetrics& metrics);
  ~ShardLocks();
  ShardLocks(const ShardLocks&) = delete;
  ShardLocks& operator=(const ShardLocks&) = delete;

  // Starts the acquisition, refresh and poll loops.
  void Start();

  // --- Assignments (published by RunnerMembership) ------------------------
  // Replaces the shard assignments; recomputes the self shards (only while
  // lock storage is healthy), wakes the acquisition loop and the lock
  // waiters.
  void SetAssignments(Assignments assignments);
  const Assignments& assignments() const { return assignments_; }
  std::optional<RunnerAddress> OwnerOf(const ShardId& shard) const;
  // Runner joins are pending (join debounce): acquire nothing meanwhile.
  void SetJoinsPending(bool pending);

  // --- State ----------------------------------------------------------------
  bool IsAcquired(const ShardId& shard) const {
    return acquired_.contains(shard);
  }
  bool IsReleasing(const ShardId& shard) const {
    return releasing_.contains(shard);
  }
  const absl::btree_set<ShardId>& self_shards() const {
    return self_.ordered();
  }
  const absl::btree_set<ShardId>& acquired() const {
    return acquired_.ordered();
  }
  const absl::btree_set<ShardId>& releasing() const { return releasing_; }
  const absl::btree_set<ShardId>& force_releasing() const {
    return force_releasing_;
  }
  bool healthy() const { return healthy_.is_open(); }
  // The lease token of a held (acquired or releasing) shard.
  std::optional<storage::FencingToken> TokenFor(const ShardId& shard) const;

  // --- Operations -----------------------------------------------------------
  // 4.1.0's awaitShardLock: while the shard is assigned here but not yet
  // acquired (and the runner is not shutting down), waits for lock changes,
  // at most shard_lock_expiration_ms. `shard` must outlive the wait (the
  // caller awaits it at once).
  Task<void> AwaitShardLock(const ShardId& shard);
  // Wakes every AwaitShardLock waiter.
  void NotifyLockWaiters();
  // What a refresh of one shard's lock said.
  enum class LockCheck {
    kHeld,     // storage returned the shard
    kLost,     // storage answered without it, or the shard is not held here
    kUnknown,  // the refresh failed or timed out
  };
  // A refresh of the shard's lock (shared by concurrent callers, bounded by
  // the lock interval). kLost at once for a shard neither acquired nor
  // releasing.
  Task<LockCheck> CheckShardLock(ShardId shard);
  // 4.1.0's confirmShardLock: CheckShardLock said kHeld (an unknown outcome
  // counts as lost, as in Effect).
  Task<bool> ConfirmShardLock(ShardId shard);
  // Acquired or releasing: the runner still holds the lock by its own view.
  bool IsHeld(const ShardId& shard) const {
    return acquired_.contains(shard) || releasing_.contains(shard);
  }
  // 4.1.0's shutdown handoff: releases every held shard through the
  // per-shard path (entities forced) and waits at most one lock interval.
  Task<void> Handoff();
  // Shutdown steps, in this order after Handoff: stop the loops (and
  // pending lock checks), then the release fibers, then drop every lock
  // (errors ignored: the leases expire anyway).
  void StopLoops();
  void StopReleases();
  Task<void> ReleaseAll();

  // The scope release work runs in (ShardLockHooks::InterruptShards spawns
  // its per-manager fibers here, so they stop with the releases).
  Scope& release_scope() { return releases_; }

 private:
  Task<void> AcquisitionLoop();
  // One run of the loop; returns the error that ends it.
  Task<absl::Status> AcquisitionPasses();
  Task<void> RefreshLoop();
  Task<void> RefreshShardLocks();
  // The refresh with its retries (run under the lock-interval timeout).
  Task<absl::Status> RefreshWithRetries();
  Task<void> ProbeShardLocks();
  Task<void> PollTicker();

  // Hardened mode: acquires that timed out may still land (§14.8); their
  // shards are refreshed for a while and a grant found is released.
  void NoteUnknownAcquire(const std::vector<ShardId>& shards);
  // The shards of unknown acquires still worth asking for (drops the old).
  std::vector<ShardId> UnknownAcquires();
  void ReleaseUnknownGrants(const std::vector<ShardId>& unknown,
                            const std::vector<storage::FencingToken>& returned);
  // Hardened mode: the epoch bound of a release of `shards` (nullopt in
  // reference mode).
  std::optional<uint64_t> ReleaseEpoch(
      const std::vector<ShardId>& shards) const;

  // Lease self-stop (hardened mode).
  bool self_stop_enabled() const;
  // Whether a grant from a lock call sent at monotonic time `sent_us` may
  // have lapsed already (hardened mode; false otherwise).
  bool GrantLapsed(int64_t sent_us) const;
  // A grant of `shard` from a call sent at monotonic time `sent_us`.
  void NoteGrant(const ShardId& shard, int64_t sent_us);
  // Stops the held shards whose lease may have lapsed by now.
  void StopLapsedShards();
  Task<void> LeaseWatch();

  // Applies a refresh result to the refreshed shards (releaseLostShards).
  // `sent_us`: the refresh's send time (monotonic), for the lease self-stop.
  void ReleaseLostShards(const std::vector<ShardId>& refreshed,
                         const std::vector<storage::FencingToken>& returned,
                         int64_t sent_us);
  void MarkUnhealthy(std::string_view cause);
  void MarkHealthy();
  void RecomputeSelfShards();

  bool IsAwaitingShardLock(const ShardId& shard) const;
  bool ForcedReleasePending() const {
    return forced_release_running_ || !force_releasing_.empty();
  }
  void CheckHandedOff();
  void StartReleases();
  void StartForcedRelease();
  Task<void> ReleaseShard(ShardId shard);
  Task<void> ForcedRelease(std::vector<ShardId> shards);
  Task<void> WarnForcedPending(std::vector<ShardId> shards);
  // One attempt of Effect's runShardRelease.
  Task<absl::Status> RunShardRelease(std::vector<ShardId> shards, bool force,
                                     bool release_all);
  Task<void> RunLockCheck(ShardId shard,
                          std::shared_ptr<Deferred<LockCheck>> result);
  void ForkInterruptShards(std::vector<ShardId> shards);

  // Acquired and releasing shards, in order.
  std::vector<ShardId> HeldOrReleasing() const;
  void UpdateGauges();
  void Trace(std::string_view kind, const ShardId& shard);

  const ShardingConfig& config_;
  NodeEnv env_;
  storage::StorageClient& storage_;
  ShardLockHooks& hooks_;
  ClusterMetrics& metrics_;
  const RunnerAddress self_address_;
  const int64_t lock_interval_ms_;

  Assignments assignments_;
  ShardSet self_;
  ShardSet acquired_;
  absl::btree_set<ShardId> releasing_;
  absl::btree_set<ShardId> force_releasing_;
  absl::btree_map<ShardId, storage::FencingToken> tokens_;
  // Hardened mode: per held shard, the monotonic instant (us) until which
  // its lease surely holds.
  absl::btree_map<ShardId, int64_t> lease_until_us_;
  // Hardened mode: shards of timed-out acquires, until when to look for a
  // late grant (monotonic us).
  absl::btree_map<ShardId, int64_t> unknown_until_us_;
  // The shard gauges' last values (-1: never set).
  int64_t gauged_acquired_ = -1;
  int64_t gauged_releasing_ = -1;
  uint64_t stall_handler_ = 0;
  bool joins_pending_ = false;
  bool forced_release_running_ = false;
  // Shards with a release fiber running (Effect's FiberMap, onlyIfMissing).
  absl::btree_set<ShardId> releasing_fibers_;
  // Concurrent confirmShardLock calls share one refresh per shard.
  absl::btree_map<ShardId, std::shared_ptr<Deferred<LockCheck>>> lock_checks_;

  Latch healthy_{true};          // open while lock storage is healthy
  Latch active_{false};          // wakes the acquisition loop
  Latch leases_changed_{false};  // wakes the lease watch
  Latch handoff_{false};
  Latch handed_off_{false};
  // Replaced on every notification, so a waiter cannot miss one.
  std::shared_ptr<Latch> lock_waiters_ = std::make_shared<Latch>(false);

  Scope loops_;
  Scope releases_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_SHARD_LOCKS_H_
