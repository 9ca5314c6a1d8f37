#include "scenarios/scenario.h"

#include <string>
#include <utility>
#include <vector>

#include "core/base/check.h"
#include "core/mutants/mutant.h"
#include "sim/prng.h"
#include "sim/swarm.h"

namespace clustersim::scenarios {

int64_t PauseAtLoadMs(int64_t pause_ms, int load_percent) {
  CHECK(load_percent >= 1 && load_percent <= kFullLoadPercent);
  return pause_ms * kFullLoadPercent / load_percent;
}

bool Scenario::HasMutant(std::string_view name) const {
  for (const Mutant& m : mutants) {
    if (m.name == name) return true;
  }
  return false;
}

sim::FaultPlan Scenario::SwarmPlan(uint64_t seed, int runners,
                                   int64_t duration_us) const {
  sim::Prng rng = sim::Prng::ForStream(seed, "swarm");
  const size_t nodes = static_cast<size_t>(runners + extra_nodes);
  return (swarm != nullptr ? swarm : &sim::SwarmFaultPlan)(
      rng, nodes, duration_us, has_storage);
}

std::vector<Mutant> WithCoreMutants(std::vector<Mutant> own) {
  for (const MutantInfo& info : CoreMutants()) {
    own.push_back(
        Mutant{std::string(info.name), std::string(info.description)});
  }
  return own;
}

}  // namespace clustersim::scenarios
