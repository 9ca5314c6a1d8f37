#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/sharding/shard_locks.h"

namespace clustersim::sharding {

// Hardened mode's lease self-stop: lease epochs for late releases, grants
// of timed-out acquires, and the watch that stops shards whose lease lapsed
// (see shard_locks.h).

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

}  // namespace clustersim::sharding
