#include "scenarios/cluster_setup.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/shard_id.h"
#include "core/mutants/mutant.h"
#include "core/storage/storage_faults.h"

namespace clustersim::scenarios {
namespace {

// Runners and storage must agree on it.
constexpr int64_t kLockExpirationMs = 3'000;
constexpr int64_t kReplyPollIntervalMs = 200;

}  // namespace

RunnerAddress NumberedRunnerAddress(uint32_t i, int32_t first_port) {
  return RunnerAddress(absl::StrCat("r", i),
                       first_port + static_cast<int32_t>(i) - 1);
}

storage::StorageMode ScenarioStorageMode(sharding::Mode mode) {
  return mode == sharding::Mode::kHardened ? storage::StorageMode::kHardened
                                           : storage::StorageMode::kReference;
}

int64_t StopIssuingUs(int64_t end_us, int64_t liveness_bound_us) {
  return std::max<int64_t>(end_us - liveness_bound_us, end_us / 2);
}

sharding::ShardingConfig ScenarioRunnerConfig(const RunnerAddress& address,
                                              sharding::Mode mode,
                                              const std::string& bug,
                                              int32_t shards_per_group) {
  sharding::ShardingConfig config;
  config.mutant = ParseMutant(bug).value_or(clustersim::Mutant::kNone);
  config.runner_address = address;
  config.shards_per_group = shards_per_group;
  config.shard_lock_expiration_ms = kLockExpirationMs;
  config.shard_lock_refresh_interval_ms = 1'000;
  config.refresh_assignments_interval_ms = 500;
  config.entity_message_poll_interval_ms = 500;
  config.entity_reply_poll_interval_ms = kReplyPollIntervalMs;
  config.entity_termination_timeout_ms = 1'000;
  config.entity_registration_timeout_ms = 5'000;
  config.mode = mode;
  return config;
}

storage::StorageState::Options ScenarioStorageOptions(storage::StorageMode mode,
                                                      const std::string& bug) {
  storage::StorageState::Options options;
  options.mode = mode;
  options.runners.lock_expiration_ms = kLockExpirationMs;
  options.messages.mutant =
      ParseMutant(bug).value_or(clustersim::Mutant::kNone);
  return options;
}

std::unique_ptr<storage::StorageRpcClient> RemoteStorage(
    RpcEndpoint& rpc, NodeId storage_node, const RunnerAddress& address,
    const sharding::ShardingConfig& config) {
  return std::make_unique<storage::StorageRpcClient>(
      rpc, storage::StorageRpcClient::Options{
               .storage_node = storage_node,
               .runner_address = address,
               .call_timeout_ms = kScenarioStorageCallTimeoutMs,
               .lock_call_timeout_ms = config.shard_lock_interval_ms()});
}

sharding::RunnerProcessOptions ScenarioRunnerOptions(
    sharding::ShardingConfig config, NodeId storage_node,
    const sharding::RunnerResolver* resolver) {
  sharding::RunnerProcessOptions runner;
  runner.config = std::move(config);
  runner.resolver = resolver;
  const RunnerAddress address = *runner.config.runner_address;
  const sharding::ShardingConfig& shared = runner.config;
  runner.storage =
      [storage_node, address, shared](
          const NodeEnv&,
          RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
    return RemoteStorage(rpc, storage_node, address, shared);
  };
  return runner;
}

sim::checkers::LockBeliefChecker::LockQuery StorageLockQuery(
    const sim::World& world, NodeId storage_node,
    const storage::StorageBackend& backend) {
  return [&world, storage_node, &backend](
             std::string_view shard_text,
             std::string_view runner_text) -> absl::Status {
    absl::StatusOr<ShardId> shard = ShardId::Parse(shard_text);
    if (!shard.ok()) return shard.status();
    absl::StatusOr<RunnerAddress> runner = RunnerAddress::Parse(runner_text);
    if (!runner.ok()) return runner.status();
    const sim::NodeClock& clock = world.clock(storage_node);
    const std::optional<int64_t> now_ms = backend.PeekNowMs(
        clock.WallMs(world.now_us()), clock.LocalUs(world.now_us()));
    if (!now_ms.has_value()) {
      return absl::FailedPreconditionError(
          "storage has granted nothing yet (its clock is not anchored)");
    }
    return backend.state().runners().CheckLockHeld(*shard, *runner, *now_ms);
  };
}

std::string ExitText(const storage::Exit& exit) {
  if (exit.is_success()) return absl::StrCat("success:", exit.value());
  return absl::StrCat("failure:", static_cast<int>(exit.cause().kind), ":",
                      exit.cause().message);
}

std::optional<int64_t> ReplyDeliveryBoundUs(const sim::FaultPlan& plan,
                                            const sim::LinkConfig& link) {
  const sim::StorageFaultPlan& storage = plan.storage;
  if (plan.loss > 0 || plan.corrupt > 0 || storage.error_rate > 0 ||
      storage.drop_rate > 0 ||
      storage.spike_max_ms >= kScenarioStorageCallTimeoutMs) {
    return std::nullopt;
  }
  const int64_t one_way_us = 2 * plan.LinkFor(link).latency.max_us;
  const int64_t read_us =
      2 * one_way_us +
      (storage.spike_rate > 0 ? storage.spike_max_ms * 1000 : 0);
  return 2 * (kReplyPollIntervalMs * 1000 + read_us) + 500'000;
}

int64_t ConvergenceJudgedFromUs(const SimHarness& harness) {
  const sim::FaultPlan& plan = harness.options().faults;
  const bool judgeable =
      plan.loss == 0 && plan.corrupt == 0 && plan.storage.error_rate == 0 &&
      plan.storage.drop_rate == 0 && plan.storage.spike_rate == 0;
  return judgeable ? harness.quiet_time_us() : INT64_MAX;
}

void BackendFaultSink::SetStorageFaults(const sim::StorageFaultPlan& plan) {
  const storage::StorageFaults faults{.error_rate = plan.error_rate,
                                      .latency_spike_rate = plan.spike_rate,
                                      .latency_spike_min_ms = plan.spike_min_ms,
                                      .latency_spike_max_ms = plan.spike_max_ms,
                                      .unavailable = plan.unavailable,
                                      .apply_then_drop_rate = plan.drop_rate};
  CHECK(faults.Validate().ok(), "the fault grammar admits only valid plans");
  backend_.faults() = faults;
}

absl::Status RunWithStorage(SimHarness& harness,
                            storage::StorageBackend& backend,
                            sim::TraceListener& listener, int64_t settle_us) {
  harness.AddNode("storage", [&backend](const NodeEnv& env) {
    return std::make_unique<storage::StorageServer>(env, backend);
  });
  harness.world().trace().set_listener(&listener);
  BackendFaultSink storage_faults(backend);
  const absl::Status ran = harness.Run(settle_us, &storage_faults);
  if (!ran.ok()) harness.world().trace().set_listener(nullptr);
  return ran;
}

}  // namespace clustersim::scenarios
