// Helpers for scenario tests: one run from options, or from a seed, mode and
// fault spec (or the scenario's own swarm draw, as `clustersim run --swarm`
// draws it), and readers for a run's counters and violations. Test-only;
// single-threaded.
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

namespace clustersim::scenarios::scenario_testing {

inline constexpr int64_t kS = 1'000'000;

// A 60 s run of `runners` runners (0: the scenario's default).
inline RunOptions Options(uint64_t seed, Mode mode, const std::string& bug = "",
                          int runners = 0) {
  RunOptions options;
  options.seed = seed;
  options.mode = mode;
  options.duration_us = 60 * kS;
  options.bug = bug;
  options.runners = runners;
  return options;
}

// As Options, with the plan `--swarm` draws for the scenario.
inline RunOptions SwarmOptions(const Scenario& scenario, uint64_t seed,
                               Mode mode, const std::string& bug = "") {
  RunOptions options = Options(seed, mode, bug, scenario.default_runners);
  options.faults =
      scenario.SwarmPlan(seed, options.runners, options.duration_us);
  return options;
}

inline RunResult Simulate(const Scenario& scenario, const RunOptions& options) {
  absl::StatusOr<RunResult> result = RunScenario(scenario, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : RunResult{};
}

// One run of the scenario's default runners; `faults` is a spec, or "swarm"
// for the scenario's swarm draw.
inline RunResult Simulate(const Scenario& scenario, uint64_t seed, Mode mode,
                          const std::string& faults,
                          int64_t duration_us = 60 * kS,
                          const std::string& bug = "") {
  RunOptions options = Options(seed, mode, bug, scenario.default_runners);
  options.duration_us = duration_us;
  if (faults == "swarm") {
    options.faults = scenario.SwarmPlan(seed, options.runners, duration_us);
  } else {
    absl::StatusOr<sim::FaultPlan> plan = sim::ParseFaultPlan(faults);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (plan.ok()) options.faults = *std::move(plan);
  }
  return Simulate(scenario, options);
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

inline int Count(const RunResult& r, const std::string& invariant) {
  int n = 0;
  for (const Violation& v : r.violations) n += v.invariant == invariant;
  return n;
}

}  // namespace clustersim::scenarios::scenario_testing

#endif  // CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_
