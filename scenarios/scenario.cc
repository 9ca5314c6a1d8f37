#include "scenarios/scenario.h"

#include <string>
#include <utility>
#include <vector>

#include "core/mutants/mutant.h"

namespace clustersim::scenarios {

bool Scenario::HasMutant(std::string_view name) const {
  for (const Mutant& m : mutants) {
    if (m.name == name) return true;
  }
  return false;
}

std::vector<Mutant> WithCoreMutants(std::vector<Mutant> own) {
  for (const MutantInfo& info : CoreMutants()) {
    own.push_back(
        Mutant{std::string(info.name), std::string(info.description)});
  }
  return own;
}

}  // namespace clustersim::scenarios
