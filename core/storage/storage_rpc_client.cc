#include "core/storage/storage_rpc_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/storage/storage_errors.h"

namespace clustersim::storage {
namespace {

// The StorageClient view of a failed call (see the header).
absl::Status ClientError(StorageMethod method, const absl::Status& status) {
  if (IsFenced(status) || IsAlreadyStored(status) || IsAlreadyReplied(status) ||
      IsReplyCleared(status) || IsClusterError<PersistenceError>(status)) {
    return status;
  }
  return ToStatus(PersistenceError{
      absl::StrCat("storage ", std::string(StorageMethodName(method)), ": ",
                   absl::StatusCodeToString(status.code()), ": ",
                   std::string(status.message()))});
}

}  // namespace

StorageRpcClient::StorageRpcClient(RpcEndpoint& endpoint, Options options)
    : endpoint_(endpoint), options_(std::move(options)) {
  CHECK(options_.call_timeout_ms > 0 && options_.lock_call_timeout_ms > 0,
        "storage call timeouts must be positive");
}

template <typename Call>
Task<absl::StatusOr<typename Call::Response>> StorageRpcClient::Invoke(
    Call call, int64_t timeout_ms) {
  absl::StatusOr<std::string> bytes = co_await endpoint_.Call(
      options_.storage_node, static_cast<RpcMethod>(Call::kMethod),
      EncodeCall(call), timeout_ms);
  if (!bytes.ok()) co_return ClientError(Call::kMethod, bytes.status());
  absl::StatusOr<typename Call::Response> response =
      DecodeResponse<Call>(*bytes);
  if (!response.ok()) {
    co_return ClientError(Call::kMethod,
                          absl::DataLossError(absl::StrCat(
                              "undecodable response: ",
                              std::string(response.status().message()))));
  }
  co_return response;
}

template <typename Call>
Task<absl::Status> StorageRpcClient::InvokeDone(Call call, int64_t timeout_ms) {
  absl::StatusOr<Done> done = co_await Invoke(std::move(call), timeout_ms);
  co_return done.status();
}

Task<absl::StatusOr<SaveResult>> StorageRpcClient::SaveRequest(
    Request request) {
  return Invoke(SaveRequestCall{std::move(request)}, options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::SaveEnvelope(AckChunk ack) {
  return InvokeDone(SaveAckChunkCall{std::move(ack)}, options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::SaveEnvelope(Interrupt interrupt) {
  return InvokeDone(SaveInterruptCall{std::move(interrupt)},
                    options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::SaveReply(
    Reply reply, std::optional<FencingToken> fencing) {
  return InvokeDone(SaveReplyCall{options_.runner_address, std::move(reply),
                                  std::move(fencing)},
                    options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ClearReplies(
    Snowflake request_id, std::optional<Snowflake> expected_reply_id) {
  return InvokeDone(ClearRepliesCall{request_id, expected_reply_id},
                    options_.call_timeout_ms);
}

Task<absl::StatusOr<std::optional<Snowflake>>>
StorageRpcClient::RequestIdForPrimaryKey(std::string primary_key) {
  return Invoke(RequestIdForPrimaryKeyCall{std::move(primary_key)},
                options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<Reply>>> StorageRpcClient::RepliesFor(
    std::vector<Snowflake> request_ids) {
  return Invoke(RepliesForCall{std::move(request_ids)},
                options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<Reply>>> StorageRpcClient::RepliesForUnfiltered(
    std::vector<Snowflake> request_ids) {
  return Invoke(RepliesForUnfilteredCall{std::move(request_ids)},
                options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<StoredMessage>>>
StorageRpcClient::UnprocessedMessages(UnprocessedQuery query,
                                      int64_t reader_now_ms) {
  query.claim_ms = options_.call_timeout_ms;
  return Invoke(UnprocessedMessagesCall{std::move(query), reader_now_ms},
                options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<StoredMessage>>>
StorageRpcClient::UnprocessedMessagesById(std::vector<Snowflake> ids,
                                          int64_t reader_now_ms) {
  return Invoke(UnprocessedMessagesByIdCall{std::move(ids), reader_now_ms},
                options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ResetShards(std::vector<ShardId> shards) {
  return InvokeDone(ResetShardsCall{std::move(shards)},
                    options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ResetAddresses(
    std::vector<EntityAddress> addresses) {
  return InvokeDone(ResetAddressesCall{std::move(addresses)},
                    options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ResetRequests(std::vector<Snowflake> ids) {
  return InvokeDone(ResetRequestsCall{std::move(ids)},
                    options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ClearAddress(EntityAddress address) {
  return InvokeDone(ClearAddressCall{std::move(address)},
                    options_.call_timeout_ms);
}

Task<absl::StatusOr<MachineId>> StorageRpcClient::Register(Runner runner,
                                                           bool healthy) {
  return Invoke(RegisterCall{std::move(runner), healthy},
                options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::Unregister(RunnerAddress address) {
  return InvokeDone(UnregisterCall{std::move(address)},
                    options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<RunnerEntry>>> StorageRpcClient::GetRunners() {
  return Invoke(GetRunnersCall{}, options_.call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::SetRunnerHealth(RunnerAddress address,
                                                     bool healthy) {
  return InvokeDone(SetRunnerHealthCall{std::move(address), healthy},
                    options_.call_timeout_ms);
}

Task<absl::StatusOr<std::vector<FencingToken>>> StorageRpcClient::Acquire(
    RunnerAddress address, std::vector<ShardId> shards) {
  return Invoke(AcquireCall{std::move(address), std::move(shards)},
                options_.lock_call_timeout_ms);
}

Task<absl::StatusOr<std::vector<FencingToken>>> StorageRpcClient::Refresh(
    RunnerAddress address, std::vector<ShardId> shards) {
  return Invoke(RefreshCall{std::move(address), std::move(shards)},
                options_.lock_call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::Release(
    RunnerAddress address, ShardId shard, std::optional<uint64_t> max_epoch) {
  return InvokeDone(
      ReleaseCall{std::move(address), std::move(shard), max_epoch},
      options_.lock_call_timeout_ms);
}

Task<absl::Status> StorageRpcClient::ReleaseAll(
    RunnerAddress address, std::optional<uint64_t> max_epoch) {
  return InvokeDone(ReleaseAllCall{std::move(address), max_epoch},
                    options_.lock_call_timeout_ms);
}

}  // namespace clustersim::storage
