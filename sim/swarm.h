// Swarm mode (after FoundationDB's "swarm testing"): a fault plan drawn
// from a seed, so that each seed of a sweep turns on a different mix of
// faults at different strengths. A pure function of the random stream.
#ifndef CLUSTERSIM_SIM_SWARM_H_
#define CLUSTERSIM_SIM_SWARM_H_

#include <cstddef>
#include <cstdint>

#include "core/runtime/random.h"
#include "sim/faults.h"

namespace clustersim::sim {

// Swarm mode: draws which faults are on and how hard from `rng`, for a run
// of `node_count` nodes lasting `duration_us`; storage faults only if
// `has_storage`. Every timed fault ends by 80% of the duration, leaving the
// rest for the system to recover.
FaultPlan SwarmFaultPlan(Random& rng, size_t node_count, int64_t duration_us,
                         bool has_storage = false);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_SWARM_H_
