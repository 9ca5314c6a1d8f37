// BuggyStorageClient: a runner's StorageClient with a deliberately injected
// bug (a mutant, `--bug NAME`), wrapped around the real client. Each bug is a
// plausible mistake at the boundary between a runner and MessageStorage /
// RunnerStorage that a scenario's sweep must catch:
//
//   kRedeliverAnswered      reads of unprocessed messages also return every
//                           request this client read before, as a read that
//                           ignores the processed flag would; the runner
//                           hands requests that are already answered to
//                           their entities again.
//   kAcquireTakesHeldShards a lock acquisition reports every shard it asked
//                           for as acquired, also those another runner still
//                           holds (with a token of epoch 0, which no lease
//                           ever has), so two runners own a shard until the
//                           next refresh tells the taker otherwise.
// kNone forwards every call untouched.
//
// Single-threaded; owned by the runner's process, like the client it wraps.
#ifndef CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_
#define CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/storage/storage_client.h"

namespace clustersim::scenarios {

enum class StorageBug { kNone, kRedeliverAnswered, kAcquireTakesHeldShards };

class BuggyStorageClient : public storage::StorageClient {
 public:
  BuggyStorageClient(std::unique_ptr<storage::StorageClient> inner,
                     StorageBug bug);

  Task<absl::StatusOr<storage::SaveResult>> SaveRequest(
      storage::Request request) override;
  Task<absl::Status> SaveEnvelope(storage::AckChunk ack) override;
  Task<absl::Status> SaveEnvelope(storage::Interrupt interrupt) override;
  Task<absl::Status> SaveReply(
      storage::Reply reply,
      std::optional<storage::FencingToken> fencing) override;
  Task<absl::Status> ClearReplies(
      Snowflake request_id,
      std::optional<Snowflake> expected_reply_id) override;
  Task<absl::StatusOr<std::optional<Snowflake>>> RequestIdForPrimaryKey(
      std::string primary_key) override;
  Task<absl::StatusOr<std::vector<storage::Reply>>> RepliesFor(
      std::vector<Snowflake> request_ids) override;
  Task<absl::StatusOr<std::vector<storage::Reply>>> RepliesForUnfiltered(
      std::vector<Snowflake> request_ids) override;
  Task<absl::StatusOr<std::vector<storage::StoredMessage>>> UnprocessedMessages(
      storage::UnprocessedQuery query, int64_t reader_now_ms) override;
  Task<absl::StatusOr<std::vector<storage::StoredMessage>>>
  UnprocessedMessagesById(std::vector<Snowflake> ids,
                          int64_t reader_now_ms) override;
  Task<absl::Status> ResetShards(std::vector<ShardId> shards) override;
  Task<absl::Status> ResetAddresses(
      std::vector<EntityAddress> addresses) override;
  Task<absl::Status> ResetRequests(std::vector<Snowflake> ids) override;
  Task<absl::Status> ClearAddress(EntityAddress address) override;
  Task<absl::StatusOr<MachineId>> Register(Runner runner,
                                           bool healthy) override;
  Task<absl::Status> Unregister(RunnerAddress address) override;
  Task<absl::StatusOr<std::vector<storage::RunnerEntry>>> GetRunners() override;
  Task<absl::Status> SetRunnerHealth(RunnerAddress address,
                                     bool healthy) override;
  Task<absl::StatusOr<std::vector<storage::FencingToken>>> Acquire(
      RunnerAddress address, std::vector<ShardId> shards) override;
  Task<absl::StatusOr<std::vector<storage::FencingToken>>> Refresh(
      RunnerAddress address, std::vector<ShardId> shards) override;
  Task<absl::Status> Release(RunnerAddress address, ShardId shard) override;
  Task<absl::Status> ReleaseAll(RunnerAddress address) override;

 private:
  static Task<absl::StatusOr<std::vector<storage::StoredMessage>>> ReadAgain(
      BuggyStorageClient* self, storage::UnprocessedQuery query,
      int64_t reader_now_ms);
  static Task<absl::StatusOr<std::vector<storage::FencingToken>>> TakeAll(
      BuggyStorageClient* self, RunnerAddress address,
      std::vector<ShardId> shards);

  std::unique_ptr<storage::StorageClient> inner_;
  StorageBug bug_;
  // kRedeliverAnswered: every request read so far, by id.
  absl::btree_map<Snowflake, storage::StoredMessage> read_;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_
