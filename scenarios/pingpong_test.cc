#include "scenarios/pingpong.h"

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"

namespace clustersim::scenarios {
namespace {

constexpr int64_t kS = 1'000'000;

RunResult RunPing(uint64_t seed, const std::string& faults, int64_t duration_us,
                  const std::string& bug = "", int runners = 0) {
  RunOptions options;
  options.seed = seed;
  options.faults = *sim::ParseFaultPlan(faults);
  options.duration_us = duration_us;
  options.bug = bug;
  options.runners = runners;
  absl::StatusOr<RunResult> result = RunScenario(PingPongScenario(), options);
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

std::string Violations(const RunResult& r) {
  std::string out;
  for (const Violation& v : r.violations) {
    out += v.invariant + " @" + std::to_string(v.time_us) + ": " + v.message +
           "\n";
  }
  return out;
}

TEST(PingPongTest, HealthyNetworkHoldsEveryInvariant) {
  RunResult r = RunPing(1, "none", 10 * kS);
  EXPECT_EQ(r.violation_count, 0u) << Violations(r);
  EXPECT_EQ(r.virtual_time_us, 10 * kS);
  EXPECT_GT(Stat(r, "pings_sent"), 1000);
  EXPECT_EQ(Stat(r, "pongs_accepted"), Stat(r, "pings_sent"));
  EXPECT_EQ(Stat(r, "pings_delivered"), Stat(r, "pings_sent"));
  EXPECT_EQ(r.node_names, (std::vector<std::string>{"n1", "n2", "n3"}));
}

TEST(PingPongTest, HoldsUnderHeavyFaultsAndCountsCorruptFrames) {
  RunResult r =
      RunPing(2,
              "loss=0.1,dup=0.1,reorder=0.2,corrupt=0.05,delay=1ms..30ms,"
              "partition@2s..4s=1|2,3,clog@5s..6s=2,crash@3s=3,restart@5s=3,"
              "pause@6s..8s=1,skew=2:+1s,drift=3:+5000ppm,step@7s=2:-3s",
              15 * kS);
  EXPECT_EQ(r.violation_count, 0u) << Violations(r);
  EXPECT_GT(Stat(r, "malformed_rejected"), 0);
  EXPECT_EQ(Stat(r, "malformed_rejected"), Stat(r, "net.corrupted"));
  EXPECT_GT(Stat(r, "duplicates_suppressed"), 0);
  EXPECT_GT(Stat(r, "stale_pongs"), 0);
}

TEST(PingPongTest, RunExtendsPastTheLastFaultToJudgeLiveness) {
  RunResult r = RunPing(3, "isolate@1s..9s=1", 5 * kS);
  EXPECT_EQ(r.violation_count, 0u) << Violations(r);
  EXPECT_EQ(r.virtual_time_us, 14 * kS);
}

TEST(PingPongTest, LivenessCatchesARunnerThatIsNeverAnswered) {
  // Every reply takes 1 s, ten times the ping timeout: nothing is accepted.
  RunResult r = RunPing(4, "delay=1s", 5 * kS);
  ASSERT_EQ(r.violation_count, 3u) << Violations(r);
  EXPECT_EQ(r.violations[0].invariant, "liveness");
  EXPECT_EQ(r.violations[0].message,
            "n1.1 got no reply from 0s (after the last fault) to the end");
  EXPECT_EQ(r.violations[0].time_us, 5 * kS);
}

TEST(PingPongTest, NoLivenessClaimWithoutAPeerUp) {
  RunResult r = RunPing(5, "crash@1s=2", 5 * kS, "", 2);
  EXPECT_EQ(r.violation_count, 0u) << Violations(r);
}

TEST(PingPongTest, StorageFaultsAreBadInputWithoutStorage) {
  RunOptions options;
  options.seed = 1;
  options.faults = *sim::ParseFaultPlan("storage-errors=0.1");
  absl::StatusOr<RunResult> result = RunScenario(PingPongScenario(), options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(result.status().message()).find("no storage"),
            std::string::npos)
      << result.status();
}

TEST(PingPongTest, NoDedupMutantIsCaught) {
  RunResult r = RunPing(6, "dup=0.2", 5 * kS, "pingpong-no-dedup");
  ASSERT_GT(r.violation_count, 0u);
  EXPECT_EQ(r.violations[0].invariant, "at-most-once-delivery");
  EXPECT_EQ(Stat(r, "duplicates_suppressed"), 0);
}

TEST(PingPongTest, SameSeedSameTraceDifferentSeedDifferentTrace) {
  const std::string faults = "loss=0.05,dup=0.05,crash@1s=2,restart@2s=2";
  RunResult a = RunPing(7, faults, 3 * kS);
  RunResult b = RunPing(7, faults, 3 * kS);
  RunResult c = RunPing(8, faults, 3 * kS);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events, b.events);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

TEST(PingPongTest, KeptTraceHasTheSameHash) {
  RunOptions options;
  options.seed = 9;
  options.duration_us = kS;
  RunResult bare = *RunScenario(PingPongScenario(), options);
  options.keep_trace_events = true;
  RunResult kept = *RunScenario(PingPongScenario(), options);
  EXPECT_EQ(bare.trace_hash, kept.trace_hash);
  EXPECT_TRUE(bare.trace.empty());
  EXPECT_EQ(kept.trace.size(), kept.events);
}

TEST(PingPongTest, StopsAtATraceEventCount) {
  RunOptions options;
  options.seed = 9;
  options.duration_us = 10 * kS;
  options.max_trace_events = 500;
  options.keep_trace_events = true;
  RunResult r = *RunScenario(PingPongScenario(), options);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_GE(r.events, 500u);
  EXPECT_LT(r.events, 520u);
  EXPECT_LT(r.virtual_time_us, 10 * kS);
}

}  // namespace
}  // namespace clustersim::scenarios
