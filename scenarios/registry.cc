#include "scenarios/registry.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "scenarios/bank.h"
#include "scenarios/counter.h"
#include "scenarios/handoff.h"
#include "scenarios/lease.h"
#include "scenarios/mailbox.h"
#include "scenarios/pingpong.h"
#include "scenarios/rebalance.h"
#include "scenarios/singleton.h"
#include "scenarios/snowflake.h"

namespace clustersim::scenarios {
namespace {

std::vector<Scenario> Build() {
  std::vector<Scenario> all = {
      PingPongScenario(),  CounterScenario(),   BankScenario(),
      SnowflakeScenario(), RebalanceScenario(), MailboxScenario(),
      LeaseScenario(),     HandoffScenario(),   SingletonScenario(),
  };
  std::sort(all.begin(), all.end(), [](const Scenario& a, const Scenario& b) {
    return a.name < b.name;
  });
  return all;
}

}  // namespace

std::span<const Scenario> AllScenarios() {
  static const std::vector<Scenario>* const all =
      new std::vector<Scenario>(Build());
  return *all;
}

const Scenario* FindScenario(std::string_view name) {
  for (const Scenario& s : AllScenarios()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

absl::StatusOr<RunResult> RunScenario(const Scenario& scenario,
                                      RunOptions options) {
  if (options.runners == 0) options.runners = scenario.default_runners;
  if (options.runners < scenario.min_runners ||
      options.runners > scenario.max_runners) {
    return absl::InvalidArgumentError(
        scenario.name + " needs " + std::to_string(scenario.min_runners) +
        ".." + std::to_string(scenario.max_runners) + " runners, not " +
        std::to_string(options.runners));
  }
  if (!options.bug.empty() && !scenario.HasMutant(options.bug)) {
    std::string known;
    for (const Mutant& m : scenario.mutants) {
      known += (known.empty() ? "" : ", ") + m.name;
    }
    return absl::InvalidArgumentError(
        "unknown bug '" + options.bug + "' for " + scenario.name +
        " (known: " + (known.empty() ? "none" : known) + ")");
  }
  if (options.duration_us <= 0) {
    return absl::InvalidArgumentError("the duration must be positive");
  }
  return scenario.run(options);
}

}  // namespace clustersim::scenarios
