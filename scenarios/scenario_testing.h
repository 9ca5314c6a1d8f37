// Test helpers for scenario tests: one run from a seed, mode and fault spec
// (or the scenario's swarm draw), and readers for its counters and
// violations. Test-only; single-threaded.
#ifndef CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_
#define CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"

namespace clustersim::scenarios::testing {

inline constexpr int64_t kSecondUs = 1'000'000;

// One run; `faults` is a spec, or "swarm" for the scenario's swarm draw.
inline RunResult Simulate(const Scenario& scenario, uint64_t seed, Mode mode,
                          const std::string& faults,
                          int64_t duration_us = 60 * kSecondUs,
                          const std::string& bug = "") {
  RunOptions options;
  options.seed = seed;
  options.mode = mode;
  options.duration_us = duration_us;
  options.bug = bug;
  options.runners = scenario.default_runners;
  if (faults == "swarm") {
    options.faults = scenario.SwarmPlan(seed, options.runners, duration_us);
  } else {
    absl::StatusOr<sim::FaultPlan> plan = sim::ParseFaultPlan(faults);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (plan.ok()) options.faults = *std::move(plan);
  }
  absl::StatusOr<RunResult> result = RunScenario(scenario, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : RunResult{};
}

inline int64_t Stat(const RunResult& r, const std::string& name) {
  for (const auto& [key, value] : r.stats) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no stat " << name;
  return -1;
}

inline std::set<std::string> Invariants(const RunResult& r) {
  std::set<std::string> out;
  for (const Violation& v : r.violations) out.insert(v.invariant);
  return out;
}

inline std::string Violations(const RunResult& r) {
  std::string out;
  for (const Violation& v : r.violations) {
    out += v.invariant + " @" + std::to_string(v.time_us) + ": " + v.message +
           "\n";
  }
  return out;
}

}  // namespace clustersim::scenarios::testing

#endif  // CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_
