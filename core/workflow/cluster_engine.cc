#include "core/workflow/cluster_engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/entity_id.h"
#include "core/mutants/mutant.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/reply_handlers.h"
#include "core/storage/envelope.h"
#include "core/workflow/activity.h"
#include "core/workflow/cluster_engine_internal.h"
#include "core/workflow/workflow_codec.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {

using internal::EnsureSuccess;
using internal::FromStorageExit;
using internal::kActivityTag;
using internal::kDeferredTag;
using internal::kRunTag;
using internal::RetryTimes;

namespace {

std::string RunnerNameOf(const sharding::Sharding& sharding) {
  const std::optional<RunnerAddress>& self = sharding.self();
  return self.has_value() ? self->ToString() : "client";
}

}  // namespace

ClusterWorkflowEngine::ClusterWorkflowEngine(sharding::Sharding& sharding,
                                             storage::StorageClient& storage,
                                             const NodeEnv& env, Scope& parent)
    : sharding_(sharding),
      storage_(storage),
      env_(env),
      scope_(parent),
      runner_name_(RunnerNameOf(sharding)),
      protocol_(
          std::make_unique<sharding::EntityDefinition>(PartialEntity("-"))) {
  RegisterClockEntity();
}

ClusterWorkflowEngine::~ClusterWorkflowEngine() { scope_.Close(); }

bool ClusterWorkflowEngine::hardened() const {
  return sharding_.config().mode == sharding::Mode::kHardened;
}

void ClusterWorkflowEngine::Trace(std::string_view kind,
                                  std::string_view detail) {
  if (env_.trace != nullptr) env_.trace->Record(kind, detail);
}

absl::Status ClusterWorkflowEngine::Register(WorkflowDefinition workflow,
                                             WorkflowBody body) {
  const std::string tag = workflow.tag;
  if (workflows_.contains(tag)) {
    return absl::AlreadyExistsError("workflow '" + tag +
                                    "' is already registered; the first "
                                    "registration is kept");
  }
  auto registered = std::make_unique<Registered>(
      Registered{std::move(workflow), std::move(body)});
  Registered* entry = registered.get();
  workflows_.emplace(tag, std::move(registered));
  return sharding_.RegisterEntity(
      WorkflowEntity(entry->workflow),
      [this, entry](sharding::EntityContext& context)
          -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
        return MakeWorkflowHandler(*entry, context);
      });
}

const WorkflowDefinition* ClusterWorkflowEngine::Find(
    const std::string& tag) const {
  auto it = workflows_.find(tag);
  return it == workflows_.end() ? nullptr : &it->second->workflow;
}

// --- WorkflowEngine
// -----------------------------------------------------------

Task<Outcome<Result>> ClusterWorkflowEngine::ExecuteRun(
    const WorkflowDefinition& workflow, ExecuteRequest request) {
  RunPayload run{std::move(request.payload), std::nullopt};
  if (request.parent != nullptr) {
    run.parent = ParentRef{request.parent->workflow->tag,
                           request.parent->execution_id, request.detached};
  }
  DefineClient(workflow);
  std::string payload = EncodeRunPayload(run);
  if (request.discard) {
    absl::Status sent = co_await sharding_.SendDiscard(
        WorkflowEntityType(workflow.tag), EntityId(request.execution_id),
        kRunTag, std::move(payload));
    if (!sent.ok()) co_return internal::CauseOf(sent);
    co_return Result(Suspended{});
  }
  for (int32_t step = 0;; ++step) {
    absl::StatusOr<storage::Exit> exit = co_await sharding_.Send(
        WorkflowEntityType(workflow.tag), EntityId(request.execution_id),
        kRunTag, payload);
    if (exit.ok()) co_return FromStorageExit(*exit);
    // Effect dies on any cluster error here, so a caller sees a defect for
    // an execution that may well complete. Hardened: a transient error is
    // retried (the run request is deduplicated by its primary key).
    if (!RetryHardened(exit.status())) {
      co_return internal::CauseOf(exit.status());
    }
    co_await SleepMs(internal::BackoffMs(step, hardened()));
  }
}

Task<Outcome<std::optional<Result>>> ClusterWorkflowEngine::Poll(
    const WorkflowDefinition& workflow, std::string execution_id) {
  absl::StatusOr<std::optional<RunReplyValue>> reply =
      co_await RunReply(workflow.tag, std::move(execution_id));
  if (!reply.ok()) co_return internal::CauseOf(reply.status());
  if (!reply->has_value()) co_return std::optional<Result>();
  Outcome<Result>& result = (*reply)->result;
  if (!result.ok()) co_return result.cause();
  co_return std::optional<Result>(result.value());
}

