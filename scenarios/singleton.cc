#include "scenarios/singleton.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/cluster/runner_address.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/cluster_cron.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "scenarios/singleton_oracle.h"
#include "sim/checkers/assignment_convergence.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using singleton_scenario::CrashAfterRun;
using singleton_scenario::kCallTimeoutMs;
using singleton_scenario::kCronName;
using singleton_scenario::kFirstPort;
using singleton_scenario::kLeader;
using singleton_scenario::kLeaderStepMs;
using singleton_scenario::kLedgerId;
using singleton_scenario::kLedgerType;
using singleton_scenario::kLedgerWorkMs;
using singleton_scenario::kRecordTag;
using singleton_scenario::kResendDelayMs;
using singleton_scenario::kSettleUs;
using singleton_scenario::kShardGroup;
using singleton_scenario::kShards;
using singleton_scenario::Oracle;
using singleton_scenario::Record;
using singleton_scenario::RecordRpc;
using singleton_scenario::Schedule;
using singleton_scenario::SingletonRun;

// --- The Ledger entity and a runner node -----------------------------------

class LedgerEntity : public sharding::EntityHandler {
 public:
  LedgerEntity(uint32_t node, Oracle* oracle) : node_(node), oracle_(oracle) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    oracle_->LedgerHandlerStarted(request.request_id, node_);
    return RecordRpc().Serve(request,
                             [](Record record) { return Apply(record); });
  }

 private:
  static Task<absl::StatusOr<Record>> Apply(Record record) {
    co_await SleepMs(kLedgerWorkMs);
    co_return record;
  }

  uint32_t node_;
  Oracle* oracle_;
};

class SingletonNode : public Process {
 public:
  SingletonNode(const NodeEnv& env, sharding::RunnerProcessOptions options,
                Oracle* oracle)
      : env_(env),
        oracle_(oracle),
        runner_(env, WithRegistration(std::move(options), this)) {}

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

 private:
  static sharding::RunnerProcessOptions WithRegistration(
      sharding::RunnerProcessOptions options, SingletonNode* self) {
    options.register_entities = [self](sharding::Sharding& sharding) {
      return self->Register(sharding);
    };
    return options;
  }

  absl::Status Register(sharding::Sharding& sharding) {
    sharding::EntityDefinition ledger{EntityType(kLedgerType)};
    ledger.Add(RecordRpc().Spec());
    const uint32_t node = env_.self.value;
    Oracle* oracle = oracle_;
    CLUSTERSIM_RETURN_IF_ERROR(sharding.RegisterEntity(
        std::move(ledger),
        [node, oracle](sharding::EntityContext&)
            -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
          return std::make_unique<LedgerEntity>(node, oracle);
        }));
    CLUSTERSIM_RETURN_IF_ERROR(sharding.RegisterSingleton(
        kLeader, kShardGroup, [this] { return Leader(this); }));
    sharding::ClusterCronOptions cron;
    cron.name = kCronName;
    cron.cron = Schedule();
    cron.calculate_next_run_from_previous = true;
    cron.execute = [this](int64_t tick_ms) { return Job(this, tick_ms); };
    return sharding::RegisterClusterCron(sharding, std::move(cron));
  }

  static Task<void> Leader(SingletonNode* self) {
    for (;;) {
      self->oracle_->LeaderStepped(self->env_.self.value);
      co_await SleepMs(kLeaderStepMs);
    }
  }

  // The tick's effect: its Record, resent under the same key until answered.
  static Task<absl::Status> Job(SingletonNode* self, int64_t tick_ms) {
    for (;;) {
      std::optional<absl::StatusOr<storage::Exit>> exit =
          co_await sharding::WithTimeout(
              *self->env_.scope,
              self->runner_.sharding().Send(
                  EntityType(kLedgerType), EntityId(kLedgerId), kRecordTag,
                  RecordRpc().EncodeRequest(Record{tick_ms})),
              kCallTimeoutMs);
      if (exit.has_value() && exit->ok()) {
        self->oracle_->JobReturned(self->env_.self, tick_ms, **exit);
        co_return absl::OkStatus();
      }
      co_await SleepMs(kResendDelayMs);
    }
  }

  NodeEnv env_;
  Oracle* oracle_;
  sharding::RunnerProcess runner_;
};

absl::StatusOr<RunResult> RunSingleton(const RunOptions& options) {
  CHECK(options.runners >= 1);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  SimHarness harness(options, sim::LinkConfig{},
                     singleton_scenario::kStorageCallsPerAnswer);
  const int64_t end_us = harness.end_us(kSettleUs);
  const storage::StorageMode storage_mode = ScenarioStorageMode(options.mode);
  const SingletonRun run{
      storage_mode, runners + 1,
      sim::checkers::AssignmentConvergenceChecker::BoundMs(
          ScenarioRunnerConfig(NumberedRunnerAddress(1, kFirstPort),
                               options.mode, options.bug, kShards),
          kScenarioStorageCallTimeoutMs) *
          1000};
  storage::StorageBackend backend(
      ScenarioStorageOptions(storage_mode, options.bug));
  // Crashes after runs end with the run's settling time, as faults do.
  CrashAfterRun crash_after_run(harness.world(), options.seed,
                                end_us - kSettleUs, backend);
  // Unhooked from the trace before the nodes' teardown.
  Oracle oracle(harness, backend, run, crash_after_run);
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    oracle.AddRunner(NodeId{i}, address);
    sharding::RunnerProcessOptions runner = ScenarioRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        NodeId{run.storage_node}, &resolver);
    Oracle* oracle_ptr = &oracle;
    harness.AddNode(
        absl::StrCat("r", i),
        [runner = std::move(runner),
         oracle_ptr](const NodeEnv& env) -> std::unique_ptr<Process> {
          return std::make_unique<SingletonNode>(env, runner, oracle_ptr);
        });
  }
  const absl::Status ran = RunWithStorage(harness, backend, oracle, kSettleUs);
  if (!ran.ok()) return ran;
  oracle.Finish();
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario SingletonScenario() {
  return Scenario{
      .name = "singleton",
      .description =
          "runners host the singleton \"leader\" (steps every 250 ms) and "
          "the ClusterCron \"tick\" (\"*/3 * * * * *\", next run from the "
          "previous), whose job records each tick once to a Ledger entity "
          "(persisted, keyed by the tick's ISO time); a runner is crashed "
          "right after the runs of ticks 2, 6 and 10 and restarted 4 s "
          "later; storage is a node; checks singleton-single-instance, "
          "single-activation, single-writer, exactly-once replies, "
          "cron-exactly-once (every tick from the first one fired to the "
          "last one due took effect once), liveness (requests and ticks "
          "within 15 s of the last fault, every singleton running in the "
          "last 10 s), assignment convergence "
          "and progress (leases 3 s, refresh 1 s, polls 200-500 ms)",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .mutants = WithCoreMutants({}),
      .run = &RunSingleton,
  };
}

}  // namespace clustersim::scenarios
