// singleton: cluster singletons and ClusterCron failover under runner
// crashes, restarts, pauses and partitions.
//
// Nodes: K runners (default 3; nodes 1..K, runner addresses r1:34431, ...)
// and one storage server (node K+1, "storage"), as in counter. Each runner
// registers, over 16 shards of the group "default":
//   - the singleton "leader", which steps every 250 ms (each step reported
//     to the oracle, as an entity step is traced, so a paused singleton that
//     runs on after its shard moved is seen);
//   - the ClusterCron "tick" (core/sharding/cluster_cron.h) on the schedule
//     "*/3 * * * * *" (every third second, 20 ticks a minute) with
//     calculate_next_run_from_previous, so every run goes through the one
//     entity ClusterCron/tick/executor and ticks missed while nobody ran are
//     caught up in order (without it Effect skips them by design: the next
//     run is next(now), so "every tick fires" could not hold);
//   - the entity type Ledger: the cron job sends a persisted Record{tick}
//     to Ledger/ledger with the tick's ISO time as primary key, waits up to
//     5 s for the reply and resends under the same key until answered. The
//     stored replies are the durable record of the job's effects.
//
// Workload event (not a fault): a crash right after a run. When the job of
// the 2nd, 6th and 10th tick to complete returns, the oracle crashes that
// runner 0-400 us later (half the time; before the save of the next run can
// be acknowledged) or 0-1 s later (the other half; during the save's
// retries if it failed), and starts it again 4 s later. This is the window
// between a run and the persistence of its successor (cluster_cron.cc: the
// handler executes the job, then Schedule()s the next run, and only then
// replies); a tick lost there would show as a missing tick.
//
// Invariants:
//   singleton-single-instance  no singleton runs on two runners at once:
//       intervals from singleton.start / singleton.stop, a crashed runner's
//       ending at its crash and a paused one's judged as the
//       single-activation checker judges entities (sim/checkers/
//       single_activation.h): it must stop at its resume instant, before
//       any step, if another runner started it meanwhile;
//   single-activation  no entity (the cron's executor, the ledger) alive on
//       two runners at once;
//   single-writer      storage accepted no reply from a runner without the
//       shard's lease (hardened mode);
//   exactly-once-reply one WithExit per saved request, no handler start
//       after it, every job given the recorded reply;
//   cron-exactly-once  each tick's Record takes effect at most once, and no
//       tick is lost: from the first tick that fired, a tick that has not
//       taken effect once a later one did (or once it is due, below) must
//       have a run pending, or a pending run before it whose chain reaches it
//       (a singleton that finds the chain behind starts a second one beside
//       it); judged when the cluster can progress, as counter judges
//       liveness;
//   liveness           (bounds: 15 s, plus the plan's whole-run storage
//       spikes over 6 calls, SimHarness::liveness_slack_us) every saved
//       request is answered within 15 s of the
//       later of its save and the last fault's end; each tick takes effect
//       within 15 s of the latest of its time, the last fault's end and the
//       previous tick's effect (runs are serialized, so after an outage the
//       chain catches up one run at a time); every singleton ran, and
//       "leader" stepped, within the last 10 s of the run (not necessarily
//       at its last instant: whole-run loss and storage errors never heal,
//       so a shard may be between owners then);
//   assignment-convergence  after each membership change (the crashes
//       after runs and their restarts) every shard is held by its ring owner
//       alone within the bound the config implies, judged as counter judges
//       it (sim/checkers/assignment_convergence.h);
//   progress           at least one tick fired (judged when storage and a
//       runner are up at the end).
// Counters also show the job's executions: a run cut short by a crash after
// its job ran is delivered again and runs the job again (Effect's execution
// is at least once); the Record's primary key makes the effect once.
#ifndef CLUSTERSIM_SCENARIOS_SINGLETON_H_
#define CLUSTERSIM_SCENARIOS_SINGLETON_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario SingletonScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_SINGLETON_H_
