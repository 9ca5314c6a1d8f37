// The entities of ClusterWorkflowEngine (cluster_engine.h): the workflow
// entity "Workflow/<tag>" and the durable clock entity, and the activation
// state a workflow entity keeps across handler rebuilds.
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/mutants/mutant.h"
#include "core/sharding/entity_exits.h"
#include "core/workflow/activity.h"
#include "core/workflow/cluster_engine.h"
#include "core/workflow/cluster_engine_internal.h"
#include "core/workflow/workflow_codec.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {

using internal::EnsureSuccess;
using internal::kActivityTag;
using internal::kDeferredTag;
using internal::kResumeTag;
using internal::kRunTag;
using internal::kWorkflowMaxIdleMs;
using internal::ToStorageExit;

namespace {

std::optional<std::string> RunKey(std::string_view) { return ""; }
std::optional<std::string> ActivityKey(std::string_view payload) {
  absl::StatusOr<ActivityPayload> activity = DecodeActivityPayload(payload);
  if (!activity.ok()) return std::nullopt;
  return ActivityPrimaryKey(activity->name, activity->attempt);
}
std::optional<std::string> DeferredKey(std::string_view payload) {
  absl::StatusOr<DeferredPayload> deferred = DecodeDeferredPayload(payload);
  if (!deferred.ok()) return std::nullopt;
  return deferred->name;
}
std::optional<std::string> ResumeKey(std::string_view payload) {
  absl::StatusOr<std::string> child = DecodeResumePayload(payload);
  if (!child.ok()) return std::nullopt;
  return *child;
}
std::optional<std::string> ClockKey(std::string_view payload) {
  absl::StatusOr<ClockPayload> clock = DecodeClockPayload(payload);
  if (!clock.ok()) return std::nullopt;
  return clock->name;
}
std::optional<int64_t> ClockDeliverAt(std::string_view payload) {
  absl::StatusOr<ClockPayload> clock = DecodeClockPayload(payload);
  if (!clock.ok()) return std::nullopt;
  return clock->wake_up_ms;
}

void AddSharedRpcs(sharding::EntityDefinition& entity) {
  entity.Add(
      sharding::RpcSpec{.tag = kDeferredTag,
                        .persisted = true,
                        .uninterruptible = sharding::Uninterruptible::kBoth,
                        .primary_key = &DeferredKey,
                        .fork = true});
  entity.Add(
      sharding::RpcSpec{.tag = kResumeTag,
                        .persisted = true,
                        .uninterruptible = sharding::Uninterruptible::kServer,
                        .primary_key = &ResumeKey,
                        .fork = true});
  // Interruptible: a run that stops waiting (a race's loser) interrupts the
  // attempt (Effect's ClientAbort), which is then run again on replay.
  entity.Add(sharding::RpcSpec{.tag = kActivityTag,
                               .persisted = true,
                               .primary_key = &ActivityKey,
                               .fork = true});
}

// "<where> result=complete|suspended|none exit=<digest or ->": the end of a
// run or of an activity attempt, for the workflow checker.
std::string EndDetail(const std::string& where, const Outcome<Result>& out) {
  if (!out.ok()) return absl::StrCat(where, " result=none exit=-");
  if (IsSuspended(out.value())) {
    return absl::StrCat(where, " result=suspended exit=-");
  }
  return absl::StrCat(where, " result=complete exit=",
                      ExitDigest(std::get<Complete>(out.value()).exit));
}

}  // namespace

sharding::EntityDefinition ClusterWorkflowEngine::WorkflowEntity(
    const WorkflowDefinition& workflow) {
  sharding::EntityDefinition entity(
      WorkflowEntityType(workflow.tag),
      sharding::EntityOptions{.concurrency = 2,
                              .max_idle_time_ms = kWorkflowMaxIdleMs});
  entity.Add(
      sharding::RpcSpec{.tag = kRunTag,
                        .persisted = true,
                        .uninterruptible = sharding::Uninterruptible::kBoth,
                        .primary_key = &RunKey});
  AddSharedRpcs(entity);
  const std::string group = workflow.shard_group;
  entity.SetShardGroup([group](const EntityId&) { return group; });
  return entity;
}

sharding::EntityDefinition ClusterWorkflowEngine::PartialEntity(
    const std::string& workflow_name) {
  sharding::EntityDefinition entity(WorkflowEntityType(workflow_name));
  AddSharedRpcs(entity);
  return entity;
}

// --- the workflow entity
// ------------------------------------------------------

