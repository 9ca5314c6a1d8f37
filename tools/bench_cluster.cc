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
// Warm-up requests per entity (at most the measured count).
constexpr int64_t kWarmUpRequests = 10;

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

// A workload's world: BenchWorld with the echo entity on every runner.
class BenchCluster {
 public:
  explicit BenchCluster(ClusterSetting setting)
      : bench_(
            setting,
            [](sharding::RunnerProcessOptions options) {
              options.register_entities = &RegisterBench;
              return sharding::RunnerProcess::Factory(std::move(options));
            },
            [](Process* process) {
              return static_cast<sharding::RunnerProcess*>(process);
            }) {}

  absl::Status AwaitShards() { return bench_.AwaitShards(); }

  // Entity i ("<prefix>-<i>") gets `requests` sequential calls from a client
  // on runner (i mod runners) + 1; runs until every client is done.
  absl::StatusOr<int64_t> RunPhase(const std::string& prefix,
                                   const std::string& tag, int64_t entities,
                                   int64_t requests) {
    Progress progress;
    for (int64_t i = 0; i < entities; ++i) {
      sharding::RunnerProcess* runner =
          bench_.runners()[static_cast<size_t>(i) % bench_.runners().size()];
      runner->env().scope->Spawn(RunClient(&runner->sharding(),
                                           absl::StrCat(prefix, "-", i), tag,
                                           requests, &progress));
    }
    int64_t last_answered = -1;
    int64_t last_progress_us = bench_.world().now_us();
    while (progress.clients_done < entities) {
      bench_.world().RunFor(kBenchStepUs);
      if (progress.answered != last_answered) {
        last_answered = progress.answered;
        last_progress_us = bench_.world().now_us();
      } else if (bench_.world().now_us() - last_progress_us > kBenchStallUs) {
        return absl::DeadlineExceededError(absl::StrCat(
            "no answer for ", kBenchStallUs / 1'000'000, " virtual seconds (",
            progress.answered, " of ", entities * requests, " answered)"));
      }
    }
    if (!progress.first_error.ok()) return progress.first_error;
    return progress.answered;
  }

  sim::World& world() { return bench_.world(); }

 private:
  BenchWorld bench_;
};

}  // namespace

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
