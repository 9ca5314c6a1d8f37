#include "core/storage/runner_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/snowflake.h"
#include "core/storage/storage_errors.h"
#include "core/storage/text_column.h"

namespace clustersim::storage {

RunnerStore::RunnerStore(Options options) : options_(std::move(options)) {
  CHECK(options_.lock_expiration_ms > 0, "lock expiration must be positive");
  CHECK(options_.limits.max_runners > 0 && options_.limits.max_locks > 0 &&
            options_.limits.max_shards_per_call > 0 &&
            options_.limits.max_runner_groups >= 0,
        "runner store limits must be positive");
}

bool RunnerStore::Expired(int64_t acquired_at_ms, int64_t now_ms) const {
  return acquired_at_ms < now_ms - options_.lock_expiration_ms;
}

absl::StatusOr<MachineId> RunnerStore::Register(const Runner& runner,
                                                bool healthy, int64_t now_ms) {
  const RunnerAddress& address = runner.address();
  if (absl::Status s = CheckTextColumn("runners.address", address.Key(),
                                       kRunnerAddressColumnChars);
      !s.ok()) {
    return s;
  }
  const int64_t group_count = static_cast<int64_t>(runner.groups().size());
  if (group_count > options_.limits.max_runner_groups) {
    return LimitExceeded("runner group count", group_count,
                         options_.limits.max_runner_groups);
  }
  for (const std::string& group : runner.groups()) {
    if (absl::Status s = CheckUtf8Column("runners.runner", group); !s.ok()) {
      return s;
    }
  }
  // machine_id is a 32-bit SERIAL; nextval fails once it is used up.
  if (last_machine_id_ == std::numeric_limits<int32_t>::max()) {
    return ConstraintViolation("runners.machine_id sequence exhausted");
  }
  auto it = runners_.find(address);
  if (it == runners_.end() &&
      static_cast<int64_t>(runners_.size()) >= options_.limits.max_runners) {
    return StorageFull("runners", options_.limits.max_runners);
  }

  absl::StatusOr<MachineId> fresh_id = NextMachineId(address, now_ms);
  if (!fresh_id.ok()) return fresh_id.status();
  if (it == runners_.end()) {
    runners_.emplace(address, RunnerRow{*fresh_id, runner, healthy, now_ms});
    return *fresh_id;
  }
  it->second.runner = runner;
  it->second.healthy = healthy;
  it->second.last_heartbeat_ms = now_ms;
  if (options_.hardened) it->second.machine_id = *fresh_id;
  return it->second.machine_id;
}

absl::StatusOr<MachineId> RunnerStore::NextMachineId(
    const RunnerAddress& address, int64_t now_ms) {
  if (!options_.hardened) {
    return MachineId(static_cast<int32_t>(++last_machine_id_));
  }
  constexpr int64_t kResidues = int64_t{1} << kSnowflakeMachineIdBits;
  const int64_t cutoff_ms = now_ms - options_.lock_expiration_ms;
  absl::btree_set<int64_t> taken;
  for (const auto& [other, row] : runners_) {
    // The address's own previous id too: its past ids stay in storage.
    if (other == address || row.last_heartbeat_ms >= cutoff_ms) {
      taken.insert(row.machine_id.value() % kResidues);
    }
  }
  for (int64_t tries = 0; tries < kResidues; ++tries) {
    if (last_machine_id_ == std::numeric_limits<int32_t>::max()) break;
    const int64_t candidate = ++last_machine_id_;
    if (!taken.contains(candidate % kResidues)) {
      return MachineId(static_cast<int32_t>(candidate));
    }
  }
  return absl::ResourceExhaustedError(
      "storage full: no snowflake machine id is free among live runners");
}

void RunnerStore::Unregister(const RunnerAddress& address, int64_t now_ms) {
  const int64_t cutoff_ms = now_ms - options_.lock_expiration_ms;
  absl::erase_if(runners_, [&](const auto& entry) {
    return entry.first == address || entry.second.last_heartbeat_ms < cutoff_ms;
  });
}

std::vector<RunnerEntry> RunnerStore::GetRunners(int64_t now_ms) const {
  const int64_t cutoff_ms = now_ms - options_.lock_expiration_ms;
  std::vector<std::pair<MachineId, const RunnerRow*>> live;
  for (const auto& [address, row] : runners_) {
    if (row.last_heartbeat_ms > cutoff_ms)
      live.emplace_back(row.machine_id, &row);
  }
  std::sort(live.begin(), live.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<RunnerEntry> result;
  result.reserve(live.size());
  for (const auto& [id, row] : live) {
    result.push_back(RunnerEntry{row->runner, row->healthy});
  }
  return result;
}

void RunnerStore::SetRunnerHealth(const RunnerAddress& address, bool healthy) {
  auto it = runners_.find(address);
  if (it != runners_.end()) it->second.healthy = healthy;
}

absl::Status RunnerStore::CheckShardList(
    const std::vector<ShardId>& shards) const {
  const int64_t count = static_cast<int64_t>(shards.size());
  if (count > options_.limits.max_shards_per_call) {
    return LimitExceeded("shards per lock call", count,
                         options_.limits.max_shards_per_call);
  }
  for (const ShardId& shard : shards) {
    if (absl::Status s = CheckShardIdColumn("locks.shard_id", shard); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FencingToken>> RunnerStore::Acquire(
    const RunnerAddress& address, const std::vector<ShardId>& shards,
    int64_t now_ms) {
  if (absl::Status s = CheckShardList(shards); !s.ok()) return s;
  if (absl::Status s = CheckTextColumn("locks.address", address.Key(),
                                       kRunnerAddressColumnChars);
      !s.ok()) {
    return s;
  }
  const absl::btree_set<ShardId> requested(shards.begin(), shards.end());
  int64_t new_rows = 0;
  for (const ShardId& shard : requested) {
    if (!locks_.contains(shard)) ++new_rows;
  }
  if (static_cast<int64_t>(locks_.size()) + new_rows >
      options_.limits.max_locks) {
    return StorageFull("locks", options_.limits.max_locks);
  }

  std::vector<FencingToken> held;
  for (const ShardId& shard : requested) {
    auto it = locks_.find(shard);
    if (it == locks_.end()) {
      locks_.emplace(shard, LockRow{address, now_ms, ++last_epoch_});
      held.push_back(FencingToken{shard, last_epoch_});
      continue;
    }
    LockRow& lock = it->second;
    const bool expired = Expired(lock.acquired_at_ms, now_ms);
    if (lock.owner != address && !expired) continue;
    // A takeover, or our own lease coming back after it lapsed: either way
    // someone else may have believed the shard free, so tokens of the old
    // lease must stop working.
    if (expired || options_.hardened) lock.epoch = ++last_epoch_;
    lock.owner = address;
    lock.acquired_at_ms = now_ms;
    held.push_back(FencingToken{shard, lock.epoch});
  }
  return held;
}

absl::StatusOr<std::vector<FencingToken>> RunnerStore::Refresh(
    const RunnerAddress& address, const std::vector<ShardId>& shards,
    int64_t now_ms) {
  if (absl::Status s = CheckShardList(shards); !s.ok()) return s;
  auto runner = runners_.find(address);
  if (runner != runners_.end()) runner->second.last_heartbeat_ms = now_ms;

  const absl::btree_set<ShardId> requested(shards.begin(), shards.end());
  std::vector<FencingToken> held;
  for (const ShardId& shard : requested) {
    auto it = locks_.find(shard);
    if (it == locks_.end() || it->second.owner != address) continue;
    it->second.acquired_at_ms = now_ms;
    held.push_back(FencingToken{shard, it->second.epoch});
  }
  return held;
}

namespace {

bool Releasable(const RunnerAddress& owner, uint64_t epoch,
                const RunnerAddress& address,
                std::optional<uint64_t> max_epoch) {
  return owner == address && (!max_epoch.has_value() || epoch <= *max_epoch);
}

}  // namespace

void RunnerStore::Release(const RunnerAddress& address, const ShardId& shard,
                          std::optional<uint64_t> max_epoch) {
  auto it = locks_.find(shard);
  if (it != locks_.end() &&
      Releasable(it->second.owner, it->second.epoch, address, max_epoch)) {
    locks_.erase(it);
  }
}

void RunnerStore::ReleaseAll(const RunnerAddress& address,
                             std::optional<uint64_t> max_epoch) {
  absl::erase_if(locks_, [&](const auto& entry) {
    return Releasable(entry.second.owner, entry.second.epoch, address,
                      max_epoch);
  });
}

absl::Status RunnerStore::CheckFencingToken(const FencingToken& token,
                                            int64_t now_ms) const {
  auto it = locks_.find(token.shard);
  if (it == locks_.end()) {
    return Fenced(absl::StrCat("no lease on ", token.shard.ToString(),
                               " (token epoch ", token.epoch, ")"));
  }
  const LockRow& lock = it->second;
  if (lock.epoch != token.epoch) {
    return Fenced(absl::StrCat("lease on ", token.shard.ToString(),
                               " is at epoch ", lock.epoch, ", token has ",
                               token.epoch));
  }
  if (Expired(lock.acquired_at_ms, now_ms)) {
    return Fenced(absl::StrCat(
        "lease on ", token.shard.ToString(), " epoch ", lock.epoch,
        " expired at ", lock.acquired_at_ms + options_.lock_expiration_ms));
  }
  return absl::OkStatus();
}

absl::Status RunnerStore::CheckLockHeld(const ShardId& shard,
                                        const RunnerAddress& owner,
                                        int64_t now_ms) const {
  auto it = locks_.find(shard);
  if (it == locks_.end()) {
    return Fenced(absl::StrCat("no lease on ", shard.ToString()));
  }
  const LockRow& lock = it->second;
  if (lock.owner != owner) {
    return Fenced(absl::StrCat("lease on ", shard.ToString(), " is ",
                               lock.owner.Key(), "'s (epoch ", lock.epoch,
                               ")"));
  }
  if (Expired(lock.acquired_at_ms, now_ms)) {
    return Fenced(absl::StrCat(
        "lease on ", shard.ToString(), " epoch ", lock.epoch, " expired at ",
        lock.acquired_at_ms + options_.lock_expiration_ms, " (now ", now_ms,
        ")"));
  }
  return absl::OkStatus();
}

}  // namespace clustersim::storage
