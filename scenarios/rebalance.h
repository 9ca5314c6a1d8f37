// rebalance: runners keep joining and leaving under load, and shards must
// follow the hash ring.
//
// Nodes: K runner nodes (default 8) and a storage server (node K+1), set up
// as in counter (scenarios/cluster_setup.h). At most K/2+1 runners are up at
// once and at least 2 (as far as the workload decides; faults may take more
// down): the first max(2, K/2) start, the others start later, the first time
// under an address the cluster has never seen. The addresses are chosen so
// that runners share virtual-node hashes: rb27:34431's vnode 13 and
// rb1176:34431's vnode 71 hash alike, and so do three more pairs (rb23 and
// rb1576, rb65 and rb1776, rb34 and rb2076), so which of a tied pair is
// nearer a shard depends only on the ring's tie-break, not on the order the
// runners joined in (which the churn draws per seed).
//
// Workload: the ledger workload (scenarios/ledger_workload.h: persisted
// increments to 12 `Ledger` entities over 32 shards, one at a time per
// runner, resent under the same key) and churn: every 2-5 s, until the
// bound below plus 2 s before the end, a join (a down runner starts; half
// the time a never-started one if any), a graceful leave (Effect's shutdown,
// then the node stops), or a crash.
//
// Invariants: assignment-convergence
// (sim/checkers/assignment_convergence.h: after each membership change,
// every shard is held by its ring owner alone within E + R + C + T + P + 2L
// + 1 s = 10.5 s with these timings; judged for changes after the last
// timed fault on plans without whole-run loss, corruption or storage
// faults), and the ledger workload's single-activation, single-writer,
// exactly-once-reply, effectively-once, liveness, unique-ids and progress.
#ifndef CLUSTERSIM_SCENARIOS_REBALANCE_H_
#define CLUSTERSIM_SCENARIOS_REBALANCE_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario RebalanceScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_REBALANCE_H_
