// StorageRpcClient: the StorageClient a runner uses in the simulation — each
// operation is one call of the storage protocol (storage_protocol.h) to the
// storage server node (storage_server.h) over the runner's RpcEndpoint.
//
// Every call has a deadline: `lock_call_timeout_ms` for acquire, refresh,
// release and releaseAll (Effect runs each lock operation with a deadline of
// shardLockInterval), `call_timeout_ms` for the rest (Effect's runner-storage
// sync loop gives each storage call 5 s: sharding's kStorageCallTimeoutMs).
// As in Effect, a call that times out may still have been applied.
//
// Errors, as storage_client.h promises: a fenced write keeps its Fenced
// status and a PersistenceError from the server (a constraint violation, an
// injected fault) arrives as the server sent it; anything else — a timeout,
// a transport or server-side decode failure, an undecodable response, the
// server's other refusals ("storage limit", "storage full") — becomes a
// PersistenceError whose cause names the method and what happened.
//
// SaveReply is sent with this client's runner address as the writer, for the
// server's ownership audit.
//
// Single-threaded; every method must run inside a fiber of the runner's node.
// The endpoint must outlive the client.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_RPC_CLIENT_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_RPC_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/runner_address.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/transport.h"
#include "core/storage/storage_client.h"
#include "core/storage/storage_protocol.h"

namespace clustersim::storage {

class StorageRpcClient : public StorageClient {
 public:
  struct Options {
    NodeId storage_node;
    // The runner this client writes for; unset on a node that is no runner.
    std::optional<RunnerAddress> runner_address;
    // Deadline of every call but the lock operations. Must be > 0.
    int64_t call_timeout_ms = 0;
    // Deadline of acquire, refresh, release and releaseAll. Must be > 0.
    int64_t lock_call_timeout_ms = 0;
  };

  StorageRpcClient(RpcEndpoint& endpoint, Options options);

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
  // One call with `timeout_ms`, its errors mapped as the header says.
  template <typename Call>
  Task<absl::StatusOr<typename Call::Response>> Invoke(Call call,
                                                       int64_t timeout_ms);
  // Invoke for calls answered with Done.
  template <typename Call>
  Task<absl::Status> InvokeDone(Call call, int64_t timeout_ms);

  RpcEndpoint& endpoint_;
  Options options_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_RPC_CLIENT_H_
