// ReplyHandlers: the process-local reply handlers of Effect's MessageStorage
// (registerReplyHandler / unregisterReplyHandler /
// unregisterShardReplyHandlers, effect-semantics.md §6.1, 4.1.0 §6).
//
// A handler waits for the reply of a persisted request that this process
// stores itself: each reply saved here is passed to its `respond` (chunks as
// they come); the WithExit completes it with OK. Unregistering completes it
// with EntityNotAssignedToRunner (the waiter then reads the reply from
// storage), or, with `interrupt`, with the Abandon interrupt
// (CancelledError "abandoned: ..."), meaning this runner will never see the
// reply. Several handlers per request id are allowed.
//
// A Registration is RAII: destroying it (e.g. when the waiting fiber is
// cancelled) removes the handler. Single-threaded; owned by Sharding.
#ifndef CLUSTERSIM_CORE_SHARDING_REPLY_HANDLERS_H_
#define CLUSTERSIM_CORE_SHARDING_REPLY_HANDLERS_H_

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/message.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// The status of a caller interrupted with Effect's Abandon marker.
absl::Status AbandonedError(const EntityAddress& address);
bool IsAbandoned(const absl::Status& status);

class ReplyHandlers {
 private:
  struct Handler {
    Handler(Snowflake id, EntityAddress address, ReplySink respond)
        : request_id(id),
          address(std::move(address)),
          respond(std::move(respond)) {}
    Snowflake request_id;
    EntityAddress address;
    ReplySink respond;
    Deferred<absl::Status> done;
    bool registered = true;
  };

 public:
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)),
          handler_(std::move(other.handler_)) {}
    Registration& operator=(Registration&& other) noexcept;
    ~Registration() { Reset(); }

    // Completes with OK on the WithExit, or the unregistration's error; at
    // once with Cancelled if already reset (or moved from).
    Task<absl::Status> Wait();
    // Removes the handler now (a no-op if already completed).
    void Reset();

   private:
    friend class ReplyHandlers;
    Registration(ReplyHandlers* owner, std::shared_ptr<Handler> handler)
        : owner_(owner), handler_(std::move(handler)) {}
    ReplyHandlers* owner_ = nullptr;
    std::shared_ptr<Handler> handler_;
  };

  ReplyHandlers() = default;
  ReplyHandlers(const ReplyHandlers&) = delete;
  ReplyHandlers& operator=(const ReplyHandlers&) = delete;

  Registration Register(Snowflake request_id, const EntityAddress& address,
                        ReplySink respond);

  // A reply this process stored: passed to every handler of its request; a
  // WithExit also completes them.
  void Deliver(const storage::Reply& reply);

  void Unregister(Snowflake request_id, bool interrupt);
  void UnregisterShard(const ShardId& shard, bool interrupt);

  bool HasHandlers(Snowflake request_id) const {
    return by_request_.contains(request_id);
  }
  size_t size() const;

 private:
  void Remove(const std::shared_ptr<Handler>& handler);
  // Takes every handler of the request out of the indexes.
  std::vector<std::shared_ptr<Handler>> Take(Snowflake request_id);

  // Handlers in registration order per request; (shard, request id) pairs,
  // one set for all shards so that a request's handlers come and go
  // without a per-shard set being built and freed each time.
  absl::btree_map<Snowflake, std::vector<std::shared_ptr<Handler>>> by_request_;
  absl::btree_set<std::pair<ShardId, Snowflake>> by_shard_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_REPLY_HANDLERS_H_
