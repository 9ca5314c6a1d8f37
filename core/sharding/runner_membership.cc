#include "core/sharding/runner_membership.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/sharding/async.h"

namespace clustersim::sharding {
namespace {

std::optional<Runner> SelfRunner(const ShardingConfig& config) {
  if (!config.runner_address.has_value()) return std::nullopt;
  return Runner(*config.runner_address, config.AssignedGroups(),
                config.runner_shard_weight);
}

}  // namespace

RunnerMembership::RunnerMembership(
    const ShardingConfig& config, const NodeEnv& env,
    storage::StorageClient& storage, ShardLocks* locks,
    SnowflakeGenerator& snowflakes, Scope& parent, ClusterMetrics& metrics,
    std::function<bool()> is_shutdown,
    std::function<void(const RunnerAddress&)> on_runner_unavailable)
    : config_(config),
      env_(env),
      storage_(storage),
      locks_(locks),
      snowflakes_(snowflakes),
      metrics_(metrics),
      is_shutdown_(std::move(is_shutdown)),
      on_runner_unavailable_(std::move(on_runner_unavailable)),
      self_(SelfRunner(config)),
      scope_(parent) {
  if (self_.has_value()) {
    metrics_.Set(GaugeSeries::Runners(), 1);
    metrics_.Set(GaugeSeries::RunnersHealthy(), 1);
  }
}

RunnerMembership::~RunnerMembership() { scope_.Close(); }

void RunnerMembership::Start() { scope_.Spawn(SyncLoop(), "sharding.sync"); }

void RunnerMembership::Stop() { scope_.Close(); }

std::optional<RunnerAddress> RunnerMembership::OwnerOf(
    const ShardId& shard) const {
  auto it = assignments_.find(shard);
  if (it == assignments_.end()) return std::nullopt;
  return it->second;
}

std::vector<storage::RunnerEntry> RunnerMembership::runners() const {
  std::vector<storage::RunnerEntry> out;
  out.reserve(all_runners_.size());
  for (const auto& [runner, healthy] : all_runners_) {
    out.push_back(storage::RunnerEntry{runner, healthy});
  }
  return out;
}

Task<void> RunnerMembership::Unregister() {
  if (!self_.has_value()) co_return;
  Semaphore::Permit permit = co_await registration_lock_.Acquire();
  const absl::Status status = co_await storage_.Unregister(self_->address());
  env_.trace->Record(
      "runner.unregister",
      absl::StrCat(self_->address().Key(), status.ok() ? "" : " failed"));
}

Task<void> RunnerMembership::SyncLoop() {
  for (;;) {
    const absl::Status status = co_await SyncUntilError();
    env_.trace->Record("sharding.sync_failed", std::string(status.message()));
    co_await SleepMs(kSyncRestartDelayMs);
  }
}

Task<absl::Status> RunnerMembership::SyncUntilError() {
  const int64_t debounce_ms = config_.runner_join_debounce_ms;
  for (;;) {
    // Make sure this runner is registered.
    if (self_.has_value() && !is_shutdown_() &&
        !all_runners_.contains(*self_)) {
      Semaphore::Permit permit = co_await registration_lock_.Acquire();
      if (!is_shutdown_()) {
        std::optional<absl::StatusOr<MachineId>> id = co_await WithTimeout(
            scope_, storage_.Register(*self_, true), kStorageCallTimeoutMs);
        if (!id.has_value()) {
          co_return absl::DeadlineExceededError("register timed out");
        }
        if (!id->ok()) co_return id->status();
        snowflakes_.SetMachineId(**id);
        machine_id_ = **id;
        env_.trace->Record(
            "runner.register",
            absl::StrCat(self_->address().Key(), " machine=", (*id)->value()));
      }
    }

    std::optional<absl::StatusOr<std::vector<storage::RunnerEntry>>> runners =
        co_await WithTimeout(scope_, storage_.GetRunners(),
                             kStorageCallTimeoutMs);
    if (!runners.has_value()) {
      co_return absl::DeadlineExceededError("getRunners timed out");
    }
    if (!runners->ok()) co_return runners->status();

    const int64_t now_ms = env_.executor->NowMs();
    for (const storage::RunnerEntry& entry : **runners) {
      const Runner& runner = entry.runner;
      next_runners_.insert_or_assign(runner, entry.healthy);
      if (config_.mode == Mode::kHardened) NoteGroupsChange(runner);
      const bool was_healthy = healthy_runners_.contains(runner);
      if (!entry.healthy || was_healthy) {
        // No change; a healthy -> unhealthy runner stays in all_runners_ to
        // be removed below.
        if (entry.healthy == was_healthy || !was_healthy) {
          all_runners_.erase(runner);
        }
        continue;
      }
      healthy_runners_.insert(runner);
      all_runners_.erase(runner);
      if (debounce_ms > 0 && assignments_published_) {
        if (pending_runners_.empty()) pending_since_ms_ = now_ms;
        pending_changed_at_ms_ = now_ms;
        pending_runners_.insert(runner);
        continue;
      }
      changed_ = true;
      AddToRings(runner);
    }

    // Runners that vanished or turned unhealthy.
    for (const auto& [runner, healthy] : all_runners_) {
      healthy_runners_.erase(runner);
      env_.trace->Record("runner.unavailable", runner.address().Key());
      on_runner_unavailable_(runner.address());
      // A pending runner owns nothing: its departure only restarts the
      // quiet period.
      if (pending_runners_.erase(runner) > 0) {
        pending_changed_at_ms_ = now_ms;
        continue;
      }
      changed_ = true;
      RemoveFromRings(runner);
    }
    all_runners_.clear();

    // Publish the pending joins once the healthy set has settled, the cap
    // is reached, or the assignment is recomputed anyway.
    if (!pending_runners_.empty() &&
        (changed_ || now_ms - pending_changed_at_ms_ >= debounce_ms ||
         now_ms - pending_since_ms_ >= debounce_ms * 4)) {
      changed_ = true;
      for (const Runner& runner : pending_runners_) AddToRings(runner);
      pending_runners_.clear();
    }
    if (locks_ != nullptr) locks_->SetJoinsPending(!pending_runners_.empty());
    if (changed_ && config_.mode == Mode::kHardened) RebuildRings();

    std::swap(all_runners_, next_runners_);
    healthy_runner_count_ = static_cast<int64_t>(healthy_runners_.size());

    // Not registered (yet, or any more): register at once.
    if (self_.has_value() && !is_shutdown_() &&
        !all_runners_.contains(*self_)) {
      continue;
    }

    if (changed_) {
      changed_ = false;
      assignments_published_ = true;
      RecomputeAssignments();
      if (self_.has_value()) {
        metrics_.Set(GaugeSeries::RunnersHealthy(),
                     healthy_runners_.contains(*self_) ? 1 : 0);
      }
    }

    if (self_.has_value() && healthy_runners_.empty()) {
      // Mark ourselves healthy so the health checker can run again.
      env_.trace->Record("sharding.no_healthy_runners", self_->address().Key());
      std::optional<absl::Status> set = co_await WithTimeout(
          scope_, storage_.SetRunnerHealth(self_->address(), true),
          kStorageCallTimeoutMs);
      if (!set.has_value()) {
        co_return absl::DeadlineExceededError("setRunnerHealth timed out");
      }
      if (!set->ok()) co_return *set;
    }

    // Effect allows an interval of 0 (a hot loop under its test clock);
    // under virtual time that would never let time advance.
    co_await SleepMs(
        std::max<int64_t>(1, config_.refresh_assignments_interval_ms));
  }
}

void RunnerMembership::AddToRings(const Runner& runner) {
  for (const std::string& group : runner.groups()) {
    HashRing& ring = rings_.try_emplace(group).first->second;
    const absl::Status status = ring.Add(runner.address(), runner.weight());
    if (!status.ok()) {
      env_.trace->Record("sharding.ring_rejected",
                         absl::StrCat(runner.address().Key(), " ",
                                      std::string(status.message())));
    }
  }
}

void RunnerMembership::NoteGroupsChange(const Runner& runner) {
  auto it = healthy_runners_.find(runner);
  if (it == healthy_runners_.end() || it->groups() == runner.groups()) return;
  healthy_runners_.erase(it);
  healthy_runners_.insert(runner);
  changed_ = true;
}

void RunnerMembership::RebuildRings() {
  rings_.clear();
  for (const Runner& runner : healthy_runners_) {
    if (!pending_runners_.contains(runner)) AddToRings(runner);
  }
}

void RunnerMembership::RemoveFromRings(const Runner& runner) {
  for (const std::string& group : runner.groups()) {
    // A runner that was never healthy may name a group without a ring.
    auto it = rings_.find(group);
    if (it != rings_.end()) it->second.Remove(runner.address());
  }
}

void RunnerMembership::RecomputeAssignments() {
  int64_t self_count = 0;
  for (const auto& [group, ring] : rings_) {
    const std::optional<std::vector<RunnerAddress>> owners =
        ring.GetShards(config_.shards_per_group);
    for (int32_t i = 0; i < config_.shards_per_group; ++i) {
      ShardId shard(group, i + 1);
      if (owners.has_value()) {
        const RunnerAddress& owner = (*owners)[static_cast<size_t>(i)];
        if (config_.runner_address == owner) ++self_count;
        assignments_.insert_or_assign(std::move(shard), owner);
      } else {
        assignments_.erase(shard);
      }
    }
  }
  env_.trace->Record(
      "sharding.assignments",
      absl::StrCat("runners=", healthy_runners_.size(), " self=", self_count));
  if (locks_ != nullptr) locks_->SetAssignments(assignments_);
}

}  // namespace clustersim::sharding
