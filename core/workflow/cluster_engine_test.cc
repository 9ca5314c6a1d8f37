// ClusterWorkflowEngine on one runner with in-process storage: what only
// the cluster engine has. The engine bugs W1-W4 of the parity note (§4),
// each shown in reference mode (Effect 4.1.0's behaviour) and absent in
// hardened mode, as cluster_engine.h claims; and the engine-specific
// assertions of Effect's ClusterWorkflowEngine test that
// workflow_behaviour_test.cc leaves out (stored request counts, the shard
// group of clock, deferred and activity requests, the clock's deliver-at).
#include "core/workflow/cluster_engine.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/sharding/sharding_testing.h"
#include "core/sharding/test_storage.h"
#include "core/storage/envelope.h"
#include "core/workflow/activity.h"
#include "core/workflow/durable_clock.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_codec.h"
#include "core/workflow/workflow_ids.h"
#include "core/workflow/workflow_testing.h"
#include "gtest/gtest.h"

namespace clustersim::workflow {
namespace {

using sharding::Mode;
using sharding::StorageOp;

// The workflow entity's RPC tags (cluster_engine.h).
constexpr char kRunTag[] = "run";
constexpr char kActivityTag[] = "activity";
constexpr char kDeferredTag[] = "deferred";
constexpr char kResumeTag[] = "resume";

// What the workflows below did (reset per test).
std::map<std::string, int> counts;

Task<Outcome<std::string>> Succeed(WorkflowContext) { co_return std::string(); }

Task<void> CountCompensation(std::string, Cause) {
  ++counts["compensations"];
  co_return;
}

// W1: a compensated step, then a wait on "Gate".
Task<Outcome<std::string>> GateBody(WorkflowContext ctx, std::string) {
  ++counts["runs"];
  ActivityDefinition step{"step", &Succeed};
  WF_TRY(std::string done,
         co_await WithCompensation(ctx, RunActivity(ctx, step),
                                   &CountCompensation));
  (void)done;
  co_return co_await Await(ctx, "Gate");
}

// W2: a parent waiting for its child, which waits on "ChildGate".
const WorkflowDefinition* child_workflow = nullptr;

Task<Outcome<std::string>> ParentBody(WorkflowContext ctx, std::string id) {
  ++counts["parent-runs"];
  co_return co_await Execute(*ctx.engine, ctx.instance, *child_workflow,
                             "child-" + id, id);
}

Task<Outcome<std::string>> ChildBody(WorkflowContext ctx, std::string) {
  ++counts["child-runs"];
  co_return co_await Await(ctx, "ChildGate");
}

// W3: a compensated debit, then a credit whose first attempt dies.
Task<Outcome<std::string>> DieOnce(WorkflowContext) {
  if (++counts["credit-calls"] == 1) co_return Cause::Die("credit died");
  co_return std::string("credited");
}

Task<Outcome<std::string>> TransferBody(WorkflowContext ctx, std::string) {
  ++counts["runs"];
  ActivityDefinition debit{"debit", &Succeed};
  WF_TRY(std::string debited,
         co_await WithCompensation(ctx, RunActivity(ctx, debit),
                                   &CountCompensation));
  (void)debited;
  ActivityDefinition credit{"credit", &DieOnce};
  WF_TRY(std::string credited, co_await RunActivity(ctx, credit));
  (void)credited;
  co_return std::string("done");
}

// W4 (parent wake): a child whose first run dies (CaptureDefects=false), so
// its parent gets a first resume; the replay waits on "ChildGate" and then
// works 100 ms before completing, so a parent resume must reset the
// already-answered resume request.
Task<Outcome<std::string>> Work(WorkflowContext) {
  co_await SleepMs(100);
  co_return std::string("worked");
}

Task<Outcome<std::string>> DyingChildBody(WorkflowContext ctx, std::string) {
  if (++counts["child-runs"] == 1) co_return Cause::Die("first run dies");
  WF_TRY(std::string gate, co_await Await(ctx, "ChildGate"));
  (void)gate;
  ActivityDefinition work{"work", &Work};
  co_return co_await RunActivity(ctx, work);
}

const WorkflowDefinition* dying_child_workflow = nullptr;

Task<Outcome<std::string>> DyingParentBody(WorkflowContext ctx,
                                           std::string id) {
  ++counts["parent-runs"];
  co_return co_await Execute(*ctx.engine, ctx.instance, *dying_child_workflow,
                             "child-" + id, id);
}

// EmailWorkflow of Effect's test: SendEmail succeeds on attempt 5 under
// retry(5), compensated; a 10 s durable sleep (threshold 0) in an activity;
// then a wait on EmailTrigger.
Task<Outcome<std::string>> SendEmail(WorkflowContext ctx) {
  if (ctx.attempt != 5) co_return Cause::Fail("SendEmailError");
  co_return std::string();
}

Task<Outcome<std::string>> SleepTenSeconds(WorkflowContext ctx) {
  co_return co_await Sleep(ctx, "Some sleep", 10'000, 0);
}

Task<Outcome<std::string>> EmailBody(WorkflowContext ctx, std::string) {
  ActivityDefinition send{"SendEmail", &SendEmail};
  WF_TRY(std::string sent,
         co_await WithCompensation(ctx, RetryActivity(ctx, send, 5),
                                   &CountCompensation));
  (void)sent;
  ActivityDefinition sleep{"Sleep", &SleepTenSeconds};
  WF_TRY(std::string slept, co_await RunActivity(ctx, sleep));
  (void)slept;
  co_return co_await Await(ctx, "EmailTrigger");
}

// A durable sleep in the body itself (the clock's deliver-at is checked), of
// a fractional number of milliseconds as in Effect's test.
Task<Outcome<std::string>> SleeperBody(WorkflowContext ctx, std::string) {
  co_return co_await Sleep(ctx, "nap", 10'000.5, 0);
}

// An activity, then a wait on "Gate" (routing of both to the group).
Task<Outcome<std::string>> RoutedBody(WorkflowContext ctx, std::string) {
  ActivityDefinition step{"routed-step", &Succeed};
  WF_TRY(std::string done, co_await RunActivity(ctx, step));
  (void)done;
  co_return co_await Await(ctx, "Gate");
}

using MaybeOutcome = std::optional<Outcome<std::string>>;

// One runner with in-process storage (Effect's fixture: groups default and
// workflow, 300 shards, mailbox 10, termination 0, poll 5 s, send retry
// 100 ms) in the given mode.
struct Harness {
  Harness(ManualExecutor& executor, Mode mode)
      : state(StorageOptions(mode)),
        node(executor, state, Config(mode), NodeId{1}, nullptr, resolver),
        engine(node.sharding, node.storage, node.env(), node.scope()) {}
  ~Harness() { node.scope().Close(); }
  static sharding::ShardingConfig Config(Mode mode) {
    sharding::ShardingConfig config = sharding::testing::TestConfig();
    config.available_shard_groups = {"default", "workflow"};
    config.assigned_shard_groups = {"default", "workflow"};
    config.mode = mode;
    return config;
  }
  // Hardened sharding fences its writes, which hardened storage checks.
  static storage::StorageState::Options StorageOptions(Mode mode) {
    storage::StorageState::Options options;
    options.mode = mode == Mode::kHardened ? storage::StorageMode::kHardened
                                           : storage::StorageMode::kReference;
    return options;
  }
  storage::StorageState state;
  sharding::StaticRunnerResolver resolver;
  sharding::testing::TestNode node;
  ClusterWorkflowEngine engine;
};

// Public: the W scenarios below are shared by both modes' tests.
class ClusterEngineTest : public ::testing::Test {
 public:
  void Init(Mode mode) {
    counts.clear();
    harness_ = std::make_unique<Harness>(executor_, mode);
    for (auto [tag, body] : std::vector<std::pair<std::string, WorkflowBody>>{
             {"Gate", &GateBody},
             {"Parent", &ParentBody},
             {"Child", &ChildBody},
             {"DyingParent", &DyingParentBody},
             {"EmailWorkflow", &EmailBody}}) {
      ASSERT_TRUE(engine().Register(WorkflowDefinition{.tag = tag}, body).ok());
    }
    ASSERT_TRUE(engine()
                    .Register(WorkflowDefinition{.tag = "Transfer",
                                                 .capture_defects = false},
                              &TransferBody)
                    .ok());
    ASSERT_TRUE(engine()
                    .Register(WorkflowDefinition{.tag = "DyingChild",
                                                 .capture_defects = false},
                              &DyingChildBody)
                    .ok());
    for (auto [tag, body] : std::vector<std::pair<std::string, WorkflowBody>>{
             {"Sleeper", &SleeperBody}, {"Routed", &RoutedBody}}) {
      ASSERT_TRUE(engine()
                      .Register(WorkflowDefinition{.tag = tag,
                                                   .shard_group = "workflow"},
                                body)
                      .ok());
    }
    child_workflow = engine().Find("Child");
    dying_child_workflow = engine().Find("DyingChild");
    harness_->node.sharding.Start();
    executor_.RunForMs(10);
    start_ms_ = executor_.NowMs();
  }
  void TearDown() override {
    root_.Close();
    harness_.reset();
  }

  ClusterWorkflowEngine& engine() { return harness_->engine; }
  sharding::TestStorage& storage() { return harness_->node.storage; }
  const storage::MessageStore& messages() { return harness_->state.messages(); }
  const WorkflowDefinition& Wf(const std::string& tag) {
    const WorkflowDefinition* wf = engine().Find(tag);
    CHECK(wf != nullptr);
    return *wf;
  }

  static Task<void> ExecuteInto(WorkflowEngine* engine,
                                const WorkflowDefinition* wf, std::string id,
                                MaybeOutcome* out) {
    *out = co_await Execute(*engine, nullptr, *wf, id, id);
  }
  MaybeOutcome* Start(const std::string& tag, const std::string& id) {
    results_.push_back(std::make_unique<MaybeOutcome>());
    root_.Spawn(ExecuteInto(&engine(), &Wf(tag), id, results_.back().get()),
                "caller");
    executor_.RunForUs(0);
    return results_.back().get();
  }
  void CompleteDeferred(const std::string& tag, const std::string& id,
                        const std::string& deferred, Exit exit) {
    root_.Spawn(testing::CompleteDeferred(engine(), {tag, id, deferred},
                                          std::move(exit)),
                "done");
    executor_.RunForUs(0);
  }
  void Run(Task<void> task) {
    root_.Spawn(std::move(task), "call");
    executor_.RunForUs(0);
  }
  void AdvanceMs(int64_t ms) { executor_.RunForMs(ms); }
  std::optional<Result> Poll(const std::string& tag, const std::string& id) {
    std::optional<Outcome<std::optional<Result>>> got;
    root_.Spawn(PollInto(&engine(), &Wf(tag), id, &got), "poll");
    executor_.RunForUs(0);
    // With storage latency the read takes a few virtual milliseconds.
    for (int i = 0; i < 100 && !got.has_value(); ++i) executor_.RunForMs(1);
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
  // The stored request of a workflow's RPC, by its primary key.
  std::optional<Snowflake> StoredRequest(const std::string& entity_type,
                                         const std::string& group,
                                         const std::string& id,
                                         const std::string& rpc,
                                         const std::string& key) {
    absl::StatusOr<ShardId> shard =
        harness_->node.sharding.ShardFor(EntityId(id), group);
    CHECK(shard.ok());
    EntityAddress address{EntityType(entity_type), EntityId(id), *shard};
    absl::StatusOr<std::optional<Snowflake>> found =
        messages().RequestIdForPrimaryKey(
            storage::ComposePrimaryKey(address, rpc, key));
    CHECK(found.ok());
    return *found;
  }
  std::string GroupOf(Snowflake request) {
    std::optional<ShardId> shard = messages().ShardOfMessage(request);
    return shard.has_value() ? std::string(shard->group()) : "<none>";
  }

  ManualExecutor executor_{sharding::testing::kStartMs};
  Scope root_{executor_};
  std::unique_ptr<Harness> harness_;
  std::vector<std::unique_ptr<MaybeOutcome>> results_;
  int64_t start_ms_ = 0;
};

// --- W1: an interrupt-only run replays in place ------------------------------

// Completes Gate with an interrupt-only cause and watches one virtual
// second. Every storage call takes 1 ms, so the in-place loop (which never
// waits on a timer) still moves virtual time and the window bounds it.
void RunW1(ClusterEngineTest* test, MaybeOutcome** caller) {
  *caller = test->Start("Gate", "w1");
  test->AdvanceMs(500);
  ASSERT_EQ(counts["runs"], 1);
  test->storage().SetLatencyMs(1);
  test->CompleteDeferred("Gate", "w1", "Gate",
                         Exit::Failure(Cause::Interrupt()));
  test->AdvanceMs(1'000);
}

TEST_F(ClusterEngineTest, W1ReferenceReplaysAnInterruptOnlyRunHot) {
  Init(Mode::kReference);
  MaybeOutcome* caller = nullptr;
  RunW1(this, &caller);
  // Effect measured 264 runs and 263 compensations in a second.
  EXPECT_GT(counts["runs"], 20);
  EXPECT_GT(counts["compensations"], 10);
  EXPECT_FALSE(Poll("Gate", "w1").has_value() &&
               IsComplete(*Poll("Gate", "w1")));
}

TEST_F(ClusterEngineTest, W1HardenedRecordsATerminalResult) {
  Init(Mode::kHardened);
  MaybeOutcome* caller = nullptr;
  RunW1(this, &caller);
  EXPECT_LE(counts["runs"], 3);
  EXPECT_LE(counts["compensations"], 1);
  std::optional<Result> polled = Poll("Gate", "w1");
  ASSERT_TRUE(polled.has_value() && IsComplete(*polled));
  const Exit& exit = std::get<Complete>(*polled).exit;
  ASSERT_FALSE(exit.is_success());
  EXPECT_TRUE(exit.cause().HasInterruptsOnly());
  ASSERT_TRUE(caller->has_value());
  EXPECT_FALSE((*caller)->ok());
}

// --- W2: an interrupted child never wakes its parent ------------------------

void RunW2(ClusterEngineTest* test, MaybeOutcome** caller) {
  *caller = test->Start("Parent", "w2");
  test->AdvanceMs(1'000);
  ASSERT_TRUE(IsSuspended(*test->Poll("Parent", "w2")));
  ASSERT_TRUE(IsSuspended(*test->Poll("Child", "child-w2")));
  test->Run(test->engine().Interrupt(test->Wf("Child"), "child-w2"));
  test->AdvanceMs(5'000);
  std::optional<Result> child = test->Poll("Child", "child-w2");
  ASSERT_TRUE(child.has_value() && IsComplete(*child));
  ASSERT_FALSE(std::get<Complete>(*child).exit.is_success());
}

TEST_F(ClusterEngineTest, W2ReferenceLeavesTheParentSuspended) {
  Init(Mode::kReference);
  MaybeOutcome* caller = nullptr;
  RunW2(this, &caller);
  EXPECT_EQ(counts["parent-runs"], 1);
  EXPECT_TRUE(IsSuspended(*Poll("Parent", "w2")));
  EXPECT_EQ(Value(caller), "<pending>");
}

TEST_F(ClusterEngineTest, W2HardenedWakesTheParentWithTheChildsFailure) {
  Init(Mode::kHardened);
  MaybeOutcome* caller = nullptr;
  RunW2(this, &caller);
  EXPECT_EQ(counts["parent-runs"], 2);
  std::optional<Result> parent = Poll("Parent", "w2");
  ASSERT_TRUE(parent.has_value() && IsComplete(*parent));
  const Exit& exit = std::get<Complete>(*parent).exit;
  ASSERT_FALSE(exit.is_success());
  EXPECT_TRUE(exit.cause().HasInterrupts());
  ASSERT_TRUE(caller->has_value());
  EXPECT_FALSE((*caller)->ok());
}

// --- W3: compensations run when a handler rebuild cuts a run short ---------

TEST_F(ClusterEngineTest, W3ReferenceCompensatesARunThatLaterSucceeds) {
  Init(Mode::kReference);
  MaybeOutcome* caller = Start("Transfer", "w3");
  AdvanceMs(30'000);
  EXPECT_EQ(Value(caller), "done");
  EXPECT_EQ(counts["runs"], 2);
  EXPECT_EQ(counts["compensations"], 1);
}

TEST_F(ClusterEngineTest, W3HardenedRunsNoCompensationOnARebuild) {
  Init(Mode::kHardened);
  MaybeOutcome* caller = Start("Transfer", "w3");
  AdvanceMs(30'000);
  EXPECT_EQ(Value(caller), "done");
  EXPECT_EQ(counts["runs"], 2);
  EXPECT_EQ(counts["compensations"], 0);
}

// --- W4: ignored reset results ------------------------------------------

// The child's first run dies and resumes the parent once (a stored, answered
// resume request); its replay parks on ChildGate. Its completion must reset
// that request while ClearReplies fails for 3 s.
void RunW4Parent(ClusterEngineTest* test, MaybeOutcome** caller) {
  *caller = test->Start("DyingParent", "w4");
  test->AdvanceMs(2'000);
  ASSERT_EQ(counts["child-runs"], 2);
  ASSERT_TRUE(IsSuspended(*test->Poll("DyingParent", "w4")));
  ASSERT_TRUE(test->StoredRequest("Workflow/DyingParent", "default", "w4",
                                  kResumeTag, "child-w4")
                  .has_value());
  test->CompleteDeferred("DyingChild", "child-w4", "ChildGate",
                         Exit::Success("go"));
  // The child's run is reset; it is now working for 100 ms.
  test->AdvanceMs(50);
  test->storage().SetFailure(StorageOp::kClearReplies,
                             absl::UnavailableError("storage down"));
  test->AdvanceMs(3'000);
  test->storage().SetFailure(StorageOp::kClearReplies, absl::OkStatus());
  // Hardened mode's retried reset lands after the storage is back.
  test->AdvanceMs(3'000);
  std::optional<Result> child = test->Poll("DyingChild", "child-w4");
  ASSERT_TRUE(child.has_value() && IsComplete(*child));
  test->AdvanceMs(10'000);
}

TEST_F(ClusterEngineTest, W4ReferenceLosesTheParentWakeOnAFailedReset) {
  Init(Mode::kReference);
  MaybeOutcome* caller = nullptr;
  RunW4Parent(this, &caller);
  EXPECT_TRUE(IsSuspended(*Poll("DyingParent", "w4")));
  EXPECT_EQ(Value(caller), "<pending>");
}

TEST_F(ClusterEngineTest, W4HardenedRetriesTheParentResume) {
  Init(Mode::kHardened);
  MaybeOutcome* caller = nullptr;
  RunW4Parent(this, &caller);
  EXPECT_EQ(Value(caller), "worked");
}

// A deferred completion that storage refuses: Effect dies in the caller
// (DurableDeferred.done fails), so the caller knows to send it again;
// hardened mode retries until storage takes it. Before, reference mode
// dropped the failure and the caller believed the execution woken.
Task<void> DoneInto(WorkflowEngine* engine, DeferredAddress address,
                    std::optional<absl::Status>* sent) {
  *sent = co_await Done(*engine, std::move(address), Exit::Success("go"));
}

void RunRefusedDone(ClusterEngineTest* test, std::optional<absl::Status>* sent,
                    MaybeOutcome** caller) {
  *caller = test->Start("Gate", "refused");
  test->AdvanceMs(1'000);
  ASSERT_TRUE(IsSuspended(*test->Poll("Gate", "refused")));
  test->storage().SetFailure(StorageOp::kSaveRequest,
                             absl::UnavailableError("storage down"));
  test->Run(DoneInto(&test->engine(), {"Gate", "refused", "Gate"}, sent));
  test->AdvanceMs(3'000);
  test->storage().SetFailure(StorageOp::kSaveRequest, absl::OkStatus());
  test->AdvanceMs(5'000);
}

TEST_F(ClusterEngineTest, ReferenceReportsARefusedDeferredCompletion) {
  Init(Mode::kReference);
  std::optional<absl::Status> sent;
  MaybeOutcome* caller = nullptr;
  RunRefusedDone(this, &sent, &caller);
  ASSERT_TRUE(sent.has_value());
  EXPECT_FALSE(sent->ok());
  // Not woken by it (the caller's own wait may die on the outage too).
  EXPECT_NE(Value(caller), "go");
}

TEST_F(ClusterEngineTest, HardenedRetriesARefusedDeferredCompletion) {
  Init(Mode::kHardened);
  std::optional<absl::Status> sent;
  MaybeOutcome* caller = nullptr;
  RunRefusedDone(this, &sent, &caller);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok()) << *sent;
  EXPECT_EQ(Value(caller), "go");
}

// --- Effect's engine-specific assertions ----------------------------------

// Effect stores 9 requests once EmailWorkflow suspends: run, 5 SendEmail
// attempts, Sleep, the clock's run and the clock's deferred; done adds the
// EmailTrigger deferred (10).
TEST_F(ClusterEngineTest, StoredRequestsAfterSuspensionAndCompletion) {
  Init(Mode::kReference);
  MaybeOutcome* caller = Start("EmailWorkflow", "email-1");
  AdvanceMs(15'000);
  ASSERT_TRUE(IsSuspended(*Poll("EmailWorkflow", "email-1")));
  EXPECT_EQ(messages().message_count(), 9);
  CompleteDeferred("EmailWorkflow", "email-1", "EmailTrigger",
                   Exit::Success(""));
  AdvanceMs(10'000);
  EXPECT_EQ(Value(caller), "");
  EXPECT_EQ(messages().message_count(), 10);
  // Re-executing adds nothing.
  MaybeOutcome* again = Start("EmailWorkflow", "email-1");
  AdvanceMs(1);
  EXPECT_EQ(Value(again), "");
  EXPECT_EQ(messages().message_count(), 10);
}

// Interrupting adds the InterruptSignal deferred (10) and clears the clock
// entity (ClearAddress deletes its run request): 9, as Effect counts.
TEST_F(ClusterEngineTest, InterruptClearsTheClock) {
  Init(Mode::kReference);
  MaybeOutcome* caller = Start("EmailWorkflow", "email-2");
  AdvanceMs(15'000);
  ASSERT_EQ(messages().message_count(), 9);
  Run(engine().Interrupt(Wf("EmailWorkflow"), "email-2"));
  AdvanceMs(10'000);
  EXPECT_TRUE(StoredRequest("Workflow/EmailWorkflow", "default", "email-2",
                            kDeferredTag, std::string(kInterruptSignalName))
                  .has_value());
  EXPECT_EQ(messages().message_count(), 9);
  ASSERT_TRUE(caller->has_value());
  EXPECT_TRUE((*caller)->cause().HasInterrupts());
  EXPECT_EQ(counts["compensations"], 1);
}

// The clock of a workflow in the "workflow" group lives in that group and is
// delivered at start + duration rounded up to a whole millisecond (Effect's
// test: 10000.5 ms, delivered at start + 10001).
TEST_F(ClusterEngineTest, FractionalDurableClockGoesToTheWorkflowsShardGroup) {
  Init(Mode::kReference);
  MaybeOutcome* caller = Start("Sleeper", "sleeper");
  AdvanceMs(1);
  std::optional<Snowflake> clock = StoredRequest(
      std::string(kClockEntityType), "workflow", "sleeper", kRunTag, "nap");
  ASSERT_TRUE(clock.has_value());
  EXPECT_EQ(GroupOf(*clock), "workflow");
  storage::MessageStore copy = messages();
  storage::UnprocessedQuery query;
  for (int32_t i = 1; i <= 300; ++i) query.shards.emplace_back("workflow", i);
  absl::StatusOr<std::vector<storage::StoredMessage>> rows =
      copy.UnprocessedMessages(query, executor_.NowMs(),
                               executor_.NowMs() + 60'000);
  ASSERT_TRUE(rows.ok());
  std::optional<int64_t> deliver_at;
  for (const storage::StoredMessage& row : *rows) {
    const auto* request = std::get_if<storage::Request>(&row.envelope);
    if (request != nullptr && request->request_id == *clock) {
      deliver_at = request->deliver_at_ms;
    }
  }
  EXPECT_EQ(deliver_at, start_ms_ + 10'001);
  AdvanceMs(20'000);
  EXPECT_EQ(Value(caller), "");
}

// Activities and deferred completions of a "workflow"-group workflow are
// stored in that group (Effect: after a partial client is cached).
TEST_F(ClusterEngineTest, ActivitiesAndDeferredsGoToTheWorkflowsShardGroup) {
  Init(Mode::kReference);
  MaybeOutcome* caller = Start("Routed", "routed");
  AdvanceMs(100);
  std::optional<Snowflake> activity =
      StoredRequest("Workflow/Routed", "workflow", "routed", kActivityTag,
                    ActivityPrimaryKey("routed-step", 1));
  ASSERT_TRUE(activity.has_value());
  EXPECT_EQ(GroupOf(*activity), "workflow");
  CompleteDeferred("Routed", "routed", "Gate", Exit::Success("signal"));
  AdvanceMs(1'000);
  std::optional<Snowflake> deferred = StoredRequest(
      "Workflow/Routed", "workflow", "routed", kDeferredTag, "Gate");
  ASSERT_TRUE(deferred.has_value());
  EXPECT_EQ(GroupOf(*deferred), "workflow");
  EXPECT_EQ(Value(caller), "signal");
}

// Effect's "routes durable deferred completions (and activities) to the
// workflow shard group after a partial client is cached": a completion sent
// before the workflow is registered here goes through the partial entity
// and waits for the registration (the test gives up on it, as Effect's
// interrupts it); once the workflow registers, its completions and
// activities go to its own group, whatever was cached before.
TEST_F(ClusterEngineTest, RoutesToTheWorkflowsGroupOnceItRegisters) {
  Init(Mode::kReference);
  {
    Scope early(root_);
    early.Spawn(
        testing::CompleteDeferred(engine(), {"Late", "before-register", "Gate"},
                                  Exit::Success("")),
        "done");
    AdvanceMs(100);
    EXPECT_FALSE(StoredRequest("Workflow/Late", "default", "before-register",
                               kDeferredTag, "Gate")
                     .has_value());
    early.Close();
  }
  ASSERT_TRUE(engine()
                  .Register(WorkflowDefinition{.tag = "Late",
                                               .shard_group = "workflow"},
                            &RoutedBody)
                  .ok());
  CompleteDeferred("Late", "after-register", "Gate", Exit::Success("signal"));
  MaybeOutcome* caller = Start("Late", "after-register");
  AdvanceMs(1'000);
  std::optional<Snowflake> deferred = StoredRequest(
      "Workflow/Late", "workflow", "after-register", kDeferredTag, "Gate");
  ASSERT_TRUE(deferred.has_value());
  EXPECT_EQ(GroupOf(*deferred), "workflow");
  std::optional<Snowflake> activity =
      StoredRequest("Workflow/Late", "workflow", "after-register", kActivityTag,
                    ActivityPrimaryKey("routed-step", 1));
  ASSERT_TRUE(activity.has_value());
  EXPECT_EQ(GroupOf(*activity), "workflow");
  EXPECT_EQ(Value(caller), "signal");
}

}  // namespace
}  // namespace clustersim::workflow
