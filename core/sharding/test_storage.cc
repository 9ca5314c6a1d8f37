#include "core/sharding/test_storage.h"

#include <utility>

namespace clustersim::sharding {

std::shared_ptr<Latch>& TestStorage::GateOf(StorageOp op) {
  std::shared_ptr<Latch>& gate = gates_[op];
  if (gate == nullptr) gate = std::make_shared<Latch>(true);
  return gate;
}

void TestStorage::SetBlackhole(StorageOp op, bool on) {
  std::shared_ptr<Latch>& gate = GateOf(op);
  if (on) {
    gate->Close();
  } else {
    gate->Open();
  }
}

void TestStorage::SetFailure(StorageOp op, absl::Status error) {
  if (error.ok()) {
    failures_.erase(op);
  } else {
    failures_[op] = std::move(error);
  }
}

Task<void> TestStorage::Leave() {
  if (latency_ms_ > 0) co_await SleepMs(latency_ms_);
}

int64_t TestStorage::CountOf(StorageOp op) const {
  int64_t n = 0;
  for (const Call& call : calls_) n += call.op == op ? 1 : 0;
  return n;
}

Task<absl::Status> TestStorage::Enter(StorageOp op, std::vector<ShardId> shards,
                                      std::optional<int64_t> limit,
                                      size_t count) {
  calls_.push_back(Call{op, std::move(shards), limit, count});
  if (latency_ms_ > 0) co_await SleepMs(latency_ms_);
  std::shared_ptr<Latch> gate = GateOf(op);
  co_await gate->Wait();
  auto it = failures_.find(op);
  co_return it == failures_.end() ? absl::OkStatus() : it->second;
}

Task<absl::StatusOr<storage::SaveResult>> TestStorage::SaveRequest(
    storage::Request request) {
  absl::Status s = co_await Enter(StorageOp::kSaveRequest,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.SaveRequest(std::move(request));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::SaveEnvelope(storage::AckChunk ack) {
  absl::Status s = co_await Enter(StorageOp::kSaveEnvelope,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.SaveEnvelope(std::move(ack));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::SaveEnvelope(storage::Interrupt interrupt) {
  absl::Status s = co_await Enter(StorageOp::kSaveEnvelope,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.SaveEnvelope(std::move(interrupt));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::SaveReply(
    storage::Reply reply, std::optional<storage::FencingToken> fencing) {
  absl::Status s = co_await Enter(StorageOp::kSaveReply, std::vector<ShardId>(),
                                  std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.SaveReply(std::move(reply), std::move(fencing));
  co_await Leave();
  if (lost_save_reply_responses_ > 0) {
    --lost_save_reply_responses_;
    co_return lost_response_error_;
  }
  co_return result;
}

Task<absl::Status> TestStorage::ClearReplies(
    Snowflake request_id, std::optional<Snowflake> expected_reply_id) {
  absl::Status s = co_await Enter(StorageOp::kClearReplies,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ClearReplies(request_id, expected_reply_id);
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::optional<Snowflake>>>
TestStorage::RequestIdForPrimaryKey(std::string primary_key) {
  absl::Status s = co_await Enter(StorageOp::kRequestIdForPrimaryKey,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.RequestIdForPrimaryKey(std::move(primary_key));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::Reply>>> TestStorage::RepliesFor(
    std::vector<Snowflake> request_ids) {
  absl::Status s =
      co_await Enter(StorageOp::kRepliesFor, std::vector<ShardId>(),
                     std::nullopt, request_ids.size());
  if (!s.ok()) co_return s;
  auto result = co_await inner_.RepliesFor(std::move(request_ids));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::Reply>>>
TestStorage::RepliesForUnfiltered(std::vector<Snowflake> request_ids) {
  absl::Status s =
      co_await Enter(StorageOp::kRepliesForUnfiltered, std::vector<ShardId>(),
                     std::nullopt, request_ids.size());
  if (!s.ok()) co_return s;
  auto result = co_await inner_.RepliesForUnfiltered(std::move(request_ids));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
TestStorage::UnprocessedMessages(storage::UnprocessedQuery query,
                                 int64_t reader_now_ms) {
  absl::Status s =
      co_await Enter(StorageOp::kUnprocessedMessages, query.shards, query.limit,
                     query.addresses.has_value() ? query.addresses->size() : 0);
  if (!s.ok()) co_return s;
  auto result =
      co_await inner_.UnprocessedMessages(std::move(query), reader_now_ms);
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
TestStorage::UnprocessedMessagesById(std::vector<Snowflake> ids,
                                     int64_t reader_now_ms) {
  absl::Status s =
      co_await Enter(StorageOp::kUnprocessedMessagesById,
                     std::vector<ShardId>(), std::nullopt, ids.size());
  if (!s.ok()) co_return s;
  auto result =
      co_await inner_.UnprocessedMessagesById(std::move(ids), reader_now_ms);
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::ResetShards(std::vector<ShardId> shards) {
  absl::Status s =
      co_await Enter(StorageOp::kResetShards, shards, std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ResetShards(std::move(shards));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::ResetAddresses(
    std::vector<EntityAddress> addresses) {
  absl::Status s =
      co_await Enter(StorageOp::kResetAddresses, std::vector<ShardId>(),
                     std::nullopt, addresses.size());
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ResetAddresses(std::move(addresses));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::ResetRequests(std::vector<Snowflake> ids) {
  absl::Status s =
      co_await Enter(StorageOp::kResetRequests, std::vector<ShardId>(),
                     std::nullopt, ids.size());
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ResetRequests(std::move(ids));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::ClearAddress(EntityAddress address) {
  absl::Status s = co_await Enter(StorageOp::kClearAddress,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ClearAddress(std::move(address));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<MachineId>> TestStorage::Register(Runner runner,
                                                      bool healthy) {
  absl::Status s = co_await Enter(StorageOp::kRegister, std::vector<ShardId>(),
                                  std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.Register(std::move(runner), healthy);
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::Unregister(RunnerAddress address) {
  absl::Status s = co_await Enter(StorageOp::kUnregister,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.Unregister(std::move(address));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::RunnerEntry>>>
TestStorage::GetRunners() {
  absl::Status s = co_await Enter(StorageOp::kGetRunners,
                                  std::vector<ShardId>(), std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.GetRunners();
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::SetRunnerHealth(RunnerAddress address,
                                                bool healthy) {
  absl::Status s = co_await Enter(StorageOp::kSetRunnerHealth,
                                  std::vector<ShardId>(), std::nullopt, 1);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.SetRunnerHealth(std::move(address), healthy);
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::FencingToken>>> TestStorage::Acquire(
    RunnerAddress address, std::vector<ShardId> shards) {
  absl::Status s = co_await Enter(StorageOp::kAcquire, shards, std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.Acquire(std::move(address), std::move(shards));
  co_await Leave();
  co_return result;
}

Task<absl::StatusOr<std::vector<storage::FencingToken>>> TestStorage::Refresh(
    RunnerAddress address, std::vector<ShardId> shards) {
  absl::Status s = co_await Enter(StorageOp::kRefresh, shards, std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.Refresh(std::move(address), std::move(shards));
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::Release(RunnerAddress address, ShardId shard,
                                        std::optional<uint64_t> max_epoch) {
  std::vector<ShardId> shards = {shard};
  absl::Status s = co_await Enter(StorageOp::kRelease, shards, std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result =
      co_await inner_.Release(std::move(address), std::move(shard), max_epoch);
  co_await Leave();
  co_return result;
}

Task<absl::Status> TestStorage::ReleaseAll(RunnerAddress address,
                                           std::optional<uint64_t> max_epoch) {
  absl::Status s = co_await Enter(StorageOp::kReleaseAll,
                                  std::vector<ShardId>(), std::nullopt, 0);
  if (!s.ok()) co_return s;
  auto result = co_await inner_.ReleaseAll(std::move(address), max_epoch);
  co_await Leave();
  co_return result;
}

}  // namespace clustersim::sharding
