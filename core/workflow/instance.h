// WorkflowInstance: the state of one run of a workflow execution (Effect's
// WorkflowEngine.WorkflowInstance), and WorkflowContext, what every step of a
// body is given.
//
// A run is one pass of the body from the top; a suspended execution is
// replayed by a new run with a fresh instance. The instance holds the run's
// flags (suspended, interrupted, abandoned, failed), the cause that made it
// park, the deferreds it awaits, the count of steps in flight (so a
// suspension waits for sibling activities to settle), and the run's
// FinalizerScope: the workflow finalizers and compensations.
//
// How this maps to Effect: Effect suspends a run by interrupting its own
// fiber, and the interrupt still runs the scope's finalizers. Our
// cancellation destroys coroutine frames and cannot await, so a suspension is
// an interrupt-only Cause returned by value (result.h) while the instance's
// `suspended` flag is set, and finalizers live in the workflow-owned
// FinalizerScope, closed by IntoResult (workflow.h) exactly when Effect closes
// the instance scope: on a failure or a Complete, never on a suspension.
// A body's ordinary locals are its Effect.scoped resources (RAII).
//
// Single-threaded. Instances are shared (std::shared_ptr) between a run and
// the engine that tracks it.
#ifndef CLUSTERSIM_CORE_WORKFLOW_INSTANCE_H_
#define CLUSTERSIM_CORE_WORKFLOW_INSTANCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/workflow/definitions.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

class WorkflowEngine;

// Finalizers run once, in reverse order of registration, with the exit the
// scope closes with. Effect's Scope for a workflow run.
class FinalizerScope {
 public:
  using Finalizer = std::function<Task<void>(Exit exit)>;

  // Adding to a closed scope runs nothing (Effect adds to a closed scope by
  // running the finalizer at once; no caller of ours does that).
  void Add(Finalizer finalizer);
  Task<void> Close(Exit exit);
  // Closes the scope at once if it has no finalizers to run, sparing the
  // caller a coroutine frame on the common path; false when the caller must
  // await Close.
  bool CloseIfEmpty();
  bool closed() const { return closed_; }

 private:
  std::vector<Finalizer> finalizers_;
  bool closed_ = false;
};

// Steps in flight on an instance; `zero` is open when none are.
struct ActivityState {
  int32_t count = 0;
  Latch zero{true};
};

struct WorkflowInstance {
  std::string execution_id;
  const WorkflowDefinition* workflow = nullptr;
  std::shared_ptr<FinalizerScope> scope;
  // The body's own scope for this run (Effect.scoped inside intoResult):
  // closed with the body's outcome as soon as the body ends.
  std::shared_ptr<FinalizerScope> body_scope;
  bool suspended = false;
  bool interrupted = false;
  bool abandoned = false;
  bool failed = false;
  std::optional<Cause> cause;
  // Deferred name -> how many awaits registered it; shared by the race-local
  // copies of the instance (Effect copies the Map reference).
  std::shared_ptr<std::map<std::string, int32_t>> awaited_deferreds;
  std::shared_ptr<std::set<std::string>> completed_deferreds;
  std::shared_ptr<ActivityState> activity_state;
  // Set on a race-local copy: the awaits registered beneath it, released when
  // its body has a result (Effect's awaitOwners).
  std::shared_ptr<std::vector<std::string>> owned_awaits;

  static std::shared_ptr<WorkflowInstance> Initial(
      const WorkflowDefinition& workflow, std::string execution_id,
      std::shared_ptr<FinalizerScope> scope = nullptr);
  // The copy a DurableDeferred.into/raceAll body runs on: unsuspended, with
  // its own activity count and await owner list, sharing the rest.
  std::shared_ptr<WorkflowInstance> LocalCopy() const;

  // Registers an await of `name` before reading it, so a completion that
  // lands later can preempt the run.
  void RegisterAwait(const std::string& name);
  void ReleaseAwaits(const std::vector<std::string>& names);
};

struct WorkflowContext {
  WorkflowEngine* engine = nullptr;
  std::shared_ptr<WorkflowInstance> instance;
  // Activity.CurrentAttempt: 1, 2, 3… under Activity retries.
  int32_t attempt = 1;

  WorkflowContext WithInstance(std::shared_ptr<WorkflowInstance> i) const {
    return WorkflowContext{engine, std::move(i), attempt};
  }
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_INSTANCE_H_
