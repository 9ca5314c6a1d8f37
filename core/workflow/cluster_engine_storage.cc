// ClusterWorkflowEngine's addressing and storage: where an execution's
// entities live, the reads of its stored requests and replies, and
// discarded sends (cluster_engine.h).
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/check.h"
#include "core/cluster/entity_id.h"
#include "core/storage/envelope.h"
#include "core/workflow/cluster_engine.h"
#include "core/workflow/cluster_engine_internal.h"
#include "core/workflow/workflow_codec.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {

using internal::FromStorageExit;
using internal::kDeferredTag;
using internal::kRunTag;

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

}  // namespace clustersim::workflow
