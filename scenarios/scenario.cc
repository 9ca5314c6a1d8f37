#include "scenarios/scenario.h"

namespace clustersim::scenarios {

bool Scenario::HasMutant(std::string_view name) const {
  for (const Mutant& m : mutants) {
    if (m.name == name) return true;
  }
  return false;
}

}  // namespace clustersim::scenarios
