#include "scenarios/scenario.h"

namespace clustersim::scenarios {

std::string_view ModeName(Mode mode) {
  return mode == Mode::kFenced ? "fenced" : "reference";
}

std::optional<Mode> ParseMode(std::string_view name) {
  if (name == "reference") return Mode::kReference;
  if (name == "fenced") return Mode::kFenced;
  return std::nullopt;
}

bool Scenario::HasMutant(std::string_view name) const {
  for (const Mutant& m : mutants) {
    if (m.name == name) return true;
  }
  return false;
}

}  // namespace clustersim::scenarios
