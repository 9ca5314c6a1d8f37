#include "scenarios/bank.h"

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"

namespace clustersim::scenarios {
namespace {

RunResult Simulate(uint64_t seed, Mode mode, const std::string& faults,
                   const std::string& bug = "") {
  RunOptions options;
  options.seed = seed;
  options.mode = mode;
  options.faults = *sim::ParseFaultPlan(faults);
  options.bug = bug;
  options.runners = 3;
  absl::StatusOr<RunResult> result = RunScenario(BankScenario(), options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : RunResult{};
}

int64_t Stat(const RunResult& r, const std::string& name) {
  for (const auto& [key, value] : r.stats) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no stat " << name;
  return -1;
}

std::map<std::string, int> Findings(const RunResult& r) {
  std::map<std::string, int> by_invariant;
  for (const Violation& v : r.violations) ++by_invariant[v.invariant];
  return by_invariant;
}

constexpr char kCrash[] = "crash@10s=2,restart@14s=2";

TEST(BankTest, TransfersApplyOrAreCompensatedOnceAcrossARestart) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    const RunResult r = Simulate(3, mode, kCrash);
    EXPECT_EQ(Findings(r), (std::map<std::string, int>{}));
    EXPECT_GT(Stat(r, "transfers_applied"), 10);
    EXPECT_GT(Stat(r, "transfers_compensated"), 0);
    EXPECT_GT(Stat(r, "starts_resent"), 0);
    EXPECT_EQ(Stat(r, "transfers_finished"), Stat(r, "transfers_started"));
    EXPECT_EQ(Stat(r, "in_flight_amount"), 0);
  }
}

TEST(BankTest, APartitionBreaksNoLedgerInvariant) {
  const RunResult r = Simulate(1, Mode::kHardened, "partition@10s..20s=1|2,3");
  EXPECT_EQ(Findings(r), (std::map<std::string, int>{}));
}

// Swarm seed 2's plan: an isolation, a crash, storage down, pauses and a
// partition cut an activity short after its account step applied, so the
// step runs again on replay.
constexpr uint64_t kReplayedStepSeed = 2;
constexpr char kReplayedStep[] =
    "drift=1:+344ppm,skew=2:-1988ms,drift=2:-679ppm,drift=3:+962ppm,"
    "drift=4:+819ppm,isolate@15697ms..22834ms=3,crash@18252ms=1,"
    "storage-down@25679ms..28707ms,pause@34503ms..35099ms=4,"
    "pause@35254ms..40790ms=4,partition@42042ms..46713ms=3,4|1,2";

TEST(BankTest, AStepReplayedUnderTheSameKeyAppliesOnce) {
  const RunResult r =
      Simulate(kReplayedStepSeed, Mode::kHardened, kReplayedStep);
  EXPECT_EQ(Findings(r), (std::map<std::string, int>{}));
}

TEST(BankTest, AStepUnderANewKeyEachTimeAppliesTwice) {
  const RunResult r = Simulate(kReplayedStepSeed, Mode::kHardened,
                               kReplayedStep, "bank-step-new-key");
  EXPECT_EQ(Findings(r), (std::map<std::string, int>{{"conservation", 1},
                                                     {"effectively-once", 1}}));
}

TEST(BankTest, ADebitWithoutCompensationIsCaught) {
  const RunResult r = Simulate(1, Mode::kHardened, "", "bank-no-compensation");
  const std::map<std::string, int> found = Findings(r);
  EXPECT_GT(found.count("compensation"), 0u);
  EXPECT_GT(found.count("effectively-once"), 0u);
}

// Core mutants that only workflows exercise, in hardened fault-free runs:
// unjournaled-activity re-runs a replayed step (the account's primary key
// absorbs the second application, so only the workflow checker's rule (5)
// sees it); lost-wakeup leaves transfers waiting on an approval forever.
TEST(BankTest, WorkflowCoreMutantsAreCaughtInHardenedMode) {
  for (const auto& [bug, invariant] :
       {std::pair<std::string, std::string>{"unjournaled-activity", "workflow"},
        {"lost-wakeup", "liveness"}}) {
    SCOPED_TRACE(bug);
    int caught = 0;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      EXPECT_TRUE(Simulate(seed, Mode::kHardened, "").violations.empty());
      caught +=
          Findings(Simulate(seed, Mode::kHardened, "", bug)).count(invariant);
    }
    EXPECT_GE(caught, 4);
  }
}

TEST(BankTest, LivenessIsJudgedFromTheWorkflowTrace) {
  const RunResult r = Simulate(1, Mode::kHardened, "");
  EXPECT_EQ(Stat(r, "liveness_judged"), 1);
  EXPECT_GT(Stat(r, "workflow_runs"), Stat(r, "transfers_started"));
  EXPECT_EQ(Stat(r, "workflow_completed"), Stat(r, "transfers_started"));
  EXPECT_EQ(r.violation_count, 0u);
}

TEST(BankTest, ASeedReplaysToTheSameTrace) {
  const RunResult a = Simulate(5, Mode::kHardened, kCrash);
  const RunResult b = Simulate(5, Mode::kHardened, kCrash);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events, b.events);
}

}  // namespace
}  // namespace clustersim::scenarios
