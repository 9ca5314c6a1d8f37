// ClusterWorkflowEngine's waking and interrupting: resuming suspended runs
// and parents, resetting activity attempts, the interrupt signal, and
// preempting a live run (cluster_engine.h).
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/sharding/reply_handlers.h"
#include "core/workflow/cluster_engine.h"
#include "core/workflow/cluster_engine_internal.h"
#include "core/workflow/workflow_codec.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {

using internal::FromStorageExit;
using internal::kActivityTag;
using internal::kResumeTag;
using internal::kRunTag;
using internal::RetryTimes;

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