class ClusterWorkflowEngine::WorkflowHandler : public sharding::EntityHandler {
 public:
  WorkflowHandler(ClusterWorkflowEngine* engine, const Registered& entry,
                  sharding::EntityContext& context)
      : engine_(engine),
        entry_(entry),
        context_(context),
        activation_(context.ActivationState<Activation>()),
        execution_id_(std::string(context.address().entity_id().value())) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    if (request.tag == kRunTag) return Run(request);
    if (request.tag == kActivityTag) return ActivityRpc(request);
    if (request.tag == kDeferredTag) return DeferredRpc(request);
    return ResumeRpc();
  }

 private:
  const std::string& tag() const { return entry_.workflow.tag; }
  WorkflowContext Ctx(std::shared_ptr<WorkflowInstance> instance) {
    return WorkflowContext{engine_, std::move(instance), 1};
  }

  // Loads a persisted interrupt once per activation, so that a new owner
  // sees an interrupt stored before it took over.
  Task<absl::Status> Load() {
    if (activation_.loaded) co_return absl::OkStatus();
    std::optional<Exit> interrupt;
    absl::Status read = co_await engine_->ReadDeferred(
        tag(), execution_id_, std::string(kInterruptSignalName), &interrupt);
    if (!read.ok()) co_return read;
    if (activation_.loaded) co_return absl::OkStatus();
    if (interrupt.has_value()) {
      activation_.results.emplace(kInterruptSignalName, *interrupt);
    }
    activation_.loaded = true;
    engine_->activations_[execution_id_] = &activation_;
    ClusterWorkflowEngine* engine = engine_;
    Activation* activation = &activation_;
    std::string id = execution_id_;
    context_.AddActivationFinalizer([engine, activation, id](bool abandoned) {
      engine->CloseRuns(*activation, abandoned);
      auto it = engine->activations_.find(id);
      if (it != engine->activations_.end() && it->second == activation) {
        engine->activations_.erase(it);
      }
    });
    co_return absl::OkStatus();
  }

  // Guards a run while it is live: unregisters it, and (reference mode, W3)
  // closes its scope with the interrupt when the handler is rebuilt.
  struct RunGuard {
    ClusterWorkflowEngine* engine;
    const sharding::EntityRequest* request;
    std::string execution_id;
    std::shared_ptr<WorkflowInstance> instance;
    std::optional<ParentRef> parent;
    std::string where;
    bool finished = false;
    ~RunGuard() {
      auto it = engine->running_.find(execution_id);
      if (it != engine->running_.end() && it->second.instance == instance) {
        engine->running_.erase(it);
      }
      if (finished) return;
      // Cut short (teardown, restart): the run ends here with no result.
      engine->Trace("workflow.run.end",
                    absl::StrCat(where, " result=none exit=-"));
      if (engine->hardened() ||
          request->interrupted_by != sharding::InterruptReason::kRestart) {
        return;
      }
      // Effect interrupts the run on a rebuild with a plain interrupt: the
      // run's scope closes with it and the compensations run (W3), and the
      // parent is resumed.
      engine->scope_.Spawn(engine->AfterRebuild(instance, parent, execution_id),
                           "workflow.rebuild");
    }
  };

  Task<storage::Exit> Run(const sharding::EntityRequest& request) {
    absl::StatusOr<RunPayload> run = DecodeRunPayload(request.payload);
    if (!run.ok()) {
      co_return sharding::MalformedMessageExit(
          std::string(run.status().message()));
    }
    absl::Status loaded = co_await Load();
    if (!loaded.ok()) {
      co_return storage::Exit::Failure(
          storage::Cause{storage::CauseKind::kDie,
                         "workflow activation: " + loaded.ToString()});
    }
    auto run_scope = std::make_shared<FinalizerScope>();
    activation_.run_scopes.push_back(run_scope);
    std::shared_ptr<WorkflowInstance> instance =
        WorkflowInstance::Initial(entry_.workflow, execution_id_, run_scope);
    activation_.instances.push_back(instance);
    activation_.current = Activation::CurrentRun{
        request.request_id, context_.address(), instance,
        std::make_shared<std::map<std::string, int32_t>>()};
    auto control = std::make_shared<RunControl>();
    engine_->running_[execution_id_] = LiveRun{instance, control};
    RunGuard guard{engine_,
                   &request,
                   execution_id_,
                   instance,
                   run->parent,
                   absl::StrCat(tag(), "/", execution_id_,
                                " runner=", engine_->runner_name_)};
    engine_->Trace("workflow.run.start", guard.where);

    auto parent_resumed = std::make_shared<bool>(false);
    ClusterWorkflowEngine* engine = engine_;
    std::optional<ParentRef> parent = run->parent;
    std::string id = execution_id_;
    BodyExitHook hook = [engine, parent, id, parent_resumed](
                            std::shared_ptr<WorkflowInstance> i,
                            Outcome<std::string> out) {
      return engine->RunExitHook(std::move(i), std::move(out), parent, id,
                                 parent_resumed);
    };
    ActivityBody bound = BindPayload(entry_.body, std::move(run->payload));
    Outcome<Result> out = co_await IntoResult(
        Ctx(instance), std::move(bound), std::move(control), std::move(hook));
    if (engine_->hardened()) {
      if (!out.ok() && out.cause().HasInterruptsOnly() &&
          !instance->abandoned) {
        // W1: Effect re-runs this run in place at once, forever (each pass
        // compensating again). A run that ends interrupt-only with nobody
        // interrupting it from outside is over: record it.
        out = Result(Complete{Exit::Failure(out.cause())});
      }
      const bool complete = out.ok() && IsComplete(out.value());
      if (complete && parent.has_value() && !parent->detached &&
          !*parent_resumed) {
        // W2: the interrupted path never resumed the parent.
        *parent_resumed = true;
        std::function<Task<absl::Status>()> op = [engine, parent, id]() {
          return engine->SendResumeParent(*parent, id);
        };
        (void)co_await EnsureSuccess(std::move(op), engine_->hardened());
      }
    }
    guard.finished = true;
    const bool suspended = out.ok() && IsSuspended(out.value());
    if (!suspended) engine_->CloseRuns(activation_, instance->abandoned);
    engine_->Trace("workflow.run.end", EndDetail(guard.where, out));
    co_return ToStorageExit(out);
  }

  // Forgets the pending activity however the attempt ends; an attempt the
  // caller aborted is marked so that the caller resets and resends it.
  struct ActivityGuard {
    ClusterWorkflowEngine* engine;
    const sharding::EntityRequest* request;
    std::string activity_id;
    std::string where;
    bool finished = false;
    ~ActivityGuard() {
      // Cut short (teardown, interrupt): the attempt ends with no result.
      if (!finished) engine->Trace("workflow.activity.cut", where);
      engine->activities_.erase(activity_id);
      if (request->interrupted_by == sharding::InterruptReason::kClientAbort) {
        engine->interrupted_activities_.insert(activity_id);
      }
    }
  };

  Task<storage::Exit> ActivityRpc(const sharding::EntityRequest& request) {
    absl::StatusOr<ActivityPayload> payload =
        DecodeActivityPayload(request.payload);
    if (!payload.ok()) {
      co_return sharding::MalformedMessageExit(
          std::string(payload.status().message()));
    }
    const std::string activity_id = execution_id_ + "/" + payload->name;
    engine_->interrupted_activities_.erase(activity_id);
    auto entry = engine_->activities_.find(activity_id);
    if (entry == engine_->activities_.end()) {
      // A replay may never register a losing race's activity: answer at
      // once; a later registration resets this reply.
      co_return ToStorageExit(Result(Suspended{}));
    }
    std::shared_ptr<WorkflowInstance> instance =
        WorkflowInstance::Initial(entry_.workflow, execution_id_);
    if (activation_.current.has_value()) {
      instance->awaited_deferreds = activation_.current->activity_awaits;
    }
    WorkflowContext ctx{engine_, instance, payload->attempt};
    // The attempt runs on its own copy: a replay may replace the entry.
    ActivityBody body = [activity = entry->second.activity](WorkflowContext c) {
      return ExecuteActivityBody(std::move(c), activity);
    };
    ActivityGuard guard{
        engine_, &request, activity_id,
        absl::StrCat(tag(), "/", execution_id_, " name=", payload->name,
                     " attempt=", payload->attempt,
                     " runner=", engine_->runner_name_)};
    engine_->Trace("workflow.activity.start", guard.where);
    Outcome<Result> out = co_await IntoResult(ctx, std::move(body));
    guard.finished = true;
    engine_->Trace("workflow.activity", EndDetail(guard.where, out));
    co_return ToStorageExit(out);
  }

  Task<storage::Exit> DeferredRpc(const sharding::EntityRequest& request) {
    absl::StatusOr<DeferredPayload> payload =
        DecodeDeferredPayload(request.payload);
    if (!payload.ok()) {
      co_return sharding::MalformedMessageExit(
          std::string(payload.status().message()));
    }
    activation_.results.insert_or_assign(payload->name, payload->exit);
    if (engine_->sharding_.config().mutant == Mutant::kLostWakeup) {
      co_return storage::Exit::Success(EncodeExit(payload->exit));
    }
    const WakeMode mode = payload->name == kInterruptSignalName
                              ? WakeMode::kExplicit
                              : WakeMode::kAutomatic;
    co_await Wake(payload->name, mode);
    co_return storage::Exit::Success(EncodeExit(payload->exit));
  }

  Task<storage::Exit> ResumeRpc() {
    co_await ResumeCurrentRun(WakeMode::kAutomatic);
    co_return storage::Exit::Success(EncodeResult(Result(Suspended{})));
  }

  // Effect's wake rules for a deferred completion.
  Task<void> Wake(std::string name, WakeMode mode) {
    const std::optional<Activation::CurrentRun>& current = activation_.current;
    if (current.has_value() && mode == WakeMode::kAutomatic &&
        !current->instance->awaited_deferreds->contains(name)) {
      if (current->activity_awaits->contains(name)) {
        co_await ResumeCurrentRun(mode);
      } else if (!current->instance->completed_deferreds->contains(name)) {
        ClusterWorkflowEngine* engine = engine_;
        std::string t = tag();
        std::string id = execution_id_;
        std::function<Task<absl::Status>()> op = [engine, t, id, mode]() {
          return engine->ResumeRun(t, id, mode);
        };
        (void)co_await EnsureSuccess(std::move(op), engine_->hardened());
      }
      co_return;
    }
    engine_->PreemptFor(execution_id_, name);
    co_await ResumeCurrentRun(mode);
  }

  // Releases the resume gate however the wait ends (a rebuild cancels it).
  struct GateHold {
    bool* busy;
    ~GateHold() { *busy = false; }
  };

  Task<void> ResumeCurrentRun(WakeMode mode) {
    if (mode == WakeMode::kAutomatic) {
      if (activation_.resume_gate_busy) co_return;
      activation_.resume_gate_busy = true;
      GateHold hold{&activation_.resume_gate_busy};
      co_await WaitForCurrentRunReply();
    } else {
      co_await WaitForCurrentRunReply();
    }
    ClusterWorkflowEngine* engine = engine_;
    std::string t = tag();
    std::string id = execution_id_;
    std::function<Task<absl::Status>()> op = [engine, t, id, mode]() {
      return engine->ResumeRun(t, id, mode);
    };
    (void)co_await EnsureSuccess(std::move(op), engine_->hardened());
  }

  // Waits until the current run has a stored reply, so that a wake cannot
  // fall between the run's last read and its Suspended reply. A failed read
  // is retried (Effect's ensureSuccess around the wake).
  Task<void> WaitForCurrentRunReply() {
    for (int32_t step = 0;; ++step) {
      if (!activation_.current.has_value()) co_return;
      const Snowflake request_id = activation_.current->request_id;
      sharding::ReplyHandlers::Registration waiter =
          engine_->sharding_.reply_handlers().Register(
              request_id, activation_.current->address, [](storage::Reply) {});
      absl::StatusOr<std::optional<storage::WithExit>> reply =
          co_await engine_->ReplyFor(request_id);
      if (reply.ok()) {
        if (reply->has_value()) co_return;
        (void)co_await waiter.Wait();
        co_return;
      }
      co_await SleepMs(internal::BackoffMs(step, engine_->hardened()));
    }
  }

  ClusterWorkflowEngine* engine_;
  const Registered& entry_;
  sharding::EntityContext& context_;
  Activation& activation_;
  std::string execution_id_;
};

