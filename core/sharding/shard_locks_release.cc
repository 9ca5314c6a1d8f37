#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/sharding/async.h"
#include "core/sharding/shard_locks.h"

namespace clustersim::sharding {
namespace {

// A failed release logs at most this often (Effect: 30 s).
constexpr int64_t kReleaseWarningIntervalMs = 30'000;

}  // namespace

// Releasing shards: one release fiber per shard, the forced release of a
// whole set, and the handoff of every shard at shutdown (see shard_locks.h).

void ShardLocks::CheckHandedOff() {
  if (handoff_.is_open() && acquired_.empty() && releasing_.empty() &&
      !ForcedReleasePending()) {
    handed_off_.Open();
  }
}

void ShardLocks::StartReleases() {
  StartForcedRelease();
  for (const ShardId& shard :
       std::vector<ShardId>(releasing_.begin(), releasing_.end())) {
    if (force_releasing_.contains(shard) || releasing_fibers_.contains(shard)) {
      continue;
    }
    releasing_fibers_.insert(shard);
    if (!releases_.Spawn(ReleaseShard(shard), "shard.release")) {
      releasing_fibers_.erase(shard);
    }
  }
}

void ShardLocks::StartForcedRelease() {
  if (forced_release_running_ || force_releasing_.empty()) return;
  forced_release_running_ = true;
  std::vector<ShardId> shards(force_releasing_.begin(), force_releasing_.end());
  if (!releases_.Spawn(ForcedRelease(std::move(shards)),
                       "shard.forced_release")) {
    forced_release_running_ = false;
  }
}

Task<void> ShardLocks::ReleaseShard(ShardId shard) {
  struct Done {
    ShardLocks* self;
    ShardId shard;
    ~Done() { self->releasing_fibers_.erase(shard); }
  } done{this, shard};
  int64_t last_warning_ms = INT64_MIN / 2;
  // Effect times the whole release, retries included, and records it only
  // when it completes (not when interrupted).
  const int64_t started_us = env_.executor->MonotonicUs();
  for (;;) {
    std::vector<ShardId> shards = {shard};
    const absl::Status status = co_await RunShardRelease(
        std::move(shards), force_releasing_.contains(shard), false);
    if (status.ok()) {
      metrics_.RecordShardRelease(
          static_cast<double>(env_.executor->MonotonicUs() - started_us) /
          1000.0);
      co_return;
    }
    const int64_t now_ms = env_.executor->NowMs();
    if (now_ms - last_warning_ms >= kReleaseWarningIntervalMs) {
      last_warning_ms = now_ms;
      env_.trace->Record(
          "shard.release_failed",
          absl::StrCat(shard.ToString(), " runner=", self_address_.Key()));
    }
    co_await SleepMs(kLockRetryDelayMs);
  }
}

Task<void> ShardLocks::ForcedRelease(std::vector<ShardId> shards) {
  struct Done {
    ShardLocks* self;
    ~Done() {
      self->forced_release_running_ = false;
      self->active_.Open();
    }
  } done{this};
  // Watched independently: the release may wait for uninterruptible work.
  FiberHandle monitor =
      SpawnJoinable(releases_, WarnForcedPending(shards), "shard.forced_warn");
  struct StopMonitor {
    FiberHandle* monitor;
    ~StopMonitor() { monitor->Cancel(); }
  } stop_monitor{&monitor};
  int64_t last_warning_ms = INT64_MIN / 2;
  for (;;) {
    const absl::Status status = co_await RunShardRelease(shards, true, true);
    if (status.ok()) co_return;
    const int64_t now_ms = env_.executor->NowMs();
    if (now_ms - last_warning_ms >= kReleaseWarningIntervalMs) {
      last_warning_ms = now_ms;
      env_.trace->Record("shard.release_failed",
                         absl::StrCat("all runner=", self_address_.Key()));
    }
    co_await SleepMs(kLockRetryDelayMs);
  }
}

Task<void> ShardLocks::WarnForcedPending(std::vector<ShardId> shards) {
  co_await SleepMs(config_.shard_lock_expiration_ms);
  for (;;) {
    env_.trace->Record("shard.forced_pending",
                       absl::StrCat("runner=", self_address_.Key(),
                                    " shards=", shards.size()));
    co_await SleepMs(std::max<int64_t>(config_.shard_lock_expiration_ms,
                                       kReleaseWarningIntervalMs));
  }
}

Task<absl::Status> ShardLocks::RunShardRelease(std::vector<ShardId> shards,
                                               bool force, bool release_all) {
  // The mutant early-release drops the lock first, then stops the shard.
  const bool early = config_.mutant == Mutant::kEarlyRelease;
  if (!early) {
    co_await hooks_.InterruptShards(shards, force);
    co_await hooks_.StopSingletons(shards);
  }
  co_await healthy_.Wait();
  absl::Status status;
  if (release_all) {
    status = co_await storage_.ReleaseAll(self_address_, ReleaseEpoch(shards));
  } else {
    status = co_await storage_.Release(self_address_, shards.front(),
                                       ReleaseEpoch(shards));
  }
  if (!status.ok()) co_return status;
  if (early) {
    co_await hooks_.InterruptShards(shards, force);
    co_await hooks_.StopSingletons(shards);
  }
  for (const ShardId& shard : shards) {
    releasing_.erase(shard);
    force_releasing_.erase(shard);
    tokens_.erase(shard);
    lease_until_us_.erase(shard);
    Trace("shard.release", shard);
    hooks_.OnShardReleased(shard);
  }
  UpdateGauges();
  // Let the acquisition loop see whether the handoff has finished.
  if (handoff_.is_open()) active_.Open();
  co_return absl::OkStatus();
}

void ShardLocks::ForkInterruptShards(std::vector<ShardId> shards) {
  if (shards.empty()) return;
  releases_.Spawn(hooks_.InterruptShards(std::move(shards), true),
                  "shard.interrupt");
}

// --- Shutdown
// --------------------------------------------------------------------

Task<void> ShardLocks::Handoff() {
  if (!handoff_.is_open()) {
    handoff_.Open();
    active_.Open();
  }
  ForkInterruptShards(HeldOrReleasing());
  co_await handed_off_.WaitFor(lock_interval_ms_);
}

void ShardLocks::StopLoops() { loops_.Close(); }

void ShardLocks::StopReleases() { releases_.Close(); }

Task<void> ShardLocks::ReleaseAll() {
  const absl::Status status = co_await storage_.ReleaseAll(
      self_address_, ReleaseEpoch(HeldOrReleasing()));
  env_.trace->Record("shard.release_all",
                     absl::StrCat("runner=", self_address_.Key(),
                                  status.ok() ? "" : " failed"));
}

}  // namespace clustersim::sharding
