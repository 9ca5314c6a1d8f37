#include "tools/bench_world.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/runner_address.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/storage/local_storage_client.h"
#include "scenarios/cluster_setup.h"

namespace clustersim::tools {
namespace {

constexpr int32_t kFirstPort = 34431;
constexpr uint32_t kSimulatedRunners = 3;

}  // namespace

std::string_view ClusterSettingName(ClusterSetting setting) {
  return setting == ClusterSetting::kInProcess ? "in_process" : "simulated";
}

BenchWorld::BenchWorld(ClusterSetting setting, MakeRunner make_runner,
                       RunnerOf runner_of)
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
    if (simulated) {
      const sharding::ShardingConfig config = runner.config;
      runner.storage =
          [storage_node, address, config](
              const NodeEnv&,
              RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
        return scenarios::RemoteStorage(rpc, storage_node, address, config);
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
    world_.AddNode(address.host(), make_runner(std::move(runner)));
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
    processes_.push_back(world_.process(NodeId{i}));
    runners_.push_back(runner_of(processes_.back()));
  }
}

// Runs until every shard has an owner that holds its lock.
absl::Status BenchWorld::AwaitShards() {
  const int64_t deadline_us = world_.now_us() + kBenchStallUs;
  while (world_.now_us() < deadline_us) {
    size_t held = 0;
    for (sharding::RunnerProcess* runner : runners_) {
      held += runner->sharding().acquired_shards().size();
    }
    if (held == static_cast<size_t>(
                    runners_.front()->sharding().config().shards_per_group)) {
      return absl::OkStatus();
    }
    world_.RunFor(kBenchStepUs);
  }
  return absl::DeadlineExceededError("the runners never held every shard");
}

}  // namespace clustersim::tools
