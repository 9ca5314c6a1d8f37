#include "core/workflow/workflow.h"

#include <utility>

#include "core/base/check.h"
#include "core/runtime/sync.h"
#include "core/sharding/async.h"

namespace clustersim::workflow {

void RunControl::Interrupt(InterruptKind kind) {
  if (ended_ || requested_.has_value()) return;
  requested_ = kind;
  if (scope_ != nullptr) scope_->Cancel(body_);
}

// Ties a live body fiber to its RunControl for the body's lifetime.
class RunAttachment {
 public:
  RunAttachment(std::shared_ptr<RunControl> control, Scope* scope, FiberId id)
      : control_(std::move(control)) {
    if (control_ == nullptr) return;
    control_->scope_ = scope;
    control_->body_ = id;
    if (control_->requested_.has_value()) scope->Cancel(id);
  }
  ~RunAttachment() { End(); }
  RunAttachment(const RunAttachment&) = delete;
  RunAttachment& operator=(const RunAttachment&) = delete;

  void End() {
    if (control_ == nullptr) return;
    control_->scope_ = nullptr;
    control_->ended_ = true;
    control_ = nullptr;
  }
  InterruptKind kind() const {
    return control_ != nullptr
               ? control_->requested_.value_or(InterruptKind::kPlain)
               : InterruptKind::kPlain;
  }

