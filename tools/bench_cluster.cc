#include "tools/bench_cluster.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/runner_address.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/reply.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::tools {
namespace {

const EntityType kBenchEntity("Bench");
constexpr char kVolatileTag[] = "GetUserVolatile";
constexpr char kPersistedTag[] = "GetUser";
constexpr int32_t kFirstPort = 34431;
constexpr uint32_t kSimulatedRunners = 3;
// The counter scenario's storage call timeout.
constexpr int64_t kStorageCallTimeoutMs = 2'000;
// Warm-up requests per entity (at most the measured count).
constexpr int64_t kWarmUpRequests = 10;
// Virtual time a phase may go without an answer before it is a stall.
constexpr int64_t kStallUs = 600'000'000;
constexpr int64_t kStepUs = 1'000;

// Effect's TestEntity GetUser: answers "User <payload>".
class EchoHandler : public sharding::EntityHandler {
 public:
  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    co_return storage::Exit::Success(absl::StrCat("User ", request.payload));
  }
};

sharding::EntityDefinition BenchDefinition() {
  sharding::EntityDefinition definition(kBenchEntity);
  sharding::RpcSpec volatile_rpc;
  volatile_rpc.tag = kVolatileTag;
  sharding::RpcSpec persisted_rpc;
  persisted_rpc.tag = kPersistedTag;
  persisted_rpc.persisted = true;
  definition.Add(std::move(volatile_rpc)).Add(std::move(persisted_rpc));
  return definition;
}

absl::Status RegisterBench(sharding::Sharding& sharding) {
  return sharding.RegisterEntity(
      BenchDefinition(),
      [](sharding::EntityContext&)
          -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
        return std::make_unique<EchoHandler>();
      });
}

struct Progress {
  int64_t answered = 0;
  int64_t clients_done = 0;
  absl::Status first_error;
};

// One entity's client: `requests` calls, each after the previous answer.
Task<void> RunClient(sharding::Sharding* sharding, std::string entity_id,
                     std::string tag, int64_t requests, Progress* progress) {
  for (int64_t i = 0; i < requests; ++i) {
    absl::StatusOr<storage::Exit> exit = co_await sharding->Send(
        kBenchEntity, EntityId(entity_id), tag, absl::StrCat(i));
    absl::Status failed;
    if (!exit.ok()) {
      failed = exit.status();
    } else if (!exit->is_success()) {
      failed = absl::InternalError(exit->cause().message);
    }
    if (!failed.ok()) {
      if (progress->first_error.ok()) {
        progress->first_error = absl::InternalError(absl::StrCat(
            "request to ", entity_id, " failed: ", failed.ToString()));
      }
      break;
    }
    ++progress->answered;
  }
  ++progress->clients_done;
}

// The world of one workload: its runners, and storage in-process or as a
// node.
class BenchCluster {
 public:
  explicit BenchCluster(ClusterSetting setting)
      : world_(sim::WorldOptions{.seed = 1}),
        state_(storage::StorageState::Options{}),
        backend_(storage::StorageState::Options{}) {
    const bool simulated = setting == ClusterSetting::kSimulated;
    if (simulated) network_.emplace(world_);
    const uint32_t runners = simulated ? kSimulatedRunners : 1;
    const NodeId storage_node{runners + 1};
    for (uint32_t i = 1; i <= runners; ++i) {
      const RunnerAddress address(absl::StrCat("r", i),
                                  kFirstPort + static_cast<int32_t>(i) - 1);
      resolver_.Add(address, NodeId{i});
      sharding::RunnerProcessOptions runner;
      runner.config.runner_address = address;
      runner.resolver = &resolver_;
      runner.register_entities = &RegisterBench;
      if (simulated) {
        const int64_t lock_timeout_ms = runner.config.shard_lock_interval_ms();
        runner.storage =
            [storage_node, address, lock_timeout_ms](
                const NodeEnv&,
                RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
          return std::make_unique<storage::StorageRpcClient>(
              rpc, storage::StorageRpcClient::Options{
                       .storage_node = storage_node,
                       .runner_address = address,
                       .call_timeout_ms = kStorageCallTimeoutMs,
                       .lock_call_timeout_ms = lock_timeout_ms});
        };
      } else {
        storage::StorageState* state = &state_;
        runner.storage =
            [state](const NodeEnv& env,
                    RpcEndpoint&) -> std::unique_ptr<storage::StorageClient> {
          return std::make_unique<storage::LocalStorageClient>(*state,
                                                               *env.executor);
        };
      }
      world_.AddNode(address.host(),
                     sharding::RunnerProcess::Factory(std::move(runner)));
    }
    if (simulated) {
      world_.AddNode("storage", [this](const NodeEnv& env) {
        return std::make_unique<storage::StorageServer>(env, backend_);
      });
    }
    for (uint32_t i = 1; i <= world_.node_count(); ++i) {
      world_.Start(NodeId{i});
    }
    for (uint32_t i = 1; i <= runners; ++i) {
      runners_.push_back(
          static_cast<sharding::RunnerProcess*>(world_.process(NodeId{i})));
    }
  }

