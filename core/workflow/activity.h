// Activities: the journaled steps of a workflow (Effect's Activity module).
//
// An activity's result is recorded by the engine per (execution, name,
// attempt), so a completed attempt never runs again on replay; an attempt
// that was cut short (interrupt-only) runs again. RunActivity is
// `yield* activity` inside a body; RetryActivity is Activity.retry({times})
// with one journal entry per attempt (CurrentAttempt = 1, 2, 3…, retried at
// once on a typed failure). ExecuteActivityBody is what an engine runs for
// one attempt: the body under the interrupt retry policy.
// Single-threaded.
#ifndef CLUSTERSIM_CORE_WORKFLOW_ACTIVITY_H_
#define CLUSTERSIM_CORE_WORKFLOW_ACTIVITY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/runtime/task.h"
#include "core/workflow/definitions.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

Task<Outcome<std::string>> RunActivity(WorkflowContext ctx,
                                       ActivityDefinition activity);

// Runs attempts 1..times+1 until one does not fail with a typed failure.
Task<Outcome<std::string>> RetryActivity(WorkflowContext ctx,
                                         ActivityDefinition activity,
                                         int32_t times);

// Activity.raceAll: the first activity to succeed wins, recorded durably
// under "raceAll/Activity/<name>" so a replay returns the same winner.
Task<Outcome<std::string>> RaceActivities(
    WorkflowContext ctx, std::string name,
    std::vector<ActivityDefinition> activities);

// Effect's Activity.idempotencyKey: a key for an external side effect of the
// step (a payment id, say) that is the same on every replay of this
// execution: "<execution id>[-<attempt>]-<name>", hashed as 4.1.0 does.
absl::StatusOr<std::string> IdempotencyKey(const WorkflowContext& ctx,
                                           std::string_view name,
                                           bool include_attempt = false);

// One attempt as an engine runs it: retried while it ends with an interrupt
// that is not a suspension (min(400 ms × 1.5ⁿ, 10 s), at most 10 times),
// then a defect "Activity "<name>" interrupted and retry attempts exhausted".
Task<Outcome<std::string>> ExecuteActivityBody(WorkflowContext ctx,
                                               ActivityDefinition activity);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_ACTIVITY_H_
