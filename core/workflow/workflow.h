// The workflow run machinery shared by every engine (Effect's Workflow
// module): IntoResult turns one run of a body into a Result, the activity
// bookkeeping makes a suspension wait for in-flight steps, and Execute is
// Workflow.execute (start or join an execution, wait for its result, replay
// on the suspended-retry schedule).
//
// Suspension: a step that must park calls Suspend(instance), which sets
// `suspended` and returns an interrupt-only Cause for the body to return
// (WF_TRY does). IntoResult maps "suspended and interrupt-only" to
// Suspended. An engine preempts a live run (a deferred it awaits completed,
// an unsafe interrupt, shutdown) through the run's RunControl, which cancels
// the body's fiber; IntoResult sees that as an interrupt, as Effect does.
//
// Single-threaded; everything here runs on the engine's executor.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/runtime/scope.h"
#include "core/runtime/task.h"
#include "core/workflow/engine.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

// Interrupts the body of one live run.
class RunControl {
 public:
  // Cancels the body now, or as soon as it starts. Idempotent; a no-op once
  // the body has ended.
  void Interrupt(InterruptKind kind = InterruptKind::kPlain);
  bool body_ended() const { return ended_; }

 private:
  friend class RunAttachment;
  Scope* scope_ = nullptr;
  FiberId body_;
  std::optional<InterruptKind> requested_;
  bool ended_ = false;
};

// Sees the body's outcome before it is mapped (Effect's onExit around the
// body); returning true deposits an interrupt on it (an engine's pending
// interrupt, which takes effect once the run would suspend).
using BodyExitHook = std::function<Task<bool>(
    std::shared_ptr<WorkflowInstance> instance, Outcome<std::string> out)>;

// Effect's Workflow.intoResult: runs `body` on `ctx` in a child fiber, maps
// its outcome to a Result (or, for an outside interrupt or an uncaptured
// defect, to the failure the caller re-raises), and closes the instance's
// FinalizerScope unless the run suspended.
Task<Outcome<Result>> IntoResult(WorkflowContext ctx, ActivityBody body,
                                 std::shared_ptr<RunControl> control = nullptr,
                                 BodyExitHook hook = nullptr);

// A run's body with its payload bound, as IntoResult runs it. The callable
// outlives the body's frame (IntoResult keeps it until the body ends).
ActivityBody BindPayload(WorkflowBody body, std::string payload);

// Effect's Workflow.suspend: marks the instance suspended; the body returns
// the interrupt this yields.
Cause Suspend(WorkflowInstance& instance);

// Workflow.addFinalizer: runs `finalizer` with the execution's final exit
// when the run's scope closes, unless the run was abandoned by its runner.
void AddFinalizer(const WorkflowContext& ctx,
                  std::function<Task<void>(Exit exit)> finalizer);

// Effect.addFinalizer inside a body: runs when this run's body ends (every
// run, a suspended one too), after the run's suspension has been decided.
void AddScopeFinalizer(const WorkflowContext& ctx,
                       std::function<Task<void>(Exit exit)> finalizer);

// Workflow.withCompensation: once `step` succeeds, registers `compensation`
// (given the step's value and the failure) to run if the execution fails or
// is interrupted; never on success, never on a suspension.
using Compensation =
    std::function<Task<void>(std::string value, Cause failure)>;
Task<Outcome<std::string>> WithCompensation(WorkflowContext ctx,
                                            Task<Outcome<std::string>> step,
                                            Compensation compensation);

struct ExecuteOptions {
  // Start the execution and return its id without waiting.
  bool discard = false;
  // With discard: not tied to the calling workflow (no parent resume, no
  // interrupt propagation).
  bool detached = false;
};

// Workflow.execute with the execution id already derived (typed_workflow.h
// derives it). `parent` is the calling run, or null at top level. Returns
// the success bytes, or (discard) the execution id.
Task<Outcome<std::string>> Execute(WorkflowEngine& engine,
                                   std::shared_ptr<WorkflowInstance> parent,
                                   const WorkflowDefinition& workflow,
                                   std::string execution_id,
                                   std::string payload,
                                   ExecuteOptions options = {});

namespace internal {

// One step in flight on an instance, released on destruction (a cancelled
// step releases too).
class ActivityRegistration {
 public:
  explicit ActivityRegistration(std::shared_ptr<ActivityState> state);
  ~ActivityRegistration() { Release(); }
  ActivityRegistration(const ActivityRegistration&) = delete;
  ActivityRegistration& operator=(const ActivityRegistration&) = delete;
  void Release();

 private:
  std::shared_ptr<ActivityState> state_;
};

// Waits until no step is in flight on `state`.
Task<void> WaitForZero(std::shared_ptr<ActivityState> state);

// Adds a Suspended result's cause to the instance's (no-op for other steps).
template <typename T>
void CombineSuspendedCause(WorkflowInstance&, const T&) {}
void CombineSuspendedCause(WorkflowInstance& instance, const Result& result);
inline void CombineSuspendedCause(WorkflowInstance& instance,
                                  const Outcome<Result>& result) {
  if (result.ok()) CombineSuspendedCause(instance, result.value());
}

}  // namespace internal

// Effect's Workflow.wrapActivityResult: counts `step` as in flight on the
// instance; if its value means "suspend" (`is_suspend`), waits for the other
// steps in flight to settle first, so their results are journaled before the
// run parks.
template <typename T>
Task<T> WrapActivityResult(std::shared_ptr<WorkflowInstance> instance,
                           Task<T> step, bool (*is_suspend)(const T&)) {
  internal::ActivityRegistration registration(instance->activity_state);
  T value = co_await std::move(step);
  registration.Release();
  internal::CombineSuspendedCause(*instance, value);
  if (is_suspend(value) && instance->activity_state->count > 0) {
    co_await internal::WaitForZero(instance->activity_state);
  }
  co_return value;
}

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_H_
