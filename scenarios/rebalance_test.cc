#include "scenarios/rebalance.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/cluster/string_hash.h"
#include "gtest/gtest.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_testing.h"

namespace clustersim::scenarios {
namespace {

using scenario_testing::Count;
using scenario_testing::Options;
using scenario_testing::Stat;
using scenario_testing::Violations;

RunResult RunRebalance(const RunOptions& options) {
  return scenario_testing::Simulate(RebalanceScenario(), options);
}

// The addresses rebalance.h names tie on a vnode hash (Effect's
// Hash.string of "<host>:<port>:<vnode>", as core/cluster/hash_ring.cc
// places vnodes).
TEST(RebalanceTest, TheChosenRunnerAddressesTieOnAVnodeHash) {
  const std::pair<const char*, const char*> ties[] = {{"rb27", "rb1176"},
                                                      {"rb23", "rb1576"},
                                                      {"rb65", "rb1776"},
                                                      {"rb34", "rb2076"}};
  for (const auto& [a, b] : ties) {
    EXPECT_EQ(*HashString(absl::StrCat(a, ":34431:13")),
              *HashString(absl::StrCat(b, ":34431:71")))
        << a << " " << b;
  }
}

TEST(RebalanceTest, ChurnRunsConvergeInBothModes) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    for (uint64_t seed : {1, 2, 3}) {
      SCOPED_TRACE(std::string(ModeName(mode)) + " seed " +
                   std::to_string(seed));
      RunResult r = RunRebalance(Options(seed, mode));
      EXPECT_EQ(r.violation_count, 0u) << Violations(r);
      // Not vacuous: runners joined (some under new addresses) and left,
      // membership changed many times and windows were judged, and
      // operations were answered throughout.
      EXPECT_GE(Stat(r, "joins"), 3);
      EXPECT_GE(Stat(r, "new_addresses"), 1);
      EXPECT_GE(Stat(r, "graceful_leaves") + Stat(r, "churn_crashes"), 3);
      EXPECT_GE(Stat(r, "membership_changes"), 10);
      EXPECT_GE(Stat(r, "judged_windows"), 5);
      EXPECT_GT(Stat(r, "ops_answered"), 500);
      EXPECT_LE(Stat(r, "max_convergence_ms"), Stat(r, "convergence_bound_ms"));
    }
  }
}

// Churn moves shards often enough for a runner that takes messages for
// shards it does not hold (the core mutant no-lock-check) to be seen.
TEST(RebalanceTest, NoLockCheckIsCaughtInHardenedMode) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    caught +=
        Count(RunRebalance(Options(seed, Mode::kHardened, "no-lock-check")),
              "single-activation") > 0;
  }
  EXPECT_GE(caught, 3);
}

}  // namespace
}  // namespace clustersim::scenarios
