// WorkflowEngine: where executions run and what they remember (Effect's
// WorkflowEngine.Encoded). Two engines implement it: MemoryWorkflowEngine
// (Effect's layerMemory; memory_engine.h) and the cluster engine built on
// sharding. Workflow code (workflow.h, activity.h, durable_deferred.h,
// durable_clock.h) talks only to this interface, so the same body runs on
// either engine.
//
// Payloads, results and deferred exits cross it encoded. Single-threaded;
// the engine outlives every task it returns.
#ifndef CLUSTERSIM_CORE_WORKFLOW_ENGINE_H_
#define CLUSTERSIM_CORE_WORKFLOW_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/runtime/task.h"
#include "core/workflow/definitions.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

struct ExecuteRequest {
  std::string execution_id;
  std::string payload;
  bool discard = false;
  // The calling workflow's run, for a child execution.
  std::shared_ptr<WorkflowInstance> parent;
  bool detached = false;
};

// Addresses one deferred of one execution (what a token names).
struct DeferredAddress {
  std::string workflow_name;
  std::string execution_id;
  std::string deferred_name;
};

class WorkflowEngine {
 public:
  virtual ~WorkflowEngine() = default;

  // Makes `workflow` runnable here. A second registration of the same tag
  // keeps the first (Effect logs a warning) and returns AlreadyExists.
  virtual absl::Status Register(WorkflowDefinition workflow,
                                WorkflowBody body) = 0;
  // The registered definition of `tag`, or nullptr.
  virtual const WorkflowDefinition* Find(const std::string& tag) const = 0;

  // Starts the execution if it is new and, unless discarding, returns the
  // result of its current run: a Result, or the cause of a run that ended
  // with no result (an outside interrupt, an uncaptured defect).
  virtual Task<Outcome<Result>> ExecuteRun(const WorkflowDefinition& workflow,
                                           ExecuteRequest request) = 0;
  // The last run's result; nullopt while it runs or if unknown. A run that
  // ended with no result is a failure with its cause.
  virtual Task<Outcome<std::optional<Result>>> Poll(
      const WorkflowDefinition& workflow, std::string execution_id) = 0;
  // Interrupt at the next suspension; InterruptUnsafe interrupts the live run
  // at once and replays to record the interrupted result.
  virtual Task<void> Interrupt(const WorkflowDefinition& workflow,
                               std::string execution_id) = 0;
  virtual Task<void> InterruptUnsafe(const WorkflowDefinition& workflow,
                                     std::string execution_id) = 0;
  virtual Task<void> Resume(const WorkflowDefinition& workflow,
                            std::string execution_id) = 0;
  // Completes when the execution has a Complete result, if the engine can
  // tell (Effect's optional awaitComplete); engines that cannot never
  // complete it, and callers fall back to the suspended-retry schedule.
  virtual Task<void> AwaitComplete(const WorkflowDefinition& workflow,
                                   std::string execution_id) = 0;

  // Runs (or recalls) one attempt of an activity for the run in `ctx`; a
  // failure is an attempt that ended with no result, re-raised.
  virtual Task<Outcome<Result>> ActivityExecute(
      WorkflowContext ctx, const ActivityDefinition& activity,
      int32_t attempt) = 0;
  // The recorded exit of a deferred of the run's execution, if any.
  virtual Task<std::optional<Exit>> DeferredResult(WorkflowContext ctx,
                                                   std::string name) = 0;
  // Records a deferred's exit (first completion wins) and wakes the
  // execution. `caller` is the run making the call, if any. An error means
  // the completion was not sent (Effect dies in the caller; hardened mode
  // retries until it is sent, so it never fails there).
  virtual Task<absl::Status> DeferredDone(
      DeferredAddress address, Exit exit,
      std::shared_ptr<WorkflowInstance> caller) = 0;
  // Completes the deferred "DurableClock/<name>" after `duration_us`; the
  // wake-up is fixed by the first schedule of that name. An error means the
  // clock was not scheduled (the sleep then dies, as in Effect).
  virtual Task<absl::Status> ScheduleClock(WorkflowContext ctx,
                                           std::string name,
                                           int64_t duration_us) = 0;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_ENGINE_H_
