// The Transfer workflow on the in-memory engine with an in-memory Accounts
// that applies each step key once and counts what it was asked.
#include "scenarios/bank_transfer.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/memory_engine.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_testing.h"
#include "gtest/gtest.h"

namespace clustersim::scenarios::bank {
namespace {

using workflow::Cause;
using workflow::Exit;
using workflow::Outcome;

class FakeAccounts : public Accounts {
 public:
  Task<Outcome<std::string>> Apply(Step step, Transfer t) override {
    ++asked[StepKey(t, step)];
    if (step == Step::kCredit && closed.contains(t.to)) {
      co_return Cause::Fail(kAccountClosed);
    }
    if (applied.insert(StepKey(t, step)).second) {
      const int64_t delta = step == Step::kDebit ? -t.amount : t.amount;
      balances[step == Step::kCredit ? t.to : t.from] += delta;
    }
    co_return std::string(StepName(step));
  }
  void OnCompensation(const std::string& execution_id, Step step) override {
    compensations.push_back(execution_id + " " + std::string(StepName(step)));
  }

  std::set<std::string> closed;
  std::map<std::string, int> asked;
  std::set<std::string> applied;
  std::map<std::string, int64_t> balances;
  std::vector<std::string> compensations;
};

class TransferTest : public ::testing::Test {
 protected:
  TransferTest() { EXPECT_TRUE(RegisterTransfer(engine_, &accounts_).ok()); }

  // Starts `t`, and returns its outcome once the executor is idle.
  std::optional<Outcome<std::string>> Run(const Transfer& t) {
    std::optional<Outcome<std::string>> out;
    root_.Spawn(Execute(&engine_, t, &out), "test");
    executor_.RunUntilIdle();
    return out;
  }
  static Task<void> Execute(workflow::WorkflowEngine* engine, Transfer t,
                            std::optional<Outcome<std::string>>* out) {
    *out = co_await workflow::Execute(
        *engine, nullptr, *engine->Find(kTransferTag), *TransferExecutionId(t),
        EncodeTransfer(t));
  }
  void Approve(const Transfer& t, Exit exit) {
    root_.Spawn(
        workflow::testing::CompleteDeferred(
            engine_, {kTransferTag, *TransferExecutionId(t), kApprovalDeferred},
            std::move(exit)),
        "approve");
  }

  ManualExecutor executor_;
  Scope root_{executor_};
  workflow::MemoryWorkflowEngine engine_{root_};
  FakeAccounts accounts_;
};

TEST_F(TransferTest, ATransferDebitsSleepsDurablyAndCredits) {
  const Transfer t{"k1", "a", "b", 30, false};
  std::optional<Outcome<std::string>> out = Run(t);
  ASSERT_TRUE(out.has_value() && out->ok());
  EXPECT_EQ(out->value(), "credit");
  EXPECT_EQ(accounts_.balances,
            (std::map<std::string, int64_t>{{"a", -30}, {"b", 30}}));
  EXPECT_EQ(accounts_.asked,
            (std::map<std::string, int>{{"k1/credit", 1}, {"k1/debit", 1}}));
  EXPECT_TRUE(accounts_.compensations.empty());
  // The sleep was the engine's durable clock: the run parked and replayed.
  EXPECT_EQ(engine_.RunCount(*TransferExecutionId(t)), 2);
  EXPECT_GE(executor_.NowMs(), kSettleMs);
}

TEST_F(TransferTest, AClosedAccountIsRefundedOnce) {
  accounts_.closed.insert("b");
  const Transfer t{"k2", "a", "b", 7, false};
  std::optional<Outcome<std::string>> out = Run(t);
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->ok());
  EXPECT_EQ(out->cause(), Cause::Fail(kAccountClosed));
  EXPECT_EQ(accounts_.balances, (std::map<std::string, int64_t>{{"a", 0}}));
  EXPECT_EQ(accounts_.asked["k2/refund"], 1);
  EXPECT_EQ(accounts_.compensations,
            std::vector<std::string>{*TransferExecutionId(t) + " debit"});
}

TEST_F(TransferTest, AnApprovedTransferWaitsForItsApproval) {
  const Transfer t{"k3", "a", "b", 5, true};
  std::optional<Outcome<std::string>> out = Run(t);
  EXPECT_FALSE(out.has_value());  // parked on the approval
  EXPECT_EQ(accounts_.balances["a"], -5);
  Approve(t, Exit::Success("yes"));
  executor_.RunUntilIdle();
  ASSERT_TRUE(out.has_value() && out->ok());
  EXPECT_EQ(accounts_.balances["b"], 5);
  // Each step was asked once: replays read the journal.
  EXPECT_EQ(accounts_.asked,
            (std::map<std::string, int>{{"k3/credit", 1}, {"k3/debit", 1}}));
}

TEST_F(TransferTest, ARejectedApprovalIsCompensated) {
  const Transfer t{"k4", "a", "b", 5, true};
  std::optional<Outcome<std::string>> out = Run(t);
  Approve(t, Exit::Failure(Cause::Fail(kRejected)));
  executor_.RunUntilIdle();
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->ok());
  EXPECT_EQ(out->cause(), Cause::Fail(kRejected));
  EXPECT_EQ(accounts_.balances, (std::map<std::string, int64_t>{{"a", 0}}));
  EXPECT_EQ(accounts_.asked.count("k4/credit"), 0u);
  EXPECT_EQ(accounts_.compensations.size(), 1u);
}

TEST_F(TransferTest, ARestartedStartJoinsTheExecution) {
  const Transfer t{"k5", "a", "b", 1, false};
  std::optional<Outcome<std::string>> first, second;
  root_.Spawn(Execute(&engine_, t, &first), "first");
  root_.Spawn(Execute(&engine_, t, &second), "second");
  executor_.RunUntilIdle();
  ASSERT_TRUE(first.has_value() && first->ok());
  ASSERT_TRUE(second.has_value() && second->ok());
  EXPECT_EQ(accounts_.asked["k5/debit"], 1);
  EXPECT_EQ(accounts_.balances["b"], 1);
}

TEST(TransferCodecTest, RoundTripsAndRejectsGarbage) {
  const Transfer t{"key", "a1", "a2", -3, true};
  absl::StatusOr<Transfer> back = DecodeTransfer(EncodeTransfer(t));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
  EXPECT_EQ(DecodeTransfer(EncodeTransfer(t) + "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeTransfer("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StepKey(t, Step::kRefund), "key/refund");
  EXPECT_EQ(TransferExecutionId(t)->size(), 32u);
}

}  // namespace
}  // namespace clustersim::scenarios::bank
