#include "scenarios/buggy_storage_client.h"

#include <utility>
#include <variant>

#include "absl/container/btree_set.h"

namespace clustersim::scenarios {

BuggyStorageClient::BuggyStorageClient(
    std::unique_ptr<storage::StorageClient> inner, StorageBug bug)
    : ForwardingStorageClient(std::move(inner)), bug_(bug) {}

// --- The bugs ------------------------------------------------------------

Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
BuggyStorageClient::UnprocessedMessages(storage::UnprocessedQuery query,
                                        int64_t reader_now_ms) {
  if (bug_ != StorageBug::kRedeliverAnswered) {
    return inner().UnprocessedMessages(std::move(query), reader_now_ms);
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
      co_await self->inner().UnprocessedMessages(std::move(query),
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
    return inner().Acquire(std::move(address), std::move(shards));
  }
  return TakeAll(this, std::move(address), std::move(shards));
}

Task<absl::StatusOr<std::vector<storage::FencingToken>>>
BuggyStorageClient::TakeAll(BuggyStorageClient* self, RunnerAddress address,
                            std::vector<ShardId> shards) {
  absl::StatusOr<std::vector<storage::FencingToken>> acquired =
      co_await self->inner().Acquire(std::move(address), shards);
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

}  // namespace clustersim::scenarios
