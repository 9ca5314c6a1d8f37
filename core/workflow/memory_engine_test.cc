// Effect's WorkflowEngine tests (test/unstable/workflow/WorkflowEngine.test.ts)
// on the in-memory engine, driven by a manual executor's virtual clock.
// "supports class extension" has no C++ counterpart (no class syntax for
// workflows) and is not ported.
#include "core/workflow/memory_engine.h"

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/workflow/activity.h"
#include "core/workflow/durable_clock.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_testing.h"
#include "gtest/gtest.h"

namespace clustersim::workflow {
namespace {

class MemoryEngineTest : public ::testing::Test {
 protected:
  ManualExecutor executor_;
  Scope root_{executor_};
  MemoryWorkflowEngine engine_{root_};

  const WorkflowDefinition& Define(std::string tag, WorkflowBody body,
                                   WorkflowDefinition base = {}) {
    base.tag = tag;
    EXPECT_TRUE(engine_.Register(base, std::move(body)).ok());
    return *engine_.Find(tag);
  }
  void Spawn(Task<void> task) { root_.Spawn(std::move(task), "test"); }
  std::optional<Result> PollNow(const WorkflowDefinition& wf,
                                const std::string& id) {
    std::optional<Outcome<std::optional<Result>>> got;
    Spawn(PollInto(&engine_, &wf, id, &got));
    executor_.RunForUs(0);
    EXPECT_TRUE(got.has_value() && got->ok());
    return got.has_value() && got->ok() ? got->value() : std::nullopt;
  }
  static Task<void> PollInto(
      WorkflowEngine* engine, const WorkflowDefinition* wf, std::string id,
      std::optional<Outcome<std::optional<Result>>>* out) {
    *out = co_await engine->Poll(*wf, id);
  }
};

using MaybeOutcome = std::optional<Outcome<std::string>>;

Task<void> ExecuteInto(WorkflowEngine* engine, const WorkflowDefinition* wf,
                       std::string id, std::string payload, bool discard,
                       MaybeOutcome* out) {
  ExecuteOptions options;
  options.discard = discard;
  *out = co_await Execute(*engine, nullptr, *wf, id, payload, options);
}

Task<Outcome<std::string>> Increment(WorkflowContext, std::string payload) {
  co_return std::to_string(std::stoi(payload) + 1);
}

TEST_F(MemoryEngineTest, ExecutesAndPollsWorkflows) {
  const WorkflowDefinition& wf =
      Define("WorkflowEngine/IncrementWorkflow", &Increment);
  MaybeOutcome discarded, result;
  Spawn(ExecuteInto(&engine_, &wf, "one", "1", true, &discarded));
  Spawn(ExecuteInto(&engine_, &wf, "one", "1", false, &result));
  executor_.RunUntilIdle();
  ASSERT_TRUE(result.has_value() && result->ok());
  EXPECT_EQ(result->value(), "2");
  std::optional<Result> polled = PollNow(wf, "one");
  ASSERT_TRUE(polled.has_value());
  EXPECT_EQ(*polled, Result(Complete{Exit::Success("2")}));
  EXPECT_EQ(engine_.RunCount("one"), 1);
}

TEST_F(MemoryEngineTest, DiscardReturnsTheExecutionId) {
  const WorkflowDefinition& wf =
      Define("WorkflowEngine/IncrementWorkflow", &Increment);
  MaybeOutcome discarded;
  Spawn(ExecuteInto(&engine_, &wf, "the-id", "1", true, &discarded));
  executor_.RunUntilIdle();
  ASSERT_TRUE(discarded.has_value() && discarded->ok());
  EXPECT_EQ(discarded->value(), "the-id");
}

TEST_F(MemoryEngineTest, ASecondRegistrationKeepsTheFirst) {
  Define("W", &Increment);
  EXPECT_EQ(engine_.Register(WorkflowDefinition{.tag = "W"}, &Increment).code(),
            absl::StatusCode::kAlreadyExists);
}

// --- fractional and non-finite durable sleeps ------------------------------

// Sleeps 1.5 ms in memory (threshold 60 s), then 2000.25 ms on the engine's
// clock (threshold 0): whole microseconds, rounded up.
Task<Outcome<std::string>> FractionalSleeps(WorkflowContext ctx, std::string) {
  WF_TRY(std::string a, co_await Sleep(ctx, "short", 1.5));
  (void)a;
  co_return co_await Sleep(ctx, "long", 2'000.25, 0);
}

TEST_F(MemoryEngineTest, SleepsFractionalMilliseconds) {
  const WorkflowDefinition& wf = Define("Fractional", &FractionalSleeps);
  MaybeOutcome result;
  Spawn(ExecuteInto(&engine_, &wf, "f", "", false, &result));
  executor_.RunForUs(1'499 + 2'000'250);
  EXPECT_FALSE(result.has_value());
  executor_.RunForUs(1);
  ASSERT_TRUE(result.has_value() && result->ok());
}

Task<Outcome<std::string>> EndlessSleep(WorkflowContext ctx, std::string) {
  co_return co_await Sleep(ctx, "forever",
                           std::numeric_limits<double>::infinity(), 0);
}

TEST_F(MemoryEngineTest, ANonFiniteSleepDies) {
  const WorkflowDefinition& wf = Define("Endless", &EndlessSleep);
  MaybeOutcome result;
  Spawn(ExecuteInto(&engine_, &wf, "e", "", false, &result));
  executor_.RunUntilIdle();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_NE(result->cause().DebugString().find("not a finite time"),
            std::string::npos)
      << result->cause().DebugString();
}

// --- a durable deferred wakes an active run -------------------------------

int race_runs = 0;

Task<Outcome<std::string>> SleepThen(WorkflowContext, int64_t ms,
                                     std::string value) {
  co_await SleepMs(ms);
  co_return value;
}

Task<Outcome<std::string>> AwaitGate(WorkflowContext ctx, std::string name) {
  return Await(std::move(ctx), std::move(name));
}

Task<Outcome<std::string>> DeferredRace(WorkflowContext ctx, std::string) {
  ++race_runs;
  std::vector<ActivityBody> branches = {
      [](WorkflowContext c) { return AwaitGate(std::move(c), "Gate"); },
      [](WorkflowContext c) {
        return SleepThen(std::move(c), 10'000, "activity");
      }};
  co_return co_await RaceAll(std::move(ctx), "memory-deferred-race",
                             std::move(branches));
}

TEST_F(MemoryEngineTest, WakesAnActiveWorkflowWhenADurableDeferredCompletes) {
  race_runs = 0;
  const WorkflowDefinition& wf = Define("DeferredRaceWorkflow", &DeferredRace);
  MaybeOutcome result;
  Spawn(ExecuteInto(&engine_, &wf, "race", "", false, &result));
  executor_.RunForMs(2);
  DeferredAddress gate{"DeferredRaceWorkflow", "race", "Gate"};
  Spawn(testing::CompleteDeferred(engine_, gate, Exit::Success("signal")));
  executor_.RunForMs(1'000);
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->cause().DebugString();
  EXPECT_EQ(result->value(), "signal");
  EXPECT_EQ(race_runs, 2);
}

// --- shutdown --------------------------------------------------------------

Task<Outcome<std::string>> Stuck(WorkflowContext, std::string) {
  co_await Never();
  co_return std::string();
}

TEST_F(MemoryEngineTest, PropagatesInterruptionWhenTheEngineIsShutDown) {
  const WorkflowDefinition& wf = Define("ShutdownWorkflow", &Stuck);
  MaybeOutcome result;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", false, &result));
  executor_.RunForMs(1);
  Spawn(engine_.Shutdown());
  executor_.RunUntilIdle();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_TRUE(result->cause().HasInterrupts());
}

std::vector<std::string> compensated;

Task<void> PushCompensation(std::string value, Cause) {
  compensated.push_back(value);
  co_return;
}

Task<Outcome<std::string>> Ready(std::string value) { co_return value; }

Task<Outcome<std::string>> CompensatedThenStuck(WorkflowContext ctx,
                                                std::string) {
  WF_TRY(std::string a,
         co_await WithCompensation(ctx, Ready("a"), &PushCompensation));
  (void)a;
  co_await Never();
  co_return std::string();
}

TEST_F(MemoryEngineTest, RunsCompensationsWhenTheEngineIsShutDown) {
  compensated.clear();
  const WorkflowDefinition& wf =
      Define("ShutdownCompensation", &CompensatedThenStuck);
  MaybeOutcome result;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", false, &result));
  executor_.RunForMs(1);
  Spawn(engine_.Shutdown());
  executor_.RunUntilIdle();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_TRUE(result->cause().HasInterrupts());
  EXPECT_EQ(compensated, std::vector<std::string>{"a"});
}

// --- finalizers across suspension -----------------------------------------

std::vector<int> finalized;
int suspend_runs = 0;

Task<void> PushFinalized(int run, Exit) {
  finalized.push_back(run);
  co_return;
}

Task<Outcome<std::string>> FinalizerThenGate(WorkflowContext ctx, std::string) {
  const int run = ++suspend_runs;
  AddFinalizer(ctx, [run](Exit exit) { return PushFinalized(run, exit); });
  co_return co_await Await(ctx, "Gate");
}

TEST_F(MemoryEngineTest, ClosesFinalizersRegisteredBeforeSuspension) {
  finalized.clear();
  suspend_runs = 0;
  const WorkflowDefinition& wf = Define("SuspendedScope", &FinalizerThenGate);
  MaybeOutcome started, result;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", true, &started));
  executor_.RunUntilIdle();
  std::optional<Result> polled = PollNow(wf, "one");
  ASSERT_TRUE(polled.has_value() && IsSuspended(*polled));
  Spawn(testing::CompleteDeferred(engine_, {"SuspendedScope", "one", "Gate"},
                                  Exit::Success("")));
  Spawn(ExecuteInto(&engine_, &wf, "one", "", false, &result));
  executor_.RunUntilIdle();
  ASSERT_TRUE(result.has_value() && result->ok());
  EXPECT_EQ(finalized, (std::vector<int>{2, 1}));
}

std::vector<bool> observed;
int interrupt_runs = 0;

Task<Outcome<std::string>> ObserveAfterAwait(WorkflowContext ctx, std::string) {
  Outcome<std::string> out = co_await Await(ctx, "Gate");
  // The body's own exit handler: a deposited interrupt is not visible yet.
  observed.push_back(ctx.instance->interrupted);
  co_return out;
}

TEST_F(MemoryEngineTest, HidesDepositedInterruptsFromBodyFinalizers) {
  observed.clear();
  const WorkflowDefinition& wf =
      Define("InterruptBodyFinalizer", &ObserveAfterAwait);
  MaybeOutcome started;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", true, &started));
  executor_.RunUntilIdle();
  ASSERT_TRUE(IsSuspended(*PollNow(wf, "one")));
  Spawn(engine_.Interrupt(wf, "one"));
  executor_.RunUntilIdle();
  std::optional<Result> polled = PollNow(wf, "one");
  ASSERT_TRUE(polled.has_value() && IsComplete(*polled));
  EXPECT_EQ(observed, (std::vector<bool>{false, false}));
}

Task<void> ObserveInterrupted(std::weak_ptr<WorkflowInstance> instance, Exit) {
  observed.push_back(instance.lock()->interrupted);
  co_return;
}

Task<Outcome<std::string>> FinalizerOnSecondRun(WorkflowContext ctx,
                                                std::string) {
  if (interrupt_runs++ == 1) {
    std::weak_ptr<WorkflowInstance> weak = ctx.instance;
    AddFinalizer(ctx,
                 [weak](Exit exit) { return ObserveInterrupted(weak, exit); });
  }
  co_return co_await Await(ctx, "Gate");
}

TEST_F(MemoryEngineTest, ExposesDepositedInterruptsToWorkflowFinalizers) {
  observed.clear();
  interrupt_runs = 0;
  const WorkflowDefinition& wf =
      Define("InterruptWorkflowFinalizer", &FinalizerOnSecondRun);
  MaybeOutcome started;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", true, &started));
  executor_.RunUntilIdle();
  ASSERT_TRUE(IsSuspended(*PollNow(wf, "one")));
  Spawn(engine_.Interrupt(wf, "one"));
  executor_.RunUntilIdle();
  std::optional<Result> polled = PollNow(wf, "one");
  ASSERT_TRUE(polled.has_value() && IsComplete(*polled));
  EXPECT_EQ(observed, (std::vector<bool>{true}));
}

Task<Outcome<std::string>> JustGate(WorkflowContext ctx, std::string) {
  return Await(std::move(ctx), "Gate");
}

TEST_F(MemoryEngineTest, PreservesInterruptUnsafeAcrossASuspendedReplay) {
  const WorkflowDefinition& wf = Define("InterruptUnsafeReplay", &JustGate);
  MaybeOutcome started;
  Spawn(ExecuteInto(&engine_, &wf, "one", "", true, &started));
  executor_.RunUntilIdle();
  ASSERT_TRUE(IsSuspended(*PollNow(wf, "one")));
  Spawn(engine_.InterruptUnsafe(wf, "one"));
  executor_.RunUntilIdle();
  Spawn(testing::CompleteDeferred(
      engine_, {"InterruptUnsafeReplay", "one", "Gate"}, Exit::Success("")));
  executor_.RunUntilIdle();
  std::optional<Result> polled = PollNow(wf, "one");
  ASSERT_TRUE(polled.has_value() && IsComplete(*polled));
  const Exit& exit = std::get<Complete>(*polled).exit;
  ASSERT_FALSE(exit.is_success());
  EXPECT_TRUE(exit.cause().HasInterrupts());
}

}  // namespace
}  // namespace clustersim::workflow
