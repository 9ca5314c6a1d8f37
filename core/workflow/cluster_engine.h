// ClusterWorkflowEngine: workflows as sharded entities (Effect 4.1.0's
// ClusterWorkflowEngine). Each execution is the entity "Workflow/<tag>" with
// id = execution id, in the workflow's shard group, concurrency 2 and 10 s
// idle time; its RPCs are all persisted, so everything an execution has done
// is in storage and any runner that takes over the shard replays it:
//   run       (pk "")            one run of the body; replies a Result
//   activity  (pk "<name>/<n>")  one activity attempt; replies a Result
//   deferred  (pk name)          a deferred's completion (first one wins)
//   resume    (pk child id)      a finished child wakes its parent
// Durable clocks are the entity "Workflow/-/DurableClock" (same id, same
// shard group) whose `run` is delivered at the wake-up time and completes
// the deferred "DurableClock/<name>".
//
// A suspended execution is resumed by resetting its run request (clearing
// the Suspended reply) so storage redelivers it; a deferred completion or a
// finished child does that. An activation's state (deferred results cache,
// the scopes of runs that suspended) survives handler rebuilds and is closed
// when the entity stops.
//
// Modes (ShardingConfig::mode): reference reproduces Effect 4.1.0,
// including the engine bugs W1-W4 of the parity note (§4); hardened fixes
// each, a named branch on the mode:
//   W1  a run that ends interrupt-only records a terminal result instead of
//       re-running in place;
//   W2  an interrupted child resumes its parent;
//   W3  a run cut short by a handler rebuild runs no compensation (reference
//       closes its scope with the interrupt, as Effect does);
//   W4  the parent resume and the activity-attempt reset check that their
//       reset landed, and retry with backoff;
//   and a transient cluster error while sending a run or an activity (or
//   reading a deferred) is retried, where Effect dies (failing the workflow
//   and running its compensations although the step may have run).
// Differences from Effect that are not bugs: an activity request is
// uninterruptible for its client (no ClientAbort suspension path), and
// AwaitComplete wakes callers on the owner runner only (as Effect).
//
// Trace events (for the workflow checker): "workflow.run.start",
// "workflow.run.end" ("... result=complete|suspended|none exit=<digest>"),
// "workflow.activity.start" and "workflow.activity" (one per finished
// attempt: "<tag>/<execution> name=N attempt=A runner=R result=... exit=...")
// or "workflow.activity.cut" (an attempt cut short, e.g. by a teardown).
//
// Single-threaded. Owned by a runner (or client) process next to its
// Sharding, which it registers entities with; both outlive its tasks. The
// node's scope (where the entities' handlers run) must be closed before the
// engine is destroyed.
#ifndef CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_H_
#define CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/entity_address.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/sharding/entity.h"
#include "core/sharding/sharding.h"
#include "core/storage/storage_client.h"
#include "core/workflow/engine.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_codec.h"

namespace clustersim::workflow {

class ClusterWorkflowEngine : public WorkflowEngine {
 public:
  // Registers the durable clock entity with `sharding` (on a runner).
  ClusterWorkflowEngine(sharding::Sharding& sharding,
                        storage::StorageClient& storage, const NodeEnv& env,
                        Scope& parent);
  ~ClusterWorkflowEngine() override;
  ClusterWorkflowEngine(const ClusterWorkflowEngine&) = delete;
  ClusterWorkflowEngine& operator=(const ClusterWorkflowEngine&) = delete;

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

  bool hardened() const;

 private:
  class WorkflowHandler;
  class ClockHandler;
  struct Activation;
  struct Registered {
    WorkflowDefinition workflow;
    WorkflowBody body;
  };
  // An activity a run is waiting for, run by this engine's `activity`
  // handler (Effect keeps the activity and its context in a map).
  struct PendingActivity {
    ActivityDefinition activity;
    WorkflowContext ctx;
  };
  // The live run of an execution, for preemption (Effect's DeferredState).
  struct LiveRun {
    std::shared_ptr<WorkflowInstance> instance;
    std::shared_ptr<RunControl> control;
  };
  // A run request's stored final reply, decoded.
  struct RunReplyValue {
    storage::WithExit reply;
    Outcome<Result> result;
  };
  enum class WakeMode { kAutomatic, kExplicit };

