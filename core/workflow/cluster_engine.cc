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
using internal::kResumeTag;
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

absl::StatusOr<EntityAddress> ClusterWorkflowEngine::AddressFor(
    const std::string& entity_type, const std::string& shard_group,
    const std::string& execution_id) {
  EntityId id(execution_id);
  absl::StatusOr<ShardId> shard = sharding_.ShardFor(id, shard_group);
  if (!shard.ok()) return shard.status();
  return EntityAddress{EntityType(entity_type), std::move(id), *shard};
}

std::string ClusterWorkflowEngine::ShardGroupOf(
    const std::string& workflow_name) const {
  const WorkflowDefinition* workflow = Find(workflow_name);
  return workflow != nullptr ? workflow->shard_group : "default";
}

absl::StatusOr<EntityAddress> ClusterWorkflowEngine::WorkflowAddress(
    const std::string& tag, const std::string& id) {
  return AddressFor(std::string(WorkflowEntityType(tag).value()),
                    ShardGroupOf(tag), id);
}

void ClusterWorkflowEngine::DefineClient(const WorkflowDefinition& workflow) {
  if (Find(workflow.tag) != nullptr) return;
  sharding_.DefineEntity(WorkflowEntity(workflow));
}

Task<absl::StatusOr<std::optional<Snowflake>>>
ClusterWorkflowEngine::RequestIdFor(const std::string& workflow_tag,
                                    std::string execution_id,
                                    std::string rpc_tag,
                                    std::string primary_key) {
  absl::StatusOr<EntityAddress> address =
      WorkflowAddress(workflow_tag, execution_id);
  if (!address.ok()) co_return address.status();
  co_return co_await storage_.RequestIdForPrimaryKey(
      storage::ComposePrimaryKey(*address, rpc_tag, primary_key));
}

Task<absl::StatusOr<std::optional<storage::WithExit>>>
ClusterWorkflowEngine::ReplyFor(Snowflake request_id) {
  std::vector<Snowflake> ids = {request_id};
  absl::StatusOr<std::vector<storage::Reply>> replies =
      co_await storage_.RepliesForUnfiltered(std::move(ids));
  if (!replies.ok()) co_return replies.status();
  if (replies->empty()) co_return std::optional<storage::WithExit>();
  const auto* last = std::get_if<storage::WithExit>(&replies->back());
  if (last == nullptr) co_return std::optional<storage::WithExit>();
  co_return std::optional<storage::WithExit>(*last);
}

Task<absl::StatusOr<std::optional<ClusterWorkflowEngine::RunReplyValue>>>
ClusterWorkflowEngine::RunReply(const std::string& tag,
                                std::string execution_id) {
  absl::StatusOr<std::optional<Snowflake>> id =
      co_await RequestIdFor(tag, execution_id, kRunTag, "");
  if (!id.ok()) co_return id.status();
  if (!id->has_value()) co_return std::optional<RunReplyValue>();
  absl::StatusOr<std::optional<storage::WithExit>> reply =
      co_await ReplyFor(**id);
  if (!reply.ok()) co_return reply.status();
  if (!reply->has_value()) co_return std::optional<RunReplyValue>();
  co_return std::optional<RunReplyValue>(
      RunReplyValue{**reply, FromStorageExit((*reply)->exit)});
}

Task<absl::Status> ClusterWorkflowEngine::SendDiscard(std::string workflow_name,
                                                      std::string execution_id,
                                                      std::string rpc_tag,
                                                      std::string payload) {
  absl::StatusOr<EntityAddress> address =
      WorkflowAddress(workflow_name, execution_id);
  if (!address.ok()) co_return address.status();
  co_return co_await SendDiscardTo(*address, protocol_->Find(rpc_tag),
                                   std::move(payload));
}