absl::StatusOr<std::unique_ptr<sharding::EntityHandler>>
ClusterWorkflowEngine::MakeWorkflowHandler(const Registered& entry,
                                           sharding::EntityContext& context) {
  return std::make_unique<WorkflowHandler>(this, entry, context);
}

Task<bool> ClusterWorkflowEngine::RunExitHook(
    std::shared_ptr<WorkflowInstance> instance, Outcome<std::string> out,
    std::optional<ParentRef> parent, std::string execution_id,
    std::shared_ptr<bool> parent_resumed) {
  const bool suspend_on_failure = instance->workflow->suspend_on_failure;
  if (!out.ok() && out.cause().HasInterrupt(InterruptKind::kAbandon)) {
    instance->abandoned = true;
  }
  if (instance->abandoned) instance->suspended = false;
  WorkflowContext ctx{this, instance, 1};
  if (!instance->suspended && !instance->abandoned &&
      !(suspend_on_failure && !out.ok())) {
    const bool resume_parent = parent.has_value() && !parent->detached;
    bool resume_now = out.ok() || !out.cause().HasInterruptsOnly();
    if (!resume_now) {
      std::optional<Exit> signal =
          co_await DeferredResult(ctx, std::string(kInterruptSignalName));
      if (signal.has_value()) {
        // interruptUnsafe cut the run off: keep its scope like a suspended
        // run's, and let the replay apply the interrupt.
        instance->suspended = true;
        co_return false;
      }
      resume_now = true;
    }
    if (resume_now && resume_parent) {
      *parent_resumed = true;
      ParentRef p = *parent;
      std::function<Task<absl::Status>()> op = [this, p, execution_id]() {
        return SendResumeParent(p, execution_id);
      };
      (void)co_await EnsureSuccess(std::move(op), hardened());
    }
    co_return false;
  }
  std::optional<Exit> signal =
      co_await DeferredResult(ctx, std::string(kInterruptSignalName));
  if (!signal.has_value()) co_return false;
  instance->suspended = false;
  instance->interrupted = true;
  (void)co_await ClearClock(instance->workflow->tag, execution_id);
  co_return true;
}

