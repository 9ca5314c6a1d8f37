// Effect's multi-runner workflow tests (NI/Workflow.test.ts, which run on
// real databases), here on three WorkflowRunners in sim::World sharing one
// in-process storage state, with a client-only node that starts the
// workflows and waits: the runner hosting an execution is killed during an
// activity, during a durable sleep, while a compensation runs, and the
// whole cluster restarts; each time the execution completes exactly once on
// another runner, and a journaled activity never runs again.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/clock.h"
#include "core/runtime/sync.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/storage_state.h"
#include "core/workflow/activity.h"
#include "core/workflow/durable_clock.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_runner.h"
#include "gtest/gtest.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::workflow {
namespace {

using sharding::Mode;

constexpr int32_t kShards = 8;
std::map<std::string, int> counts;

class WorldClock : public Clock {
 public:
  explicit WorldClock(const sim::World& world) : world_(world) {}
  int64_t NowMs() const override {
    return sim::kSimEpochMs + world_.now_us() / 1000;
  }

 private:
  const sim::World& world_;
};

Task<Outcome<std::string>> SlowStep(WorkflowContext) {
  ++counts["slow-started"];
  co_await SleepMs(2'000);
  ++counts["slow-done"];
  co_return std::string("slow");
}

// A slow activity, then a durable sleep (a clock entity: above the 1 s
// in-memory threshold), then done.
Task<Outcome<std::string>> JobBody(WorkflowContext ctx, std::string) {
  ActivityDefinition slow{"slow", &SlowStep};
  WF_TRY(std::string s, co_await RunActivity(ctx, slow));
  WF_TRY(std::string slept, co_await Sleep(ctx, "nap", 5'000, 1'000));
  (void)slept;
  ++counts["job-returned"];
  co_return s + ":ok";
}

Task<void> SlowCompensation(std::string, Cause) {
  ++counts["compensation-started"];
  co_await SleepMs(1'000);
  ++counts["compensation-done"];
}

Task<Outcome<std::string>> Quick(WorkflowContext) {
  co_return std::string("booked");
}
Task<Outcome<std::string>> Refuse(WorkflowContext) {
  co_return Cause::Fail("refused");
}

// A booked step with a slow compensation, then a refused step.
Task<Outcome<std::string>> RefundBody(WorkflowContext ctx, std::string) {
  ActivityDefinition book{"book", &Quick};
  WF_TRY(std::string booked,
         co_await WithCompensation(ctx, RunActivity(ctx, book),
                                   &SlowCompensation));
  (void)booked;
  ActivityDefinition pay{"pay", &Refuse};
  co_return co_await RunActivity(ctx, pay);
}

absl::Status RegisterWorkflows(WorkflowEngine& engine) {
  absl::Status job =
      engine.Register(WorkflowDefinition{.tag = "Job"}, &JobBody);
  if (!job.ok()) return job;
  return engine.Register(WorkflowDefinition{.tag = "Refund"}, &RefundBody);
}

class WorkflowCluster {
 public:
  explicit WorkflowCluster(Mode mode)
      : mode_(mode),
        world_(sim::WorldOptions{7, true}),
        network_(world_, FixedLatency()),
        state_(StorageOptions(mode)),
        clock_(world_) {
    for (int32_t port = 1; port <= 3; ++port) AddNode(port);
    client_ = AddNode(0);
    for (uint32_t id = 1; id <= world_.node_count(); ++id) {
      world_.Start(NodeId{id});
    }
    world_.RunFor(5'000'000);
  }
  ~WorkflowCluster() {
    for (uint32_t id = 1; id <= world_.node_count(); ++id) {
      world_.Crash(NodeId{id});
    }
  }

  // Starts `tag` with execution id `id` from the client, which waits.
  void Start(const std::string& tag, const std::string& id) {
    WorkflowRunner& client = Runner(client_);
    client.runner().env().scope->Spawn(Wait(client.engine(), tag, id, &result_),
                                       "caller");
  }
  std::string Result() const {
    if (!result_.has_value()) return "<pending>";
    if (!result_->ok())
      return "<failed: " + result_->cause().DebugString() + ">";
    return result_->value();
  }
  // The runner node holding the shard of execution `id`.
  NodeId Owner(const std::string& id) {
    absl::StatusOr<ShardId> shard =
        ShardIdFor(EntityId(id), "default", kShards);
    CHECK(shard.ok());
    for (uint32_t n = 1; n <= 3; ++n) {
      if (world_.state(NodeId{n}) != sim::NodeState::kUp) continue;
      if (Runner(NodeId{n}).runner().sharding().acquired_shards().contains(
              *shard)) {
        return NodeId{n};
      }
    }
    return NodeId{0};
  }
  sim::World& world() { return world_; }
  void RunForMs(int64_t ms) { world_.RunFor(ms * 1000); }
  // Runs until `done` or `limit_ms` passed.
  template <typename Done>
  void RunUntil(Done done, int64_t limit_ms) {
    for (int64_t t = 0; t < limit_ms && !done(); t += 10) RunForMs(10);
  }

 private:
  static Task<void> Wait(WorkflowEngine* engine, std::string tag,
                         std::string id,
                         std::optional<Outcome<std::string>>* out) {
    const WorkflowDefinition* workflow = engine->Find(tag);
    CHECK(workflow != nullptr);
    *out = co_await Execute(*engine, nullptr, *workflow, id, "");
  }

  WorkflowRunner& Runner(NodeId node) {
    return *static_cast<WorkflowRunner*>(world_.process(node));
  }

  // Port 0: the client-only node.
  NodeId AddNode(int32_t port) {
    const NodeId node{static_cast<uint32_t>(world_.node_count() + 1)};
    sharding::RunnerProcessOptions options;
    options.config.shards_per_group = kShards;
    options.config.shard_lock_expiration_ms = 3'000;
    options.config.shard_lock_refresh_interval_ms = 1'000;
    options.config.refresh_assignments_interval_ms = 500;
    options.config.entity_message_poll_interval_ms = 500;
    options.config.entity_termination_timeout_ms = 1'000;
    options.config.mode = mode_;
    if (port > 0) {
      options.config.runner_address = RunnerAddress("runner", port);
      resolver_.Add(*options.config.runner_address, node);
    }
    options.resolver = &resolver_;
    options.storage = [this](const NodeEnv&, RpcEndpoint&) {
      return std::make_unique<storage::LocalStorageClient>(state_, clock_);
    };
    world_.AddNode(
        port > 0 ? absl::StrCat("runner-", port) : "client",
        WorkflowRunner::Factory(std::move(options), &RegisterWorkflows));
    return node;
  }

  static sim::LinkConfig FixedLatency() {
    sim::LinkConfig link;
    link.latency = sim::LatencyModel{1'000, 0, 1'000};
    return link;
  }
  static storage::StorageState::Options StorageOptions(Mode mode) {
    storage::StorageState::Options options;
    options.mode = mode == Mode::kHardened ? storage::StorageMode::kHardened
                                           : storage::StorageMode::kReference;
    options.runners.lock_expiration_ms = 3'000;
    return options;
  }

  Mode mode_;
  sim::World world_;
  sim::Network network_;
  storage::StorageState state_;
  WorldClock clock_;
  sharding::StaticRunnerResolver resolver_;
  NodeId client_;
  std::optional<Outcome<std::string>> result_;
};

class WorkflowCrashTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { counts.clear(); }
};

TEST_P(WorkflowCrashTest, TheOwnerDiesDuringAnActivity) {
  WorkflowCluster cluster(GetParam());
  cluster.Start("Job", "job-1");
  cluster.RunUntil([] { return counts["slow-started"] == 1; }, 5'000);
  ASSERT_EQ(counts["slow-started"], 1);
  const NodeId owner = cluster.Owner("job-1");
  ASSERT_NE(owner.value, 0u);
  cluster.world().Crash(owner);
  cluster.RunForMs(40'000);
  EXPECT_EQ(cluster.Result(), "slow:ok");
  // The attempt cut short runs again (activities are at-least-once); the
  // one that completed is journaled and never runs again.
  EXPECT_EQ(counts["slow-started"], 2);
  EXPECT_EQ(counts["slow-done"], 1);
  EXPECT_EQ(counts["job-returned"], 1);
}

TEST_P(WorkflowCrashTest, TheOwnerDiesDuringADurableSleep) {
  WorkflowCluster cluster(GetParam());
  cluster.Start("Job", "job-2");
  cluster.RunUntil([] { return counts["slow-done"] == 1; }, 10'000);
  cluster.RunForMs(1'000);  // now asleep on the durable clock
  const NodeId owner = cluster.Owner("job-2");
  ASSERT_NE(owner.value, 0u);
  cluster.world().Crash(owner);
  cluster.RunForMs(40'000);
  EXPECT_EQ(cluster.Result(), "slow:ok");
  EXPECT_EQ(counts["slow-started"], 1);  // journaled: never re-run
  EXPECT_EQ(counts["job-returned"], 1);
}

TEST_P(WorkflowCrashTest, TheWholeClusterRestartsWhileASleepIsPending) {
  WorkflowCluster cluster(GetParam());
  cluster.Start("Job", "job-3");
  cluster.RunUntil([] { return counts["slow-done"] == 1; }, 10'000);
  cluster.RunForMs(1'000);
  for (uint32_t n = 1; n <= 3; ++n) cluster.world().Crash(NodeId{n});
  cluster.RunForMs(10'000);
  for (uint32_t n = 1; n <= 3; ++n) cluster.world().Start(NodeId{n});
  cluster.RunForMs(40'000);
  EXPECT_EQ(cluster.Result(), "slow:ok");
  EXPECT_EQ(counts["slow-started"], 1);
  EXPECT_EQ(counts["job-returned"], 1);
}

TEST_P(WorkflowCrashTest, TheOwnerDiesWhileACompensationRuns) {
  WorkflowCluster cluster(GetParam());
  cluster.Start("Refund", "refund-1");
  cluster.RunUntil([] { return counts["compensation-started"] == 1; }, 10'000);
  ASSERT_EQ(counts["compensation-started"], 1);
  const NodeId owner = cluster.Owner("refund-1");
  ASSERT_NE(owner.value, 0u);
  cluster.world().Crash(owner);
  cluster.RunForMs(40'000);
  EXPECT_EQ(cluster.Result(), "<failed: Fail(refused)>");
  // Cut short once, then run to its end exactly once on the new owner.
  EXPECT_EQ(counts["compensation-started"], 2);
  EXPECT_EQ(counts["compensation-done"], 1);
}

INSTANTIATE_TEST_SUITE_P(Modes, WorkflowCrashTest,
                         ::testing::Values(Mode::kReference, Mode::kHardened),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(sharding::ModeName(info.param));
                         });

}  // namespace
}  // namespace clustersim::workflow
