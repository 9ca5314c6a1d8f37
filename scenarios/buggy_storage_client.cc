#include "scenarios/buggy_storage_client.h"

#include <utility>
#include <variant>

#include "absl/container/btree_set.h"

namespace clustersim::scenarios {

BuggyStorageClient::BuggyStorageClient(
    std::unique_ptr<storage::StorageClient> inner, StorageBug bug)
    : inner_(std::move(inner)), bug_(bug) {}

// --- The bugs ------------------------------------------------------------

Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
BuggyStorageClient::UnprocessedMessages(storage::UnprocessedQuery query,
                                        int64_t reader_now_ms) {
  if (bug_ != StorageBug::kRedeliverAnswered) {
    return inner_->UnprocessedMessages(std::move(query), reader_now_ms);
  }
  return ReadAgain(this, std::move(query), reader_now_ms);
}

Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
BuggyStorageClient::ReadAgain(BuggyStorageClient* self,
                              storage::UnprocessedQuery query,
                              int64_t reader_now_ms) {
  const absl::btree_set<ShardId> shards(query.shards.begin(),
                                        query.shards.end());
  absl::StatusOr<std::vector<storage::StoredMessage>> read =
      co_await self->inner_->UnprocessedMessages(std::move(query),
                                                 reader_now_ms);
  if (!read.ok()) co_return read;
  absl::btree_set<Snowflake> fresh;
  for (const storage::StoredMessage& message : *read) {
    if (!std::holds_alternative<storage::Request>(message.envelope)) continue;
    const Snowflake id = storage::IdOf(message.envelope);
    fresh.insert(id);
    self->read_.insert_or_assign(id, message);
  }
  for (const auto& [id, message] : self->read_) {
    if (fresh.contains(id) ||
        !shards.contains(storage::AddressOf(message.envelope).shard_id())) {
      continue;
    }
    read->push_back(message);
  }
  co_return read;
}

Task<absl::StatusOr<std::vector<storage::FencingToken>>>
BuggyStorageClient::Acquire(RunnerAddress address,
                            std::vector<ShardId> shards) {
  if (bug_ != StorageBug::kAcquireTakesHeldShards) {
    return inner_->Acquire(std::move(address), std::move(shards));
  }
  return TakeAll(this, std::move(address), std::move(shards));
}

Task<absl::StatusOr<std::vector<storage::FencingToken>>>
BuggyStorageClient::TakeAll(BuggyStorageClient* self, RunnerAddress address,
                            std::vector<ShardId> shards) {
  absl::StatusOr<std::vector<storage::FencingToken>> acquired =
      co_await self->inner_->Acquire(std::move(address), shards);
  if (!acquired.ok()) co_return acquired;
  absl::btree_map<ShardId, storage::FencingToken> all;
  for (const ShardId& shard : shards) {
    all.insert_or_assign(shard, storage::FencingToken{shard, 0});
  }
  for (const storage::FencingToken& token : *acquired) {
    all.insert_or_assign(token.shard, token);
  }
  std::vector<storage::FencingToken> tokens;
  for (const auto& [shard, token] : all) tokens.push_back(token);
  co_return tokens;
}

// --- Forwarded untouched ---------------------------------------------------

Task<absl::StatusOr<storage::SaveResult>> BuggyStorageClient::SaveRequest(
    storage::Request request) {
  return inner_->SaveRequest(std::move(request));
}
Task<absl::Status> BuggyStorageClient::SaveEnvelope(storage::AckChunk ack) {
  return inner_->SaveEnvelope(std::move(ack));
}
Task<absl::Status> BuggyStorageClient::SaveEnvelope(
    storage::Interrupt interrupt) {
  return inner_->SaveEnvelope(std::move(interrupt));
}
Task<absl::Status> BuggyStorageClient::SaveReply(
    storage::Reply reply, std::optional<storage::FencingToken> fencing) {
  return inner_->SaveReply(std::move(reply), std::move(fencing));
}
Task<absl::Status> BuggyStorageClient::ClearReplies(
    Snowflake request_id, std::optional<Snowflake> expected_reply_id) {
  return inner_->ClearReplies(request_id, expected_reply_id);
}
Task<absl::StatusOr<std::optional<Snowflake>>>
BuggyStorageClient::RequestIdForPrimaryKey(std::string primary_key) {
  return inner_->RequestIdForPrimaryKey(std::move(primary_key));
}
Task<absl::StatusOr<std::vector<storage::Reply>>>
BuggyStorageClient::RepliesFor(std::vector<Snowflake> request_ids) {
  return inner_->RepliesFor(std::move(request_ids));
}
Task<absl::StatusOr<std::vector<storage::Reply>>>
BuggyStorageClient::RepliesForUnfiltered(std::vector<Snowflake> request_ids) {
  return inner_->RepliesForUnfiltered(std::move(request_ids));
}
Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
BuggyStorageClient::UnprocessedMessagesById(std::vector<Snowflake> ids,
                                            int64_t reader_now_ms) {
  return inner_->UnprocessedMessagesById(std::move(ids), reader_now_ms);
}
Task<absl::Status> BuggyStorageClient::ResetShards(
    std::vector<ShardId> shards) {
  return inner_->ResetShards(std::move(shards));
}
Task<absl::Status> BuggyStorageClient::ResetAddresses(
    std::vector<EntityAddress> addresses) {
  return inner_->ResetAddresses(std::move(addresses));
}
Task<absl::Status> BuggyStorageClient::ResetRequests(
    std::vector<Snowflake> ids) {
  return inner_->ResetRequests(std::move(ids));
}
Task<absl::Status> BuggyStorageClient::ClearAddress(EntityAddress address) {
  return inner_->ClearAddress(std::move(address));
}
Task<absl::StatusOr<MachineId>> BuggyStorageClient::Register(Runner runner,
                                                             bool healthy) {
  return inner_->Register(std::move(runner), healthy);
}
Task<absl::Status> BuggyStorageClient::Unregister(RunnerAddress address) {
  return inner_->Unregister(std::move(address));
}
Task<absl::StatusOr<std::vector<storage::RunnerEntry>>>
BuggyStorageClient::GetRunners() {
  return inner_->GetRunners();
}
Task<absl::Status> BuggyStorageClient::SetRunnerHealth(RunnerAddress address,
                                                       bool healthy) {
  return inner_->SetRunnerHealth(std::move(address), healthy);
}
Task<absl::StatusOr<std::vector<storage::FencingToken>>>
BuggyStorageClient::Refresh(RunnerAddress address,
                            std::vector<ShardId> shards) {
  return inner_->Refresh(std::move(address), std::move(shards));
}
Task<absl::Status> BuggyStorageClient::Release(RunnerAddress address,
                                               ShardId shard) {
  return inner_->Release(std::move(address), std::move(shard));
}
Task<absl::Status> BuggyStorageClient::ReleaseAll(RunnerAddress address) {
  return inner_->ReleaseAll(std::move(address));
}

}  // namespace clustersim::scenarios
