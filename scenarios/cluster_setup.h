// What the cluster scenarios (runners 1..K and a storage node K+1) set up
// the same way: their runners' addresses, sharding configuration (fast locks
// and polls, so faults bite within a minute of virtual time) and storage
// clients, their storage's options, the sink that applies the nemesis's
// storage faults to the storage node's backend, and the run itself.
// Single-threaded.
#ifndef CLUSTERSIM_SCENARIOS_CLUSTER_SETUP_H_
#define CLUSTERSIM_SCENARIOS_CLUSTER_SETUP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/cluster/runner_address.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/sharding/config.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/reply.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "scenarios/harness.h"
#include "sim/checkers/lock_belief.h"
#include "sim/faults.h"
#include "sim/nemesis.h"
#include "sim/network.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {

// Runner `i` (1-based, so node i): host "r<i>", port `first_port` + i - 1.
RunnerAddress NumberedRunnerAddress(uint32_t i, int32_t first_port);

// The storage semantics that go with the runners' `mode`.
storage::StorageMode ScenarioStorageMode(sharding::Mode mode);

// When clients stop starting operations in a run ending at `end_us`: a
// liveness bound before the end (so every operation can be judged), but not
// before half-way.
int64_t StopIssuingUs(int64_t end_us, int64_t liveness_bound_us);

// `bug` may name a core mutant (core/mutants/mutant.h); other names leave
// the core as it is.
sharding::ShardingConfig ScenarioRunnerConfig(const RunnerAddress& address,
                                              sharding::Mode mode,
                                              const std::string& bug,
                                              int32_t shards_per_group);

// The storage node's database: `mode`'s semantics, the runners' 3 s lock
// expiration, and the core mutant `bug` names, if any.
storage::StorageState::Options ScenarioStorageOptions(storage::StorageMode mode,
                                                      const std::string& bug);

// A runner's storage client: RPCs to the storage node over the node's
// endpoint, each call bounded by kScenarioStorageCallTimeoutMs and lock
// operations by the runner's lock interval (as in Effect).
inline constexpr int64_t kScenarioStorageCallTimeoutMs = 2'000;
std::unique_ptr<storage::StorageRpcClient> RemoteStorage(
    RpcEndpoint& rpc, NodeId storage_node, const RunnerAddress& address,
    const sharding::ShardingConfig& config);

// A runner's process options without entities: `config`, `resolver` (which
// must outlive the run), and a RemoteStorage client to `storage_node`.
sharding::RunnerProcessOptions ScenarioRunnerOptions(
    sharding::ShardingConfig config, NodeId storage_node,
    const sharding::RunnerResolver* resolver);

// The lock-belief checker's view of storage (sim/checkers/lock_belief.h):
// whether a runner holds a live lease on a shard at the world's current
// instant, judged on the storage node's clock as its server would read it.
sim::checkers::LockBeliefChecker::LockQuery StorageLockQuery(
    const sim::World& world, NodeId storage_node,
    const storage::StorageBackend& backend);

// An exit as opaque text, for the exactly-once-reply checker's comparisons
// of stored and delivered replies.
std::string ExitText(const storage::Exit& exit);

// The reply-delivery bound (sim/checkers/reply_delivery.h) for runners
// configured by ScenarioRunnerConfig on links like `link` under `plan`'s
// whole-run faults: two reply polls, each a poll interval then a storage
// read at the slowest latency (reordering doubles it) plus the largest
// storage spike (the read in flight when the exit is stored may miss it;
// the next one sees it), and a 500 ms margin. Nullopt when those faults leave
// delivery unbounded: message loss or corruption, storage errors or dropped
// responses (each costs retries without bound), or spikes past the storage call
// timeout.
std::optional<int64_t> ReplyDeliveryBoundUs(const sim::FaultPlan& plan,
                                            const sim::LinkConfig& link);

// When the assignment-convergence checker starts judging a run: after its
// plan's last fault when the plan keeps storage calls and messages within
// the assumptions of the bound for the whole run (no whole-run loss,
// corruption or storage faults; sim/checkers/assignment_convergence.h),
// never (INT64_MAX) otherwise.
int64_t ConvergenceJudgedFromUs(const SimHarness& harness);

// The nemesis's storage faults, applied to the storage node's backend.
class BackendFaultSink : public sim::StorageFaultSink {
 public:
  explicit BackendFaultSink(storage::StorageBackend& backend)
      : backend_(backend) {}
  void SetStorageFaults(const sim::StorageFaultPlan& plan) override;

 private:
  storage::StorageBackend& backend_;
};

// Runs a cluster scenario whose runners are added: adds the storage node
// (serving `backend`, which outlives its incarnations), hooks `listener` to
// the trace, and runs with the nemesis's storage faults applied to
// `backend`. On error (bad input) `listener` is unhooked again; otherwise the
// caller unhooks it after judging the run, before SimHarness::Finish.
absl::Status RunWithStorage(SimHarness& harness,
                            storage::StorageBackend& backend,
                            sim::TraceListener& listener, int64_t settle_us);

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_CLUSTER_SETUP_H_
