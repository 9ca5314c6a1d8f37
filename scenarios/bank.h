// bank: durable workflows under faults — transfers between sharded Account
// entities, each transfer a workflow (scenarios/bank_transfer.h).
//
// Nodes: K runners (default 3; nodes 1..K, runner addresses r1:34531, ...)
// and one storage server (node K+1) whose state survives its crashes. Each
// runner hosts `Account` entities (a0..a5 over 16 shards) with persisted
// RPCs Debit, Credit and Refund, each with the primary key
// "<transfer key>/<step>" so that a step asked twice is stored and applied
// once; the stored replies are the accounts' ledger. One account, drawn
// from the seed, is closed: it refuses credits. Each runner also runs the
// cluster workflow engine (workflow::WorkflowRunner) with the Transfer
// workflow, and a
// client that starts transfers one at a time: idempotency key
// "n<node>-<seq>", execution id from MakeExecutionId; 30% need an approval
// the client gives (or, 30% of those, refuses) 0.5-3 s after the start
// through DurableDeferred Done; 20% of starts are resent at once. A
// client's transfers live in its own book, outside the node (a client's
// database): after its node restarts, the client re-drives every transfer of
// its book not seen finished, with the same key, start and approval. Clients
// stop starting transfers 25 s before the end.
//
// Invariants:
//   single-activation  no Account or workflow entity alive on two runners
//   workflow           (sim/checkers/workflow_checker.h) one runner per
//                      execution at a time, one completion exit, journaled
//                      activity exits never change
//   liveness           every started transfer's execution completes within
//                      25 s of the later of its start and the last fault's
//                      end, judged when storage and a runner are up at the
//                      end (as counter judges it)
//   effectively-once   the ledger (stored Debit/Credit/Refund replies) holds,
//                      per transfer, exactly the model's effects: a debit of
//                      `from`, then a credit of `to` if `to` is open and the
//                      approval (if any) was given, else a refund of `from`;
//                      each once. Transfers not finished are judged on the
//                      steps recorded so far (each once, the right one)
//   compensation       a transfer that failed ran its compensation (at
//                      least once: it is at-least-once), one that succeeded
//                      ran none
//   conservation       the total balance equals the initial total less what
//                      unfinished transfers have debited and not yet
//                      credited or refunded
//
// Mutants (--bug):
//   bank-step-new-key     account steps use a new primary key per call, so
//                         a step asked again (a replay, a re-drive) applies
//                         twice;
//   bank-no-compensation  the debit registers no refund.
#ifndef CLUSTERSIM_SCENARIOS_BANK_H_
#define CLUSTERSIM_SCENARIOS_BANK_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario BankScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_BANK_H_
