// ShardingConfig: the knobs of a runner, with Effect 4.1.0's defaults
// (effect-semantics.md §0, effect-delta-4.1.md §1). Durations are in ms.
// Validate() rejects zero or negative limits and inconsistent settings with a
// clear error; every component takes a validated config.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_SHARDING_CONFIG_H_
#define CLUSTERSIM_CORE_SHARDING_CONFIG_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/cluster/runner_address.h"
#include "core/mutants/mutant.h"
#include "core/runtime/clock.h"
#include "core/runtime/stall_detector.h"

namespace clustersim::sharding {

// How the simulated cluster differs from Effect where Effect cannot give an
// invariant (SPEC §4): kReference reproduces Effect, kHardened adds a fencing
// token checked by storage on every owner write.
enum class Mode { kReference, kHardened };
// "reference" / "hardened", as the command line spells them.
std::string_view ModeName(Mode mode);
std::optional<Mode> ParseMode(std::string_view name);

struct ShardingConfig {
  // None: a client-only node (no registration, shards or entities).
  std::optional<RunnerAddress> runner_address =
      RunnerAddress{"localhost", 34431};
  double runner_shard_weight = 1;
  std::vector<std::string> available_shard_groups = {"default"};
  std::vector<std::string> assigned_shard_groups = {"default"};
  int32_t shards_per_group = 300;
  int64_t shard_lock_refresh_interval_ms = 10'000;
  int64_t shard_lock_expiration_ms = 35'000;
  bool preemptive_shutdown = true;
  // nullopt: unbounded.
  std::optional<int64_t> entity_mailbox_capacity = 4096;
  // Effect's entityMailboxMetrics: report each resident entity's mailbox
  // size (effect_cluster_entity_mailbox_size), unless the entity's
  // EntityOptions::mailbox_metrics says otherwise.
  bool entity_mailbox_metrics = false;
  std::optional<int64_t> max_resident_entities = 10'000;
  int64_t unprocessed_message_batch_size = 1024;
  int64_t entity_max_idle_time_ms = 60'000;
  int64_t entity_registration_timeout_ms = 60'000;
  int64_t entity_termination_timeout_ms = 15'000;
  int64_t entity_message_poll_interval_ms = 10'000;
  int64_t entity_reply_poll_interval_ms = 200;
  int64_t send_retry_interval_ms = 100;
  int64_t refresh_assignments_interval_ms = 3'000;
  int64_t runner_join_debounce_ms = 0;
  int64_t runner_health_check_interval_ms = 60'000;
  bool simulate_remote_serialization = true;
  Mode mode = Mode::kReference;
  // A deliberately injected defect (core/mutants/mutant.h), for sweeps.
  Mutant mutant = Mutant::kNone;

  // Effect's shardLockInterval: the refresh period and the timeout of every
  // lock operation.
  int64_t shard_lock_interval_ms() const {
    return std::min(shard_lock_refresh_interval_ms,
                    shard_lock_expiration_ms / 3);
  }
  // Hardened mode's lease self-stop (core/sharding/shard_locks.h): how long
  // after sending a lock call that granted a shard this runner may still act
  // on it, by its monotonic clock. The expiration shrunk by the largest drift
  // of both clocks (kMaxClockDriftPpm), less kLeaseSelfStopMarginUs.
  int64_t lease_self_stop_after_us() const;
  // The assigned groups that are also available, sorted (Effect's
  // shardGroupConfig).
  std::vector<std::string> AssignedGroups() const;

  absl::Status Validate() const;
};

// Hard-coded constants of Effect's Sharding (effect-delta-4.1.md §1).
inline constexpr int64_t kStorageCallTimeoutMs = 5'000;
inline constexpr int64_t kSyncRestartDelayMs = 1'000;
inline constexpr int64_t kAcquirePassPauseMs = 1'000;
inline constexpr int kRefreshRetries = 5;
inline constexpr int64_t kLockRetryDelayMs = 50;
inline constexpr int64_t kClaimWindowMs = 10 * 60 * 1000;
inline constexpr int64_t kResumptionBatch = 1024;
inline constexpr int kInterruptSendRetries = 3;
inline constexpr int kReplyRetries = 4;
inline constexpr int64_t kReplyRetryDelayMs = 200;
// Hardened mode: storage calls whose failure Effect gives up on (reply
// saves, lock confirmations, resets, claim releases) are retried, 100 ms
// doubling to 2 s between attempts, until they succeed or stop mattering.
inline constexpr int64_t kHardenedRetryMinMs = 100;
inline constexpr int64_t kHardenedRetryMaxMs = 2'000;
inline int64_t HardenedRetryDelayMs(int attempt) {
  return attempt >= 5 ? kHardenedRetryMaxMs
                      : std::min(kHardenedRetryMaxMs,
                                 kHardenedRetryMinMs << std::max(0, attempt));
}
// Hardened mode: what the lease self-stop keeps in hand beyond the drift
// bound. Twice the stall detector's threshold: work that ran after a pause
// too short to count as a stall ran at most that late.
inline constexpr int64_t kLeaseSelfStopMarginUs =
    2 * StallDetector::kDefaultThresholdUs;

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_CONFIG_H_
