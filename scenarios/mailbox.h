// mailbox: back-pressure — full mailboxes, the resident-entity cap, and a
// volatile request resent while it is still being processed.
//
// Nodes: K runners (default 3) and a storage server (node K+1), set up as in
// counter (scenarios/cluster_setup.h), with small limits: a mailbox holds 3
// requests (entity_mailbox_capacity), a runner keeps at most 3 entities
// resident (max_resident_entities), and an entity idle for 2 s is reaped
// (the reaper runs every 5 s), so the cap frees up as load moves on.
//
// Workload, over 16 `Box` entities (16 shards): the load targets a hot set
// of 4 entities that moves on every 5 s, so the entities of the past set go
// idle and are reaped. Each runner runs
//   - two persisted clients (the ledger workload, ledger_workload.h: one
//     increment at a time each, resent under the same key), whose requests
//     a full mailbox or the cap sends back to storage until there is room;
//   - a volatile burster: every 1-3 s, one volatile increment to a hot
//     entity, then 6 more at once to it (twice its mailbox), then the first
//     one again under the same request id 5 ms later, while the first send
//     is still being processed (an entity works 10 ms per unit).
// A volatile attempt ends accepted (the send went through; its reply, if it
// comes within 2 s, is the Applied), refused with a typed error
// (MailboxFull, AlreadyProcessingMessage), or unknown (timed out, the runner
// went away). Volatile requests are never stored: the handler tells the
// oracle when it applied one.
//
// Invariants:
//   volatile-once         a volatile operation is applied at most once per
//                         attempt that was not refused, and an operation
//                         whose reply came was applied, as the reply says.
//                         (Per attempt, not once overall: a volatile request
//                         is never stored, so the resend under the same id
//                         runs again when its shard moved between the two
//                         sends; only the runner that has it active or
//                         recently processed refuses it.)
//   rejected-not-applied  an operation every attempt of which was refused
//                         with MailboxFull or AlreadyProcessingMessage was
//                         never applied;
// and the ledger workload's for persisted requests: single-activation,
// single-writer, exactly-once-reply, effectively-once, liveness (15 s),
// unique-ids and progress.
#ifndef CLUSTERSIM_SCENARIOS_MAILBOX_H_
#define CLUSTERSIM_SCENARIOS_MAILBOX_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario MailboxScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_MAILBOX_H_
