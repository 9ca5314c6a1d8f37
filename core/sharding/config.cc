#include "core/sharding/config.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clustersim::sharding {
namespace {

absl::Status Positive(absl::string_view name, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be greater than 0, got ", value));
}

}  // namespace

std::string_view ModeName(Mode mode) {
  return mode == Mode::kHardened ? "hardened" : "reference";
}

std::optional<Mode> ParseMode(std::string_view name) {
  if (name == "reference") return Mode::kReference;
  if (name == "hardened") return Mode::kHardened;
  return std::nullopt;
}

int64_t ShardingConfig::lease_self_stop_after_us() const {
  const int64_t expiration_us = shard_lock_expiration_ms * 1000;
  // Storage's clock may run fast and ours slow, each by the largest drift.
  const int64_t shrunk_us = expiration_us * (1'000'000 - kMaxClockDriftPpm) /
                            (1'000'000 + kMaxClockDriftPpm);
  return shrunk_us - kLeaseSelfStopMarginUs;
}

std::vector<std::string> ShardingConfig::AssignedGroups() const {
  std::vector<std::string> available = available_shard_groups;
  std::sort(available.begin(), available.end());
  std::vector<std::string> assigned;
  for (const std::string& group : available) {
    if (std::find(assigned_shard_groups.begin(), assigned_shard_groups.end(),
                  group) != assigned_shard_groups.end()) {
      assigned.push_back(group);
    }
  }
  return assigned;
}

absl::Status ShardingConfig::Validate() const {
  struct Limit {
    absl::string_view name;
    int64_t value;
  };
  const Limit limits[] = {
      {"shards_per_group", shards_per_group},
      {"shard_lock_refresh_interval_ms", shard_lock_refresh_interval_ms},
      {"shard_lock_expiration_ms", shard_lock_expiration_ms},
      {"entity_max_idle_time_ms", entity_max_idle_time_ms},
      {"entity_registration_timeout_ms", entity_registration_timeout_ms},
      {"entity_message_poll_interval_ms", entity_message_poll_interval_ms},
      {"entity_reply_poll_interval_ms", entity_reply_poll_interval_ms},
      {"send_retry_interval_ms", send_retry_interval_ms},
      {"runner_health_check_interval_ms", runner_health_check_interval_ms},
  };
  for (const Limit& limit : limits) {
    if (absl::Status s = Positive(limit.name, limit.value); !s.ok()) return s;
  }
  // Effect clamps programmatic batch sizes below one to one, so only
  // unrepresentable values are errors here.
  if (entity_mailbox_capacity.has_value()) {
    if (absl::Status s =
            Positive("entity_mailbox_capacity", *entity_mailbox_capacity);
        !s.ok()) {
      return s;
    }
  }
  if (max_resident_entities.has_value()) {
    if (absl::Status s =
            Positive("max_resident_entities", *max_resident_entities);
        !s.ok()) {
      return s;
    }
  }
  if (entity_termination_timeout_ms < 0 ||
      refresh_assignments_interval_ms < 0 || runner_join_debounce_ms < 0) {
    return absl::InvalidArgumentError(
        "entity_termination_timeout_ms, refresh_assignments_interval_ms and "
        "runner_join_debounce_ms must not be negative");
  }
  if (shard_lock_interval_ms() <= 0) {
    return absl::InvalidArgumentError(
        "shard lock interval (min(refresh, expiration / 3)) must be > 0 ms");
  }
  if (mode == Mode::kHardened &&
      lease_self_stop_after_us() <= shard_lock_interval_ms() * 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hardened mode: shard_lock_expiration_ms (", shard_lock_expiration_ms,
        ") leaves no time between lock refreshes before the lease self-stop "
        "(it must exceed the lock interval plus the drift and stall margins)"));
  }
  if (!std::isfinite(runner_shard_weight) || runner_shard_weight <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("runner_shard_weight must be a finite number > 0, got ",
                     runner_shard_weight));
  }
  if (available_shard_groups.empty()) {
    return absl::InvalidArgumentError("available_shard_groups is empty");
  }
  return absl::OkStatus();
}

}  // namespace clustersim::sharding