Task<absl::Status> ClusterWorkflowEngine::SendDiscardTo(
    EntityAddress address, const sharding::RpcSpec* rpc, std::string payload) {
  CHECK(rpc != nullptr);
  std::optional<std::string> primary_key;
  if (rpc->primary_key) {
    if (std::optional<std::string> key = rpc->primary_key(payload)) {
      primary_key = storage::ComposePrimaryKey(address, rpc->tag, *key);
    }
  }
  std::optional<int64_t> deliver_at_ms;
  if (rpc->deliver_at_ms) deliver_at_ms = rpc->deliver_at_ms(payload);
  storage::Request request{sharding_.NextSnowflake(),
                           std::move(address),
                           rpc->tag,
                           std::move(payload),
                           {},
                           std::move(primary_key),
                           deliver_at_ms};
  // A discarded send still gets the reply of a duplicate; nobody waits.
  sharding::OutgoingRequest outgoing{std::move(request), rpc, std::nullopt,
                                     [](storage::Reply) {}};
  co_return co_await sharding_.SendOutgoing(std::move(outgoing),
                                            /*discard=*/true, std::nullopt,
                                            std::nullopt);
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

Task<absl::Status> ClusterWorkflowEngine::InterruptSignal(
    const WorkflowDefinition& workflow, std::string execution_id,
    std::optional<Snowflake>* run_request) {
  absl::StatusOr<std::optional<Snowflake>> id =
      co_await RequestIdFor(workflow.tag, execution_id, kRunTag, "");
  if (!id.ok()) co_return id.status();
  if (!id->has_value()) co_return absl::OkStatus();
  absl::StatusOr<std::optional<storage::WithExit>> reply =
      co_await ReplyFor(**id);
  if (!reply.ok()) co_return reply.status();
  if (reply->has_value()) {
    Outcome<Result> result = FromStorageExit((*reply)->exit);
    if (!(result.ok() && IsSuspended(result.value())))
      co_return absl::OkStatus();
  }
  DeferredAddress signal{workflow.tag, execution_id,
                         std::string(kInterruptSignalName)};
  const absl::Status signalled =
      co_await DeferredDone(std::move(signal), Exit::Success(""), nullptr);
  if (!signalled.ok()) co_return signalled;
  *run_request = **id;
  co_return absl::OkStatus();
}

Task<std::optional<Snowflake>> ClusterWorkflowEngine::SignalInterrupt(
    const WorkflowDefinition& workflow, std::string execution_id) {
  std::optional<Snowflake> run_request;
  std::function<Task<absl::Status>()> op = [&]() {
    return InterruptSignal(workflow, execution_id, &run_request);
  };
  (void)co_await RetryTimes(3, 250, std::move(op));
  co_return run_request;
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

Task<absl::Status> ClusterWorkflowEngine::ResumeRun(std::string tag,
                                                    std::string execution_id,
                                                    WakeMode mode) {
  absl::StatusOr<std::optional<RunReplyValue>> reply =
      co_await RunReply(tag, execution_id);
  if (!reply.ok()) co_return reply.status();
  if (!reply->has_value()) co_return absl::OkStatus();
  const Outcome<Result>& result = (*reply)->result;
  if (!result.ok() || !IsSuspended(result.value())) co_return absl::OkStatus();
  if (mode == WakeMode::kAutomatic &&
      std::get<Suspended>(result.value()).failed) {
    co_return absl::OkStatus();
  }
  const bool reset =
      co_await sharding_.Reset((*reply)->reply.request_id, (*reply)->reply.id);
  if (!reset) co_return absl::UnavailableError("Failed to reset workflow run");
  sharding_.PollStorage();
  co_return absl::OkStatus();
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

Task<absl::Status> ClusterWorkflowEngine::ResetActivityAttempt(
    const std::string& tag, std::string execution_id, std::string name,
    int32_t attempt) {
  return RetryTimes(3, 250, [this, tag, execution_id, name, attempt]() {
    return ResetActivityAttemptOnce(tag, execution_id, name, attempt);
  });
}

Task<absl::Status> ClusterWorkflowEngine::ResetActivityAttemptOnce(
    std::string tag, std::string execution_id, std::string name,
    int32_t attempt) {
  absl::StatusOr<std::optional<Snowflake>> id = co_await RequestIdFor(
      tag, execution_id, kActivityTag, ActivityPrimaryKey(name, attempt));
  if (!id.ok()) co_return id.status();
  if (!id->has_value()) co_return absl::OkStatus();
  const bool reset = co_await sharding_.Reset(**id, std::nullopt);
  // W4: Effect ignores a failed reset here, and the caller resends at once
  // against the same stored Suspended reply.
  if (!reset && hardened()) {
    co_return absl::UnavailableError("activity attempt reset failed");
  }
  co_return absl::OkStatus();
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

Task<absl::Status> ClusterWorkflowEngine::ReadDeferred(
    std::string tag, std::string execution_id, std::string name,
    std::optional<Exit>* found) {
  absl::StatusOr<std::optional<Snowflake>> id =
      co_await RequestIdFor(tag, execution_id, kDeferredTag, name);
  if (!id.ok()) co_return id.status();
  if (!id->has_value()) co_return absl::OkStatus();
  for (int pass = 0; pass < 2; ++pass) {
    absl::StatusOr<std::optional<storage::WithExit>> reply =
        co_await ReplyFor(**id);
    if (!reply.ok()) co_return reply.status();
    if (reply->has_value()) {
      *found = internal::DeferredReplyExit((*reply)->exit);
      co_return absl::OkStatus();
    }
    if (pass == 1) break;
    // The first completion saved under the name wins, so an unprocessed
    // request already holds the result.
    std::vector<Snowflake> ids = {**id};
    absl::StatusOr<std::vector<storage::StoredMessage>> unprocessed =
        co_await storage_.UnprocessedMessagesById(std::move(ids),
                                                  sharding_.NowMs());
    if (!unprocessed.ok()) co_return unprocessed.status();
    for (const storage::StoredMessage& message : *unprocessed) {
      if (const auto* request =
              std::get_if<storage::Request>(&message.envelope)) {
        absl::StatusOr<DeferredPayload> payload =
            DecodeDeferredPayload(request->payload);
        if (payload.ok()) {
          *found = payload->exit;
          co_return absl::OkStatus();
        }
      }
    }
  }
  co_return absl::OkStatus();
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

Task<absl::Status> ClusterWorkflowEngine::SendResumeParent(
    ParentRef parent, std::string child_execution_id) {
  absl::StatusOr<std::optional<Snowflake>> id =
      co_await RequestIdFor(parent.workflow_name, parent.execution_id,
                            kResumeTag, child_execution_id);
  if (!id.ok()) co_return id.status();
  if (!id->has_value()) {
    co_return co_await SendDiscard(parent.workflow_name, parent.execution_id,
                                   kResumeTag,
                                   EncodeResumePayload(child_execution_id));
  }
  absl::StatusOr<std::optional<storage::WithExit>> reply =
      co_await ReplyFor(**id);
  if (!reply.ok()) co_return reply.status();
  if (!reply->has_value()) co_return absl::OkStatus();
  const bool reset = co_await sharding_.Reset(**id, std::nullopt);
  // W4: Effect ignores the result, so a failed reset silently loses the
  // parent's wake-up.
  if (!reset && hardened()) {
    co_return absl::UnavailableError("parent resume reset failed");
  }
  co_return absl::OkStatus();
}

Task<absl::Status> ClusterWorkflowEngine::ClearClock(const std::string& tag,
                                                     std::string execution_id) {
  absl::StatusOr<EntityAddress> address = AddressFor(
      std::string(kClockEntityType), ShardGroupOf(tag), execution_id);
  if (!address.ok()) co_return address.status();
  co_return co_await storage_.ClearAddress(*address);
}

bool ClusterWorkflowEngine::RetryHardened(const absl::Status& error) const {
  return hardened() && !sharding::IsAbandoned(error);
}

bool ClusterWorkflowEngine::InterruptPending(
    const std::string& execution_id) const {
  auto it = activations_.find(execution_id);
  return it != activations_.end() &&
         it->second->results.contains(kInterruptSignalName);
}

void ClusterWorkflowEngine::PreemptFor(const std::string& execution_id,
                                       const std::string& name) {
  auto it = running_.find(execution_id);
  if (it == running_.end()) return;
  const LiveRun& run = it->second;
  if (run.control->body_ended() ||
      !run.instance->awaited_deferreds->contains(name)) {
    return;
  }
  run.instance->suspended = true;
  run.control->Interrupt();
}

}  // namespace clustersim::workflow
