// handoff: counter's workload (persisted increments to sharded Counter
// entities, runners 1-3 restarting in turn, scenarios/counter.h) with slow
// runner-storage calls overlapping a graceful shutdown: from the moment
// runner 2 begins its rolling-restart shutdown until its node stops, its
// links to and from the storage node take 250-1250 ms one way (drawn per
// seed), so the shutdown's unregister, shard handoff and lock releases are
// slow or time out while the other runners keep sending to its shards.
//
// It runs counter's oracle and checkers unchanged; reply delivery is the one
// this workload aims at (the callers of the departing runner's shards must
// still get their replies within the reply-poll bound). Its own scenario, so
// that counter's runs stay as they were.
//
// Stateless.
#ifndef CLUSTERSIM_SCENARIOS_HANDOFF_H_
#define CLUSTERSIM_SCENARIOS_HANDOFF_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario HandoffScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_HANDOFF_H_
