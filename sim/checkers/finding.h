// Finding: one violation of an invariant, as a checker reports it — the
// invariant's name (SPEC.md §4: "single-activation", "exactly-once-reply",
// ...), the virtual time it was detected, and what happened. Checkers hand
// findings to a FindingSink (a scenario turns them into its violations).
// Value type; sinks are called on the simulation's thread.
#ifndef CLUSTERSIM_SIM_CHECKERS_FINDING_H_
#define CLUSTERSIM_SIM_CHECKERS_FINDING_H_

#include <cstdint>
#include <functional>
#include <string>

namespace clustersim::sim::checkers {

struct Finding {
  std::string invariant;
  int64_t time_us = 0;
  std::string message;

  friend bool operator==(const Finding&, const Finding&) = default;
};

using FindingSink = std::function<void(Finding finding)>;

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_FINDING_H_
