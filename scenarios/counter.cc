#include "scenarios/counter.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"
#include "core/storage/storage_faults.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "scenarios/buggy_storage_client.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/counter_database.h"
#include "scenarios/counter_entity.h"
#include "scenarios/counter_oracle.h"
#include "scenarios/harness.h"
#include "scenarios/ledger_workload.h"
#include "scenarios/rolling_restart.h"
#include "sim/checkers/assignment_convergence.h"
#include "sim/faults.h"
#include "sim/nemesis.h"
#include "sim/network.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using counter_internal::CounterRun;
using counter_internal::Oracle;
using sim::checkers::AssignmentConvergenceChecker;

constexpr int kCounters = 8;
constexpr int32_t kFirstPort = 34431;

// The client paces itself as the ledger workload's (ledger_workload.h).
// Every kPatientEvery-th operation waits for its reply with no timeout, so a
// reply that never reaches its caller cannot hide behind a resend.
constexpr uint64_t kPatientEvery = 4;

constexpr std::string_view kRedeliverAnswered = "counter-redeliver-answered";
constexpr std::string_view kAcquireTakesHeldShards =
    "counter-acquire-takes-held-shards";
constexpr std::string_view kResendNewKey = "counter-resend-new-key";

// The rolling restart (rolling_restart.h): each of the first
// kRollingRestarts runners in turn.
constexpr uint32_t kRollingRestarts = 3;

// The runner whose storage links CounterWorkload::slow_storage_on_shutdown
// slows during its shutdown.
constexpr uint32_t kSlowStorageRunner = 2;

// --- The Counter entity's contract -----------------------------------------

// The ledger workload's Increment request (scenarios/ledger_workload.h),
// answered with the value it left (counter_entity.h). `primary_key` is the
// operation's id, unless a mutant changes it.
using counter::CounterIncrementRpc;
using counter::kCounterType;
using counter::kShards;
using ledger::Increment;
using ledger::kIncrementTag;

// --- A runner node: the runner process and its client
// -------------------------

class CounterNode : public Process, public GracefulShutdown {
 public:
  CounterNode(const NodeEnv& env, const sharding::RunnerProcessOptions& options,
              Oracle* oracle, bool resend_new_key, int load_percent)
      : env_(env),
        oracle_(oracle),
        resend_new_key_(resend_new_key),
        load_percent_(load_percent),
        runner_(env, options) {
    env.scope->Spawn(ClientLoop(this), "counter.client");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

  void Shutdown() override { runner_.Shutdown(); }
  bool shutdown_complete() const override {
    return runner_.shutdown_complete();
  }

 private:
  // One operation at a time, resent under the same primary key until it is
  // answered.
  static Task<void> ClientLoop(CounterNode* self) {
    Random& random = *self->env_.random;
    co_await SleepMs(ledger::kClientStartMs);
    for (uint64_t seq = 1; self->oracle_->Issuing(); ++seq) {
      Increment op;
      op.key = absl::StrCat("c", UniformInt(random, 0, kCounters - 1));
      op.op = absl::StrCat("n", self->env_.self.value, ".",
                           self->env_.incarnation, "-", seq);
      op.amount = UniformInt(random, 1, ledger::kMaxAmount);
      op.primary_key = op.op;
      self->oracle_->Issued(op);
      const bool patient = seq % kPatientEvery == 0;
      for (int resend = 1;; ++resend) {
        self->oracle_->WaitStarted(self->env_.self, op);
        std::optional<absl::StatusOr<storage::Exit>> exit =
            co_await Call(self, op, patient);
        const bool delivered = exit.has_value() && exit->ok();
        self->oracle_->WaitEnded(self->env_.self, op, delivered);
        if (delivered) {
          self->oracle_->Answered(op, **exit);
          break;
        }
        self->oracle_->Resent();
        if (self->resend_new_key_) {
          op.primary_key = absl::StrCat(op.op, "/", resend);
        }
        co_await SleepMs(ledger::kResendDelayMs);
      }
      co_await ledger::Think(random, self->load_percent_);
    }
  }

  // One send of `op`: waits for the reply, for at most ledger::kCallTimeoutMs
  // unless `patient` (nullopt: timed out).
  static Task<std::optional<absl::StatusOr<storage::Exit>>> Call(
      CounterNode* self, Increment op, bool patient) {
    Task<absl::StatusOr<storage::Exit>> send = self->runner_.sharding().Send(
        EntityType(kCounterType), EntityId(op.key), kIncrementTag,
        CounterIncrementRpc().EncodeRequest(op));
    if (patient) co_return co_await std::move(send);
    co_return co_await sharding::WithTimeout(*self->env_.scope, std::move(send),
                                             ledger::kCallTimeoutMs);
  }

  NodeEnv env_;
  Oracle* oracle_;
  bool resend_new_key_;
  int load_percent_;
  sharding::RunnerProcess runner_;
};

// CounterWorkload::slow_storage_on_shutdown: slows the links between one
// runner and the storage node, both ways, for as long as it is told to.
class SlowStorageLinks {
 public:
  SlowStorageLinks(SimHarness& harness, NodeId runner, NodeId storage)
      : network_(harness.network()), runner_(runner), storage_(storage) {
    Random& rng = harness.world().Stream("slow-storage");
    const int64_t min_us =
        UniformInt(rng, kSlowStorageMinMs, kSlowStorageMaxMs) * 1000;
    latency_ = sim::LatencyModel{
        .min_us = min_us, .tail_mean_us = min_us / 4, .max_us = 2 * min_us};
  }

