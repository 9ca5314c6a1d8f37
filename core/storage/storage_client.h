// StorageClient: what a runner sees of the storage server — Effect's
// MessageStorage and RunnerStorage services, as coroutines.
//
// Two implementations: the remote one (storage_rpc_client.h) calls the
// simulated storage server node over the network, so every call can fail,
// time out, or be applied and then time out; the local one
// (local_storage_client.h) calls a StorageState in the same process, for unit
// tests of the runner logic. Both report every failure as a PersistenceError
// status (core/cluster/cluster_error.h), except the storage's own contract
// errors (e.g. a fenced write: FailedPrecondition "fenced: ...").
//
// Time: the server uses its own clock for heartbeats, leases and claims; the
// caller passes its own clock where Effect compares with the reading runner's
// clock (deliver_at). Single-threaded; owned by the runner's process.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_CLIENT_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_CLIENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/task.h"
#include "core/storage/envelope.h"
#include "core/storage/fencing_token.h"
#include "core/storage/message_store.h"
#include "core/storage/reply.h"
#include "core/storage/runner_store.h"
#include "core/storage/save_result.h"
#include "core/storage/stored_message.h"

namespace clustersim::storage {

class StorageClient {
 public:
  virtual ~StorageClient() = default;

  // --- MessageStorage ----------------------------------------------------
  virtual Task<absl::StatusOr<SaveResult>> SaveRequest(Request request) = 0;
  virtual Task<absl::Status> SaveEnvelope(AckChunk ack) = 0;
  virtual Task<absl::Status> SaveEnvelope(Interrupt interrupt) = 0;
  // `fencing`: in hardened mode, the writer's lease on the request's shard.
  virtual Task<absl::Status> SaveReply(Reply reply,
                                       std::optional<FencingToken> fencing) = 0;
  virtual Task<absl::Status> ClearReplies(
      Snowflake request_id, std::optional<Snowflake> expected_reply_id) = 0;
  virtual Task<absl::StatusOr<std::optional<Snowflake>>> RequestIdForPrimaryKey(
      std::string primary_key) = 0;
  virtual Task<absl::StatusOr<std::vector<Reply>>> RepliesFor(
      std::vector<Snowflake> request_ids) = 0;
  virtual Task<absl::StatusOr<std::vector<Reply>>> RepliesForUnfiltered(
      std::vector<Snowflake> request_ids) = 0;
  // `reader_now_ms`: the caller's clock, for deliver_at.
  virtual Task<absl::StatusOr<std::vector<StoredMessage>>> UnprocessedMessages(
      UnprocessedQuery query, int64_t reader_now_ms) = 0;
  virtual Task<absl::StatusOr<std::vector<StoredMessage>>>
  UnprocessedMessagesById(std::vector<Snowflake> ids,
                          int64_t reader_now_ms) = 0;
  virtual Task<absl::Status> ResetShards(std::vector<ShardId> shards) = 0;
  virtual Task<absl::Status> ResetAddresses(
      std::vector<EntityAddress> addresses) = 0;
  virtual Task<absl::Status> ResetRequests(std::vector<Snowflake> ids) = 0;
  virtual Task<absl::Status> ClearAddress(EntityAddress address) = 0;

  // --- RunnerStorage -----------------------------------------------------
  virtual Task<absl::StatusOr<MachineId>> Register(Runner runner,
                                                   bool healthy) = 0;
  virtual Task<absl::Status> Unregister(RunnerAddress address) = 0;
  virtual Task<absl::StatusOr<std::vector<RunnerEntry>>> GetRunners() = 0;
  virtual Task<absl::Status> SetRunnerHealth(RunnerAddress address,
                                             bool healthy) = 0;
  virtual Task<absl::StatusOr<std::vector<FencingToken>>> Acquire(
      RunnerAddress address, std::vector<ShardId> shards) = 0;
  virtual Task<absl::StatusOr<std::vector<FencingToken>>> Refresh(
      RunnerAddress address, std::vector<ShardId> shards) = 0;
  // `max_epoch` (hardened mode): release only leases of that epoch or
  // older (see runner_store.h).
  virtual Task<absl::Status> Release(RunnerAddress address, ShardId shard,
                                     std::optional<uint64_t> max_epoch) = 0;
  virtual Task<absl::Status> ReleaseAll(RunnerAddress address,
                                        std::optional<uint64_t> max_epoch) = 0;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_CLIENT_H_