Task<void> ClusterWorkflowEngine::AfterRebuild(
    std::shared_ptr<WorkflowInstance> instance, std::optional<ParentRef> parent,
    std::string execution_id) {
  Exit interrupted = Exit::Failure(Cause::Interrupt());
  co_await instance->scope->Close(interrupted);
  if (parent.has_value() && !parent->detached) {
    std::function<Task<absl::Status>()> op = [this, p = *parent,
                                              execution_id]() {
      return SendResumeParent(p, execution_id);
    };
    (void)co_await EnsureSuccess(std::move(op), hardened());
  }
}

void ClusterWorkflowEngine::CloseRuns(Activation& activation, bool abandoned) {
  if (abandoned) {
    for (const auto& instance : activation.instances) {
      instance->abandoned = true;
    }
  }
  activation.instances.clear();
  std::vector<std::shared_ptr<FinalizerScope>> scopes =
      std::move(activation.run_scopes);
  activation.run_scopes.clear();
  if (scopes.empty()) return;
  scope_.Spawn(CloseScopes(std::move(scopes)), "workflow.close_runs");
}

Task<void> ClusterWorkflowEngine::CloseScopes(
    std::vector<std::shared_ptr<FinalizerScope>> scopes) {
  // Newest first, with success: superseded compensations are skipped.
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    if (!(*it)->CloseIfEmpty()) co_await (*it)->Close(Exit::Success(""));
  }
}

