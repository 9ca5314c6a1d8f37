#include "sim/checkers/workflow_checker.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr char kX[] = "Transfer/0123abcd";
constexpr char kY[] = "Transfer/4567ef00";

std::string Runner(int r) {
  return "r" + std::to_string(r) + ":3443" + std::to_string(r);
}
std::string Start(const char* execution, int r) {
  return std::string(execution) + " runner=" + Runner(r);
}
std::string End(const char* execution, int r, const char* result,
                const char* exit) {
  return Start(execution, r) + " result=" + result + " exit=" + exit;
}
std::string Act(const char* execution, const char* name, int attempt, int r,
                const char* result, const char* exit) {
  return std::string(execution) + " name=" + name +
         " attempt=" + std::to_string(attempt) + " runner=" + Runner(r) +
         " result=" + result + " exit=" + exit;
}

class WorkflowCheckerTest : public ::testing::Test {
 protected:
  void Event(int64_t time_us, uint32_t node, const char* kind,
             const std::string& detail) {
    checker_.OnTraceEvent(time_us, node, kind, detail);
  }

  std::vector<Finding> findings_;
  WorkflowChecker checker_{10 * kS,
                           [this](Finding f) { findings_.push_back(f); }};
};

TEST_F(WorkflowCheckerTest, AFailoverAfterTheRunEndsIsClean) {
  Event(1 * kS, 1, "workflow.started", kX);
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "workflow.activity",
        Act(kX, "debit", 1, 1, "complete", "00000000000000aa"));
  Event(3 * kS, 1, "workflow.run.end", End(kX, 1, "suspended", "-"));
  // The replay reads debit's journaled result: it does not run it again.
  Event(4 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(5 * kS, 2, "workflow.run.end",
        End(kX, 2, "complete", "00000000000000bb"));
  // A second report of the same completion changes nothing.
  Event(6 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(6 * kS, 2, "workflow.run.end",
        End(kX, 2, "complete", "00000000000000bb"));
  checker_.CheckTerminal(0, 20 * kS);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.runs(), 3);
  EXPECT_EQ(checker_.completed(), 1);
  EXPECT_EQ(checker_.activities_completed(), 1);
  EXPECT_EQ(checker_.malformed(), 0);
}

TEST_F(WorkflowCheckerTest, RunsOnTwoRunnersAtOnceAreReported) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 2, "workflow.run.start", Start(kY, 2));  // another execution
  EXPECT_TRUE(findings_.empty());
  Event(3 * kS, 2, "workflow.run.start", Start(kX, 2));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kWorkflow, 3 * kS,
                     "execution Transfer/0123abcd started a run on runner "
                     "r2:34432 (node 2) at 3s while running on runner "
                     "r1:34431 (node 1) since 1s"}));
}

TEST_F(WorkflowCheckerTest, OverlappingRunsOnOneRunnerAreCountedNotReported) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(3 * kS, 1, "workflow.run.end", End(kX, 1, "none", "-"));
  // One run is still open on runner 1.
  Event(4 * kS, 2, "workflow.run.start", Start(kX, 2));
  EXPECT_EQ(checker_.same_runner_overlaps(), 1);
  EXPECT_EQ(findings_.size(), 1u);
}

TEST_F(WorkflowCheckerTest, ACrashOrAnEntityStopEndsTheOpenRuns) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "node.crash", "incarnation=1");
  Event(3 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(4 * kS, 2, "entity.stop",
        "EntityAddress(Workflow/Transfer, 0123abcd, default:3) runner=" +
            Runner(2));
  Event(5 * kS, 3, "workflow.run.start", Start(kX, 3));
  EXPECT_TRUE(findings_.empty());
  // The stop of another entity, or of this one elsewhere, ends nothing.
  Event(6 * kS, 3, "entity.stop",
        "EntityAddress(Account, 0123abcd, default:3) runner=" + Runner(3));
  Event(6 * kS, 2, "entity.stop",
        "EntityAddress(Workflow/Transfer, 0123abcd, default:3) runner=" +
            Runner(2));
  Event(7 * kS, 1, "workflow.run.start", Start(kX, 1));
  EXPECT_EQ(findings_.size(), 1u);
}

TEST_F(WorkflowCheckerTest, APausedRunnerIsSupersededAndMustNotActAfter) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "node.pause", "");
  Event(3 * kS, 2, "workflow.run.start", Start(kX, 2));
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.superseded_runs(), 1);
  Event(4 * kS, 1, "node.resume", "");
  Event(4 * kS, 1, "workflow.activity",
        Act(kX, "credit", 1, 1, "complete", "00000000000000cc"));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "runner r1:34431 (node 1) ran activity credit of execution "
            "Transfer/0123abcd at 4s after a pause, though runner r2:34432 "
            "(node 2) started a run of it at 3s meanwhile (a stale runner)");
  Event(4 * kS, 1, "workflow.run.end",
        End(kX, 1, "complete", "00000000000000dd"));
  EXPECT_EQ(findings_.size(), 2u);
}

