#include "scenarios/lease.h"

#include <cstdint>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_testing.h"
#include "sim/faults.h"

namespace clustersim::scenarios {
namespace {

using scenario_testing::Invariants;
using scenario_testing::Simulate;
using scenario_testing::Stat;
using scenario_testing::Violations;

const std::set<std::string> kNone;

// A lease bound is sharp: a pause (or a storage clock step) 200 ms short of
// the 3 s lock expiration is harmless in either mode, 200 ms past it breaks
// Effect (reference mode) and not hardened mode. Each row is a README row.
TEST(LeaseTest, EachGapShowsPastTheLeaseBoundInReferenceModeOnly) {
  struct Row {
    const char* short_of_bound;
    const char* past_bound;
    const char* invariant;
  };
  const Row rows[] = {
      // §14.3: a runner paused past its lease runs its entities on.
      {"pause@30s..32800ms=2", "pause@30s..33200ms=2", "single-activation"},
      // §14.7: storage judges leases on its wall clock; a forward step
      // expires them all at once.
      {"step@20s=4:+2800ms", "step@20s=4:+3200ms", "single-writer"},
      // A paused storage node's clock runs on: leases lapse on resume.
      {"pause@20s..22800ms=4", "pause@20s..23200ms=4", "single-writer"},
  };
  const Scenario lease = LeaseScenario();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.past_bound);
    for (Mode mode : {Mode::kReference, Mode::kHardened}) {
      const RunResult short_of = Simulate(lease, 1, mode, row.short_of_bound);
      EXPECT_EQ(Invariants(short_of), kNone) << Violations(short_of);
    }
    const RunResult reference =
        Simulate(lease, 1, Mode::kReference, row.past_bound);
    EXPECT_TRUE(Invariants(reference).contains(row.invariant))
        << Violations(reference);
    const RunResult hardened =
        Simulate(lease, 1, Mode::kHardened, row.past_bound);
    EXPECT_EQ(Invariants(hardened), kNone) << Violations(hardened);
    // Hardened mode held because its runners stopped what they could no
    // longer own, not because nothing moved.
    EXPECT_GT(Stat(hardened, "activations"), 8);
    EXPECT_GT(Stat(hardened, "ops_answered"), 500);
  }
}

// The swarm draw adds lease-sized pauses and steps to the general draw:
// every plan has at least one pause and one step within the jitter of a
// lock bound (1 s, 2.84 s, 3 s, 4 s, +-250 ms).
TEST(LeaseTest, SwarmPlansStraddleTheLockBounds) {
  const Scenario lease = LeaseScenario();
  const auto near_bound = [](int64_t ms) {
    for (int64_t bound : {1'000, 2'840, 3'000, 4'000}) {
      if (ms >= bound - 250 && ms <= bound + 250) return true;
    }
    return false;
  };
  int below = 0;
  int above = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const sim::FaultPlan plan = lease.SwarmPlan(seed, 3, 60 * 1'000'000);
    EXPECT_EQ(plan, lease.SwarmPlan(seed, 3, 60 * 1'000'000));
    int pauses = 0;
    int steps = 0;
    for (const sim::TimedFault& f : plan.timed) {
      if (f.kind == sim::FaultKind::kPause) {
        const int64_t ms = (f.end_us - f.start_us) / 1000;
        pauses += near_bound(ms);
        below += ms < 3'000 && ms >= 2'750;
        above += ms > 3'000 && ms <= 3'250;
      }
      if (f.kind == sim::FaultKind::kStep) {
        steps +=
            near_bound(f.step_us < 0 ? -f.step_us / 1000 : f.step_us / 1000);
      }
    }
    EXPECT_GE(pauses, 1) << "seed " << seed << ": " << plan.ToString();
    EXPECT_GE(steps, 1) << "seed " << seed << ": " << plan.ToString();
    // Every timed fault ends by 80% of the run.
    for (const sim::TimedFault& f : plan.timed) EXPECT_LE(f.end_us, 48'000'000);
  }
  // Both sides of the lease expiration are drawn.
  EXPECT_GT(below, 5);
  EXPECT_GT(above, 5);
}

// A few swarm seeds in both modes: hardened holds every invariant while
// leases lapse and move (self-stops, activations superseding a paused
// owner); reference breaks on some seed.
TEST(LeaseTest, SwarmSeedsHoldInHardenedModeAndBreakInReference) {
  const Scenario lease = LeaseScenario();
  int64_t self_stops = 0;
  int64_t superseded = 0;
  int reference_failures = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    const RunResult hardened = Simulate(lease, seed, Mode::kHardened, "swarm");
    EXPECT_EQ(hardened.violation_count, 0u) << Violations(hardened);
    EXPECT_GT(Stat(hardened, "ops_answered"), 0);
    self_stops += Stat(hardened, "lease_self_stops");
    superseded += Stat(hardened, "activation_overlaps_paused");
    const RunResult reference =
        Simulate(lease, seed, Mode::kReference, "swarm");
    reference_failures += reference.violation_count > 0;
  }
  EXPECT_GT(self_stops, 0);
  EXPECT_GT(superseded, 0);
  EXPECT_GT(reference_failures, 0);
}

}  // namespace
}  // namespace clustersim::scenarios
