#include "core/workflow/memory_engine.h"

#include <utility>

#include "absl/status/status.h"
#include "core/base/check.h"
#include "core/workflow/activity.h"

namespace clustersim::workflow {
namespace {

// A Complete result never wakes; a run that suspended because it failed
// (SuspendOnFailure) wakes only explicitly.
bool IsUnwakeable(const Result& result, bool explicit_wake) {
  if (IsComplete(result)) return true;
  return !explicit_wake && std::get<Suspended>(result).failed;
}

// A safe interrupt takes effect only when the run would suspend; an unsafe
// one also survives a replay that completes.
Task<bool> DepositInterrupt(bool interrupted, bool interrupted_unsafe,
                            bool suspend_on_failure,
                            std::shared_ptr<WorkflowInstance> i,
                            Outcome<std::string> out) {
  if (!interrupted || (!interrupted_unsafe && !i->suspended && !i->abandoned &&
                       !(suspend_on_failure && !out.ok()))) {
    co_return false;
  }
  i->interrupted = true;
  i->suspended = false;
  co_return true;
}

}  // namespace

MemoryWorkflowEngine::MemoryWorkflowEngine(Scope& parent) : scope_(parent) {}

MemoryWorkflowEngine::~MemoryWorkflowEngine() { scope_.Close(); }

absl::Status MemoryWorkflowEngine::Register(WorkflowDefinition workflow,
                                            WorkflowBody body) {
  const std::string tag = workflow.tag;
  auto [it, inserted] = workflows_.try_emplace(
      tag, Registered{std::move(workflow), std::move(body)});
  if (!inserted) {
    return absl::AlreadyExistsError("workflow '" + tag +
                                    "' is already registered; the first "
                                    "registration is kept");
  }
  return absl::OkStatus();
}

const WorkflowDefinition* MemoryWorkflowEngine::Find(
    const std::string& tag) const {
  auto it = workflows_.find(tag);
  return it == workflows_.end() ? nullptr : &it->second.workflow;
}

int32_t MemoryWorkflowEngine::RunCount(const std::string& execution_id) const {
  auto it = executions_.find(execution_id);
  return it == executions_.end() ? 0 : it->second->runs;
}

void MemoryWorkflowEngine::Wake(const std::string& execution_id,
                                WakeMode mode) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end() || shut_down_) return;
  Execution& execution = *it->second;
  std::shared_ptr<Run> run = execution.run;
  if (run != nullptr && run->exit.has_value()) {
    if (run->exit->ok() &&
        IsUnwakeable(run->exit->value(), mode == WakeMode::kExplicit)) {
      return;
    }
  } else if (run != nullptr) {
    // Queue the wake until the live run has finished its clean-up.
    const std::optional<WakeMode> requested = execution.resume_requested;
    execution.resume_requested =
        mode == WakeMode::kExplicit ? mode : requested.value_or(mode);
    if (!requested.has_value()) {
      scope_.Spawn(WakeAfterRun(execution_id, run), "workflow.wake");
    }
    return;
  }
  // Each run gets a fresh scope, so a replay rebuilds compensations instead
  // of registering them twice.
  auto run_scope = std::make_shared<FinalizerScope>();
  execution.run_scopes.push_back(run_scope);
  execution.instance = WorkflowInstance::Initial(
      execution.entry->workflow, execution.execution_id, run_scope);
  auto next = std::make_shared<Run>();
  next->instance = execution.instance;
  execution.run = next;
  ++execution.runs;
  scope_.Spawn(DriveRun(&execution, next), "workflow.run");
}

Task<void> MemoryWorkflowEngine::WakeAfterRun(std::string execution_id,
                                              std::shared_ptr<Run> run) {
  co_await run->finished.Wait();
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) co_return;
  const WakeMode mode =
      it->second->resume_requested.value_or(WakeMode::kAutomatic);
  it->second->resume_requested.reset();
  Wake(execution_id, mode);
}