TEST_F(WorkflowCheckerTest, ASupersededRunnerThatStopsAtItsResumeIsClean) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "node.pause", "");
  Event(3 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(4 * kS, 1, "node.resume", "");
  Event(4 * kS, 1, "workflow.run.end", End(kX, 1, "none", "-"));
  Event(5 * kS, 2, "workflow.run.end",
        End(kX, 2, "complete", "00000000000000dd"));
  EXPECT_TRUE(findings_.empty());
}

TEST_F(WorkflowCheckerTest, TwoCompletionsWithDifferentExitsAreReported) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "workflow.run.end",
        End(kX, 1, "complete", "00000000000000aa"));
  Event(3 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(4 * kS, 2, "workflow.run.end",
        End(kX, 2, "complete", "00000000000000ff"));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "execution Transfer/0123abcd completed on runner r2:34432 (node "
            "2) at 4s with exit 00000000000000ff, though it had completed on "
            "runner r1:34431 at 2s with exit 00000000000000aa");
}

TEST_F(WorkflowCheckerTest, AChangedActivityResultIsReported) {
  Event(1 * kS, 1, "workflow.activity",
        Act(kX, "debit account", 1, 1, "complete", "00000000000000aa"));
  // Another attempt, a suspended one, and another name are other entries.
  Event(2 * kS, 1, "workflow.activity",
        Act(kX, "debit account", 2, 1, "complete", "00000000000000bb"));
  Event(2 * kS, 1, "workflow.activity",
        Act(kX, "debit account", 1, 1, "suspended", "-"));
  Event(2 * kS, 1, "workflow.activity",
        Act(kX, "credit", 1, 1, "complete", "00000000000000cc"));
  EXPECT_TRUE(findings_.empty());
  Event(3 * kS, 2, "workflow.activity",
        Act(kX, "debit account", 1, 2, "complete", "00000000000000ee"));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "activity debit account attempt 1 of execution Transfer/0123abcd "
            "completed on runner r2:34432 (node 2) at 3s with exit "
            "00000000000000ee, though it had completed on runner r1:34431 at "
            "1s with exit 00000000000000aa (a journaled result changed)");
}

TEST_F(WorkflowCheckerTest, AnAttemptRunAgainAfterARunWentPastItIsReported) {
  Event(1 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(2 * kS, 1, "workflow.activity",
        Act(kX, "debit", 1, 1, "complete", "00000000000000aa"));
  // Cut short before it read the result: debit may run again.
  Event(3 * kS, 1, "workflow.run.end", End(kX, 1, "none", "-"));
  Event(4 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(5 * kS, 1, "workflow.activity",
        Act(kX, "debit", 1, 1, "complete", "00000000000000aa"));
  Event(6 * kS, 1, "workflow.run.end", End(kX, 1, "suspended", "-"));
  EXPECT_TRUE(findings_.empty());
  // This run went past debit, so its result was journaled.
  Event(7 * kS, 2, "workflow.run.start", Start(kX, 2));
  Event(8 * kS, 2, "workflow.activity",
        Act(kX, "debit", 1, 2, "complete", "00000000000000aa"));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].invariant, kWorkflow);
  EXPECT_NE(findings_[0].message.find("ran again"), std::string::npos)
      << findings_[0].message;
}

TEST_F(WorkflowCheckerTest, AStartedExecutionMustBecomeTerminal) {
  Event(1 * kS, 1, "workflow.started", kX);
  Event(1 * kS, 1, "workflow.started", kY);
  Event(2 * kS, 1, "workflow.run.start", Start(kX, 1));
  Event(3 * kS, 1, "workflow.run.end", End(kX, 1, "suspended", "-"));
  Event(4 * kS, 1, "workflow.run.start", Start(kY, 1));
  Event(25 * kS, 1, "workflow.run.end",
        End(kY, 1, "complete", "00000000000000aa"));
  // Faults until 20s: both are due by 30s. X never completed.
  checker_.CheckTerminal(20 * kS, 31 * kS);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kLiveness, 31 * kS,
                     "execution Transfer/0123abcd (accepted at 1s) got no "
                     "reply within 10s after 20s"}));
}

TEST_F(WorkflowCheckerTest, ExecutionsTooYoungAreNotJudged) {
  Event(25 * kS, 1, "workflow.started", kX);
  checker_.CheckTerminal(20 * kS, 31 * kS);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.unjudged(), 1);
}

TEST_F(WorkflowCheckerTest, MalformedDetailsAreCounted) {
  Event(1 * kS, 1, "workflow.run.start", "no runner");
  Event(1 * kS, 1, "workflow.run.end", Start(kX, 1));  // no result
  Event(1 * kS, 1, "workflow.activity",
        std::string(kX) + " attempt=1 runner=r:1 result=none exit=-");
  Event(1 * kS, 1, "workflow.started", "");
  EXPECT_EQ(checker_.malformed(), 4);
  EXPECT_TRUE(findings_.empty());
}

}  // namespace
}  // namespace clustersim::sim::checkers
