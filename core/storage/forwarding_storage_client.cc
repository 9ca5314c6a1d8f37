#include "core/storage/forwarding_storage_client.h"

#include <utility>

namespace clustersim::storage {

Task<absl::StatusOr<std::vector<StoredMessage>>>
ForwardingStorageClient::UnprocessedMessages(UnprocessedQuery query,
                                             int64_t reader_now_ms) {
  return inner_->UnprocessedMessages(std::move(query), reader_now_ms);
}
Task<absl::StatusOr<std::vector<FencingToken>>>
ForwardingStorageClient::Acquire(RunnerAddress address,
                                 std::vector<ShardId> shards) {
  return inner_->Acquire(std::move(address), std::move(shards));
}

Task<absl::StatusOr<SaveResult>> ForwardingStorageClient::SaveRequest(
    Request request) {
  return inner_->SaveRequest(std::move(request));
}
Task<absl::Status> ForwardingStorageClient::SaveEnvelope(AckChunk ack) {
  return inner_->SaveEnvelope(std::move(ack));
}
Task<absl::Status> ForwardingStorageClient::SaveEnvelope(Interrupt interrupt) {
  return inner_->SaveEnvelope(std::move(interrupt));
}
Task<absl::Status> ForwardingStorageClient::SaveReply(
    Reply reply, std::optional<FencingToken> fencing) {
  return inner_->SaveReply(std::move(reply), std::move(fencing));
}
Task<absl::Status> ForwardingStorageClient::ClearReplies(
    Snowflake request_id, std::optional<Snowflake> expected_reply_id) {
  return inner_->ClearReplies(request_id, expected_reply_id);
}
Task<absl::StatusOr<std::optional<Snowflake>>>
ForwardingStorageClient::RequestIdForPrimaryKey(std::string primary_key) {
  return inner_->RequestIdForPrimaryKey(std::move(primary_key));
}
Task<absl::StatusOr<std::vector<Reply>>> ForwardingStorageClient::RepliesFor(
    std::vector<Snowflake> request_ids) {
  return inner_->RepliesFor(std::move(request_ids));
}
Task<absl::StatusOr<std::vector<Reply>>>
ForwardingStorageClient::RepliesForUnfiltered(
    std::vector<Snowflake> request_ids) {
  return inner_->RepliesForUnfiltered(std::move(request_ids));
}
Task<absl::StatusOr<std::vector<StoredMessage>>>
ForwardingStorageClient::UnprocessedMessagesById(std::vector<Snowflake> ids,
                                                 int64_t reader_now_ms) {
  return inner_->UnprocessedMessagesById(std::move(ids), reader_now_ms);
}
Task<absl::Status> ForwardingStorageClient::ResetShards(
    std::vector<ShardId> shards) {
  return inner_->ResetShards(std::move(shards));
}
Task<absl::Status> ForwardingStorageClient::ResetAddresses(
    std::vector<EntityAddress> addresses) {
  return inner_->ResetAddresses(std::move(addresses));
}
Task<absl::Status> ForwardingStorageClient::ResetRequests(
    std::vector<Snowflake> ids) {
  return inner_->ResetRequests(std::move(ids));
}
Task<absl::Status> ForwardingStorageClient::ClearAddress(
    EntityAddress address) {
  return inner_->ClearAddress(std::move(address));
}
Task<absl::StatusOr<MachineId>> ForwardingStorageClient::Register(
    Runner runner, bool healthy) {
  return inner_->Register(std::move(runner), healthy);
}
Task<absl::Status> ForwardingStorageClient::Unregister(RunnerAddress address) {
  return inner_->Unregister(std::move(address));
}
Task<absl::StatusOr<std::vector<RunnerEntry>>>
ForwardingStorageClient::GetRunners() {
  return inner_->GetRunners();
}
Task<absl::Status> ForwardingStorageClient::SetRunnerHealth(
    RunnerAddress address, bool healthy) {
  return inner_->SetRunnerHealth(std::move(address), healthy);
}
Task<absl::StatusOr<std::vector<FencingToken>>>
ForwardingStorageClient::Refresh(RunnerAddress address,
                                 std::vector<ShardId> shards) {
  return inner_->Refresh(std::move(address), std::move(shards));
}
Task<absl::Status> ForwardingStorageClient::Release(
    RunnerAddress address, ShardId shard, std::optional<uint64_t> max_epoch) {
  return inner_->Release(std::move(address), std::move(shard), max_epoch);
}
Task<absl::Status> ForwardingStorageClient::ReleaseAll(
    RunnerAddress address, std::optional<uint64_t> max_epoch) {
  return inner_->ReleaseAll(std::move(address), max_epoch);
}

}  // namespace clustersim::storage
