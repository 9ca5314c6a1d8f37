#include "scenarios/counter.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_testing.h"
#include "sim/faults.h"

namespace clustersim::scenarios {
namespace {

using scenario_testing::Count;
using scenario_testing::kS;
using scenario_testing::Stat;
using scenario_testing::Violations;

RunResult Simulate(uint64_t seed, Mode mode, const std::string& faults,
                   int64_t duration_us, const std::string& bug = "") {
  return scenario_testing::Simulate(CounterScenario(), seed, mode, faults,
                                    duration_us, bug);
}

TEST(CounterTest, FaultFreeRunsHoldEveryInvariantInBothModes) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    for (uint64_t seed : {1, 2}) {
      SCOPED_TRACE(std::string(ModeName(mode)) + " seed " +
                   std::to_string(seed));
      RunResult r = Simulate(seed, mode, "none", 60 * kS);
      EXPECT_EQ(r.violation_count, 0u) << Violations(r);
      EXPECT_EQ(r.virtual_time_us, 60 * kS);
      EXPECT_GT(Stat(r, "ops_answered"), 1000);
      // Every operation but those the rolling restart cut short (one per
      // restarted runner at most) was answered, and storage holds exactly
      // one request and one reply for each operation it accepted.
      EXPECT_GE(Stat(r, "ops_answered") + 3, Stat(r, "ops_issued"));
      EXPECT_EQ(Stat(r, "exits_saved"), Stat(r, "requests_saved"));
      EXPECT_EQ(Stat(r, "handler_starts"), Stat(r, "requests_saved"));
      EXPECT_EQ(Stat(r, "rolling_restarts"), 3);
      EXPECT_EQ(Stat(r, "complete"), 1);
      // Each leave and rejoin of the rolling restart moved shards, and each
      // move converged on the ring owners within the bound
      // (assignment-convergence).
      EXPECT_GE(Stat(r, "judged_windows"), 5);
      // The lock-belief and reply-delivery checks were not vacuous: every
      // step was audited against storage, every answer's delivery timed
      // (judged, or excused: answered to a runner's client during its
      // runner's graceful shutdown).
      EXPECT_GT(Stat(r, "lock_belief_checks"), 2 * Stat(r, "ops_answered"));
      EXPECT_EQ(Stat(r, "reply_deliveries_judged") +
                    Stat(r, "reply_deliveries_excused"),
                Stat(r, "ops_answered"));
      EXPECT_LE(Stat(r, "reply_deliveries_excused"), 3);
      // Every new operation wrote the Counter's value, every answer's value
      // was compared with the history's; entities moved (the rolling
      // restart), so activations loaded values others had written.
      EXPECT_EQ(Stat(r, "state_writes"), Stat(r, "exits_saved"));
      EXPECT_EQ(Stat(r, "state_replies_checked"), Stat(r, "ops_answered"));
      EXPECT_GT(Stat(r, "activations"), 16);
      EXPECT_EQ(r.node_names,
                (std::vector<std::string>{"r1", "r2", "r3", "storage"}));
    }
  }
}

TEST(CounterTest, CrashesPartitionsAndDuplicatesHoldInHardenedMode) {
  RunResult r = Simulate(3, Mode::kHardened,
                         "dup=0.05,delay=1ms..20ms,crash@10s=2,restart@14s=2,"
                         "partition@30s..33s=3|1,2,4,clog@36s..37s=4",
                         60 * kS);
  EXPECT_EQ(r.violation_count, 0u) << Violations(r);
  EXPECT_GT(Stat(r, "resends"), 0);
  EXPECT_EQ(Stat(r, "complete"), 1);
}

TEST(CounterTest, StorageSpikesAndAnOutageHoldInHardenedMode) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunResult r = Simulate(seed, Mode::kHardened,
                           "storage-spike=0.1:10ms..500ms,"
                           "storage-down@10s..12s",
                           40 * kS);
    EXPECT_EQ(r.violation_count, 0u) << Violations(r);
    EXPECT_EQ(Stat(r, "complete"), 1);
    EXPECT_GT(Stat(r, "ops_answered"), 100);
  }
}