 private:
  std::shared_ptr<RunControl> control_;
};

namespace {

using BodyResult = std::optional<Outcome<std::string>>;

// Runs the body in a child fiber so that the run's control (or the run's own
// cancellation) can interrupt it; an interrupted body yields an interrupt.
Task<Outcome<std::string>> RunBody(WorkflowContext ctx, ActivityBody body,
                                   std::shared_ptr<RunControl> control) {
  Fiber* fiber = CurrentFiber();
  CHECK(fiber != nullptr);
  auto result = std::make_shared<Deferred<BodyResult>>();
  Scope scope(fiber->scope());
  const FiberId id = scope.Spawn(
      sharding::internal::RunInto<Outcome<std::string>>(body(ctx), result),
      "workflow.body");
  if (!id) co_return Cause::Interrupt();
  RunAttachment attachment(std::move(control), &scope, id);
  std::optional<BodyResult> got = co_await result->Wait();
  const InterruptKind kind = attachment.kind();
  attachment.End();
  if (!got->has_value()) co_return Cause::Interrupt(kind);
  co_return std::move(**got);
}

bool HasSuspendedCause(const Result& r) {
  const auto* s = std::get_if<Suspended>(&r);
  return s != nullptr && s->cause.has_value();
}

bool IsSuspendedRun(const Outcome<Result>& r) {
  return r.ok() && IsSuspended(r.value());
}

// What a run's (final) body outcome makes of it: a Result, or (an outside
// interrupt, an uncaptured defect) the failure the caller re-raises.
Outcome<Result> RunResult(WorkflowInstance& instance,
                          Outcome<std::string> out) {
  if (out.ok()) return Result(Complete{Exit::Success(std::move(out).value())});
  const Cause& cause = out.cause();
  const bool interrupts_only = cause.HasInterruptsOnly();
  Cause filtered = interrupts_only ? cause : cause.WithoutInterrupts();
  const bool abandoned =
      instance.abandoned && !instance.interrupted && interrupts_only;
  instance.abandoned = abandoned;
  if (instance.suspended && interrupts_only && !abandoned) {
    return Result(Suspended{instance.cause, instance.failed});
  }
  if ((!instance.interrupted && interrupts_only) ||
      (!instance.workflow->capture_defects && cause.HasDies())) {
    // No result; the scope still closes with the failure (compensations run
    // unless the run was abandoned).
    return filtered;
  }
  return Result(Complete{Exit::Failure(std::move(filtered))});
}

// The exit a run's scope closes with: its Complete exit, or the failure of a
// run with no result.
Exit ScopeExit(const Outcome<Result>& result) {
  if (!result.ok()) return Exit::Failure(result.cause());
  return std::get<Complete>(result.value()).exit;
}

}  // namespace

ActivityBody BindPayload(WorkflowBody body, std::string payload) {
  return [body = std::move(body), payload = std::move(payload)](
             WorkflowContext ctx) { return body(std::move(ctx), payload); };
}

Cause Suspend(WorkflowInstance& instance) {
  instance.suspended = true;
  return Cause::Interrupt();
}

Task<Outcome<Result>> IntoResult(WorkflowContext ctx, ActivityBody body,
                                 std::shared_ptr<RunControl> control,
                                 BodyExitHook hook) {
  WorkflowInstance& instance = *ctx.instance;
  const WorkflowDefinition& workflow = *instance.workflow;
  instance.body_scope = std::make_shared<FinalizerScope>();
  Outcome<std::string> out =
      co_await RunBody(ctx, std::move(body), std::move(control));
  if (hook && co_await hook(ctx.instance, out)) {
    // The deposited interrupt joins whatever the body ended with.
    Cause deposited = Cause::Interrupt();
    if (!out.ok()) deposited = out.cause().Combine(deposited);
    out = std::move(deposited);
  }
  if (workflow.suspend_on_failure && !out.ok() && !instance.abandoned &&
      !instance.interrupted) {
    instance.suspended = true;
    if (!out.cause().HasInterruptsOnly()) {
      instance.failed = true;
      instance.cause = Cause::Die(out.cause().Squash());
    }
    out = Cause::Interrupt();
  }
  if (!instance.body_scope->CloseIfEmpty()) {
    // (A named local: GCC 12 miscompiles conditional temporaries in co_await.)
    Exit body_exit = ToExit(out);
    co_await instance.body_scope->Close(body_exit);
  }
  Outcome<Result> result = RunResult(instance, std::move(out));
  // Effect closes the instance scope with the run's exit unless it suspends.
  if (!IsSuspendedRun(result) && !instance.scope->CloseIfEmpty()) {
    Exit exit = ScopeExit(result);
    co_await instance.scope->Close(exit);
  }
  co_return result;
}

namespace {

Task<void> RunFinalizerUnlessAbandoned(
    std::weak_ptr<WorkflowInstance> instance,
    std::function<Task<void>(Exit)> finalizer, Exit exit) {
  std::shared_ptr<WorkflowInstance> live = instance.lock();
  if (live != nullptr && live->abandoned) co_return;
  co_await finalizer(std::move(exit));
}

Task<void> RunCompensation(Compensation compensation, std::string value,
                           Exit exit) {
  if (exit.is_success()) co_return;
  co_await compensation(std::move(value), exit.cause());
}

}  // namespace

void AddFinalizer(const WorkflowContext& ctx,
                  std::function<Task<void>(Exit exit)> finalizer) {
  std::weak_ptr<WorkflowInstance> weak = ctx.instance;
  ctx.instance->scope->Add([weak, finalizer](Exit exit) {
    return RunFinalizerUnlessAbandoned(weak, finalizer, std::move(exit));
  });
}

void AddScopeFinalizer(const WorkflowContext& ctx,
                       std::function<Task<void>(Exit exit)> finalizer) {
  ctx.instance->body_scope->Add(std::move(finalizer));
}

Task<Outcome<std::string>> WithCompensation(WorkflowContext ctx,
                                            Task<Outcome<std::string>> step,
                                            Compensation compensation) {
  WF_TRY(std::string value, co_await std::move(step));
  AddFinalizer(ctx, [compensation, value](Exit exit) {
    return RunCompensation(compensation, value, std::move(exit));
  });
  co_return value;
}

namespace internal {

ActivityRegistration::ActivityRegistration(std::shared_ptr<ActivityState> state)
    : state_(std::move(state)) {
  if (state_->count == 0) state_->zero.Close();
  ++state_->count;
}

void ActivityRegistration::Release() {
  if (state_ == nullptr) return;
  CHECK(state_->count > 0);
  if (--state_->count == 0) state_->zero.Open();
  state_ = nullptr;
}

Task<void> WaitForZero(std::shared_ptr<ActivityState> state) {
  while (true) {
    if (state->count > 0) {
      co_await state->zero.Wait();
      co_await Yield();
      continue;
    }
    co_await Yield();
    if (state->count == 0) co_return;
  }
}

void CombineSuspendedCause(WorkflowInstance& instance, const Result& result) {
  if (!HasSuspendedCause(result)) return;
  const Cause& cause = *std::get<Suspended>(result).cause;
  instance.cause =
      instance.cause.has_value() ? instance.cause->Combine(cause) : cause;
}

}  // namespace internal

namespace {

// Sleeps `delay_ms`, or less if the execution completes first.
Task<void> SleepOrComplete(WorkflowEngine& engine,
                           const WorkflowDefinition& workflow,
                           std::string execution_id, int64_t delay_ms) {
  auto done = std::make_shared<Latch>();
  Scope scope(CurrentFiber()->scope());
  scope.Spawn(sharding::internal::RunThenOpen(
                  engine.AwaitComplete(workflow, execution_id), done),
              "workflow.await_complete");
  co_await done->WaitFor(delay_ms);
}

Task<void> InterruptChildIfParentInterrupted(
    WorkflowEngine* engine, const WorkflowDefinition* workflow,
    std::string execution_id, std::weak_ptr<WorkflowInstance> parent,
    std::shared_ptr<std::optional<Result>> result) {
  std::shared_ptr<WorkflowInstance> live = parent.lock();
  if (live == nullptr || !live->interrupted) co_return;
  if (result->has_value() && IsComplete(**result)) co_return;
  co_await engine->Interrupt(*workflow, std::move(execution_id));
}

}  // namespace

Task<Outcome<std::string>> Execute(WorkflowEngine& engine,
                                   std::shared_ptr<WorkflowInstance> parent,
                                   const WorkflowDefinition& workflow,
                                   std::string execution_id,
                                   std::string payload,
                                   ExecuteOptions options) {
  if (options.detached && !options.discard) {
    co_return Cause::Die(workflow.tag + ".execute: detached requires discard");
  }
  // The child's result as the parent's run saw it (for its finalizer).
  std::shared_ptr<std::optional<Result>> result;
  if (parent != nullptr && !options.detached) {
    // Interrupting the parent interrupts a child that has not completed.
    result = std::make_shared<std::optional<Result>>();
    WorkflowEngine* e = &engine;
    const WorkflowDefinition* w = &workflow;
    std::weak_ptr<WorkflowInstance> weak = parent;
    std::string id = execution_id;
    parent->body_scope->Add([e, w, id, weak, result](Exit) {
      return InterruptChildIfParentInterrupted(e, w, id, weak, result);
    });
  }
  ExecuteRequest request{execution_id, std::move(payload), options.discard,
                         parent, options.detached};
  if (options.discard) {
    // A start that did not land fails (Effect's `yield* run`); the caller
    // may retry it, as the run request is deduplicated.
    Outcome<Result> started = co_await engine.ExecuteRun(workflow, request);
    if (!started.ok()) co_return std::move(started).cause();
    co_return execution_id;
  }
  if (parent != nullptr) {
    Outcome<Result> run = co_await WrapActivityResult<Outcome<Result>>(
        parent, engine.ExecuteRun(workflow, request), &IsSuspendedRun);
    if (!run.ok()) co_return std::move(run).cause();
    Result wrapped = std::move(run).value();
    *result = wrapped;
    if (IsSuspended(wrapped)) co_return Suspend(*parent);
    co_return FromExit(std::get<Complete>(wrapped).exit);
  }
  int32_t step = 0;
  while (true) {
    Outcome<Result> run = co_await engine.ExecuteRun(workflow, request);
    if (!run.ok()) co_return std::move(run).cause();
    if (const auto* complete = std::get_if<Complete>(&run.value())) {
      co_return FromExit(complete->exit);
    }
    std::optional<int64_t> delay_ms = workflow.suspended_retry.DelayMs(step++);
    if (!delay_ms.has_value()) {
      co_return Cause::Die(workflow.tag +
                           ".execute: suspendedRetrySchedule exhausted");
    }
    co_await SleepOrComplete(engine, workflow, execution_id, *delay_ms);
  }
}

}  // namespace clustersim::workflow
