// LocalStorageClient: a StorageClient that calls a StorageState in the same
// process, for unit tests of the runner logic (no network, no latency: every
// call completes without suspending).
//
// Like the remote client it reports storage failures as PersistenceError
// (core/cluster/cluster_error.h), except a fenced write, which keeps its
// Fenced status (FailedPrecondition "fenced: ..."). Server time is read from
// `server_clock` (the storage server's clock), while deliver_at comparisons
// use the reader's clock that the caller passes, as Effect does.
//
// Single-threaded. Several clients may share one StorageState (one per
// runner); the state and the clock must outlive them.
#ifndef CLUSTERSIM_CORE_STORAGE_LOCAL_STORAGE_CLIENT_H_
#define CLUSTERSIM_CORE_STORAGE_LOCAL_STORAGE_CLIENT_H_

#include <optional>
#include <string>
#include <vector>

#include "core/runtime/clock.h"
#include "core/storage/storage_client.h"
#include "core/storage/storage_state.h"

namespace clustersim::storage {

class LocalStorageClient : public StorageClient {
 public:
  LocalStorageClient(StorageState& state, const Clock& server_clock)
      : state_(state), clock_(server_clock) {}

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

 private:
  int64_t NowMs() const { return clock_.NowMs(); }

  StorageState& state_;
  const Clock& clock_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_LOCAL_STORAGE_CLIENT_H_
