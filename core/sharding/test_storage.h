// TestStorage: a StorageClient for tests that forwards to another client and
// can make chosen operations hang ("blackhole") or fail, and records every
// call (operation, shards, read limit) so tests can assert on the traffic,
// as Effect's test doubles for RunnerStorage and MessageStorage do.
// A blackholed call waits until its operation is released (then proceeds);
// a cancelled caller simply stops waiting.
// Test-only. Single-threaded; the wrapped client outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_TEST_STORAGE_H_
#define CLUSTERSIM_CORE_SHARDING_TEST_STORAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "core/runtime/sync.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

enum class StorageOp {
  kSaveRequest,
  kSaveEnvelope,
  kSaveReply,
  kClearReplies,
  kRequestIdForPrimaryKey,
  kRepliesFor,
  kRepliesForUnfiltered,
  kUnprocessedMessages,
  kUnprocessedMessagesById,
  kResetShards,
  kResetAddresses,
  kResetRequests,
  kClearAddress,
  kRegister,
  kUnregister,
  kGetRunners,
  kSetRunnerHealth,
  kAcquire,
  kRefresh,
  kRelease,
  kReleaseAll,
};

class TestStorage : public storage::StorageClient {
 public:
  struct Call {
    StorageOp op;
    std::vector<ShardId> shards;   // acquire, refresh, release, reads
    std::optional<int64_t> limit;  // unprocessed reads
    size_t count = 0;              // ids or addresses named
  };

  explicit TestStorage(storage::StorageClient& inner) : inner_(inner) {}
  // Owns the client it forwards to.
  explicit TestStorage(std::unique_ptr<storage::StorageClient> inner)
      : owned_(std::move(inner)), inner_(*owned_) {}

  // Calls of `op` hang until released (`false`).
  void SetBlackhole(StorageOp op, bool on);
  // Calls of `op` fail with `error` (OK clears it).
  void SetFailure(StorageOp op, absl::Status error);
  // The next `count` SaveReply calls are applied, then answered with
  // `error`, as when a write lands and its response is lost.
  void LoseSaveReplyResponses(int count, absl::Status error) {
    lost_save_reply_responses_ = count;
    lost_response_error_ = std::move(error);
  }
  // Every call takes this long on the caller's clock before it reaches the
  // storage, and as long again before its answer comes back (the request
  // and response legs of a remote call).
  void SetLatencyMs(int64_t latency_ms) { latency_ms_ = latency_ms; }

  const std::vector<Call>& calls() const { return calls_; }
  int64_t CountOf(StorageOp op) const;
  void ClearCalls() { calls_.clear(); }

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
  Task<absl::Status> Release(RunnerAddress address, ShardId shard,
                             std::optional<uint64_t> max_epoch) override;
  Task<absl::Status> ReleaseAll(RunnerAddress address,
                                std::optional<uint64_t> max_epoch) override;

 private:
  // Records the call, waits while `op` is blackholed, then returns the
  // injected failure if any.
  Task<absl::Status> Enter(StorageOp op, std::vector<ShardId> shards,
                           std::optional<int64_t> limit, size_t count);
  std::shared_ptr<Latch>& GateOf(StorageOp op);
  Task<void> Leave();

  std::unique_ptr<storage::StorageClient> owned_;
  storage::StorageClient& inner_;
  std::vector<Call> calls_;
  absl::btree_map<StorageOp, std::shared_ptr<Latch>> gates_;
  absl::btree_map<StorageOp, absl::Status> failures_;
  int64_t latency_ms_ = 0;
  int lost_save_reply_responses_ = 0;
  absl::Status lost_response_error_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_TEST_STORAGE_H_
