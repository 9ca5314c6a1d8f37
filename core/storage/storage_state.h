// StorageState: everything the simulated storage server keeps durably — the
// message store and the runner store — and the one entry point its RPC layer
// calls. Each call is one atomic operation on the server, at the server's
// clock `now_ms` (the caller passes the reading runner's clock separately
// where Effect uses it: deliver_at).
//
// Two modes:
//   kReference  Effect's behaviour: writes are not checked against shard
//               ownership, so a runner that lost its lease can still write.
//               A fencing token on a write is a caller bug (InvalidArgument).
//               A read claims rows for 10 minutes of server time.
//   kHardened   clustersim's fixes:
//               - SaveReply must carry the FencingToken of the lease on the
//                 request's shard, and is refused with a Fenced error
//                 (FailedPrecondition, "fenced: ...") unless, when the write
//                 lands, (1) the token's epoch is that shard's current lease
//                 epoch, (2) that lease has not expired, and (3) the request
//                 is stored and lives in the token's shard;
//               - claims are tied to the lease: an Acquire voids the claims
//                 on the shards it grants (the old owner's in-flight reads
//                 are visible to the new owner at once), and a claim lasts
//                 only while the read that made it can still be answered
//                 (the query's claim_ms, the reader's call timeout; at most
//                 kHardenedClaimExpirationMs), so a read whose response was
//                 lost or late delays its rows that long, not 10 minutes
//                 (effect-semantics.md §14.5);
//               - every registration gets a machine id unique mod 1024
//                 among live runners, and every acquire a new lease epoch
//                 (runner_store.h);
//               - a reply write that was already stored (a retry whose
//                 first attempt landed), or for a request that already has
//                 its final reply, is refused as AlreadyStored: the request
//                 is answered, not wedged (§14.1);
//               - a final reply write whose reply was stored and then
//                 cleared (a reset made the request deliverable again) is
//                 refused as ReplyCleared: a retry whose first attempt
//                 landed must not bring back the reply the reset removed,
//                 or the request is answered with it and never run again;
//               - the server's clock is step-free (storage_server.h).
//
// Why only SaveReply is fenced: a reply is the runner's work and the
// entity's durable state (workflow results are replies); the single-writer
// invariant is about exactly that. Sends (requests, acks, interrupts) also
// come from clients that own no shard, and resets / clearReplies are also
// made by a runner after it learned it lost a shard (Effect's resetRequests
// on a failed ownership check), so fencing them would be wrong. Read claims
// are unfenced too (a stale owner's read can still claim rows, for at most
// the claim window in hardened mode).
//
// Deterministic; no clock or I/O. Not thread-safe; owned by the storage
// server node.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_STATE_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_STATE_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/storage/envelope.h"
#include "core/storage/fencing_token.h"
#include "core/storage/message_store.h"
#include "core/storage/reply.h"
#include "core/storage/runner_store.h"
#include "core/storage/save_result.h"
#include "core/storage/stored_message.h"

namespace clustersim::storage {

// Hardened mode's claim window: longer than a read loop pass, far shorter
// than the liveness bound.
inline constexpr int64_t kHardenedClaimExpirationMs = 5'000;

enum class StorageMode {
  kReference,
  kHardened,
};

class StorageState {
 public:
  struct Options {
    StorageMode mode = StorageMode::kReference;
    MessageStore::Options messages;
    RunnerStore::Options runners;
  };

  explicit StorageState(Options options);

  StorageMode mode() const { return mode_; }

  // Read-only views, for checkers and tests.
  const MessageStore& messages() const { return messages_; }
  const RunnerStore& runners() const { return runners_; }

  // --- MessageStorage (see message_store.h) --------------------------------
  absl::StatusOr<SaveResult> SaveRequest(const Request& request);
  absl::Status SaveEnvelope(const AckChunk& ack);
  absl::Status SaveEnvelope(const Interrupt& interrupt);
  // The only fenced write; see the header comment.
  absl::Status SaveReply(const Reply& reply,
                         const std::optional<FencingToken>& fencing,
                         int64_t now_ms);
  void ClearReplies(Snowflake request_id,
                    std::optional<Snowflake> expected_reply_id);
  absl::StatusOr<std::optional<Snowflake>> RequestIdForPrimaryKey(
      std::string_view primary_key) const;
  absl::StatusOr<std::vector<Reply>> RepliesFor(
      const std::vector<Snowflake>& request_ids) const;
  absl::StatusOr<std::vector<Reply>> RepliesForUnfiltered(
      const std::vector<Snowflake>& request_ids) const;
  absl::StatusOr<std::vector<StoredMessage>> UnprocessedMessages(
      const UnprocessedQuery& query, int64_t now_ms, int64_t reader_now_ms);
  absl::StatusOr<std::vector<StoredMessage>> UnprocessedMessagesById(
      const std::vector<Snowflake>& ids, int64_t reader_now_ms) const;
  absl::Status ResetShards(const std::vector<ShardId>& shards);
  absl::Status ResetAddresses(const std::vector<EntityAddress>& addresses);
  absl::Status ResetRequests(const std::vector<Snowflake>& ids);
  void ClearAddress(const EntityAddress& address);

  // --- RunnerStorage (see runner_store.h) ----------------------------------
  absl::StatusOr<MachineId> Register(const Runner& runner, bool healthy,
                                     int64_t now_ms);
  void Unregister(const RunnerAddress& address, int64_t now_ms);
  std::vector<RunnerEntry> GetRunners(int64_t now_ms) const;
  void SetRunnerHealth(const RunnerAddress& address, bool healthy);
  absl::StatusOr<std::vector<FencingToken>> Acquire(
      const RunnerAddress& address, const std::vector<ShardId>& shards,
      int64_t now_ms);
  absl::StatusOr<std::vector<FencingToken>> Refresh(
      const RunnerAddress& address, const std::vector<ShardId>& shards,
      int64_t now_ms);
  void Release(const RunnerAddress& address, const ShardId& shard,
               std::optional<uint64_t> max_epoch = std::nullopt);
  void ReleaseAll(const RunnerAddress& address,
                  std::optional<uint64_t> max_epoch = std::nullopt);

 private:
  // OK if the write may land under the mode's rules.
  absl::Status CheckReplyFence(const Reply& reply,
                               const std::optional<FencingToken>& fencing,
                               int64_t now_ms) const;

  StorageMode mode_;
  MessageStore messages_;
  RunnerStore runners_;
  // Hardened mode: ids of final replies that ClearReplies removed. Reply ids
  // are fresh snowflakes, so only a retried write can carry one again.
  absl::btree_set<Snowflake> cleared_exit_ids_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_STATE_H_
