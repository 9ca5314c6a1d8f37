// What a workflow or an activity is, as the engine sees it: Effect's
// Workflow.make and Activity.make options, with payloads and results as
// encoded bytes (typed_workflow.h adds codecs on top).
//
// A body is plain sequential C++: a coroutine that takes the WorkflowContext
// and returns Outcome<bytes>, awaiting steps with WF_TRY. Never a coroutine
// lambda with captures (see core/runtime/task.h): bind state as parameters.
// Immutable values; thread-compatible.
#ifndef CLUSTERSIM_CORE_WORKFLOW_DEFINITIONS_H_
#define CLUSTERSIM_CORE_WORKFLOW_DEFINITIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/runtime/task.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

struct WorkflowContext;

// An exponential retry schedule capped per step: step n (from 0) waits
// min(base_ms × factor^n, cap_ms); `max_steps` bounds the steps (nullopt:
// unbounded). Effect's Schedule.min([exponential(base, factor),
// spaced(cap)]), with `while attempt <= max_steps` when bounded.
struct RetrySchedule {
  int64_t base_ms = 200;
  double factor = 1.5;
  int64_t cap_ms = 30'000;
  std::optional<int32_t> max_steps;

  // The delay before retry `step` (0-based), or nullopt once exhausted.
  std::optional<int64_t> DelayMs(int32_t step) const;
};

// Effect's default suspendedRetrySchedule: min(200 ms × 1.5ⁿ, 30 s), forever.
inline constexpr RetrySchedule kDefaultSuspendedRetry{200, 1.5, 30'000, {}};
// Effect's Activity interrupt retry policy: min(400 ms × 1.5ⁿ, 10 s) while
// attempt ≤ 10.
inline constexpr RetrySchedule kDefaultInterruptRetry{400, 1.5, 10'000, 10};

using WorkflowBody = std::function<Task<Outcome<std::string>>(
    WorkflowContext ctx, std::string payload)>;

struct WorkflowDefinition {
  // Effect's _tag; execution ids hash it (workflow_ids.h).
  std::string tag;
  // Annotations (Effect's Workflow.CaptureDefects, SuspendOnFailure,
  // ClusterSchema.ShardGroup).
  bool capture_defects = true;
  bool suspend_on_failure = false;
  std::string shard_group = "default";
  RetrySchedule suspended_retry = kDefaultSuspendedRetry;
};

using ActivityBody = std::function<Task<Outcome<std::string>>(WorkflowContext)>;

struct ActivityDefinition {
  // Journal key: one result per (execution, name, attempt).
  std::string name;
  ActivityBody execute;
  RetrySchedule interrupt_retry = kDefaultInterruptRetry;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_DEFINITIONS_H_
