#include "scenarios/mailbox.h"

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

RunResult RunMailbox(const RunOptions& options) {
  return scenario_testing::Simulate(MailboxScenario(), options);
}

TEST(MailboxTest, BackPressureRunsHoldEveryInvariantInBothModes) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    for (uint64_t seed : {1, 2}) {
      SCOPED_TRACE(std::string(ModeName(mode)) + " seed " +
                   std::to_string(seed));
      RunResult r = RunMailbox(Options(seed, mode));
      EXPECT_EQ(r.violation_count, 0u) << Violations(r);
      // Not vacuous: full mailboxes refused volatile sends, resends were
      // refused as already processing, volatile and persisted operations
      // were answered.
      EXPECT_GT(Stat(r, "mailbox_full"), 50);
      EXPECT_GT(Stat(r, "already_processing"), 0);
      EXPECT_GT(Stat(r, "volatile_replied"), 50);
      EXPECT_GT(Stat(r, "ops_answered"), 500);
    }
  }
}

// effect-semantics.md §14.6: Effect resends a volatile request after
// RunnerUnavailable, so it runs twice (its shard moved) or its caller is
// refused (AlreadyProcessingMessage, MailboxFull) although it ran. Hardened
// mode does not resend it (core/sharding/sharding.cc, SendOutgoing). Swarm
// seeds 1 and 65 show it in reference mode: which of the two a resend
// becomes turns on whether the first copy still runs when the resend lands,
// so each seed is judged on both.
TEST(MailboxTest, VolatileResendAfterRunnerUnavailableOnlyInReferenceMode) {
  const Scenario scenario = MailboxScenario();
  for (uint64_t seed : {1, 65}) {
    RunResult reference = RunMailbox(
        scenario_testing::SwarmOptions(scenario, seed, Mode::kReference));
    EXPECT_GT(Count(reference, "volatile-once") +
                  Count(reference, "rejected-not-applied"),
              0)
        << "seed " << seed << "\n"
        << Violations(reference);
    RunResult hardened = RunMailbox(
        scenario_testing::SwarmOptions(scenario, seed, Mode::kHardened));
    EXPECT_EQ(hardened.violation_count, 0u) << "seed " << seed << "\n"
                                            << Violations(hardened);
  }
}

}  // namespace
}  // namespace clustersim::scenarios