  // --- entities (workflow_entity.cc) ---
  sharding::EntityDefinition WorkflowEntity(const WorkflowDefinition& workflow);
  // deferred/resume/activity only: what a node that does not run a workflow
  // sends to it (Effect's partial entity).
  sharding::EntityDefinition PartialEntity(const std::string& workflow_name);
  void RegisterClockEntity();
  absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> MakeWorkflowHandler(
      const Registered& entry, sharding::EntityContext& context);
  // The run's exit handling before its result is decided (Effect's onExit in
  // the run handler); true deposits an interrupt.
  Task<bool> RunExitHook(std::shared_ptr<WorkflowInstance> instance,
                         Outcome<std::string> out,
                         std::optional<ParentRef> parent,
                         std::string execution_id,
                         std::shared_ptr<bool> parent_resumed);
  // Reference mode's W3: a run cut short by a rebuild closes its scope with
  // the interrupt and resumes its parent.
  Task<void> AfterRebuild(std::shared_ptr<WorkflowInstance> instance,
                          std::optional<ParentRef> parent,
                          std::string execution_id);
  // Effect's closeRuns: the scopes of the activation's runs close (with
  // success), marked abandoned first when the runner gives the entity up.
  void CloseRuns(Activation& activation, bool abandoned);
  Task<void> CloseScopes(std::vector<std::shared_ptr<FinalizerScope>> scopes);

  // --- addressing and storage (cluster_engine_storage.cc) ---
  absl::StatusOr<EntityAddress> AddressFor(const std::string& entity_type,
                                           const std::string& shard_group,
                                           const std::string& execution_id);
  std::string ShardGroupOf(const std::string& workflow_name) const;
  absl::StatusOr<EntityAddress> WorkflowAddress(const std::string& tag,
                                                const std::string& id);
  void DefineClient(const WorkflowDefinition& workflow);
  Task<absl::StatusOr<std::optional<Snowflake>>> RequestIdFor(
      const std::string& workflow_tag, std::string execution_id,
      std::string rpc_tag, std::string primary_key);
  Task<absl::StatusOr<std::optional<storage::WithExit>>> ReplyFor(
      Snowflake request_id);
  Task<absl::StatusOr<std::optional<RunReplyValue>>> RunReply(
      const std::string& tag, std::string execution_id);
  // A deferred's recorded exit: its reply, else its unprocessed request.
  Task<absl::Status> ReadDeferred(std::string tag, std::string execution_id,
                                  std::string name, std::optional<Exit>* found);
  Task<absl::Status> SendDiscard(std::string workflow_name,
                                 std::string execution_id, std::string rpc_tag,
                                 std::string payload);
  Task<absl::Status> SendDiscardTo(EntityAddress address,
                                   const sharding::RpcSpec* rpc,
                                   std::string payload);

  // --- waking (cluster_engine_wake.cc) ---
  // Effect's resume(workflow, id, mode): resets a Suspended run reply.
  Task<absl::Status> ResumeRun(std::string tag, std::string execution_id,
                               WakeMode mode);
  Task<absl::Status> SendResumeParent(ParentRef parent,
                                      std::string child_execution_id);
  Task<absl::Status> ResetActivityAttempt(const std::string& tag,
                                          std::string execution_id,
                                          std::string name, int32_t attempt);
  Task<absl::Status> ResetActivityAttemptOnce(std::string tag,
                                              std::string execution_id,
                                              std::string name,
                                              int32_t attempt);
  Task<absl::Status> ClearClock(const std::string& tag,
                                std::string execution_id);
  // Effect's interrupt: InterruptSignal, retried 3 times (250 ms doubling);
  // the run request it signalled, if any.
  Task<std::optional<Snowflake>> SignalInterrupt(
      const WorkflowDefinition& workflow, std::string execution_id);
  Task<absl::Status> InterruptSignal(const WorkflowDefinition& workflow,
                                     std::string execution_id,
                                     std::optional<Snowflake>* run_request);
  bool InterruptPending(const std::string& execution_id) const;
  // Hardened mode retries a call Effect would die on, unless the runner gave
  // the caller up.
  bool RetryHardened(const absl::Status& error) const;
  void PreemptFor(const std::string& execution_id, const std::string& name);
  void Trace(std::string_view kind, std::string_view detail);

  sharding::Sharding& sharding_;
  storage::StorageClient& storage_;
  NodeEnv env_;
  Scope scope_;
  // This runner's address as trace events name it ("client" on a node that
  // runs no shards); the sharding config fixes it.
  const std::string runner_name_;
  std::unique_ptr<sharding::EntityDefinition> protocol_;
  std::unique_ptr<sharding::EntityDefinition> clock_definition_;
  std::map<std::string, std::unique_ptr<Registered>> workflows_;
  // "<execution>/<activity>" -> the activity its run waits for.
  std::map<std::string, PendingActivity> activities_;
  // Activities whose last attempt its caller aborted.
  std::set<std::string> interrupted_activities_;
  std::map<std::string, LiveRun> running_;
  // Execution id -> its activation on this runner.
  std::map<std::string, Activation*> activations_;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_H_