// --- the durable clock entity
// -------------------------------------------------

class ClusterWorkflowEngine::ClockHandler : public sharding::EntityHandler {
 public:
  ClockHandler(ClusterWorkflowEngine* engine, sharding::EntityContext& context)
      : engine_(engine),
        execution_id_(std::string(context.address().entity_id().value())) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    absl::StatusOr<ClockPayload> clock = DecodeClockPayload(request.payload);
    if (!clock.ok()) {
      co_return sharding::MalformedMessageExit(
          std::string(clock.status().message()));
    }
    std::string workflow_name = clock->workflow_name;
    std::string execution_id = execution_id_;
    DeferredPayload fired{ClockDeferredName(clock->name), Exit::Success("")};
    std::string payload = EncodeDeferredPayload(fired);
    ClusterWorkflowEngine* engine = engine_;
    std::function<Task<absl::Status>()> send = [engine, workflow_name,
                                                execution_id, payload]() {
      return engine->SendDiscard(workflow_name, execution_id,
                                 std::string(kDeferredTag), payload);
    };
    (void)co_await EnsureSuccess(std::move(send), engine_->hardened());
    co_return storage::Exit::Success("");
  }

 private:
  ClusterWorkflowEngine* engine_;
  std::string execution_id_;
};

void ClusterWorkflowEngine::RegisterClockEntity() {
  // Senders address the clock explicitly, in its workflow's shard group
  // (ScheduleClock), so the definition's own group is never consulted.
  clock_definition_ = std::make_unique<sharding::EntityDefinition>(
      EntityType(std::string(kClockEntityType)),
      sharding::EntityOptions{.max_idle_time_ms = kWorkflowMaxIdleMs});
  clock_definition_->Add(
      sharding::RpcSpec{.tag = kRunTag,
                        .persisted = true,
                        .uninterruptible = sharding::Uninterruptible::kBoth,
                        .primary_key = &ClockKey,
                        .deliver_at_ms = &ClockDeliverAt});
  ClusterWorkflowEngine* engine = this;
  (void)sharding_.RegisterEntity(
      *clock_definition_,
      [engine](sharding::EntityContext& context)
          -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
        return std::make_unique<ClockHandler>(engine, context);
      });
}

}  // namespace clustersim::workflow
