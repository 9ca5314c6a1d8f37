#include "core/storage/local_storage_client.h"

#include <utility>

#include "core/cluster/cluster_error.h"
#include "core/storage/storage_errors.h"

namespace clustersim::storage {
namespace {

// The client-side view of a storage error: Effect's PersistenceError, except
// the fencing refusal, which callers must be able to tell apart.
absl::Status AsClientError(absl::Status status) {
  if (status.ok() || IsFenced(status) || IsAlreadyStored(status) ||
      IsAlreadyReplied(status) || IsReplyCleared(status)) {
    return status;
  }
  return ToStatus(PersistenceError{std::string(status.message())});
}

template <typename T>
absl::StatusOr<T> AsClientError(absl::StatusOr<T> result) {
  if (result.ok()) return result;
  return AsClientError(result.status());
}

}  // namespace

Task<absl::StatusOr<SaveResult>> LocalStorageClient::SaveRequest(
    Request request) {
  co_return AsClientError(state_.SaveRequest(request));
}

Task<absl::Status> LocalStorageClient::SaveEnvelope(AckChunk ack) {
  co_return AsClientError(state_.SaveEnvelope(ack));
}

Task<absl::Status> LocalStorageClient::SaveEnvelope(Interrupt interrupt) {
  co_return AsClientError(state_.SaveEnvelope(interrupt));
}

Task<absl::Status> LocalStorageClient::SaveReply(
    Reply reply, std::optional<FencingToken> fencing) {
  co_return AsClientError(state_.SaveReply(reply, fencing, NowMs()));
}

Task<absl::Status> LocalStorageClient::ClearReplies(
    Snowflake request_id, std::optional<Snowflake> expected_reply_id) {
  state_.ClearReplies(request_id, expected_reply_id);
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::optional<Snowflake>>>
LocalStorageClient::RequestIdForPrimaryKey(std::string primary_key) {
  co_return AsClientError(state_.RequestIdForPrimaryKey(primary_key));
}

Task<absl::StatusOr<std::vector<Reply>>> LocalStorageClient::RepliesFor(
    std::vector<Snowflake> request_ids) {
  co_return AsClientError(state_.RepliesFor(request_ids));
}

Task<absl::StatusOr<std::vector<Reply>>>
LocalStorageClient::RepliesForUnfiltered(std::vector<Snowflake> request_ids) {
  co_return AsClientError(state_.RepliesForUnfiltered(request_ids));
}

Task<absl::StatusOr<std::vector<StoredMessage>>>
LocalStorageClient::UnprocessedMessages(UnprocessedQuery query,
                                        int64_t reader_now_ms) {
  co_return AsClientError(
      state_.UnprocessedMessages(query, NowMs(), reader_now_ms));
}

Task<absl::StatusOr<std::vector<StoredMessage>>>
LocalStorageClient::UnprocessedMessagesById(std::vector<Snowflake> ids,
                                            int64_t reader_now_ms) {
  co_return AsClientError(state_.UnprocessedMessagesById(ids, reader_now_ms));
}

Task<absl::Status> LocalStorageClient::ResetShards(
    std::vector<ShardId> shards) {
  co_return AsClientError(state_.ResetShards(shards));
}

Task<absl::Status> LocalStorageClient::ResetAddresses(
    std::vector<EntityAddress> addresses) {
  co_return AsClientError(state_.ResetAddresses(addresses));
}

Task<absl::Status> LocalStorageClient::ResetRequests(
    std::vector<Snowflake> ids) {
  co_return AsClientError(state_.ResetRequests(ids));
}

Task<absl::Status> LocalStorageClient::ClearAddress(EntityAddress address) {
  state_.ClearAddress(address);
  co_return absl::OkStatus();
}

Task<absl::StatusOr<MachineId>> LocalStorageClient::Register(Runner runner,
                                                             bool healthy) {
  co_return AsClientError(state_.Register(runner, healthy, NowMs()));
}

Task<absl::Status> LocalStorageClient::Unregister(RunnerAddress address) {
  state_.Unregister(address, NowMs());
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::vector<RunnerEntry>>>
LocalStorageClient::GetRunners() {
  co_return state_.GetRunners(NowMs());
}

Task<absl::Status> LocalStorageClient::SetRunnerHealth(RunnerAddress address,
                                                       bool healthy) {
  state_.SetRunnerHealth(address, healthy);
  co_return absl::OkStatus();
}

Task<absl::StatusOr<std::vector<FencingToken>>> LocalStorageClient::Acquire(
    RunnerAddress address, std::vector<ShardId> shards) {
  co_return AsClientError(state_.Acquire(address, shards, NowMs()));
}

Task<absl::StatusOr<std::vector<FencingToken>>> LocalStorageClient::Refresh(
    RunnerAddress address, std::vector<ShardId> shards) {
  co_return AsClientError(state_.Refresh(address, shards, NowMs()));
}

Task<absl::Status> LocalStorageClient::Release(
    RunnerAddress address, ShardId shard, std::optional<uint64_t> max_epoch) {
  state_.Release(address, shard, max_epoch);
  co_return absl::OkStatus();
}

Task<absl::Status> LocalStorageClient::ReleaseAll(
    RunnerAddress address, std::optional<uint64_t> max_epoch) {
  state_.ReleaseAll(address, max_epoch);
  co_return absl::OkStatus();
}

}  // namespace clustersim::storage
