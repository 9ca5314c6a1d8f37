// Sharding's client side (sharding.h): requests and their replies,
// discards, interrupts, keep-alives and resets.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/async.h"
#include "core/sharding/hardened_retry.h"
#include "core/sharding/sharding.h"

namespace clustersim::sharding {
namespace {

bool IsUninterruptibleForClient(const RpcSpec& rpc) {
  return rpc.uninterruptible == Uninterruptible::kClient ||
         rpc.uninterruptible == Uninterruptible::kBoth;
}

}  // namespace

// --- Client
// ---------------------------------------------------------------------

absl::StatusOr<OutgoingMessage> Sharding::PrepareRequest(const EntityType& type,
                                                         const EntityId& id,
                                                         std::string tag,
                                                         std::string payload) {
  auto it = definitions_.find(type);
  if (it == definitions_.end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown entity type '", type.value(), "'"));
  }
  const EntityDefinition& definition = *it->second;
  const RpcSpec* rpc = definition.Find(tag);
  if (rpc == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entity type '", type.value(), "' has no rpc '", tag, "'"));
  }
  absl::StatusOr<ShardId> shard = ShardFor(id, definition.ShardGroupOf(id));
  if (!shard.ok()) return shard.status();
  EntityAddress address(type, id, *std::move(shard));
  std::optional<std::string> primary_key;
  if (rpc->primary_key) {
    if (std::optional<std::string> key = rpc->primary_key(payload)) {
      primary_key = storage::ComposePrimaryKey(address, tag, *key);
    }
  }
  std::optional<int64_t> deliver_at_ms;
  if (rpc->deliver_at_ms) deliver_at_ms = rpc->deliver_at_ms(payload);
  // Built in place: a request is moved only where it must be.
  return absl::StatusOr<OutgoingMessage>(
      absl::in_place, std::in_place_type<OutgoingRequest>,
      storage::Request{snowflakes_.Next(), std::move(address), std::move(tag),
                       std::move(payload), storage::Headers(),
                       std::move(primary_key), deliver_at_ms},
      rpc, std::nullopt, nullptr);
}

Task<absl::StatusOr<storage::Exit>> Sharding::Send(EntityType type, EntityId id,
                                                   std::string tag,
                                                   std::string payload,
                                                   CallOptions options) {
  absl::StatusOr<OutgoingMessage> prepared =
      PrepareRequest(type, id, std::move(tag), std::move(payload));
  if (!prepared.ok()) co_return prepared.status();
  OutgoingRequest& request = std::get<OutgoingRequest>(*prepared);
  // The clients are closed (shut down): nothing would send it.
  if (calls_scope_.closed()) {
    co_return ToStatus(EntityNotAssignedToRunner{request.envelope.address});
  }
  const Snowflake request_id = request.envelope.request_id;
  auto call =
      std::make_shared<ClientCall>(request.envelope.address, request.rpc);
  request.respond = [call](storage::Reply reply) {
    call->replies.Push(std::move(reply));
  };
  client_calls_.emplace(request_id, call);
  std::string detail = call->address.ToString();
  absl::StrAppend(&detail, " ", request_id.value());
  env_.trace->Record("sharding.send", detail);
  // The send runs beside the caller, which consumes (and acks) replies.
  // `request` is moved from here on.
  FiberHandle sender = SpawnJoinable(
      calls_scope_, RunClientSend(call, *std::move(prepared)), "client.send");
  call->sender = sender;

  // Cancelling the caller stops the send and forwards the interrupt.
  struct Interrupted {
    Sharding* self;
    std::weak_ptr<int> alive;
    Snowflake request_id;
    std::shared_ptr<ClientCall> call;
    FiberHandle sender;
    const CallOptions* options;
    bool finished = false;
    ~Interrupted() {
      if (finished || alive.expired()) return;
      sender.Cancel();
      self->OnClientInterrupted(request_id, call, *options);
    }
  } guard{this, lifetime_, request_id, call, sender, &options};

  for (;;) {
    std::optional<std::variant<storage::Reply, absl::Status>> item =
        co_await call->replies.Receive();
    if (!item.has_value()) {
      guard.finished = true;
      co_return AbandonedError(call->address);
    }
    if (auto* status = std::get_if<absl::Status>(&*item)) {
      guard.finished = true;
      client_calls_.erase(request_id);
      co_return *status;
    }
    storage::Reply& reply = std::get<storage::Reply>(*item);
    if (auto* exit = std::get_if<storage::WithExit>(&reply)) {
      guard.finished = true;
      client_calls_.erase(request_id);
      co_return exit->exit;
    }
    const storage::Chunk& chunk = std::get<storage::Chunk>(reply);
    if (options.on_chunk) options.on_chunk(chunk.values);
    // Effect's client acknowledges every chunk, to the runner serving it.
    OutgoingEnvelope ack{storage::AckChunk{snowflakes_.Next(), call->address,
                                           request_id, chunk.id},
                         call->rpc->persisted};
    absl::Status acked = co_await SendOutgoing(std::move(ack), false,
                                               std::nullopt, call->runner);
    if (!acked.ok()) {
      guard.finished = true;
      sender.Cancel();
      client_calls_.erase(request_id);
      co_return acked;
    }
  }
}

Task<void> Sharding::RunClientSend(std::shared_ptr<ClientCall> call,
                                   OutgoingMessage message) {
  absl::Status status = co_await SendOutgoing(std::move(message), false,
                                              std::nullopt, std::nullopt);
  if (!status.ok()) call->replies.Push(std::move(status));
}

Task<absl::Status> Sharding::SendDiscard(EntityType type, EntityId id,
                                         std::string tag, std::string payload) {
  absl::StatusOr<OutgoingMessage> prepared =
      PrepareRequest(type, id, std::move(tag), std::move(payload));
  if (!prepared.ok()) co_return prepared.status();
  std::get<OutgoingRequest>(*prepared).respond = [](storage::Reply) {};
  co_return co_await SendOutgoing(*std::move(prepared), true, std::nullopt,
                                  std::nullopt);
}

void Sharding::OnClientInterrupted(Snowflake request_id,
                                   const std::shared_ptr<ClientCall>& call,
                                   const CallOptions& options) {
  client_calls_.erase(request_id);
  if (IsUninterruptibleForClient(*call->rpc)) return;
  // Durable requests ignore interrupts caused by shutdown or by the
  // caller's own teardown: the request is served by the next owner.
  const bool transient =
      shutdown_ ||
      (options.caller.has_value() && IsInTeardown(*options.caller)) ||
      (options.singleton_shard.has_value() && locks_ != nullptr &&
       locks_->IsReleasing(*options.singleton_shard));
  if (transient && call->rpc->persisted) return;
  OutgoingEnvelope interrupt{
      storage::Interrupt{snowflakes_.Next(), call->address, request_id},
      call->rpc->persisted};
  calls_scope_.Spawn(SendInterrupt(std::move(interrupt), call->runner),
                     "client.interrupt");
}

Task<void> Sharding::SendInterrupt(OutgoingMessage message,
                                   std::optional<RunnerAddress> runner) {
  (void)co_await SendOutgoing(std::move(message), false, kInterruptSendRetries,
                              std::move(runner));
}

bool Sharding::IsInTeardown(const EntityAddress& caller) const {
  if (locks_ != nullptr && locks_->IsReleasing(caller.shard_id())) return true;
  const EntityRegistry::Entry* entry = registry_.Find(caller.entity_type());
  return entry != nullptr && entry->status != EntityStatus::kAlive;
}

Task<void> Sharding::CloseClients() {
  // Effect's client scope interrupts its outstanding requests: volatile
  // ones have their Interrupt forwarded (durable ones not: the runner is
  // shutting down, so it is transient), and the callers are interrupted.
  const auto calls = std::exchange(client_calls_, {});
  std::vector<FiberHandle> interrupts;
  for (const auto& [id, call] : calls) {
    call->sender.Cancel();
    if (IsUninterruptibleForClient(*call->rpc) || call->rpc->persisted) {
      continue;
    }
    OutgoingEnvelope interrupt{
        storage::Interrupt{snowflakes_.Next(), call->address, id}, false};
    interrupts.push_back(SpawnJoinable(
        calls_scope_, SendInterrupt(std::move(interrupt), call->runner),
        "client.interrupt"));
  }
  for (const FiberHandle& interrupt : interrupts) co_await interrupt.Join();
  calls_scope_.Close();
  for (const auto& [id, call] : calls) call->replies.Close();
}

void Sharding::SendKeepAlive(const EntityAddress& address) {
  misc_scope_.Spawn(SendKeepAliveTask(address), "entity.keep_alive");
}

Task<void> Sharding::SendKeepAliveTask(EntityAddress address) {
  OutgoingMessage request =
      OutgoingRequest{storage::Request{snowflakes_.Next(),
                                       std::move(address),
                                       kKeepAliveTag,
                                       "",
                                       {},
                                       std::nullopt,
                                       std::nullopt},
                      &keep_alive_spec_, std::nullopt, [](storage::Reply) {}};
  (void)co_await SendOutgoing(std::move(request), true, std::nullopt,
                              std::nullopt);
}

Task<absl::StatusOr<storage::WithExit>> Sharding::AwaitReply(
    Snowflake request_id, EntityAddress address) {
  std::optional<storage::WithExit> exit;
  co_await runners_.AwaitStoredReply(
      request_id, address, [&exit](storage::Reply reply) {
        if (auto* with_exit = std::get_if<storage::WithExit>(&reply)) {
          exit = std::move(*with_exit);
        }
      });
  if (!exit.has_value()) {
    co_return absl::UnavailableError(absl::StrCat(
        "stopped waiting for the reply of request ", request_id.ToString()));
  }
  co_return *std::move(exit);
}

Task<bool> Sharding::Reset(Snowflake request_id,
                           std::optional<Snowflake> expected_reply_id) {
  // Effect returns false on a failure, and its callers (workflow resumes)
  // ignore it, losing the wake-up (effect-semantics.md §14.4). Hardened
  // mode retries until storage answers: the compare-and-reset is
  // idempotent.
  const absl::Status status = co_await RetryWhenHardened(config_.mode, [&] {
    return storage_.ClearReplies(request_id, expected_reply_id);
  });
  co_return status.ok();
}

}  // namespace clustersim::sharding
