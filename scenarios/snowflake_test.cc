#include "scenarios/snowflake.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_testing.h"

namespace clustersim::scenarios {
namespace {

using scenario_testing::Count;
using scenario_testing::Options;
using scenario_testing::Stat;
using scenario_testing::Violations;

RunResult RunSnowflake(const RunOptions& options) {
  return scenario_testing::Simulate(SnowflakeScenario(), options);
}

TEST(SnowflakeTest, HardenedRunsBurstStepAndRestartWithUniqueIds) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunResult r = RunSnowflake(Options(seed, Mode::kHardened));
    EXPECT_EQ(r.violation_count, 0u) << Violations(r);
    // Not vacuous: bursts far past 4096 ids, every planned step-and-restart,
    // and answered operations whose ids storage saw.
    EXPECT_GT(Stat(r, "burst_ids"), 50'000);
    EXPECT_EQ(Stat(r, "stepped_restarts"), 3);
    EXPECT_GT(Stat(r, "ops_answered"), 100);
    EXPECT_GT(Stat(r, "ids_observed"), Stat(r, "burst_ids"));
    EXPECT_EQ(Stat(r, "id_decreases"), 0);
  }
}

TEST(SnowflakeTest, ReferenceRunsHaveTheSameActivity) {
  for (uint64_t seed : {1, 2}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunResult r = RunSnowflake(Options(seed, Mode::kReference));
    EXPECT_GT(Stat(r, "burst_ids"), 50'000);
    EXPECT_EQ(Stat(r, "stepped_restarts"), 3);
    EXPECT_GT(Stat(r, "ops_answered"), 100);
  }
}

// A restarted runner keeps its machine id in reference mode (Effect's
// register is an upsert), and its new incarnation's clock, stepped back,
// stamps milliseconds the past one used: seed 1 repeats a reply id, storage
// refuses it, and the request wedges (effect-semantics.md §14.1-2).
TEST(SnowflakeTest, ReferenceModeRepeatsAnIdAcrossAStepBackAndRestart) {
  RunResult r = RunSnowflake(Options(1, Mode::kReference));
  EXPECT_GT(Count(r, "unique-ids"), 0) << Violations(r);
  EXPECT_GT(Count(r, "liveness"), 0) << Violations(r);
  EXPECT_EQ(RunSnowflake(Options(1, Mode::kHardened)).violation_count, 0u);
}

// The sweep that catches the core mutant snowflake-wrap in hardened mode:
// seeds 1..20 of hardened swarm runs.
TEST(SnowflakeTest, WrapMutantIsCaughtByAHardenedSwarmSweep) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    caught +=
        Count(
            RunSnowflake(scenario_testing::SwarmOptions(
                SnowflakeScenario(), seed, Mode::kHardened, "snowflake-wrap")),
            "unique-ids") > 0;
  }
  EXPECT_GE(caught, 15);
}

}  // namespace
}  // namespace clustersim::scenarios