Task<void> MemoryWorkflowEngine::DriveRun(Execution* execution,
                                          std::shared_ptr<Run> run) {
  std::shared_ptr<WorkflowInstance> instance = run->instance;
  const bool suspend_on_failure = instance->workflow->suspend_on_failure;
  BodyExitHook hook = [execution, suspend_on_failure](
                          std::shared_ptr<WorkflowInstance> i,
                          Outcome<std::string> out) {
    return DepositInterrupt(execution->interrupted,
                            execution->interrupted_unsafe, suspend_on_failure,
                            std::move(i), std::move(out));
  };
  ActivityBody bound = BindPayload(execution->entry->body, execution->payload);
  WorkflowContext ctx{this, instance, 1};
  Outcome<Result> exit =
      co_await IntoResult(ctx, std::move(bound), run->control, hook);
  if (exit.ok() && IsComplete(exit.value()) && execution->parent.has_value()) {
    Wake(*execution->parent, WakeMode::kAutomatic);
  }
  const bool suspended = exit.ok() && IsSuspended(exit.value());
  if (!suspended) {
    // The final run's scope closed with the real exit; earlier runs' scopes
    // close now, newest first, with success (so compensations superseded by
    // a replay are skipped).
    std::vector<std::shared_ptr<FinalizerScope>> scopes =
        std::move(execution->run_scopes);
    execution->run_scopes.clear();
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      if (!(*it)->CloseIfEmpty()) co_await (*it)->Close(Exit::Success(""));
    }
    if (exit.ok()) execution->done.Open();
  }
  run->exit = std::move(exit);
  run->finished.Open();
}

Task<Outcome<Result>> MemoryWorkflowEngine::ExecuteRun(
    const WorkflowDefinition& workflow, ExecuteRequest request) {
  auto entry = workflows_.find(workflow.tag);
  if (entry == workflows_.end()) {
    co_return Cause::Die("Workflow " + workflow.tag + " is not registered");
  }
  auto it = executions_.find(request.execution_id);
  if (it == executions_.end()) {
    auto execution = std::make_unique<Execution>();
    execution->entry = &entry->second;
    execution->execution_id = request.execution_id;
    execution->payload = std::move(request.payload);
    if (!request.detached && request.parent != nullptr) {
      execution->parent = request.parent->execution_id;
    }
    it = executions_.emplace(request.execution_id, std::move(execution)).first;
    Wake(request.execution_id, WakeMode::kExplicit);
  }
  if (request.discard) co_return Result(Suspended{});
  Execution& execution = *it->second;
  std::shared_ptr<Run> run = execution.run;
  if (run == nullptr) co_return Cause::Interrupt();  // shut down before it ran
  std::shared_ptr<WorkflowInstance> instance = run->instance;
  co_await run->finished.Wait();
  const Outcome<Result>& exit = *run->exit;
  if (!exit.ok() && exit.cause().HasInterruptsOnly() && instance->suspended) {
    // A completion preempted the run; the caller retries into the replay.
    co_return Result(Suspended{});
  }
  co_return exit;
}

Task<Outcome<std::optional<Result>>> MemoryWorkflowEngine::Poll(
    const WorkflowDefinition&, std::string execution_id) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) co_return std::optional<Result>();
  const std::shared_ptr<Run>& run = it->second->run;
  if (run == nullptr || !run->exit.has_value()) {
    co_return std::optional<Result>();
  }
  if (!run->exit->ok()) co_return run->exit->cause();
  co_return std::optional<Result>(run->exit->value());
}

Task<void> MemoryWorkflowEngine::Interrupt(const WorkflowDefinition&,
                                           std::string execution_id) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) co_return;
  it->second->interrupted = true;
  Wake(execution_id, WakeMode::kExplicit);
}

Task<void> MemoryWorkflowEngine::InterruptUnsafe(const WorkflowDefinition&,
                                                 std::string execution_id) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) co_return;
  Execution& execution = *it->second;
  execution.interrupted = true;
  execution.interrupted_unsafe = true;
  if (std::shared_ptr<Run> run = execution.run; run != nullptr) {
    run->control->Interrupt();
    co_await run->finished.Wait();
  }
  // Replay after the hard interrupt to record a terminal result.
  Wake(execution_id, WakeMode::kExplicit);
}

Task<void> MemoryWorkflowEngine::Resume(const WorkflowDefinition&,
                                        std::string execution_id) {
  Wake(execution_id, WakeMode::kExplicit);
  co_return;
}

Task<void> MemoryWorkflowEngine::AwaitComplete(const WorkflowDefinition&,
                                               std::string execution_id) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) {
    co_await Never();
    co_return;
  }
  co_await it->second->done.Wait();
}

