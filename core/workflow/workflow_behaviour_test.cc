// Effect's ClusterWorkflowEngine tests (test/cluster/ClusterWorkflowEngine
// .test.ts) as engine-independent behaviour: each runs on every engine in
// Engines(), so the engines are compared on the same workflows (a
// differential test). Assertions about the cluster engine's storage (request
// counts, shard groups, deliver-at) live with that engine's own tests.
// Not ported here: "propagates trace context" (no tracing spans in the
// simulator), "can serialize workflow defects" (JavaScript Error objects
// with bigint fields; every defect here is already a string).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/sharding/sharding_testing.h"
#include "core/workflow/activity.h"
#include "core/workflow/cluster_engine.h"
#include "core/workflow/durable_clock.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/durable_queue.h"
#include "core/workflow/memory_engine.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_testing.h"
#include "gtest/gtest.h"

namespace clustersim::workflow {
namespace {

std::map<std::string, std::string> flags;

void SetFlag(const std::string& name, std::string value = "true") {
  flags[name] = std::move(value);
}
bool HasFlag(const std::string& name) { return flags.contains(name); }
int Bump(const std::string& name) {
  const int n = HasFlag(name) ? std::stoi(flags[name]) + 1 : 1;
  flags[name] = std::to_string(n);
  return n;
}

// Sets a flag when destroyed before Disarm: an interrupted step.
struct FlagIfInterrupted {
  std::string name;
  bool armed = true;
  ~FlagIfInterrupted() {
    if (armed) SetFlag(name);
  }
};

Task<void> SetFlagTask(std::string name, Exit) {
  SetFlag(name);
  co_return;
}

// --- workflows --------------------------------------------------------------

Task<Outcome<std::string>> SendEmail(WorkflowContext ctx) {
  if (ctx.attempt != 5) {
    co_return Cause::Fail("SendEmailError: attempt " +
                          std::to_string(ctx.attempt));
  }
  co_return std::string();
}

Task<Outcome<std::string>> SleepThenNow(WorkflowContext ctx) {
  WF_TRY(std::string slept, co_await Sleep(ctx, "Some sleep", 10'000, 0));
  (void)slept;
  co_return std::to_string(CurrentFiber()->executor().NowMs());
}

Task<void> Compensate(std::string, Cause) {
  SetFlag("compensation");
  co_return;
}

Task<Outcome<std::string>> EmailBody(WorkflowContext ctx, std::string to) {
  Bump("email-runs");
  AddScopeFinalizer(ctx, [](Exit e) { return SetFlagTask("finalizer", e); });
  ActivityDefinition send{"SendEmail", &SendEmail};
  WF_TRY(std::string sent, co_await WithCompensation(
                               ctx, RetryActivity(ctx, send, 5), &Compensate));
  (void)sent;
  if (to == "compensation") {
    co_return Cause::Fail("SendEmailError: Compensation triggered");
  }
  ActivityDefinition sleep{"Sleep", &SleepThenNow};
  WF_TRY(std::string now, co_await RunActivity(ctx, sleep));
  (void)now;
  Outcome<std::string> trigger = co_await Await(ctx, "EmailTrigger");
  SetFlag("ensuring");
  // Effect.catchCause never recovers a suspension (an interrupted fiber).
  if (!trigger.ok() && trigger.cause().HasInterrupts()) {
    co_return std::move(trigger).cause();
  }
  if (!trigger.ok()) SetFlag("catchCause");
  co_return std::string();
}

Task<Outcome<std::string>> DelayedValue(WorkflowContext, int64_t ms,
                                        std::string value) {
  FlagIfInterrupted guard{"interrupt:" + value};
  co_await SleepMs(ms);
  guard.armed = false;
  co_return value;
}

ActivityDefinition Delayed(std::string name, int64_t ms, std::string value) {
  return ActivityDefinition{name, [ms, value](WorkflowContext c) {
                              return DelayedValue(std::move(c), ms, value);
                            }};
}

Task<Outcome<std::string>> RaceBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityDefinition> activities = {
      Delayed("Activity1", 1000, "Activity1"),
      Delayed("Activity2", 500, "Activity2"),
      Delayed("Activity3", 100, "Activity3")};
  co_return co_await RaceActivities(ctx, "race", std::move(activities));
}

Task<Outcome<std::string>> FailNow(WorkflowContext) {
  co_return Cause::Fail("boom");
}

Task<Outcome<std::string>> FailureRaceBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityDefinition> activities = {
      ActivityDefinition{"failure-race-fast", &FailNow},
      Delayed("failure-race-slow", 1000, "slow")};
  co_return co_await RaceActivities(ctx, "failure-race", std::move(activities));
}

Task<Outcome<std::string>> DurableSleepThen(WorkflowContext ctx,
                                            std::string name, int64_t ms) {
  WF_TRY(std::string slept, co_await Sleep(ctx, name, ms, 0));
  (void)slept;
  co_return name;
}

ActivityDefinition DurableSleeper(std::string name, int64_t ms) {
  return ActivityDefinition{name, [name, ms](WorkflowContext c) {
                              return DurableSleepThen(std::move(c), name, ms);
                            }};
}

Task<Outcome<std::string>> DurableRaceBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityDefinition> activities = {
      DurableSleeper("Activity1", 50'000), DurableSleeper("Activity2", 10'000),
      DurableSleeper("Activity3", 1'000)};
  WF_TRY(std::string winner,
         co_await RaceActivities(ctx, "race", std::move(activities)));
  WF_TRY(std::string gate, co_await Await(ctx, "DurableRaceGate"));
  (void)gate;
  co_return winner;
}

Task<Outcome<std::string>> AwaitBranch(WorkflowContext ctx, std::string name,
                                       std::string suffix) {
  WF_TRY(std::string value, co_await Await(ctx, name));
  co_return value + suffix;
}

ActivityBody Awaiting(std::string name, std::string suffix = "") {
  return [name, suffix](WorkflowContext c) {
    return AwaitBranch(std::move(c), name, suffix);
  };
}

ActivityBody ActivityBranch(std::string name, int64_t ms, std::string value) {
  ActivityDefinition activity = Delayed(name, ms, value);
  return [activity](WorkflowContext c) {
    return RunActivity(std::move(c), activity);
  };
}

Task<Outcome<std::string>> MixedRaceBody(WorkflowContext ctx, std::string) {
  Bump("runs");
  std::vector<ActivityBody> branches = {
      Awaiting("Gate"),
      ActivityBranch("mixed-race-activity", 1000, "activity")};
  co_return co_await RaceAll(ctx, "mixed-race", std::move(branches));
}

Task<Outcome<std::string>> TailBody(WorkflowContext) {
  Bump("tail-runs");
  co_await SleepMs(10'000);
  co_return std::string("tail");
}

Task<Outcome<std::string>> LosingDeferredBody(WorkflowContext ctx,
                                              std::string) {
  std::vector<ActivityBody> branches = {
      Awaiting("Gate"), ActivityBranch("losing-activity", 1000, "activity")};
  WF_TRY(std::string winner,
         co_await RaceAll(ctx, "losing-deferred", std::move(branches)));
  ActivityDefinition tail{"losing-deferred-tail", &TailBody};
  WF_TRY(std::string t, co_await RunActivity(ctx, tail));
  co_return winner + ":" + t;
}

Task<Outcome<std::string>> IntoAwait(WorkflowContext ctx) {
  return Into(ctx, "IntoWrapAux", Awaiting("Gate"));
}

Task<Outcome<std::string>> IntoWrapBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {
      &IntoAwait, ActivityBranch("into-wrap-activity", 30'000, "activity")};
  co_return co_await RaceAll(ctx, "into-wrap", std::move(branches));
}

Task<Outcome<std::string>> ClockCaptureBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityDefinition> activities = {
      DurableSleeper("clock-capture-durable", 5'000),
      Delayed("clock-capture-slow", 30'000, "slow")};
  co_return co_await RaceActivities(ctx, "clock-capture",
                                    std::move(activities));
}

Task<Outcome<std::string>> BareClockBranch(WorkflowContext ctx) {
  WF_TRY(std::string slept, co_await Sleep(ctx, "bare-clock-timer", 5'000, 0));
  (void)slept;
  co_return std::string("clock");
}

Task<Outcome<std::string>> BareClockBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {
      &BareClockBranch, ActivityBranch("bare-clock-slow", 30'000, "slow")};
  co_return co_await RaceAll(ctx, "bare-clock", std::move(branches));
}

Task<Outcome<std::string>> MappedGateBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {
      Awaiting("Gate", "!"),
      ActivityBranch("mapped-gate-slow", 30'000, "slow")};
  co_return co_await RaceAll(ctx, "mapped-gate", std::move(branches));
}

Task<Outcome<std::string>> Act(WorkflowContext) {
  co_return std::string("act");
}

Task<Outcome<std::string>> PreGateBranch(WorkflowContext ctx) {
  ActivityDefinition act{"pre-gate-activity", &Act};
  WF_TRY(std::string a, co_await RunActivity(ctx, act));
  WF_TRY(std::string s, co_await Await(ctx, "Gate"));
  co_return a + ":" + s;
}

Task<Outcome<std::string>> PreGateBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {
      &PreGateBranch, ActivityBranch("pre-gate-slow", 30'000, "slow")};
  co_return co_await RaceAll(ctx, "pre-gate", std::move(branches));
}

Task<Outcome<std::string>> TwoStepBranch(WorkflowContext ctx) {
  Bump("branch-runs");
  WF_TRY(std::string a, co_await Await(ctx, "GateA"));
  WF_TRY(std::string b, co_await Await(ctx, "GateB"));
  co_return a + ":" + b;
}

Task<Outcome<std::string>> Never(WorkflowContext) {
  co_await clustersim::Never();
  co_return std::string();
}

Task<Outcome<std::string>> TwoStepBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {&TwoStepBranch, &Never};
  co_return co_await RaceAll(ctx, "two-step", std::move(branches));
}

Task<Outcome<std::string>> SlowUnwindBody(WorkflowContext ctx, std::string) {
  Bump("runs");
  std::vector<ActivityBody> branches = {Awaiting("GateA"), Awaiting("GateB")};
  Outcome<std::string> out =
      co_await RaceAll(ctx, "slow-unwind", std::move(branches));
  // Effect.ensuring: slows the unwind so a completion lands while the
  // suspension commits.
  SetFlag("unwind-started");
  co_await SleepMs(10'000);
  co_return out;
}

Task<Outcome<std::string>> TwoGateBody(WorkflowContext ctx, std::string) {
  std::vector<ActivityBody> branches = {Awaiting("GateA"), Awaiting("GateB")};
  co_return co_await RaceAll(ctx, "two-gates", std::move(branches));
}

const WorkflowDefinition* child_workflow = nullptr;

Task<void> RecordSuspended(std::shared_ptr<WorkflowInstance> instance, Exit) {
  SetFlag("parent-suspended", instance->suspended ? "true" : "false");
  co_return;
}

Task<Outcome<std::string>> ParentBody(WorkflowContext ctx, std::string id) {
  std::shared_ptr<WorkflowInstance> instance = ctx.instance;
  AddScopeFinalizer(
      ctx, [instance](Exit e) { return RecordSuspended(instance, e); });
  WF_TRY(std::string child,
         co_await Execute(*ctx.engine, ctx.instance, *child_workflow,
                          "child-" + id, id));
  (void)child;
  SetFlag("parent-end");
  co_return std::string();
}

Task<Outcome<std::string>> ChildBody(WorkflowContext ctx, std::string) {
  WF_TRY(std::string done, co_await Await(ctx, "ChildDeferred"));
  (void)done;
  SetFlag("child-end");
  co_return std::string();
}

Task<Outcome<std::string>> Die(WorkflowContext) {
  co_return Cause::Die("boom");
}

Task<void> RecordSuspendedCause(std::shared_ptr<WorkflowInstance> instance,
                                Exit) {
  SetFlag("suspended", instance->suspended ? "true" : "false");
  SetFlag("cause", instance->cause ? instance->cause->DebugString() : "");
  co_return;
}

Task<Outcome<std::string>> SuspendOnFailureBody(WorkflowContext ctx,
                                                std::string) {
  std::shared_ptr<WorkflowInstance> instance = ctx.instance;
  AddScopeFinalizer(
      ctx, [instance](Exit e) { return RecordSuspendedCause(instance, e); });
  ActivityDefinition fail{"fail", &Die};
  co_return co_await RunActivity(ctx, fail);
}

Task<Outcome<std::string>> Log(WorkflowContext) {
  SetFlag("catch");
  co_return std::string();
}

Task<Outcome<std::string>> CatchBody(WorkflowContext ctx, std::string) {
  ActivityDefinition fail{"fail", &Die};
  Outcome<std::string> out = co_await RunActivity(ctx, fail);
  if (out.ok() || out.cause().HasInterrupts()) co_return out;
  ActivityDefinition log{"log", &Log};
  co_return co_await RunActivity(ctx, log);
}

// Effect's DurableQueue tests: a worker adds one, or fails.
PersistedQueue* queue_under_test = nullptr;

Task<Outcome<std::string>> AddOne(std::string payload) {
  co_return std::to_string(std::stoi(payload) + 1);
}
Task<Outcome<std::string>> Boom(std::string) { co_return Cause::Fail("boom"); }

Task<Outcome<std::string>> QueueBody(WorkflowContext ctx, std::string queue) {
  co_return co_await ProcessQueued(ctx, *queue_under_test, queue, "item", "41");
}

// --- harness
// ------------------------------------------------------------------

using MaybeOutcome = std::optional<Outcome<std::string>>;

// One runner with in-process storage, as Effect's ClusterWorkflowEngine
// test fixture: groups default and workflow, 300 shards, mailbox 10,
// termination 0, storage poll 5 s, send retry 100 ms.
struct ClusterHarness {
  explicit ClusterHarness(ManualExecutor& executor)
      : node(executor, state, Config(), NodeId{1}, nullptr, resolver),
        engine(node.sharding, node.storage, node.env(), node.scope()) {}
  // The entities' fibers go before the engine they call into.
  ~ClusterHarness() { node.scope().Close(); }
  static sharding::ShardingConfig Config() {
    sharding::ShardingConfig config = sharding::testing::TestConfig();
    config.available_shard_groups = {"default", "workflow"};
    config.assigned_shard_groups = {"default", "workflow"};
    return config;
  }
  storage::StorageState state{storage::StorageState::Options{}};
  sharding::StaticRunnerResolver resolver;
  sharding::testing::TestNode node;
  ClusterWorkflowEngine engine;
};

class WorkflowBehaviourTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    flags.clear();
    if (GetParam() == "cluster") {
      cluster_ = std::make_unique<ClusterHarness>(executor_);
      engine_ = &cluster_->engine;
    } else {
      memory_ = std::make_unique<MemoryWorkflowEngine>(root_);
      engine_ = memory_.get();
    }
    for (auto [tag, body] : std::vector<std::pair<std::string, WorkflowBody>>{
             {"EmailWorkflow", &EmailBody},
             {"RaceWorkflow", &RaceBody},
             {"FailureRaceWorkflow", &FailureRaceBody},
             {"DurableRaceWorkflow", &DurableRaceBody},
             {"MixedRaceWorkflow", &MixedRaceBody},
             {"LosingDeferredWorkflow", &LosingDeferredBody},
             {"IntoWrapWorkflow", &IntoWrapBody},
             {"ClockCaptureWorkflow", &ClockCaptureBody},
             {"BareClockWorkflow", &BareClockBody},
             {"MappedGateWorkflow", &MappedGateBody},
             {"PreGateWorkflow", &PreGateBody},
             {"TwoStepWorkflow", &TwoStepBody},
             {"SlowUnwindWorkflow", &SlowUnwindBody},
             {"TwoGateWorkflow", &TwoGateBody},
             {"ParentWorkflow", &ParentBody},
             {"ChildWorkflow", &ChildBody},
             {"CatchWorkflow", &CatchBody}}) {
      ASSERT_TRUE(engine_->Register(WorkflowDefinition{.tag = tag}, body).ok());
    }
    ASSERT_TRUE(engine_
                    ->Register(WorkflowDefinition{.tag = "SuspendOnFailure",
                                                  .suspend_on_failure = true},
                               &SuspendOnFailureBody)
                    .ok());
    child_workflow = engine_->Find("ChildWorkflow");
    ASSERT_TRUE(
        engine_
            ->Register(WorkflowDefinition{.tag = "QueueWorkflow"}, &QueueBody)
            .ok());
    if (cluster_ != nullptr) {
      queue_ = std::make_unique<ShardedPersistedQueue>(cluster_->node.sharding);
    } else {
      queue_ = std::make_unique<MemoryPersistedQueue>(root_);
    }
    queue_under_test = queue_.get();
    ASSERT_TRUE(ServeQueue(*queue_, *engine_, "AddOne", &AddOne).ok());
    ASSERT_TRUE(ServeQueue(*queue_, *engine_, "Boom", &Boom).ok());
    if (cluster_ != nullptr) {
      cluster_->node.sharding.Start();
      executor_.RunForMs(10);
    }
  }
  void TearDown() override {
    // Callers' fibers go before the engine they wait on.
    root_.Close();
  }
  bool is_cluster() const { return cluster_ != nullptr; }

  const WorkflowDefinition& Wf(const std::string& tag) {
    const WorkflowDefinition* wf = engine_->Find(tag);
    CHECK(wf != nullptr);
    return *wf;
  }
  static Task<void> ExecuteInto(WorkflowEngine* engine,
                                const WorkflowDefinition* wf, std::string id,
                                std::string payload, MaybeOutcome* out) {
    *out = co_await Execute(*engine, nullptr, *wf, id, payload);
  }
  // Starts an execution whose caller waits (and replays) for the result.
  MaybeOutcome* Start(const std::string& tag, const std::string& id,
                      const std::string& payload = "") {
    results_.push_back(std::make_unique<MaybeOutcome>());
    root_.Spawn(
        ExecuteInto(engine_, &Wf(tag), id, payload, results_.back().get()),
        "caller");
    executor_.RunForUs(0);
    return results_.back().get();
  }
  void CompleteDeferred(const std::string& tag, const std::string& id,
                        const std::string& deferred, std::string value) {
    root_.Spawn(testing::CompleteDeferred(*engine_, {tag, id, deferred},
                                          Exit::Success(std::move(value))),
                "done");
    executor_.RunForUs(0);
  }
  void AdvanceMs(int64_t ms) { executor_.RunForMs(ms); }
  std::optional<Result> Poll(const std::string& tag, const std::string& id) {
    std::optional<Outcome<std::optional<Result>>> got;
    root_.Spawn(PollInto(engine_, &Wf(tag), id, &got), "poll");
    executor_.RunForUs(0);
    CHECK(got.has_value() && got->ok());
    return got->value();
  }
  static Task<void> PollInto(
      WorkflowEngine* engine, const WorkflowDefinition* wf, std::string id,
      std::optional<Outcome<std::optional<Result>>>* out) {
    *out = co_await engine->Poll(*wf, id);
  }
  static std::string Value(const MaybeOutcome* out) {
    if (!out->has_value()) return "<pending>";
    if (!(*out)->ok()) return "<failed: " + (*out)->cause().DebugString() + ">";
    return (*out)->value();
  }

  ManualExecutor executor_{sharding::testing::kStartMs};
  Scope root_{executor_};
  std::unique_ptr<ClusterHarness> cluster_;
  std::unique_ptr<MemoryWorkflowEngine> memory_;
  std::unique_ptr<PersistedQueue> queue_;
  WorkflowEngine* engine_ = nullptr;
  std::vector<std::unique_ptr<MaybeOutcome>> results_;
};

TEST_P(WorkflowBehaviourTest, ExecutesResumesDeduplicatesAndPolls) {
  MaybeOutcome* caller = Start("EmailWorkflow", "email-1", "bob@example.com");
  AdvanceMs(10'000);
  AdvanceMs(5'000);
  // Suspended on EmailTrigger.
  ASSERT_TRUE(IsSuspended(*Poll("EmailWorkflow", "email-1")));
  EXPECT_TRUE(HasFlag("finalizer"));
  EXPECT_FALSE(HasFlag("compensation"));
  EXPECT_TRUE(HasFlag("ensuring"));
  EXPECT_FALSE(HasFlag("catchCause"));
  CompleteDeferred("EmailWorkflow", "email-1", "EmailTrigger", "done");
  AdvanceMs(10'000);
  EXPECT_EQ(Value(caller), "");
  EXPECT_FALSE(HasFlag("catchCause"));
  // Deduplicated: the same execution, no new run.
  const std::string runs = flags["email-runs"];
  MaybeOutcome* again = Start("EmailWorkflow", "email-1", "bob@example.com");
  AdvanceMs(1);
  EXPECT_EQ(Value(again), "");
  EXPECT_EQ(flags["email-runs"], runs);
  EXPECT_EQ(*Poll("EmailWorkflow", "email-1"),
            Result(Complete{Exit::Success("")}));
}

TEST_P(WorkflowBehaviourTest, InterruptsASuspendedWorkflowAndRunsCompensation) {
  MaybeOutcome* caller = Start("EmailWorkflow", "email-2", "bob@example.com");
  AdvanceMs(10'001);
  root_.Spawn(engine_->Interrupt(Wf("EmailWorkflow"), "email-2"), "interrupt");
  AdvanceMs(10'000);
  std::optional<Result> polled = Poll("EmailWorkflow", "email-2");
  ASSERT_TRUE(polled.has_value() && IsComplete(*polled));
  EXPECT_FALSE(std::get<Complete>(*polled).exit.is_success());
  ASSERT_TRUE(caller->has_value());
  ASSERT_FALSE((*caller)->ok());
  EXPECT_TRUE((*caller)->cause().HasInterrupts());
  EXPECT_TRUE(HasFlag("compensation"));
}

TEST_P(WorkflowBehaviourTest, CompensationRunsWhenTheWorkflowFails) {
  MaybeOutcome* caller = Start("EmailWorkflow", "email-3", "compensation");
  AdvanceMs(500);
  EXPECT_TRUE(HasFlag("compensation"));
  EXPECT_EQ(Value(caller),
            "<failed: Fail(SendEmailError: Compensation triggered)>");
}

TEST_P(WorkflowBehaviourTest,
       ActivityRaceAllReturnsTheFirstAndInterruptsLosers) {
  MaybeOutcome* caller = Start("RaceWorkflow", "race-1");
  AdvanceMs(500);
  EXPECT_EQ(Value(caller), "Activity3");
  EXPECT_TRUE(HasFlag("interrupt:Activity1"));
  EXPECT_TRUE(HasFlag("interrupt:Activity2"));
  EXPECT_FALSE(HasFlag("interrupt:Activity3"));
}

TEST_P(WorkflowBehaviourTest, ActivityRaceAllIgnoresAFailureWhenAnotherCanWin) {
  MaybeOutcome* caller = Start("FailureRaceWorkflow", "failure-race");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "slow");
}

TEST_P(WorkflowBehaviourTest, ActivityRaceAllReplaysTheFirstDurableActivity) {
  MaybeOutcome* caller = Start("DurableRaceWorkflow", "race-2");
  AdvanceMs(6'001);
  ASSERT_TRUE(IsSuspended(*Poll("DurableRaceWorkflow", "race-2")));
  CompleteDeferred("DurableRaceWorkflow", "race-2", "DurableRaceGate", "");
  AdvanceMs(5'000);
  EXPECT_EQ(Value(caller), "Activity3");
}

TEST_P(WorkflowBehaviourTest,
       DeferredRaceLetsADeferredWinWhileABranchIsActive) {
  MaybeOutcome* caller = Start("MixedRaceWorkflow", "mixed-race");
  AdvanceMs(1);
  CompleteDeferred("MixedRaceWorkflow", "mixed-race", "Gate", "signal");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "signal");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceLetsAnActiveBranchWin) {
  MaybeOutcome* caller = Start("MixedRaceWorkflow", "mixed-race-activity");
  AdvanceMs(4'000);
  EXPECT_EQ(Value(caller), "activity");
}

TEST_P(WorkflowBehaviourTest,
       DeferredRaceKeepsTheWinnerWhenALoserCompletesLate) {
  MaybeOutcome* caller = Start("LosingDeferredWorkflow", "losing");
  AdvanceMs(1'001);
  ASSERT_EQ(flags["tail-runs"], "1");
  CompleteDeferred("LosingDeferredWorkflow", "losing", "Gate", "signal");
  AdvanceMs(40'000);
  EXPECT_EQ(Value(caller), "activity:tail");
  // The race's awaits were released when it settled: the memory engine does
  // not preempt the tail (Effect's cluster engine replays it once more).
  EXPECT_EQ(flags["tail-runs"], "1");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceWakesTheActiveRunByReplayingIt) {
  MaybeOutcome* caller = Start("MixedRaceWorkflow", "in-place");
  AdvanceMs(1);
  CompleteDeferred("MixedRaceWorkflow", "in-place", "Gate", "signal");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "signal");
  EXPECT_EQ(flags["runs"], "2");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceWakesABranchWrappedInInto) {
  MaybeOutcome* caller = Start("IntoWrapWorkflow", "into-wrap");
  AdvanceMs(1);
  CompleteDeferred("IntoWrapWorkflow", "into-wrap", "Gate", "signal");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "signal");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceDoesNotPreemptForAwaitsInActivities) {
  MaybeOutcome* caller = Start("ClockCaptureWorkflow", "clock-capture");
  AdvanceMs(66'001);
  EXPECT_EQ(Value(caller), "slow");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceLetsABareDurableClockWin) {
  MaybeOutcome* caller = Start("BareClockWorkflow", "bare-clock");
  AdvanceMs(40'001);
  EXPECT_EQ(Value(caller), "clock");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceRunsABranchsTransformationsOnAWake) {
  MaybeOutcome* caller = Start("MappedGateWorkflow", "mapped-gate");
  AdvanceMs(1);
  CompleteDeferred("MappedGateWorkflow", "mapped-gate", "Gate", "signal");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "signal!");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceWakesABranchThatRanAnActivityFirst) {
  MaybeOutcome* caller = Start("PreGateWorkflow", "pre-gate");
  AdvanceMs(2);
  CompleteDeferred("PreGateWorkflow", "pre-gate", "Gate", "signal");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "act:signal");
}

TEST_P(WorkflowBehaviourTest,
       DeferredRaceRerunsAMultiAwaitBranchPerCompletion) {
  MaybeOutcome* caller = Start("TwoStepWorkflow", "two-step");
  AdvanceMs(1);
  CompleteDeferred("TwoStepWorkflow", "two-step", "GateA", "a");
  AdvanceMs(1000);
  EXPECT_EQ(flags["branch-runs"], "2");
  CompleteDeferred("TwoStepWorkflow", "two-step", "GateB", "b");
  AdvanceMs(1000);
  EXPECT_EQ(Value(caller), "a:b");
  EXPECT_EQ(flags["branch-runs"], "3");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceDeliversACompletionDuringTheUnwind) {
  MaybeOutcome* caller = Start("SlowUnwindWorkflow", "slow-unwind");
  AdvanceMs(1);
  ASSERT_TRUE(HasFlag("unwind-started"));
  CompleteDeferred("SlowUnwindWorkflow", "slow-unwind", "GateB", "signal-b");
  AdvanceMs(40'000);
  EXPECT_EQ(Value(caller), "signal-b");
  EXPECT_EQ(flags["runs"], "2");
}

TEST_P(WorkflowBehaviourTest, DeferredRaceSuspendsWhenEveryBranchIsPending) {
  MaybeOutcome* caller = Start("TwoGateWorkflow", "two-gates");
  AdvanceMs(1);
  ASSERT_TRUE(IsSuspended(*Poll("TwoGateWorkflow", "two-gates")));
  CompleteDeferred("TwoGateWorkflow", "two-gates", "GateB", "signal-b");
  AdvanceMs(5'000);
  EXPECT_EQ(Value(caller), "signal-b");
}

TEST_P(WorkflowBehaviourTest, NestedWorkflows) {
  MaybeOutcome* caller = Start("ParentWorkflow", "parent", "123");
  AdvanceMs(1000);
  EXPECT_EQ(flags["parent-suspended"], "true");
  EXPECT_FALSE(HasFlag("parent-end"));
  EXPECT_FALSE(HasFlag("child-end"));
  CompleteDeferred("ChildWorkflow", "child-123", "ChildDeferred", "");
  AdvanceMs(5'000);
  EXPECT_TRUE(HasFlag("child-end"));
  EXPECT_TRUE(HasFlag("parent-end"));
  EXPECT_EQ(Value(caller), "");
}

TEST_P(WorkflowBehaviourTest, SuspendOnFailure) {
  MaybeOutcome* caller = Start("SuspendOnFailure", "sof");
  AdvanceMs(2'000);
  EXPECT_EQ(flags["suspended"], "true");
  EXPECT_NE(flags["cause"].find("boom"), std::string::npos);
  EXPECT_EQ(Value(caller), "<pending>");
}

TEST_P(WorkflowBehaviourTest, CatchCauseActivity) {
  MaybeOutcome* caller = Start("CatchWorkflow", "catch");
  AdvanceMs(1);
  EXPECT_TRUE(HasFlag("catch"));
  EXPECT_EQ(Value(caller), "");
}

// DurableQueue.test.ts: "processes queued items and resumes the workflow".
TEST_P(WorkflowBehaviourTest, DurableQueueProcessesItemsAndResumesTheWorkflow) {
  MaybeOutcome* caller = Start("QueueWorkflow", "queue-1", "AddOne");
  AdvanceMs(5'000);
  EXPECT_EQ(Value(caller), "42");
}

// DurableQueue.test.ts: "propagates worker failures to the workflow".
TEST_P(WorkflowBehaviourTest, DurableQueuePropagatesWorkerFailures) {
  MaybeOutcome* caller = Start("QueueWorkflow", "queue-2", "Boom");
  AdvanceMs(5'000);
  EXPECT_EQ(Value(caller), "<failed: Fail(boom)>");
  EXPECT_EQ(*Poll("QueueWorkflow", "queue-2"),
            Result(Complete{Exit::Failure(Cause::Fail("boom"))}));
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkflowBehaviourTest,
                         ::testing::Values("memory", "cluster"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace clustersim::workflow
