#include "core/sharding/shard_locks.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/sharding/async.h"

namespace clustersim::sharding {
namespace {

// A failed release logs at most this often (Effect: 30 s).
constexpr int64_t kReleaseWarningIntervalMs = 30'000;

std::vector<ShardId> Union(const absl::btree_set<ShardId>& a,
                           const absl::btree_set<ShardId>& b) {
  std::vector<ShardId> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(),
                 std::back_inserter(out));
  return out;
}

}  // namespace

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
    std::vector<ShardId> refreshed = Union(acquired_.ordered(), releasing_);
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
  std::vector<ShardId> affected = Union(acquired_.ordered(), releasing_);
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

// --- Release
// -------------------------------------------------------------------

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

// --- Lease self-stop (hardened mode)
// ------------------------------------------------------

std::optional<uint64_t> ShardLocks::ReleaseEpoch(
    const std::vector<ShardId>& shards) const {
  if (config_.mode == Mode::kReference) return std::nullopt;
  // Hardened mode: a release that lands late (its call timed out and was
  // retried) must not drop a lease acquired after it was sent
  // (effect-semantics.md §14.8). Epochs only grow, so the newest lease the
  // runner knows of among the shards bounds what it means to release.
  uint64_t max_epoch = 0;
  for (const ShardId& shard : shards) {
    if (auto it = tokens_.find(shard); it != tokens_.end()) {
      max_epoch = std::max(max_epoch, it->second.epoch);
    }
  }
  return max_epoch;
}

void ShardLocks::NoteUnknownAcquire(const std::vector<ShardId>& shards) {
  if (config_.mode == Mode::kReference) return;
  // Hardened mode (effect-semantics.md §14.8): the acquire may still land.
  // Until any late grant has surely expired, refreshes ask for these shards
  // too, and a grant found is released, so it never blocks their owner.
  const int64_t until_us = env_.executor->MonotonicUs() +
                           config_.shard_lock_expiration_ms * 1000 * 2;
  for (const ShardId& shard : shards) {
    unknown_until_us_.insert_or_assign(shard, until_us);
  }
}

std::vector<ShardId> ShardLocks::UnknownAcquires() {
  const int64_t now_us = env_.executor->MonotonicUs();
  absl::erase_if(unknown_until_us_,
                 [&](const auto& entry) { return entry.second <= now_us; });
  std::vector<ShardId> unknown;
  for (const auto& [shard, until_us] : unknown_until_us_) {
    if (!IsHeld(shard)) unknown.push_back(shard);
  }
  return unknown;
}

void ShardLocks::ReleaseUnknownGrants(
    const std::vector<ShardId>& unknown,
    const std::vector<storage::FencingToken>& returned) {
  const absl::btree_set<ShardId> asked(unknown.begin(), unknown.end());
  bool found = false;
  for (const storage::FencingToken& token : returned) {
    if (!asked.contains(token.shard) || IsHeld(token.shard)) continue;
    unknown_until_us_.erase(token.shard);
    tokens_.insert_or_assign(token.shard, token);
    releasing_.insert(token.shard);
    env_.trace->Record(
        "shard.unknown_grant",
        absl::StrCat(token.shard.ToString(), " runner=", self_address_.Key()));
    found = true;
  }
  if (!found) return;
  UpdateGauges();
  active_.Open();
}

bool ShardLocks::self_stop_enabled() const {
  return config_.mode == Mode::kHardened &&
         config_.mutant != Mutant::kNoSelfStop;
}

bool ShardLocks::GrantLapsed(int64_t sent_us) const {
  return self_stop_enabled() &&
         env_.executor->MonotonicUs() >=
             sent_us + config_.lease_self_stop_after_us();
}

void ShardLocks::NoteGrant(const ShardId& shard, int64_t sent_us) {
  if (!self_stop_enabled()) return;
  const int64_t until_us = sent_us + config_.lease_self_stop_after_us();
  auto [it, inserted] = lease_until_us_.try_emplace(shard, until_us);
  // Grants may be answered out of order: keep the latest.
  if (!inserted) it->second = std::max(it->second, until_us);
  leases_changed_.Open();
}

void ShardLocks::StopLapsedShards() {
  const int64_t now_us = env_.executor->MonotonicUs();
  std::vector<ShardId> lapsed;
  for (const auto& [shard, until_us] : lease_until_us_) {
    if (until_us > now_us) continue;
    lapsed.push_back(shard);
    env_.trace->Record(
        "shard.self_stop",
        absl::StrCat(shard.ToString(), " runner=", self_address_.Key(),
                     " late_ms=", (now_us - until_us) / 1000));
  }
  if (lapsed.empty()) return;
  for (const ShardId& shard : lapsed) {
    lease_until_us_.erase(shard);
    if (acquired_.erase(shard) > 0) releasing_.insert(shard);
  }
  UpdateGauges();
  hooks_.StopShardsNow(lapsed);
  // The releases start (or go on) from the acquisition loop.
  active_.Open();
  NotifyLockWaiters();
}

Task<void> ShardLocks::LeaseWatch() {
  for (;;) {
    leases_changed_.Close();
    StopLapsedShards();
    if (lease_until_us_.empty()) {
      co_await leases_changed_.Wait();
      continue;
    }
    int64_t earliest_us = INT64_MAX;
    for (const auto& [shard, until_us] : lease_until_us_) {
      earliest_us = std::min(earliest_us, until_us);
    }
    co_await leases_changed_.WaitForUs(earliest_us -
                                       env_.executor->MonotonicUs());
  }
}

// --- Shutdown
// --------------------------------------------------------------------

Task<void> ShardLocks::Handoff() {
  if (!handoff_.is_open()) {
    handoff_.Open();
    active_.Open();
  }
  ForkInterruptShards(Union(acquired_.ordered(), releasing_));
  co_await handed_off_.WaitFor(lock_interval_ms_);
}

void ShardLocks::StopLoops() { loops_.Close(); }

void ShardLocks::StopReleases() { releases_.Close(); }

Task<void> ShardLocks::ReleaseAll() {
  const absl::Status status = co_await storage_.ReleaseAll(
      self_address_, ReleaseEpoch(Union(acquired_.ordered(), releasing_)));
  env_.trace->Record("shard.release_all",
                     absl::StrCat("runner=", self_address_.Key(),
                                  status.ok() ? "" : " failed"));
}

// --- Metrics and tracing
// ---------------------------------------------------------

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