Task<Outcome<Result>> MemoryWorkflowEngine::ActivityExecute(
    WorkflowContext ctx, const ActivityDefinition& activity, int32_t attempt) {
  const std::shared_ptr<WorkflowInstance> instance = ctx.instance;
  const std::string key = instance->execution_id + "/" + activity.name + "/" +
                          std::to_string(attempt);
  auto [slot, inserted] = activities_.try_emplace(key);
  if (!inserted && slot->second.has_value()) {
    const Outcome<Result>& recorded = *slot->second;
    if (recorded.ok() && IsSuspended(recorded.value())) {
      slot->second.reset();
    } else {
      co_return recorded;
    }
  }
  // A pending interrupt replays only to rebuild compensations: it runs no
  // new activity.
  auto execution = executions_.find(instance->execution_id);
  if (execution != executions_.end() && execution->second->interrupted &&
      !instance->interrupted) {
    co_return Result(Suspended{});
  }
  auto activity_instance =
      WorkflowInstance::Initial(*instance->workflow, instance->execution_id);
  activity_instance->interrupted = instance->interrupted;
  WorkflowContext activity_ctx{this, activity_instance, attempt};
  ActivityDefinition copy = activity;
  ActivityBody body = [copy](WorkflowContext c) {
    return ExecuteActivityBody(std::move(c), copy);
  };
  Outcome<Result> exit = co_await IntoResult(activity_ctx, std::move(body));
  // A preempted activity runs again on the next replay.
  const bool interrupted_only = !exit.ok() && exit.cause().HasInterruptsOnly();
  activities_[key] = interrupted_only ? std::optional<Outcome<Result>>() : exit;
  co_return exit;
}

Task<std::optional<Exit>> MemoryWorkflowEngine::DeferredResult(
    WorkflowContext ctx, std::string name) {
  auto it = deferred_results_.find(ctx.instance->execution_id + "/" + name);
  if (it == deferred_results_.end()) co_return std::nullopt;
  co_return it->second;
}

void MemoryWorkflowEngine::PreemptFor(const std::string& execution_id,
                                      const std::string& name) {
  auto it = executions_.find(execution_id);
  if (it == executions_.end()) return;
  std::shared_ptr<Run> run = it->second->run;
  if (run == nullptr || run->exit.has_value() ||
      !run->instance->awaited_deferreds->contains(name)) {
    return;
  }
  // The completion is stored first; the replay reads it after the
  // interrupted run reports its suspension.
  run->instance->suspended = true;
  run->control->Interrupt();
}

Task<void> MemoryWorkflowEngine::WakeForDeferred(std::string execution_id,
                                                 std::string name) {
  PreemptFor(execution_id, name);
  Wake(execution_id, WakeMode::kAutomatic);
  co_return;
}

Task<absl::Status> MemoryWorkflowEngine::DeferredDone(
    DeferredAddress address, Exit exit,
    std::shared_ptr<WorkflowInstance> caller) {
  const std::string key = address.execution_id + "/" + address.deferred_name;
  if (!deferred_results_.try_emplace(key, std::move(exit)).second) {
    co_return absl::OkStatus();
  }
  if (caller != nullptr && caller->execution_id == address.execution_id) {
    // A run cannot wait for its own clean-up: the engine owns the wake.
    scope_.Spawn(WakeForDeferred(address.execution_id, address.deferred_name),
                 "workflow.deferred_wake");
    co_return absl::OkStatus();
  }
  co_await WakeForDeferred(address.execution_id, address.deferred_name);
  co_return absl::OkStatus();
}

Task<void> MemoryWorkflowEngine::FireClock(DeferredAddress address,
                                           int64_t duration_us) {
  co_await SleepUs(duration_us);
  // In memory, a completion is never lost.
  (void)co_await DeferredDone(std::move(address), Exit::Success(""), nullptr);
}

Task<absl::Status> MemoryWorkflowEngine::ScheduleClock(WorkflowContext ctx,
                                                       std::string name,
                                                       int64_t duration_us) {
  const std::string key = ctx.instance->execution_id + "/" + name;
  if (!clocks_.insert(key).second) co_return absl::OkStatus();
  DeferredAddress address{ctx.instance->workflow->tag,
                          ctx.instance->execution_id, "DurableClock/" + name};
  scope_.Spawn(FireClock(std::move(address), duration_us), "workflow.clock");
  co_return absl::OkStatus();
}

Task<void> MemoryWorkflowEngine::Shutdown() {
  shut_down_ = true;
  std::vector<std::shared_ptr<Run>> live;
  for (auto& [id, execution] : executions_) {
    if (execution->run != nullptr && !execution->run->exit.has_value()) {
      live.push_back(execution->run);
      execution->run->control->Interrupt();
    }
  }
  for (const std::shared_ptr<Run>& run : live) co_await run->finished.Wait();
  scope_.Close();
}

}  // namespace clustersim::workflow
