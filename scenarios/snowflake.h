// snowflake: the unique-ids scenario — bursts of snowflakes far past 4096 per
// millisecond on one node, backward clock steps, and runner restarts (new
// incarnations whose clocks are behind the ids their past incarnation gave).
//
// Nodes: K runners (default 3; r1:34431, ...) and a storage server (node
// K+1), set up as in counter (scenarios/cluster_setup.h). Each runner runs
// the ledger workload (scenarios/ledger_workload.h: persisted increments to
// 8 `Stamp` entities over 16 shards, one at a time, resent under the same
// key) and a burster: every 2-6 s of its clock it draws 1,000-10,000 ids in
// one virtual instant from the runner's own generator (Sharding's, the one
// requests, replies, acks and interrupts take their ids from) and then sends
// 4 increments at once, whose request ids come from the milliseconds the
// burst borrowed ahead of the clock.
//
// Workload events (not faults; every run has them): three times (at 2/8, 3/8
// and 4/8 of the run) a runner's wall clock steps back 0.5-3 s, and 200 ms
// later that runner crashes and restarts 300 ms after: its new incarnation's
// clock reads milliseconds its past incarnation already stamped.
//
// Invariants:
//   unique-ids     every snowflake generated in the cluster and seen (burst
//                  draws, and request and reply ids storage accepted) is
//                  used once, and storage never refuses an id as a
//                  duplicate key (in Effect that refusal wedges the request,
//                  effect-semantics.md §14.1), except a reply re-saved under
//                  its own id (counted as `reply_resaves_refused`);
//   id-monotonic   (hardened mode) the ids one generator hands out strictly
//                  increase, across clock steps and machine-id changes
//                  (effect-semantics.md §14.2, snowflake_generator.h's strict
//                  mode); judged on each incarnation's burst draws, which
//                  the oracle sees in generation order. Effect 4.1.0 gives
//                  this only for a fixed machine id, so reference mode counts
//                  decreases (stat `id_decreases`) without judging them;
// and the ledger workload's (ledger_workload.h): single-activation,
// single-writer, exactly-once-reply, effectively-once, liveness, progress.
//
// Mutant: the core's `snowflake-wrap` (Effect 4.0's generator) is caught by
// unique-ids: a burst past 8,192 ids wraps in the borrowed millisecond.
#ifndef CLUSTERSIM_SCENARIOS_SNOWFLAKE_H_
#define CLUSTERSIM_SCENARIOS_SNOWFLAKE_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario SnowflakeScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_SNOWFLAKE_H_