Task<void> ClusterWorkflowEngine::Interrupt(const WorkflowDefinition& workflow,
                                            std::string execution_id) {
  (void)co_await SignalInterrupt(workflow, std::move(execution_id));
}

Task<void> ClusterWorkflowEngine::InterruptUnsafe(
    const WorkflowDefinition& workflow, std::string execution_id) {
  std::optional<Snowflake> run_request =
      co_await SignalInterrupt(workflow, execution_id);
  if (!run_request.has_value()) co_return;
  absl::StatusOr<EntityAddress> address =
      WorkflowAddress(workflow.tag, execution_id);
  if (!address.ok()) co_return;
  storage::Interrupt interrupt{sharding_.NextSnowflake(), *address,
                               *run_request};
  sharding::OutgoingEnvelope envelope{interrupt, /*persisted=*/true};
  (void)co_await sharding_.SendOutgoing(std::move(envelope), false,
                                        std::nullopt, std::nullopt);
}

Task<void> ClusterWorkflowEngine::Resume(const WorkflowDefinition& workflow,
                                         std::string execution_id) {
  std::string tag = workflow.tag;
  std::function<Task<absl::Status>()> op = [this, tag, execution_id]() {
    return ResumeRun(tag, execution_id, WakeMode::kExplicit);
  };
  (void)co_await EnsureSuccess(std::move(op), hardened());
}

Task<void> ClusterWorkflowEngine::AwaitComplete(
    const WorkflowDefinition& workflow, std::string execution_id) {
  absl::StatusOr<EntityAddress> address =
      WorkflowAddress(workflow.tag, execution_id);
  if (!address.ok() || !sharding_.HasShardId(address->shard_id())) {
    co_await Never();
    co_return;
  }
  absl::StatusOr<std::optional<Snowflake>> id =
      co_await RequestIdFor(workflow.tag, execution_id, kRunTag, "");
  if (!id.ok() || !id->has_value()) {
    co_await Never();
    co_return;
  }
  // A replay that suspends again re-arms the wait.
  while (true) {
    sharding::ReplyHandlers::Registration waiter =
        sharding_.reply_handlers().Register(**id, *address,
                                            [](storage::Reply) {});
    absl::StatusOr<std::optional<storage::WithExit>> reply =
        co_await ReplyFor(**id);
    if (!reply.ok()) {
      co_await Never();
      co_return;
    }
    if (reply->has_value()) {
      Outcome<Result> result = FromStorageExit((*reply)->exit);
      if (!(result.ok() && IsSuspended(result.value()))) co_return;
    }
    absl::Status waited = co_await waiter.Wait();
    if (!waited.ok()) {
      co_await Never();
      co_return;
    }
  }
}

Task<Outcome<Result>> ClusterWorkflowEngine::ActivityExecute(
    WorkflowContext ctx, const ActivityDefinition& activity, int32_t attempt) {
  const std::shared_ptr<WorkflowInstance> instance = ctx.instance;
  const std::string tag = instance->workflow->tag;
  const std::string activity_id = instance->execution_id + "/" + activity.name;
  // A pending interrupt replays only to rebuild compensations: no new
  // activity runs.
  if (!instance->interrupted && InterruptPending(instance->execution_id)) {
    absl::StatusOr<std::optional<Snowflake>> id =
        co_await RequestIdFor(tag, instance->execution_id, kActivityTag,
                              ActivityPrimaryKey(activity.name, attempt));
    if (!id.ok()) co_return internal::CauseOf(id.status());
    if (!id->has_value()) co_return Result(Suspended{});
    absl::StatusOr<std::optional<storage::WithExit>> reply =
        co_await ReplyFor(**id);
    if (!reply.ok()) co_return internal::CauseOf(reply.status());
    if (!reply->has_value()) co_return Result(Suspended{});
    Outcome<Result> stored = FromStorageExit((*reply)->exit);
    if (stored.ok() && IsSuspended(stored.value())) {
      co_return Result(Suspended{});
    }
  }
  if (sharding_.config().mutant == Mutant::kUnjournaledActivity) {
    // Clears the attempt's journaled result, if any, so it runs again.
    absl::Status reset = co_await ResetActivityAttempt(
        tag, instance->execution_id, activity.name, attempt);
    if (!reset.ok()) co_return internal::CauseOf(reset);
  }
  std::string payload =
      EncodeActivityPayload(ActivityPayload{activity.name, attempt});
  for (int32_t step = 0;; ++step) {
    activities_.try_emplace(activity_id, activity, ctx);
    absl::StatusOr<storage::Exit> exit = co_await sharding_.Send(
        WorkflowEntityType(tag), EntityId(instance->execution_id), kActivityTag,
        payload);
    if (!exit.ok()) {
      // Effect dies here: a transient error fails the workflow (and runs its
      // compensations) though the activity may have run. Hardened: retried;
      // the attempt is deduplicated by its primary key.
      if (!RetryHardened(exit.status())) {
        co_return internal::CauseOf(exit.status());
      }
      co_await SleepMs(internal::BackoffMs(step, hardened()));
      continue;
    }
    Outcome<Result> result = FromStorageExit(*exit);
    // Not run (a replay whose run had not registered the activity yet), or
    // aborted by an earlier caller: reset the attempt and send it again.
    const bool not_run = result.ok() ? IsSuspended(result.value())
                                     : result.cause().HasInterruptsOnly();
    if (not_run && (activities_.contains(activity_id) ||
                    interrupted_activities_.contains(activity_id))) {
      absl::Status reset = co_await ResetActivityAttempt(
          tag, instance->execution_id, activity.name, attempt);
      if (!reset.ok()) co_return internal::CauseOf(reset);
      continue;
    }
    activities_.erase(activity_id);
    co_return result;
  }
}

