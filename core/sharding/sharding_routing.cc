// Sharding's routing (sharding.h): where an outgoing message goes (the
// local entity manager, a remote runner, or storage), and where replies are
// stored and delivered.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/hardened_retry.h"
#include "core/sharding/sharding.h"
#include "core/storage/storage_errors.h"

namespace clustersim::sharding {
namespace {

absl::Status Defect(const absl::Status& cause) {
  return absl::InternalError(
      absl::StrCat("defect: ", std::string(cause.message())));
}

}  // namespace

// --- Routing
// ----------------------------------------------------------------------

Task<absl::Status> Sharding::SendOutgoing(OutgoingMessage message, bool discard,
                                          std::optional<int> retries,
                                          std::optional<RunnerAddress> runner) {
  const bool is_request = std::holds_alternative<OutgoingRequest>(message);
  const bool should_fail =
      !discard &&
      (is_request || std::holds_alternative<storage::AckChunk>(
                         std::get<OutgoingEnvelope>(message).envelope));
  for (;;) {
    // Only the first attempt goes to the given runner; retries follow the
    // current assignment.
    std::optional<RunnerAddress> target = std::move(runner);
    runner.reset();
    absl::Status status = co_await SendOutgoingOnce(message, discard, target);
    const bool unassigned = IsClusterError<EntityNotAssignedToRunner>(status);
    if (!unassigned && !IsClusterError<RunnerUnavailable>(status)) {
      co_return status;
    }
    // Hardened mode (effect-semantics.md §14.6): a volatile request that may
    // have reached its runner is not sent again. Effect's resend can run it
    // twice (the shard moved, or the runner forgot it) or be refused
    // (AlreadyProcessingMessage, MailboxFull) though the first send went
    // through; the caller gets RunnerUnavailable, an unknown outcome.
    if (!unassigned && is_request && !IsPersisted(message) &&
        config_.mode == Mode::kHardened) {
      co_return status;
    }
    if (unassigned) {
      // In teardown a retry would loop forever: abandon the message.
      const EntityRegistry::Entry* entry =
          registry_.Find(AddressOf(message).entity_type());
      if (shutdown_ ||
          (entry != nullptr && entry->status != EntityStatus::kAlive)) {
        co_return co_await Abandon(std::move(message), should_fail,
                                   std::move(status));
      }
    }
    if (retries.has_value() && *retries == 0) co_return Defect(status);
    if (retries.has_value()) --*retries;
    co_await SleepMs(config_.send_retry_interval_ms);
  }
}

Task<absl::Status> Sharding::Abandon(OutgoingMessage message, bool should_fail,
                                     absl::Status error) {
  const EntityAddress address = AddressOf(message);
  env_.trace->Record("sharding.abandon", address.ToString());
  if (!IsPersisted(message)) {
    co_return should_fail ? error : absl::OkStatus();
  }
  const absl::Status persisted = co_await runners_.Persist(message);
  if (!persisted.ok()) co_return persisted;
  if (!should_fail) co_return absl::OkStatus();
  // Durable: the caller is interrupted (Abandon) and the next owner serves
  // the request. Acks that cannot be routed still fail.
  if (std::holds_alternative<OutgoingRequest>(message)) {
    co_return AbandonedError(address);
  }
  co_return error;
}

Task<absl::Status> Sharding::SendOutgoingOnce(
    const OutgoingMessage& message, bool discard,
    std::optional<RunnerAddress> runner) {
  const EntityAddress& address = AddressOf(message);
  const bool is_request = std::holds_alternative<OutgoingRequest>(message);
  const bool should_fail =
      !discard &&
      (is_request || std::holds_alternative<storage::AckChunk>(
                         std::get<OutgoingEnvelope>(message).envelope));
  if (should_fail && shutdown_) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  const std::optional<RunnerAddress> owner =
      runner.has_value() ? runner : membership_->OwnerOf(address.shard_id());
  const bool local = owner.has_value() && owner == config_.runner_address;
  if (IsPersisted(message)) {
    if (local) co_return co_await NotifyLocal(message, discard);
    co_return co_await runners_.Notify(owner, message, discard);
  }
  if (!owner.has_value()) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (is_request) {
    auto it = client_calls_.find(
        std::get<OutgoingRequest>(message).envelope.request_id);
    if (it != client_calls_.end()) it->second->runner = owner;
  }
  if (local) co_return co_await SendLocal(message);
  if (discard) {
    co_return co_await runners_.Notify(owner, message, true);
  }
  co_return co_await runners_.Send(*owner, message);
}

Task<absl::StatusOr<EntityRegistry::Entry*>> Sharding::LocalManagerFor(
    const EntityAddress& address, bool is_request, bool is_incoming_request) {
  // A request for a shard assigned here waits for its lock instead of
  // bouncing while the previous owner drains (4.1.0).
  if (is_request && locks_ != nullptr) {
    co_await locks_->AwaitShardLock(address.shard_id());
  }
  for (;;) {
    // Entities draining from a released shard still take acks and
    // interrupts.
    if (!IsLocalShard(address.shard_id()) &&
        (is_request || locks_ == nullptr ||
         !locks_->IsReleasing(address.shard_id()))) {
      co_return ToStatus(EntityNotAssignedToRunner{address});
    }
    EntityRegistry::Entry* entry = registry_.Find(address.entity_type());
    if (entry == nullptr) {
      absl::Status registered =
          co_await registry_.WaitFor(address.entity_type());
      if (!registered.ok()) co_return Defect(registered);
      continue;
    }
    if (entry->status == EntityStatus::kClosed ||
        (entry->status == EntityStatus::kClosing && is_incoming_request)) {
      co_return ToStatus(EntityNotAssignedToRunner{address});
    }
    co_return entry;
  }
}

Task<absl::Status> Sharding::SendLocal(const OutgoingMessage& message) {
  absl::StatusOr<EntityRegistry::Entry*> entry = co_await LocalManagerFor(
      AddressOf(message), std::holds_alternative<OutgoingRequest>(message),
      false);
  if (!entry.ok()) co_return entry.status();
  EntityManager* manager = (*entry)->manager.get();
  co_return runners_.SendLocal(message, [manager](IncomingMessage&& incoming) {
    return manager->Send(std::move(incoming));
  });
}

Task<absl::Status> Sharding::SendIncoming(IncomingMessage message) {
  const bool is_request = std::holds_alternative<IncomingRequest>(message);
  const EntityAddress address =
      is_request ? std::get<IncomingRequest>(message).envelope.address
                 : AddressOf(std::get<IncomingEnvelope>(message).envelope);
  absl::StatusOr<EntityRegistry::Entry*> entry =
      co_await LocalManagerFor(address, is_request, is_request);
  if (!entry.ok()) co_return entry.status();
  co_return (*entry)->manager->Send(std::move(message));
}

Task<absl::Status> Sharding::NotifyIncoming(IncomingMessage message,
                                            bool wait_until_read) {
  const auto* request = std::get_if<IncomingRequest>(&message);
  const EntityAddress address =
      request != nullptr
          ? request->envelope.address
          : AddressOf(std::get<IncomingEnvelope>(message).envelope);
  EntityRegistry::Entry* entry = nullptr;
  while ((entry = registry_.Find(address.entity_type())) == nullptr) {
    absl::Status registered = co_await registry_.WaitFor(address.entity_type());
    if (!registered.ok()) co_return Defect(registered);
  }
  if (entry->status == EntityStatus::kClosed ||
      !IsLocalShard(address.shard_id())) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (request != nullptr &&
      entry->manager->IsProcessingFor(request->envelope.request_id, true)) {
    co_return ToStatus(
        AlreadyProcessingMessage{request->envelope.request_id, address});
  }
  if (request != nullptr && wait_until_read) {
    co_return co_await read_loop_->WaitUntilRead(request->envelope.request_id,
                                                 address);
  }
  read_loop_->Wake();
  co_return absl::OkStatus();
}

Task<absl::Status> Sharding::NotifyLocal(const OutgoingMessage& message,
                                         bool discard) {
  const EntityAddress& address = AddressOf(message);
  EntityRegistry::Entry* entry = nullptr;
  while ((entry = registry_.Find(address.entity_type())) == nullptr) {
    absl::Status registered = co_await registry_.WaitFor(address.entity_type());
    if (!registered.ok()) co_return Defect(registered);
  }
  if (entry->status == EntityStatus::kClosed) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  // Assigned here but not yet locked: store it and poll storage (4.1.0).
  const bool storage_only = !IsLocalShard(address.shard_id());
  co_return co_await runners_.NotifyLocal(message, discard, storage_only,
                                          [this] { read_loop_->Wake(); });
}

// --- Replies
// ----------------------------------------------------------------------

Task<absl::Status> Sharding::StoreReply(const EntityAddress& address,
                                        storage::Reply reply) {
  std::optional<storage::FencingToken> token;
  if (config_.mode == Mode::kHardened && locks_ != nullptr) {
    token = locks_->TokenFor(address.shard_id());
  }
  absl::Status status = co_await storage_.SaveReply(reply, std::move(token));
  // Hardened mode: an earlier attempt whose response was lost stored it,
  // and a reset has since cleared it: the request runs again and its next
  // reply is the one to deliver; this one is stale.
  if (storage::IsReplyCleared(status)) co_return absl::OkStatus();
  // Hardened mode: an earlier attempt whose response was lost stored it.
  if (storage::IsAlreadyStored(status)) status = absl::OkStatus();
  if (status.ok()) reply_handlers_.Deliver(reply);
  co_return status;
}

Task<absl::Status> Sharding::LeaveToOwner(const EntityAddress& address,
                                          Snowflake request_id) {
  env_.trace->Record(
      "sharding.reply_fenced",
      absl::StrCat(address.ToString(), " ", request_id.ToString()));
  reply_handlers_.Unregister(request_id, false);
  std::vector<Snowflake> ids = {request_id};
  // Effect ignores a failed reset: the request's read claim then hides it
  // from its owner for 10 minutes (effect-semantics.md §14.5). Hardened
  // mode retries it.
  (void)co_await RetryWhenHardened(config_.mode,
                                   [&] { return storage_.ResetRequests(ids); });
  co_return absl::FailedPreconditionError(absl::StrCat(
      "shard ", address.shard_id().ToString(), " is not owned by this runner"));
}

Task<bool> Sharding::ConfirmOwnership(const ShardId& shard) {
  if (locks_ == nullptr) co_return false;
  if (config_.mode == Mode::kReference) {
    co_return co_await locks_->ConfirmShardLock(shard);
  }
  // Hardened mode: a check that failed says nothing about the lock; only a
  // storage answer without it (or losing it here) is a loss. The lease
  // self-stop ends this wait if the lock lapses meanwhile.
  for (int attempt = 0;; ++attempt) {
    switch (co_await locks_->CheckShardLock(shard)) {
      case ShardLocks::LockCheck::kHeld:
        co_return true;
      case ShardLocks::LockCheck::kLost:
        co_return false;
      case ShardLocks::LockCheck::kUnknown:
        break;
    }
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

Task<bool> Sharding::HasStoredExit(Snowflake request_id) {
  // Built before the co_await: GCC mishandles an initializer list that
  // lives across a suspension point.
  std::vector<Snowflake> ids(1, request_id);
  absl::StatusOr<std::vector<storage::Reply>> replies =
      co_await storage_.RepliesForUnfiltered(std::move(ids));
  if (!replies.ok()) co_return false;
  co_return std::any_of(
      replies->begin(), replies->end(), [](const storage::Reply& reply) {
        return std::holds_alternative<storage::WithExit>(reply);
      });
}

Task<absl::Status> Sharding::SaveReply(const EntityAddress& address,
                                       storage::Reply reply) {
  const Snowflake request_id = storage::RequestIdOf(reply);
  const ShardId& shard = address.shard_id();
  // 4.1.0: the final reply is stored only once a refresh confirms the lock.
  if (std::holds_alternative<storage::WithExit>(reply) &&
      !co_await ConfirmOwnership(shard)) {
    co_return co_await LeaveToOwner(address, request_id);
  }
  // Effect retries 4 times 200 ms apart, then gives up and leaves the
  // request wedged (effect-semantics.md §14.1). Hardened mode retries until
  // the write lands or the shard is no longer held here.
  absl::Status status;
  for (int attempt = 0;; ++attempt) {
    status = co_await StoreReply(address, reply);
    if (storage::IsFenced(status)) {
      co_return co_await LeaveToOwner(address, request_id);
    }
    if (storage::IsAlreadyReplied(status)) {
      // Hardened mode: another run of the handler answered first; local
      // waiters read that reply from storage.
      reply_handlers_.Unregister(request_id, false);
      co_return absl::FailedPreconditionError(status.message());
    }
    if (status.ok()) co_return status;
    if (config_.mode == Mode::kReference ||
        config_.mutant == Mutant::kReplyWedge) {
      if (attempt == kReplyRetries) co_return status;
      co_await SleepMs(kReplyRetryDelayMs);
      continue;
    }
    if (locks_ == nullptr || !locks_->IsHeld(shard)) {
      co_return co_await LeaveToOwner(address, request_id);
    }
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

}  // namespace clustersim::sharding
