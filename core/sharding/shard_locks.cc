#include "core/sharding/shard_locks.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/sharding/async.h"

namespace clustersim::sharding {

ShardLocks::ShardLocks(const ShardingConfig& config, const NodeEnv& env,
                       storage::StorageClient& storage, Scope& parent,
                       ShardLockHooks& hooks, ClusterMetrics& metrics)
    : config_(config),
      env_(env),
      storage_(storage),
      hooks_(hooks),
      metrics_(metrics),
      self_address_(*config.runner_address),
      lock_interval_ms_(config.shard_lock_interval_ms()),
      loops_(parent),
      releases_(parent) {
  CHECK(config.runner_address.has_value(), "shard locks need a runner");
  UpdateGauges();
}

ShardLocks::~ShardLocks() {
  if (stall_handler_ != 0) env_.stall->Unregister(stall_handler_);
  // Frames of our fibers touch our members when destroyed: end them first.
  releases_.Close();
  loops_.Close();
}

void ShardLocks::Start() {
  loops_.Spawn(AcquisitionLoop(), "shard.acquisition");
  loops_.Spawn(RefreshLoop(), "shard.refresh");
  loops_.Spawn(PollTicker(), "shard.poll");
  if (self_stop_enabled()) {
    loops_.Spawn(LeaseWatch(), "shard.lease_watch");
    // Mutant::kLateStop: only the watch fiber stops lapsed shards, on its
    // timer, after a resumed runner has run what was queued meanwhile.
    if (env_.stall != nullptr && config_.mutant != Mutant::kLateStop) {
      stall_handler_ =
          env_.stall->Register([this](int64_t) { StopLapsedShards(); });
    }
  }
}

// --- Assignments -------------------------------------------------------------

void ShardLocks::SetAssignments(Assignments assignments) {
  assignments_ = std::move(assignments);
  RecomputeSelfShards();
  active_.Open();
  NotifyLockWaiters();
}

std::optional<RunnerAddress> ShardLocks::OwnerOf(const ShardId& shard) const {
  auto it = assignments_.find(shard);
  if (it == assignments_.end()) return std::nullopt;
  return it->second;
}

void ShardLocks::SetJoinsPending(bool pending) {
  const bool cleared = joins_pending_ && !pending;
  joins_pending_ = pending;
  if (cleared) active_.Open();
}

void ShardLocks::RecomputeSelfShards() {
  self_.clear();
  if (!healthy_.is_open()) return;
  for (const auto& [shard, owner] : assignments_) {
    if (owner == self_address_) self_.insert(shard);
  }
}

std::optional<storage::FencingToken> ShardLocks::TokenFor(
    const ShardId& shard) const {
  if (!acquired_.contains(shard) && !releasing_.contains(shard)) {
    return std::nullopt;
  }
  auto it = tokens_.find(shard);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

// --- Acquisition
// ---------------------------------------------------------------

Task<void> ShardLocks::AcquisitionLoop() {
  for (;;) {
    const absl::Status status = co_await AcquisitionPasses();
    env_.trace->Record("shard.acquire_failed",
                       absl::StrCat("runner=", self_address_.Key(), " ",
                                    std::string(status.message())));
    co_await SleepMs(config_.entity_message_poll_interval_ms);
  }
}

Task<absl::Status> ShardLocks::AcquisitionPasses() {
  active_.Open();
  for (;;) {
    co_await active_.Wait();
    active_.Close();

    // Shards no longer assigned here (or all of them while handing off) are
    // released.
    const bool handing_off = handoff_.is_open();
    std::vector<ShardId> unassigned;
    for (const ShardId& shard : acquired_) {
      if (handing_off || !self_.contains(shard)) unassigned.push_back(shard);
    }
    for (const ShardId& shard : unassigned) {
      acquired_.erase(shard);
      releasing_.insert(shard);
    }
    UpdateGauges();
    if (!releasing_.empty() || !force_releasing_.empty()) {
      hooks_.SyncSingletons();
      StartReleases();
    }
    CheckHandedOff();

    if (!healthy_.is_open() || ForcedReleasePending() || hooks_.IsShutdown() ||
        joins_pending_) {
      continue;
    }

    std::vector<ShardId> to_acquire;
    for (const ShardId& shard : self_) {
      if (!acquired_.contains(shard) && !releasing_.contains(shard)) {
        to_acquire.push_back(shard);
      }
    }
    if (to_acquire.empty()) continue;

    const int64_t sent_us = env_.executor->MonotonicUs();
    std::optional<absl::StatusOr<std::vector<storage::FencingToken>>> result =
        co_await WithTimeout(loops_,
                             storage_.Acquire(self_address_, to_acquire),
                             lock_interval_ms_);
    if (!result.has_value()) {
      NoteUnknownAcquire(to_acquire);
      active_.Open();
      continue;
    }
    if (!result->ok()) co_return result->status();

    std::vector<ShardId> got;
    for (const storage::FencingToken& token : **result) {
      got.push_back(token.shard);
    }
    // Drop read claims so the previous owner's in-flight messages are read
    // again at once (errors ignored).
    co_await WithTimeout(loops_, storage_.ResetShards(got), lock_interval_ms_);

    // A forced release or pending joins may have begun meanwhile: shards
    // locked then are released without running anything on them.
    const bool forced = ForcedReleasePending();
    const bool joins = joins_pending_;
    // Hardened: a grant answered after its lease may have lapsed (this
    // process was stopped while the call was out) is released the same way.
    // Taking it would start its singletons and entities, for an instant,
    // beside the shard's next owner: the lease watch stops a lapsed shard
    // only after the acquisition took it.
    const bool lapsed = GrantLapsed(sent_us);
    for (const storage::FencingToken& token : **result) {
      unknown_until_us_.erase(token.shard);
      tokens_.insert_or_assign(token.shard, token);
      NoteGrant(token.shard, sent_us);
      if (!healthy_.is_open() || forced || joins || lapsed ||
          releasing_.contains(token.shard) || !self_.contains(token.shard)) {
        releasing_.insert(token.shard);
        continue;
      }
      if (acquired_.insert(token.shard)) {
        Trace("shard.acquire", token.shard);
      }
    }
    UpdateGauges();
    if (!got.empty()) {
      NotifyLockWaiters();
      hooks_.OnShardsAcquired();
      hooks_.SyncSingletons();
    }
    // The shutdown handoff releases what was just acquired without waiting.
    co_await handoff_.WaitFor(kAcquirePassPauseMs);
    active_.Open();
  }
}

Task<void> ShardLocks::PollTicker() {
  for (;;) {
    co_await SleepMs(config_.entity_message_poll_interval_ms);
    active_.Open();
  }
}

// --- Refresh
// -------------------------------------------------------------------

Task<void> ShardLocks::RefreshLoop() {
  // Effect's Schedule.fixed: one run per interval; a late run starts the
  // next at once, without piling up.
  for (;;) {
    const int64_t started_ms = env_.executor->NowMs();
    if (healthy_.is_open()) {
      co_await RefreshShardLocks();
    } else {
      co_await ProbeShardLocks();
    }
    const int64_t elapsed_ms =
        std::max<int64_t>(0, env_.executor->NowMs() - started_ms);
    co_await SleepMs(std::max<int64_t>(0, lock_interval_ms_ - elapsed_ms));
  }
}

Task<void> ShardLocks::RefreshShardLocks() {
  std::optional<absl::Status> result =
      co_await WithTimeout(loops_, RefreshWithRetries(), lock_interval_ms_);
  if (self_stop_enabled() && !(result.has_value() && result->ok())) {
    // Hardened mode: a failed refresh says nothing about the leases, which
    // the lease watch stops exactly when they may lapse. Effect force
    // releases every shard here, so that under slow storage a runner drops
    // (and interrupts) all its work every few seconds.
    env_.trace->Record("shard.refresh_failed",
                       absl::StrCat("runner=", self_address_.Key()));
    co_return;
  }
  if (!result.has_value()) {
    MarkUnhealthy("refresh timed out");
  } else if (!result->ok()) {
    MarkUnhealthy(std::string(result->message()));
  }
}

Task<absl::Status> ShardLocks::RefreshWithRetries() {
  absl::Status last;
  for (int attempt = 0; attempt <= kRefreshRetries; ++attempt) {
    if (attempt > 0) co_await SleepMs(kLockRetryDelayMs);
    std::vector<ShardId> refreshed = HeldOrReleasing();
    const std::vector<ShardId> unknown = UnknownAcquires();
    std::vector<ShardId> asked = refreshed;
    asked.insert(asked.end(), unknown.begin(), unknown.end());
    const int64_t sent_us = env_.executor->MonotonicUs();
    absl::StatusOr<std::vector<storage::FencingToken>> result =
        co_await storage_.Refresh(self_address_, asked);
    if (result.ok()) {
      ReleaseLostShards(refreshed, *result, sent_us);
      ReleaseUnknownGrants(unknown, *result);
      co_return absl::OkStatus();
    }
    last = result.status();
  }
  co_return last;
}

void ShardLocks::ReleaseLostShards(
    const std::vector<ShardId>& refreshed,
    const std::vector<storage::FencingToken>& returned, int64_t sent_us) {
  // Sorted pointers, not a set of copies: most checks refresh one shard.
  std::vector<const ShardId*> held;
  held.reserve(returned.size());
  for (const storage::FencingToken& token : returned) {
    held.push_back(&token.shard);
    tokens_.insert_or_assign(token.shard, token);
    NoteGrant(token.shard, sent_us);
  }
  const auto by_shard = [](const ShardId* a, const ShardId* b) {
    return *a < *b;
  };
  std::sort(held.begin(), held.end(), by_shard);
  // Only refreshed shards: one acquired while the refresh was in flight is
  // not in its answer.
  for (const ShardId& shard : refreshed) {
    if (acquired_.contains(shard) &&
        (!std::binary_search(held.begin(), held.end(), &shard, by_shard) ||
         !self_.contains(shard))) {
      acquired_.erase(shard);
      releasing_.insert(shard);
    }
  }
  UpdateGauges();
  if (!releasing_.empty()) active_.Open();
}

Task<void> ShardLocks::ProbeShardLocks() {
  const std::vector<ShardId> none;
  std::optional<absl::StatusOr<std::vector<storage::FencingToken>>> result =
      co_await WithTimeout(loops_, storage_.Refresh(self_address_, none),
                           lock_interval_ms_);
  if (result.has_value() && result->ok()) {
    MarkHealthy();
  } else {
    env_.trace->Record("shard.locks_still_unhealthy",
                       absl::StrCat("runner=", self_address_.Key()));
  }
}

void ShardLocks::MarkUnhealthy(std::string_view cause) {
  if (!healthy_.is_open()) return;
  healthy_.Close();
  std::vector<ShardId> affected = HeldOrReleasing();
  self_.clear();
  acquired_.clear();
  for (const ShardId& shard : affected) {
    releasing_.insert(shard);
    force_releasing_.insert(shard);
  }
  UpdateGauges();
  active_.Open();
  NotifyLockWaiters();
  env_.trace->Record("shard.locks_unhealthy",
                     absl::StrCat("runner=", self_address_.Key(), " shards=",
                                  affected.size(), " ", std::string(cause)));
  hooks_.SyncSingletons();
  ForkInterruptShards(std::move(affected));
}

void ShardLocks::MarkHealthy() {
  if (healthy_.is_open()) return;
  healthy_.Open();
  RecomputeSelfShards();
  active_.Open();
  env_.trace->Record("shard.locks_healthy",
                     absl::StrCat("runner=", self_address_.Key()));
}

// --- Ownership checks and waits
// -----------------------------------------------

bool ShardLocks::IsAwaitingShardLock(const ShardId& shard) const {
  return !hooks_.IsShutdown() && self_.contains(shard) &&
         !acquired_.contains(shard);
}

Task<void> ShardLocks::AwaitShardLock(const ShardId& shard) {
  if (!IsAwaitingShardLock(shard)) co_return;
  const int64_t deadline_ms =
      env_.executor->NowMs() + config_.shard_lock_expiration_ms;
  while (IsAwaitingShardLock(shard)) {
    const int64_t remaining_ms = deadline_ms - env_.executor->NowMs();
    if (remaining_ms <= 0) co_return;
    std::shared_ptr<Latch> changed = lock_waiters_;
    co_await changed->WaitFor(remaining_ms);
  }
}

void ShardLocks::NotifyLockWaiters() {
  std::shared_ptr<Latch> waiters =
      std::exchange(lock_waiters_, std::make_shared<Latch>(false));
  waiters->Open();
}

Task<ShardLocks::LockCheck> ShardLocks::CheckShardLock(ShardId shard) {
  if (!IsHeld(shard)) co_return LockCheck::kLost;
  std::shared_ptr<Deferred<LockCheck>> check;
  if (auto it = lock_checks_.find(shard); it != lock_checks_.end()) {
    check = it->second;
  } else {
    check = std::make_shared<Deferred<LockCheck>>();
    lock_checks_.emplace(shard, check);
    if (!loops_.Spawn(RunLockCheck(shard, check), "shard.confirm")) {
      lock_checks_.erase(shard);
      co_return LockCheck::kUnknown;
    }
  }
  std::optional<LockCheck> result = co_await check->Wait();
  co_return result.value_or(LockCheck::kUnknown);
}

Task<bool> ShardLocks::ConfirmShardLock(ShardId shard) {
  co_return co_await CheckShardLock(shard) == LockCheck::kHeld;
}

Task<void> ShardLocks::RunLockCheck(
    ShardId shard, std::shared_ptr<Deferred<LockCheck>> result) {
  // Whatever ends this fiber (even cancellation) answers the waiters.
  struct Finish {
    ShardLocks* self;
    ShardId shard;
    std::shared_ptr<Deferred<LockCheck>> result;
    ~Finish() {
      auto it = self->lock_checks_.find(shard);
      if (it != self->lock_checks_.end() && it->second == result) {
        self->lock_checks_.erase(it);
      }
      result->Set(LockCheck::kUnknown);
    }
  } finish{this, shard, result};
  const std::vector<ShardId> shards = {shard};
  const int64_t sent_us = env_.executor->MonotonicUs();
  std::optional<absl::StatusOr<std::vector<storage::FencingToken>>> refreshed =
      co_await WithTimeout(loops_, storage_.Refresh(self_address_, shards),
                           lock_interval_ms_);
  if (!refreshed.has_value() || !refreshed->ok()) co_return;  // unknown
  ReleaseLostShards(shards, **refreshed, sent_us);
  bool held = false;
  for (const storage::FencingToken& token : **refreshed) {
    held = held || token.shard == shard;
  }
  result->Set(held ? LockCheck::kHeld : LockCheck::kLost);
}

// --- Metrics and tracing
// ---------------------------------------------------------

std::vector<ShardId> ShardLocks::HeldOrReleasing() const {
  std::vector<ShardId> out;
  out.reserve(acquired_.size() + releasing_.size());
  std::set_union(acquired_.begin(), acquired_.end(), releasing_.begin(),
                 releasing_.end(), std::back_inserter(out));
  return out;
}

void ShardLocks::UpdateGauges() {
  // Only on a change: every lock check lands here, and a series lookup
  // compares names among every entity's mailbox series.
  const auto acquired = static_cast<int64_t>(acquired_.size());
  const auto releasing = static_cast<int64_t>(releasing_.size());
  if (acquired != gauged_acquired_) {
    metrics_.Set(GaugeSeries::Shards(), acquired);
    gauged_acquired_ = acquired;
  }
  if (releasing != gauged_releasing_) {
    metrics_.Set(GaugeSeries::ShardsReleasing(), releasing);
    gauged_releasing_ = releasing;
  }
}

void ShardLocks::Trace(std::string_view kind, const ShardId& shard) {
  env_.trace->Record(
      kind, absl::StrCat(shard.ToString(), " runner=", self_address_.Key()));
}

}  // namespace clustersim::sharding
