// MemoryWorkflowEngine: executions, activity journals and deferreds held in
// memory (Effect's WorkflowEngine.layerMemory, 4.1.0 semantics). Nothing
// survives the process; it is the engine for tests and for a single node,
// and the reference the cluster engine is compared with.
//
// Each execution replays its body in runs. A run is preempted when a
// deferred it awaits completes; wake-ups that arrive while a run finishes
// are coalesced (an explicit wake beats an automatic one). Each run has its
// own FinalizerScope; the scopes of runs that suspended stay open until the
// execution finishes, then close in reverse order with a success exit, so
// their compensations are skipped. Activity exits are memoized unless
// interrupt-only. A Complete child resumes its parent. Shutdown interrupts
// every live run and waits for it (its compensations run), and callers see
// the interrupt.
//
// Single-threaded. Its fibers live in a child scope of the scope it is
// given; Shutdown before destroying it if runs may be live.
#ifndef CLUSTERSIM_CORE_WORKFLOW_MEMORY_ENGINE_H_
#define CLUSTERSIM_CORE_WORKFLOW_MEMORY_ENGINE_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/workflow/engine.h"
#include "core/workflow/workflow.h"

namespace clustersim::workflow {

class MemoryWorkflowEngine : public WorkflowEngine {
 public:
  explicit MemoryWorkflowEngine(Scope& parent);
  ~MemoryWorkflowEngine() override;
  MemoryWorkflowEngine(const MemoryWorkflowEngine&) = delete;
  MemoryWorkflowEngine& operator=(const MemoryWorkflowEngine&) = delete;

  absl::Status Register(WorkflowDefinition workflow,
                        WorkflowBody body) override;
  const WorkflowDefinition* Find(const std::string& tag) const override;
  Task<Outcome<Result>> ExecuteRun(const WorkflowDefinition& workflow,
                                   ExecuteRequest request) override;
  Task<Outcome<std::optional<Result>>> Poll(const WorkflowDefinition& workflow,
                                            std::string execution_id) override;
  Task<void> Interrupt(const WorkflowDefinition& workflow,
                       std::string execution_id) override;
  Task<void> InterruptUnsafe(const WorkflowDefinition& workflow,
                             std::string execution_id) override;
  Task<void> Resume(const WorkflowDefinition& workflow,
                    std::string execution_id) override;
  Task<void> AwaitComplete(const WorkflowDefinition& workflow,
                           std::string execution_id) override;
  Task<Outcome<Result>> ActivityExecute(WorkflowContext ctx,
                                        const ActivityDefinition& activity,
                                        int32_t attempt) override;
  Task<std::optional<Exit>> DeferredResult(WorkflowContext ctx,
                                           std::string name) override;
  Task<absl::Status> DeferredDone(
      DeferredAddress address, Exit exit,
      std::shared_ptr<WorkflowInstance> caller) override;
  Task<absl::Status> ScheduleClock(WorkflowContext ctx, std::string name,
                                   int64_t duration_us) override;

  // Interrupts every live run, waits for each to finish, then stops the
  // engine's fibers (clocks, queued wakes). Later calls start nothing.
  Task<void> Shutdown();

  // How many runs of `execution_id` have started (for tests and checkers).
  int32_t RunCount(const std::string& execution_id) const;

 private:
  enum class WakeMode { kAutomatic, kExplicit };
  struct Registered {
    WorkflowDefinition workflow;
    WorkflowBody body;
  };
  struct Run {
    std::shared_ptr<WorkflowInstance> instance;
    std::shared_ptr<RunControl> control = std::make_shared<RunControl>();
    std::optional<Outcome<Result>> exit;
    Latch finished;
  };
  struct Execution {
    const Registered* entry = nullptr;
    std::string execution_id;
    std::string payload;
    std::optional<std::string> parent;
    std::shared_ptr<WorkflowInstance> instance;
    bool interrupted = false;
    bool interrupted_unsafe = false;
    std::optional<WakeMode> resume_requested;
    std::shared_ptr<Run> run;
    int32_t runs = 0;
    Latch done;
    // Scopes of this execution's runs that are still open.
    std::vector<std::shared_ptr<FinalizerScope>> run_scopes;
  };

  void Wake(const std::string& execution_id, WakeMode mode);
  Task<void> WakeAfterRun(std::string execution_id, std::shared_ptr<Run> run);
  Task<void> DriveRun(Execution* execution, std::shared_ptr<Run> run);
  // Interrupts the live run of `execution_id` if it awaits `name` (Effect's
  // DeferredState.deferredDone).
  void PreemptFor(const std::string& execution_id, const std::string& name);
  Task<void> WakeForDeferred(std::string execution_id, std::string name);
  Task<void> FireClock(DeferredAddress address, int64_t duration_us);

  Scope scope_;
  bool shut_down_ = false;
  std::map<std::string, Registered> workflows_;
  std::map<std::string, std::unique_ptr<Execution>> executions_;
  // "<execution>/<activity>/<attempt>" -> the attempt's exit, if recorded.
  std::map<std::string, std::optional<Outcome<Result>>> activities_;
  // "<execution>/<deferred>" -> its exit.
  std::map<std::string, Exit> deferred_results_;
  std::set<std::string> clocks_;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_MEMORY_ENGINE_H_
