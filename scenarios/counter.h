// counter: the cluster's exactly-once scenario — persisted increments to
// sharded Counter entities, checked against every invariant of SPEC.md §4
// that a request/reply workload can show.
//
// Nodes: K runners (default 3; nodes 1..K, runner addresses r1:34431, ...)
// and one storage server (node K+1, "storage") holding MessageStorage and
// RunnerStorage; its state survives a crash of its node, as a database's
// would. Each runner also runs a client: it sends one persisted
// Increment{key, op, amount} at a time to one of 8 Counter entities (c0..c7,
// over 16 shards) with the primary key `op` ("n<node>.<incarnation>-<seq>",
// unique per attempt of an operation, shared by its resends), waits up to 5 s
// for the reply, and resends under the same key until it gets one. The
// RPC is uninterruptible for the client, so giving up on a wait never
// interrupts the handler. A Counter handles an increment in 4 ms per unit
// of amount and replies with what it applied and the value it left ({op,
// key, amount, value}; counter_entity.h); the value lives in the Counters'
// own database beside the cluster (counter_database.h), cached per
// activation. The stored WithExit replies are the counters' ledger. Clients
// stop starting operations 15 s before the end, so that every accepted one can
// finish.
//
// Timings (short, so a 60 s run sees failovers): shard lock expiration 3 s,
// refresh every 1 s, assignments every 500 ms, storage polled for messages
// every 500 ms and for replies every 200 ms, storage calls time out after
// 2 s (lock calls after 1 s), entities terminate within 1 s.
//
// Invariants, each checked online or at the end of the run:
//   single-activation   no Counter alive on two runners at once (trace:
//                       entity.start / entity.stop / node.crash)
//   single-writer       storage accepted no reply from a runner without the
//                       shard's lease (storage audit; reference mode allows
//                       it by design, hardened mode must not)
//   exactly-once-reply  one WithExit per saved request; no handler starts on
//                       a request after its WithExit was recorded; every
//                       client reply is the recorded one; at the end, every
//                       saved request has its WithExit
//   effectively-once    per counter, the stored replies add up to the
//                       operations storage accepted, each counted once
//   entity-state        every value a Counter writes, and every value a
//                       reply carries, is the one its history implies
//                       (stale state on a second owner shows here)
//   liveness            every saved request is answered within 15 s (plus
//                       the plan's whole-run storage spikes over 6 calls,
//                       SimHarness::liveness_slack_us) of the later of its
//                       save and the last fault's end
//   unique-ids          request and reply snowflakes are never reused
//   assignment-         after each membership change (the rolling
//   convergence         restart's leaves and rejoins, crashes) every shard
//                       is held by its ring owner alone within the bound the
//                       config implies (sim/checkers/assignment_convergence.h;
//                       judged after the last fault, on plans without
//                       whole-run loss, corruption or storage faults)
//   progress            at least one operation was answered (a run that
//                       completed nothing checked nothing); judged unless
//                       the storage node is down at the end
// Liveness and the all-replied check are judged only when the cluster can
// progress at the end: the storage node and a runner are up, and, in
// reference mode, the plan has no whole-run loss or corruption (those never
// heal, and Effect's calls are not retransmitted, so lock refreshes keep
// failing and shards keep moving; hardened mode's calls are, and it is
// judged on every plan). The all-replied check also needs every saved
// request to be due.
//
// Workload events (not faults): a rolling restart. Runners 1, 2 and 3 in
// turn (at 1/4, 5/16 and 3/8 of the run) shut down gracefully (Effect's
// shutdown: entities stop, shards are handed off), stay down 5 s while the
// others take their shards, then start again and get them back, so shards
// move even in a fault-free run.
//
// Mutants (--bug):
//   counter-redeliver-answered         the runners' storage reads also
//       return requests already answered (a read ignoring the processed
//       flag): handlers run again after their reply is recorded;
//   counter-acquire-takes-held-shards  a lock acquisition reports shards
//       another runner still holds as acquired: two runners own them until
//       the taker's next refresh;
//   counter-resend-new-key             the client resends a timed-out
//       increment under a new primary key: storage cannot deduplicate it.
#ifndef CLUSTERSIM_SCENARIOS_COUNTER_H_
#define CLUSTERSIM_SCENARIOS_COUNTER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario CounterScenario();

// What a scenario that reuses counter's workload changes in it (the
// defaults are counter's own).
struct CounterWorkload {
  // Runner 2's links to and from the storage node are slow from the start
  // of its rolling-restart shutdown until its node stops: a one-way latency
  // drawn per run (from the seed's "slow-storage" stream) between
  // kSlowStorageMinMs and kSlowStorageMaxMs, so that lock calls (1 s) and
  // storage calls (2 s) of the shutdown's unregister, handoff and releases
  // time out on some seeds and not on others (handoff.h).
  bool slow_storage_on_shutdown = false;
};
inline constexpr int64_t kSlowStorageMinMs = 250;
inline constexpr int64_t kSlowStorageMaxMs = 1'250;

// One run of counter's workload, oracle and checkers under `options`, for
// scenarios that reuse them with other fault plans (lease) or workload
// events (handoff).
absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options);
absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options,
                                             const CounterWorkload& workload);

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_COUNTER_H_