TEST(CounterTest, StorageClockStepsLetStaleWritesLandOnlyInReferenceMode) {
  // The storage clock jumps 5 s four times: every lease and heartbeat
  // expires at once, while replies confirmed a moment before are still on
  // their way. (Runners then also take each other's shards while the old
  // owners still run their entities: single-activation breaks in both
  // modes.)
  const std::string faults =
      "step@10s=4:+5s,step@20s=4:+5s,step@30s=4:+5s,step@40s=4:+5s";
  RunResult reference = Simulate(1, Mode::kReference, faults, 60 * kS);
  ASSERT_GE(Count(reference, "single-writer"), 1) << Violations(reference);
  for (const Violation& v : reference.violations) {
    if (v.invariant != "single-writer") continue;
    EXPECT_NE(v.message.find("[reference mode: Effect does not fence"),
              std::string::npos);
  }
  RunResult hardened = Simulate(1, Mode::kHardened, faults, 60 * kS);
  EXPECT_EQ(Count(hardened, "single-writer"), 0) << Violations(hardened);
  EXPECT_EQ(Stat(hardened, "single_writer_violations"), 0);
}

TEST(CounterTest, APausePastTheLeaseBreaksSingleActivationOnlyInReference) {
  // Runner 2 is frozen while runners 1 and 3 take its shards over. In
  // Effect its entities run on when it resumes (fencing guards writes, not
  // activations); in hardened mode the stall detector stops them at the
  // resume instant, before anything else runs.
  RunResult reference =
      Simulate(1, Mode::kReference, "pause@40s..45s=2", 70 * kS);
  EXPECT_GE(Count(reference, "single-activation"), 1) << Violations(reference);
  EXPECT_EQ(Count(reference, "single-activation"), reference.violation_count);
  EXPECT_GE(Stat(reference, "activation_overlaps_paused"), 1);
  EXPECT_EQ(Stat(reference, "lease_self_stops"), 0);

  RunResult hardened =
      Simulate(1, Mode::kHardened, "pause@40s..45s=2", 70 * kS);
  EXPECT_EQ(hardened.violation_count, 0u) << Violations(hardened);
  EXPECT_GE(Stat(hardened, "activation_overlaps_paused"), 1);
  EXPECT_GE(Stat(hardened, "lease_self_stops"), 1);
}

// Replies carry the Counter's value (counter_entity.h). Swarm seed 587 in
// reference mode: runner 1 resumes from a pause with c4 still alive, though
// runner 2 took it over and applied 6 more meanwhile; runner 1 adds to its
// cached value, writes it, and replies with it. The entity-state check sees
// the stale write and the stale reply; hardened mode stops c4 on resume.
TEST(CounterTest, AStaleOwnersValueShowsOnlyInReferenceMode) {
  RunResult reference = Simulate(587, Mode::kReference, "swarm", 60 * kS);
  EXPECT_GE(Count(reference, "entity-state"), 2) << Violations(reference);
  bool stale_reply = false;
  for (const Violation& v : reference.violations) {
    if (v.invariant == "entity-state" &&
        v.message.find("a reply says") != std::string::npos) {
      stale_reply = true;
    }
  }
  EXPECT_TRUE(stale_reply) << Violations(reference);
  RunResult hardened = Simulate(587, Mode::kHardened, "swarm", 60 * kS);
  EXPECT_EQ(hardened.violation_count, 0u) << Violations(hardened);
  EXPECT_GT(Stat(hardened, "state_writes"), 500);
}

TEST(CounterTest, SameSeedSameTraceDifferentSeedDifferentTrace) {
  const std::string faults = "dup=0.05,crash@5s=2,restart@7s=2";
  RunResult a = Simulate(7, Mode::kReference, faults, 20 * kS);
  RunResult b = Simulate(7, Mode::kReference, faults, 20 * kS);
  RunResult c = Simulate(8, Mode::kReference, faults, 20 * kS);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events, b.events);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