  // Runs until every shard has an owner that holds its lock.
  absl::Status AwaitShards() {
    const int64_t deadline_us = world_.now_us() + kStallUs;
    while (world_.now_us() < deadline_us) {
      size_t held = 0;
      for (sharding::RunnerProcess* runner : runners_) {
        held += runner->sharding().acquired_shards().size();
      }
      if (held == static_cast<size_t>(
                      runners_.front()->sharding().config().shards_per_group)) {
        return absl::OkStatus();
      }
      world_.RunFor(kStepUs);
    }
    return absl::DeadlineExceededError("the runners never held every shard");
  }

  // Entity i ("<prefix>-<i>") gets `requests` sequential calls from a client
  // on runner (i mod runners) + 1; runs until every client is done.
  absl::StatusOr<int64_t> RunPhase(const std::string& prefix,
                                   const std::string& tag, int64_t entities,
                                   int64_t requests) {
    Progress progress;
    for (int64_t i = 0; i < entities; ++i) {
      sharding::RunnerProcess* runner =
          runners_[static_cast<size_t>(i) % runners_.size()];
      runner->env().scope->Spawn(RunClient(&runner->sharding(),
                                           absl::StrCat(prefix, "-", i), tag,
                                           requests, &progress));
    }
    int64_t last_answered = -1;
    int64_t last_progress_us = world_.now_us();
    while (progress.clients_done < entities) {
      world_.RunFor(kStepUs);
      if (progress.answered != last_answered) {
        last_answered = progress.answered;
        last_progress_us = world_.now_us();
      } else if (world_.now_us() - last_progress_us > kStallUs) {
        return absl::DeadlineExceededError(absl::StrCat(
            "no answer for ", kStallUs / 1'000'000, " virtual seconds (",
            progress.answered, " of ", entities * requests, " answered)"));
      }
    }
    if (!progress.first_error.ok()) return progress.first_error;
    return progress.answered;
  }

  sim::World& world() { return world_; }

 private:
  sim::World world_;
  std::optional<sim::Network> network_;
  // In-process: the storage the runner's client calls directly.
  storage::StorageState state_;
  // Simulated: the storage node's database.
  storage::StorageBackend backend_;
  sharding::StaticRunnerResolver resolver_;
  std::vector<sharding::RunnerProcess*> runners_;
};

}  // namespace

std::string_view ClusterSettingName(ClusterSetting setting) {
  return setting == ClusterSetting::kInProcess ? "in_process" : "simulated";
}

absl::StatusOr<ClusterFigures> RunClusterWorkload(
    const ClusterWorkload& workload) {
  BenchCluster cluster(workload.setting);
  if (absl::Status ready = cluster.AwaitShards(); !ready.ok()) return ready;
  const std::string tag = workload.persisted ? kPersistedTag : kVolatileTag;
  absl::StatusOr<int64_t> warm =
      cluster.RunPhase("warm", tag, workload.entities,
                       std::min(workload.requests, kWarmUpRequests));
  if (!warm.ok()) return warm.status();
  const int64_t start_us = cluster.world().now_us();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int64_t> answered =
      cluster.RunPhase("e", tag, workload.entities, workload.requests);
  const auto end = std::chrono::steady_clock::now();
  if (!answered.ok()) return answered.status();
  return ClusterFigures{
      .round_trips = *answered,
      .wall_s = std::chrono::duration<double>(end - start).count(),
      .virtual_s =
          static_cast<double>(cluster.world().now_us() - start_us) / 1e6};
}

}  // namespace clustersim::tools
