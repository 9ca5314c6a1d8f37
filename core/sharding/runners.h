// Runners: how a message leaves Sharding once its destination is known —
// Effect 4.1.0's Runners service (Runners.ts make): persisting persisted
// messages first (notifyWith, with primary-key duplicates answered from
// storage or resumed under the original request id), then notifying the
// owner (local storage read, or a remote runner), and collecting the reply
// from a local reply handler, the owner's RPC answer, or by polling storage.
//
//   SendLocal    volatile, local: the optional serialization round trip
//                (simulate_remote_serialization), then the entity manager;
//   Send         volatile (or a persisted request's fast path), remote;
//   Notify       persisted, remote or unowned; discards and envelopes only
//                notify;
//   NotifyLocal  persisted, local: a fresh non-stream request registers its
//                reply handler before it is saved (no lost wake-up); others
//                poll storage.
//
// Single-threaded. Owned by Sharding; everything it references outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNERS_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNERS_H_

#include <functional>
#include <optional>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake_generator.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/message.h"
#include "core/sharding/outgoing.h"
#include "core/sharding/reply_handlers.h"
#include "core/sharding/runner_client.h"
#include "core/sharding/storage_reply_poller.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

class Runners {
 public:
  // Delivers a message to a local entity manager.
  using Deliver = std::function<absl::Status(IncomingMessage&&)>;
  // Tells the local storage read loop that new work is stored.
  using NotifyStorage = std::function<void()>;

  Runners(const ShardingConfig& config, storage::StorageClient& storage,
          ReplyHandlers& handlers, StorageReplyPoller& poller,
          RunnerClient& client, SnowflakeGenerator& snowflakes)
      : config_(config),
        storage_(storage),
        handlers_(handlers),
        poller_(poller),
        client_(client),
        snowflakes_(snowflakes) {}
  Runners(const Runners&) = delete;
  Runners& operator=(const Runners&) = delete;

  // The message is the caller's, which awaits the call at once (Sharding
  // keeps it for its retries): none of these copies it whole.
  absl::Status SendLocal(const OutgoingMessage& message,
                         const Deliver& deliver);
  Task<absl::Status> Send(const RunnerAddress& address,
                          const OutgoingMessage& message);
  Task<absl::Status> Notify(std::optional<RunnerAddress> address,
                            const OutgoingMessage& message, bool discard);
  Task<absl::Status> NotifyLocal(const OutgoingMessage& message, bool discard,
                                 bool storage_only, NotifyStorage notify);

  // Delivers the stored replies of a persisted, non-streaming request (any
  // request id, whoever sent it) through `respond` until its WithExit: one
  // this process stores wakes the storage read at once, one stored by
  // another runner is found by polling storage (Effect's
  // registerReplyHandler plus pollStorage of a request id). Ends without a
  // WithExit only when the poller stops.
  Task<void> AwaitStoredReply(Snowflake request_id,
                              const EntityAddress& address, ReplySink respond);

  // Stores a persisted message as Effect's sendOutgoing does when it
  // abandons one in teardown. MalformedMessage becomes a defect.
  Task<absl::Status> Persist(const OutgoingMessage& message);

 private:
  // The outcome of notifyWith's persisting step.
  struct Persisted {
    // A duplicate whose stored exit was handed to the sender already.
    bool answered = false;
    // A duplicate: the message now carries the original request id.
    bool duplicate = false;
    // The message to go on with when it is not the one persisted: an
    // envelope relabelled for a resumed duplicate, or the resumed request.
    std::optional<OutgoingMessage> replaced;
    const OutgoingMessage& MessageOr(const OutgoingMessage& given) const {
      return replaced.has_value() ? *replaced : given;
    }
  };
  Task<absl::StatusOr<Persisted>> PersistForNotify(
      const OutgoingMessage& message);
  Task<absl::Status> NotifyRemote(std::optional<RunnerAddress> address,
                                  const OutgoingMessage& message);
  // `message` holds an OutgoingRequest.
  Task<absl::Status> NotifyLocalRequest(const OutgoingMessage& message,
                                        NotifyStorage notify);
  Task<absl::Status> ReplyFromStorage(const OutgoingRequest& request);
  Task<absl::Status> ReplyFromStorageWithWake(const OutgoingRequest& request);

  const ShardingConfig& config_;
  storage::StorageClient& storage_;
  ReplyHandlers& handlers_;
  StorageReplyPoller& poller_;
  RunnerClient& client_;
  SnowflakeGenerator& snowflakes_;
  // A duplicate's new request id -> the stored original's.
  absl::btree_map<Snowflake, Snowflake> request_id_rewrites_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNERS_H_
