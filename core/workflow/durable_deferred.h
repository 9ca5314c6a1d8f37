// DurableDeferred: a value a workflow waits for that outlives its runs
// (Effect's DurableDeferred module). Await parks the run until the deferred
// is done; Done completes it from anywhere (first completion wins) and wakes
// the execution; Into records a step's exit as the deferred's; RaceAll races
// steps and records the winner, so a replay returns the winner without
// running the race again.
//
// Deferreds are named per execution. Tokens (workflow_ids.h) address one
// from outside the workflow. Reserved names: "DurableClock/<name>",
// "raceAll/<name>", "Workflow/InterruptSignal".
// Single-threaded.
#ifndef CLUSTERSIM_CORE_WORKFLOW_DURABLE_DEFERRED_H_
#define CLUSTERSIM_CORE_WORKFLOW_DURABLE_DEFERRED_H_

#include <string>
#include <vector>

#include "core/runtime/task.h"
#include "core/workflow/definitions.h"
#include "core/workflow/engine.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

// Returns the deferred's value (or fails with its failure), or suspends the
// run while it is not done.
Task<Outcome<std::string>> Await(WorkflowContext ctx, std::string name);

// Completes a deferred of any execution; a second completion is ignored.
// An error means the completion was not sent (WorkflowEngine::DeferredDone):
// the caller still holds it and may send it again.
Task<absl::Status> Done(WorkflowEngine& engine, DeferredAddress address,
                        Exit exit);

// Runs `effect` and records its exit (interrupt reasons removed; an
// interrupt-only exit records nothing) as the deferred `name`.
Task<Outcome<std::string>> Into(WorkflowContext ctx, std::string name,
                                ActivityBody effect);

// Races `effects` (Effect.raceAll) under "raceAll/<name>": a recorded winner
// is returned without running them; when every branch parks, the run
// suspends, and a completion of any awaited deferred replays it.
Task<Outcome<std::string>> RaceAll(WorkflowContext ctx, std::string name,
                                   std::vector<ActivityBody> effects);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_DURABLE_DEFERRED_H_