// Each mutant is caught within a few seeds, with the faults (if any) that
// leave the unmutated system whole.
TEST(CounterTest, EveryMutantIsCaughtWithinAFewSeeds) {
  struct Case {
    std::string bug;
    std::string faults;
    std::string invariant;
  };
  const Case cases[] = {
      {"counter-redeliver-answered", "none", "exactly-once-reply"},
      {"counter-acquire-takes-held-shards", "none", "single-activation"},
      {"counter-resend-new-key", "storage-down@25s..32s", "effectively-once"},
  };
  for (const Case& c : cases) {
    for (Mode mode : {Mode::kReference, Mode::kHardened}) {
      SCOPED_TRACE(c.bug + " " + std::string(ModeName(mode)));
      EXPECT_EQ(Simulate(1, mode, c.faults, 60 * kS).violation_count, 0u);
      bool caught = false;
      for (uint64_t seed = 1; seed <= 10 && !caught; ++seed) {
        caught = Count(Simulate(seed, mode, c.faults, 60 * kS, c.bug),
                       c.invariant) > 0;
      }
      EXPECT_TRUE(caught);
    }
  }
}

// One row per gap of Effect's design that the README's table names
// (effect-semantics.md §14): the seed and plan show it in reference mode, and
// hardened mode, running the same seed and plan, keeps every invariant.
TEST(CounterTest, EachEffectGapShowsInReferenceModeOnlyOnItsSeed) {
  struct Gap {
    std::string name;
    uint64_t seed;
    std::string faults;
    std::string invariant;
  };
  const Gap gaps[] = {
      {"14.1 reply-save wedge", 1, "storage-errors=0.2", "liveness"},
      {"14.5 claim of a lost read", 2, "storage-drop=0.1", "liveness"},
      {"14.3c paused owner", 1, "pause@30s..36s=2", "single-activation"},
      {"14.3e/14.7 storage clock step", 1, "step@20s=4:+3s", "single-writer"},
  };
  for (const Gap& gap : gaps) {
    SCOPED_TRACE(gap.name);
    const RunResult reference =
        Simulate(gap.seed, Mode::kReference, gap.faults, 60 * kS);
    EXPECT_GE(Count(reference, gap.invariant), 1) << Violations(reference);
    const RunResult hardened =
        Simulate(gap.seed, Mode::kHardened, gap.faults, 60 * kS);
    EXPECT_EQ(hardened.violation_count, 0u) << Violations(hardened);
  }
}

// The core's mutants (core/mutants/mutant.h) each undo one hardened-mode fix:
// hardened sweeps catch each, with faults the unmutated system survives.
TEST(CounterTest, CoreMutantsAreCaughtInHardenedMode) {
  struct Case {
    std::string bug;
    std::string faults;
    std::string invariant;
    int min_caught;  // of seeds 1..10
  };
  const Case cases[] = {
      {"no-self-stop", "pause@40s..45s=2", "single-activation", 3},
      {"reply-wedge", "storage-errors=0.3", "liveness", 3},
      {"early-release", "storage-spike=0.2:100ms..1500ms", "single-activation",
       1},
      {"no-lock-check", "partition@20s..25s=1|4", "single-activation", 1},
      // Lock belief sees a runner act without its lease before any second
      // runner takes the shard.
      {"no-lock-check", "partition@20s..25s=1|4", "lock-belief", 6},
      // 2 of seeds 1..10 (5 of 1..20); 3 before hardened mode stopped
      // sending a request straight to an owner that left while the request
      // was saved (Runners::Notify), a path some catches went through.
      {"early-release", "storage-spike=0.2:100ms..1500ms", "lock-belief", 2},
      {"no-dedupe", "storage-spike=0.2:100ms..1500ms", "effectively-once", 3},
      {"late-stop", "pause@40s..45s=2", "single-activation", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bug);
    int caught = 0;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      EXPECT_EQ(
          Simulate(seed, Mode::kHardened, c.faults, 60 * kS).violation_count,
          0u)
          << "seed " << seed;
      caught += Count(Simulate(seed, Mode::kHardened, c.faults, 60 * kS, c.bug),
                      c.invariant) > 0;
    }
    EXPECT_GE(caught, c.min_caught);
  }
}

}  // namespace
}  // namespace clustersim::scenarios
