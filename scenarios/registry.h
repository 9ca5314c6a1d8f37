// The registry of scenarios, by name. Adding a scenario is one line in
// registry.cc. RunScenario is the one entry point tools use: it checks the
// options against the scenario (runner count, mutant name), fills in the
// defaults, and runs it. Immutable after first use; thread-compatible.
#ifndef CLUSTERSIM_SCENARIOS_REGISTRY_H_
#define CLUSTERSIM_SCENARIOS_REGISTRY_H_

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "scenarios/scenario.h"

namespace clustersim::scenarios {

// Every scenario, sorted by name.
std::span<const Scenario> AllScenarios();

// The scenario called `name`, or nullptr.
const Scenario* FindScenario(std::string_view name);

// InvalidArgument (bad input) for a runner count out of the scenario's
// range, an unknown mutant, a non-positive duration, or a fault plan that
// names a node the run does not have.
absl::StatusOr<RunResult> RunScenario(const Scenario& scenario,
                                      RunOptions options);

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_REGISTRY_H_
