// Helpers for scenario tests: a run's counters and violations, and run
// options with a swarm plan drawn as `clustersim run --swarm` draws it.
// Test-only; single-threaded.
#ifndef CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_
#define CLUSTERSIM_SCENARIOS_SCENARIO_TESTING_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"
#include "sim/prng.h"

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

// As Options, with the plan `--swarm` draws for the scenario's node count.
inline RunOptions SwarmOptions(const Scenario& scenario, uint64_t seed,
                               Mode mode, const std::string& bug = "") {
  RunOptions options = Options(seed, mode, bug, scenario.default_runners);
  sim::Prng rng = sim::Prng::ForStream(seed, "swarm");
  options.faults = sim::SwarmFaultPlan(
      rng, static_cast<size_t>(scenario.default_runners + scenario.extra_nodes),
      options.duration_us, scenario.has_storage);
  return options;
}

inline RunResult Simulate(const Scenario& scenario, const RunOptions& options) {
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
