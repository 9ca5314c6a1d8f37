// ForwardingStorageClient: a StorageClient that passes every call to another
// one. Decorators (fault or bug injection, call recording) derive from it and
// override only the calls they change. Single-threaded; owns the inner
// client.
#ifndef CLUSTERSIM_CORE_STORAGE_FORWARDING_STORAGE_CLIENT_H_
#define CLUSTERSIM_CORE_STORAGE_FORWARDING_STORAGE_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/storage/storage_client.h"

namespace clustersim::storage {

class ForwardingStorageClient : public StorageClient {
 public:
  explicit ForwardingStorageClient(std::unique_ptr<StorageClient> inner)
      : inner_(std::move(inner)) {}

  Task<absl::StatusOr<SaveResult>> SaveRequest(Request request) override;
  Task<absl::Status> SaveEnvelope(AckChunk ack) override;
  Task<absl::Status> SaveEnvelope(Interrupt interrupt) override;
  Task<absl::Status> SaveReply(Reply reply,
                               std::optional<FencingToken> fencing) override;
  Task<absl::Status> ClearReplies(
      Snowflake request_id,
      std::optional<Snowflake> expected_reply_id) override;
  Task<absl::StatusOr<std::optional<Snowflake>>> RequestIdForPrimaryKey(
      std::string primary_key) override;
  Task<absl::StatusOr<std::vector<Reply>>> RepliesFor(
      std::vector<Snowflake> request_ids) override;
  Task<absl::StatusOr<std::vector<Reply>>> RepliesForUnfiltered(
      std::vector<Snowflake> request_ids) override;
  Task<absl::StatusOr<std::vector<StoredMessage>>> UnprocessedMessages(
      UnprocessedQuery query, int64_t reader_now_ms) override;
  Task<absl::StatusOr<std::vector<StoredMessage>>> UnprocessedMessagesById(
      std::vector<Snowflake> ids, int64_t reader_now_ms) override;
  Task<absl::Status> ResetShards(std::vector<ShardId> shards) override;
  Task<absl::Status> ResetAddresses(
      std::vector<EntityAddress> addresses) override;
  Task<absl::Status> ResetRequests(std::vector<Snowflake> ids) override;
  Task<absl::Status> ClearAddress(EntityAddress address) override;
  Task<absl::StatusOr<MachineId>> Register(Runner runner,
                                           bool healthy) override;
  Task<absl::Status> Unregister(RunnerAddress address) override;
  Task<absl::StatusOr<std::vector<RunnerEntry>>> GetRunners() override;
  Task<absl::Status> SetRunnerHealth(RunnerAddress address,
                                     bool healthy) override;
  Task<absl::StatusOr<std::vector<FencingToken>>> Acquire(
      RunnerAddress address, std::vector<ShardId> shards) override;
  Task<absl::StatusOr<std::vector<FencingToken>>> Refresh(
      RunnerAddress address, std::vector<ShardId> shards) override;
  Task<absl::Status> Release(RunnerAddress address, ShardId shard,
                             std::optional<uint64_t> max_epoch) override;
  Task<absl::Status> ReleaseAll(RunnerAddress address,
                                std::optional<uint64_t> max_epoch) override;

 protected:
  StorageClient& inner() { return *inner_; }

 private:
  std::unique_ptr<StorageClient> inner_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_FORWARDING_STORAGE_CLIENT_H_