  NodeId runner() const { return runner_; }
  int64_t min_latency_us() const { return latency_.min_us; }
  // How many times the links were slowed.
  int64_t windows() const { return windows_; }

  void Slow(bool slow) {
    if (slow == saved_.has_value()) return;
    if (slow) {
      ++windows_;
      saved_ = {network_.link(runner_, storage_),
                network_.link(storage_, runner_)};
      sim::LinkConfig to_storage = saved_->first;
      sim::LinkConfig from_storage = saved_->second;
      to_storage.latency = latency_;
      from_storage.latency = latency_;
      network_.SetLink(runner_, storage_, to_storage);
      network_.SetLink(storage_, runner_, from_storage);
      return;
    }
    network_.SetLink(runner_, storage_, saved_->first);
    network_.SetLink(storage_, runner_, saved_->second);
    saved_.reset();
  }

 private:
  sim::Network& network_;
  const NodeId runner_;
  const NodeId storage_;
  sim::LatencyModel latency_;
  // The links' configurations before they were slowed (to and from storage).
  std::optional<std::pair<sim::LinkConfig, sim::LinkConfig>> saved_;
  int64_t windows_ = 0;
};

StorageBug BugOf(const std::string& name) {
  if (name == kRedeliverAnswered) return StorageBug::kRedeliverAnswered;
  if (name == kAcquireTakesHeldShards) {
    return StorageBug::kAcquireTakesHeldShards;
  }
  return StorageBug::kNone;
}

}  // namespace

absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options) {
  return RunCounterWorkload(options, CounterWorkload{});
}

absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options,
                                             const CounterWorkload& workload) {
  CHECK(options.runners >= 1);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  SimHarness harness(options, sim::LinkConfig{},
                     ledger::kStorageCallsPerAnswer);
  const int64_t end_us = harness.end_us(ledger::kSettleUs);
  const storage::StorageMode storage_mode = ScenarioStorageMode(options.mode);
  const CounterRun run{
      storage_mode, runners + 1,
      StopIssuingUs(end_us, ledger::kLivenessBoundUs),
      AssignmentConvergenceChecker::BoundMs(
          ScenarioRunnerConfig(NumberedRunnerAddress(1, kFirstPort),
                               options.mode, options.bug, kShards),
          kScenarioStorageCallTimeoutMs) *
          1000};
  // The database outlives every incarnation of the storage node.
  storage::StorageBackend backend(
      ScenarioStorageOptions(storage_mode, options.bug));
  // Destroyed before the harness, and unhooked from the trace first: the
  // nodes' teardown (when the World goes) never calls it.
  Oracle oracle(harness, backend, run);
  // The Counters' own database, outside the nodes (counter_database.h).
  CounterDatabase database([&oracle](std::string_view where,
                                     std::string_view key, std::string_view op,
                                     int64_t amount, int64_t value) {
    oracle.Written(where, key, op, amount, value);
  });
  sharding::StaticRunnerResolver resolver;
  const StorageBug bug = BugOf(options.bug);
  const bool resend_new_key = options.bug == kResendNewKey;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    oracle.AddRunner(NodeId{i}, address);
    sharding::RunnerProcessOptions runner = ScenarioRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        NodeId{run.storage_node}, &resolver);
    if (bug != StorageBug::kNone) {
      runner.storage =
          [remote = std::move(runner.storage), bug](
              const NodeEnv& env,
              RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
        return std::make_unique<BuggyStorageClient>(remote(env, rpc), bug);
      };
    }
    Oracle* oracle_ptr = &oracle;
    CounterDatabase* database_ptr = &database;
    runner.register_entities = [oracle_ptr,
                                database_ptr](sharding::Sharding& sharding) {
      return sharding.RegisterEntity(
          counter::CounterDefinition(),
          counter::CounterFactory(
              database_ptr,
              [oracle_ptr](Snowflake request_id, const RunnerAddress& runner) {
                oracle_ptr->HandlerStarted(request_id, runner);
              }));
    };
    harness.AddNode(absl::StrCat("r", i),
                    [runner = std::move(runner), oracle_ptr, resend_new_key,
                     load = options.load_percent](
                        const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<CounterNode>(
                          env, runner, oracle_ptr, resend_new_key, load);
                    });
  }
  std::optional<SlowStorageLinks> slow;
  if (workload.slow_storage_on_shutdown && runners >= kSlowStorageRunner) {
    slow.emplace(harness, NodeId{kSlowStorageRunner}, NodeId{run.storage_node});
  }
  // Reply delivery is scoped by each shutdown, and the slow links last
  // exactly as long as theirs.
  const RollingRestart::Observer observe =
      [&oracle, &slow](NodeId node, bool shutting_down) {
        if (shutting_down) oracle.ShutdownBegan(node);
        if (slow.has_value() && node == slow->runner())
          slow->Slow(shutting_down);
      };
  // Runners 1..3 restart one at a time, at 1/4, 5/16 and 3/8 of the run.
  std::deque<RollingRestart> rolling;
  for (uint32_t i = 1; i <= std::min<uint32_t>(runners, kRollingRestarts);
       ++i) {
    rolling.emplace_back(harness.world(), NodeId{i}, end_us * (3 + i) / 16,
                         observe);
  }
  const absl::Status ran =
      RunWithStorage(harness, backend, oracle, ledger::kSettleUs);
  if (!ran.ok()) return ran;
  oracle.Finish();
  int64_t restarts = 0;
  for (const RollingRestart& r : rolling) restarts += r.restarts();
  harness.AddStat("rolling_restarts", restarts);
  if (slow.has_value()) {
    harness.AddStat("slow_storage_ms", slow->min_latency_us() / 1000);
    harness.AddStat("slow_storage_windows", slow->windows());
  }
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

Scenario CounterScenario() {
  return Scenario{
      .name = "counter",
      .description =
          "runners' clients send persisted increments (unique primary keys, "
          "resent on timeout) to 8 sharded Counter entities while runners "
          "1-3 restart in turn; storage is a node; checks single-activation, "
          "lock belief, single-writer, exactly-once replies, the ledger "
          "against the accepted operations, each reply's and each write's "
          "counter value against the history (entity-state), liveness, "
          "unique ids and assignment convergence (leases 3 s, "
          "refresh 1 s, polls 200-500 ms)",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants(
          {{std::string(kRedeliverAnswered),
            "runners' storage reads also return requests already answered, "
            "so handlers run again after their reply is recorded"},
           {std::string(kAcquireTakesHeldShards),
            "a lock acquisition reports shards another runner still holds "
            "as acquired, so two runners own them until the next refresh"},
           {std::string(kResendNewKey),
            "the client resends a timed-out increment under a new primary "
            "key, so storage cannot deduplicate it"}}),
      .run = &RunCounterWorkload,
  };
}

}  // namespace clustersim::scenarios