Task<std::optional<Exit>> ClusterWorkflowEngine::DeferredResult(
    WorkflowContext ctx, std::string name) {
  const std::string& execution_id = ctx.instance->execution_id;
  if (auto act = activations_.find(execution_id); act != activations_.end()) {
    auto cached = act->second->results.find(name);
    if (cached != act->second->results.end()) co_return cached->second;
  }
  const std::string tag = ctx.instance->workflow->tag;
  std::optional<Exit> found;
  std::function<Task<absl::Status>()> read = [this, tag, execution_id, name,
                                              &found]() {
    return ReadDeferred(tag, execution_id, name, &found);
  };
  absl::Status status = absl::OkStatus();
  if (hardened()) {
    status = co_await EnsureSuccess(std::move(read), hardened());
  } else {
    status = co_await RetryTimes(3, 250, std::move(read));
  }
  if (!status.ok()) {
    // Effect dies here: the awaiting body fails with the defect.
    co_return Exit::Failure(
        Cause::Die("deferred read failed: " + std::string(status.message())));
  }
  co_return found;
}

Task<absl::Status> ClusterWorkflowEngine::DeferredDone(
    DeferredAddress address, Exit exit,
    std::shared_ptr<WorkflowInstance> caller) {
  if (caller != nullptr && caller->execution_id == address.execution_id &&
      address.deferred_name != kInterruptSignalName) {
    caller->completed_deferreds->insert(address.deferred_name);
  }
  std::string payload =
      EncodeDeferredPayload(DeferredPayload{address.deferred_name, exit});
  std::function<Task<absl::Status>()> send = [this, address, payload]() {
    return SendDiscard(address.workflow_name, address.execution_id,
                       kDeferredTag, payload);
  };
  if (hardened()) co_return co_await EnsureSuccess(std::move(send), hardened());
  co_return co_await send();
}

Task<absl::Status> ClusterWorkflowEngine::ScheduleClock(WorkflowContext ctx,
                                                        std::string name,
                                                        int64_t duration_us) {
  const std::string& tag = ctx.instance->workflow->tag;
  // The clock lives in the workflow's shard group, next to its execution.
  absl::StatusOr<EntityAddress> address = AddressFor(
      std::string(kClockEntityType), ctx.instance->workflow->shard_group,
      ctx.instance->execution_id);
  if (!address.ok()) co_return address.status();
  // The wake-up is fixed now: a retried send keeps it (and the clock's
  // primary key keeps the first one stored). Effect rounds now + duration
  // up to a whole millisecond; now is whole milliseconds.
  ClockPayload clock{name, tag, sharding_.NowMs() + (duration_us + 999) / 1000};
  std::string payload = EncodeClockPayload(clock);
  const sharding::RpcSpec* rpc = clock_definition_->Find(kRunTag);
  EntityAddress target = *address;
  std::function<Task<absl::Status>()> send = [this, target, rpc, payload]() {
    return SendDiscardTo(target, rpc, payload);
  };
  // Effect dies when the clock cannot be stored; hardened retries.
  if (hardened()) co_return co_await EnsureSuccess(std::move(send), hardened());
  co_return co_await send();
}

}  // namespace clustersim::workflow
