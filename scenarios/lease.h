// lease: counter's workload (persisted increments to sharded Counter
// entities, scenarios/counter.h) under faults aimed at the shard leases:
// process pauses and wall-clock steps whose sizes straddle the lock bounds of
// the runners' configuration (refresh interval, hardened mode's self-stop
// horizon, lock expiration), on runners and on the storage node that judges
// the leases.
//
// It runs counter's oracle and checkers unchanged (single-activation, lock
// belief, single-writer, exactly-once-reply, reply delivery,
// effectively-once, entity state, liveness, unique ids, assignment
// convergence, progress); what differs is the --swarm plan
// (LeaseSwarmFaultPlan): on top of the general swarm draw it adds 1-3 pauses
// and 1-2 clock steps, each sized as one of the bounds plus or minus up to 250
// ms, so that some land just short of a bound and some just past it. Reference
// mode shows Effect's §14.3 (a runner paused past its lease runs its entities
// on) and §14.7 (storage judges leases on a clock that steps) gaps; hardened
// mode must hold every invariant.
//
// Stateless; the functions are pure in their arguments.
#ifndef CLUSTERSIM_SCENARIOS_LEASE_H_
#define CLUSTERSIM_SCENARIOS_LEASE_H_

#include <cstddef>
#include <cstdint>

#include "core/runtime/random.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"

namespace clustersim::scenarios {

Scenario LeaseScenario();

// The swarm draw of `lease`: sim::SwarmFaultPlan, then lease-sized pauses and
// steps (see above). The last node is the storage node when `has_storage`.
sim::FaultPlan LeaseSwarmFaultPlan(Random& rng, size_t node_count,
                                   int64_t duration_us, bool has_storage);

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_LEASE_H_
