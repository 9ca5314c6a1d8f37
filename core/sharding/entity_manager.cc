// The entity manager: accepting messages, queries and the facade (the
// design is in entity_manager_impl.h).
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/entity_manager_impl.h"

namespace clustersim::sharding {

EntityManager::Impl::Impl(EntityDefinition definition, EntityFactory factory,
                          EntityManagerHost& host, const NodeEnv& env,
                          Scope& scope)
    : definition_(std::move(definition)),
      factory_(std::move(factory)),
      host_(host),
      env_(env),
      mailbox_capacity_(definition_.options().mailbox_capacity.has_value()
                            ? definition_.options().mailbox_capacity
                            : host.config().entity_mailbox_capacity),
      mailbox_metrics_(definition_.options().mailbox_metrics.value_or(
          host.config().entity_mailbox_metrics)),
      max_idle_ms_(definition_.options().max_idle_time_ms.value_or(
          host.config().entity_max_idle_time_ms)),
      scope_(scope) {
  CHECK(env_.executor != nullptr, "an entity manager needs an executor");
  CHECK(definition_.options().concurrency >= 1,
        "entity concurrency must be at least 1");
  CHECK(factory_ != nullptr, "an entity manager needs a factory");
  mailbox_size_max_ = host_.metrics().Observe(
      GaugeSeries::EntityMailboxSizeMax(definition_.type()), [this] {
        size_t max = 0;
        for (const auto* entities : {&entities_, &draining_}) {
          for (const auto& [address, entity] : *entities) {
            max = std::max(max, entity->active.size());
          }
        }
        return static_cast<int64_t>(max);
      });
  if (max_idle_ms_ != kNeverIdle) {
    // Effect's reaper period: max(5 s, min(30 s, maxIdleTime)).
    const int64_t period_ms =
        std::max<int64_t>(5'000, std::min<int64_t>(30'000, max_idle_ms_));
    reaper_ = scope_.Spawn(Reap(period_ms), "entity-reaper");
  }
}

EntityManager::Impl::~Impl() {
  // Cancel every fiber while the state their frames refer to is alive.
  scope_.Close();
}

// --- Accepting messages ----------------------------------------------------

absl::Status EntityManager::Impl::Send(IncomingMessage&& message) {
  if (auto* request = std::get_if<IncomingRequest>(&message)) {
    return SendRequest(std::move(*request));
  }
  return SendEnvelope(std::get<IncomingEnvelope>(message));
}

absl::Status EntityManager::Impl::SendRequest(IncomingRequest&& message) {
  const storage::Request& envelope = message.envelope;
  const EntityAddress& address = envelope.address;
  if (address.entity_type() != definition_.type()) {
    return ToStatus(MalformedMessage{
        absl::StrCat("a request for ", address.ToString(),
                     " reached the manager of ", definition_.type().value())});
  }
  if (state_ != ManagerState::kAlive) {
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  const RpcSpec* rpc = envelope.tag == kKeepAliveTag
                           ? &keep_alive_spec_
                           : definition_.Find(envelope.tag);
  if (rpc == nullptr) {
    // Effect decodes before spawning: an unknown tag is answered with
    // WithExit(die MalformedMessage) and the send itself succeeds.
    std::string detail = absl::StrCat("unknown rpc tag '", envelope.tag, "'");
    ReplyMalformed(std::move(message), detail);
    return absl::OkStatus();
  }
  // Not ready to take requests (a predecessor still stopping, or a build
  // being retried): volatile senders retry ENA; a stored message goes back
  // to storage (MailboxFull).
  const auto not_ready = [rpc, &address] {
    return rpc->persisted ? ToStatus(MailboxFull{address})
                          : ToStatus(EntityNotAssignedToRunner{address});
  };
  if (draining_.contains(address)) return not_ready();
  absl::StatusOr<Entity*> spawned = GetOrSpawn(address);
  if (!spawned.ok()) return spawned.status();
  Entity& entity = **spawned;
  if (entity.phase != Phase::kLive) return not_ready();

  const Snowflake id = envelope.request_id;
  if (entity.active.contains(id) || processed_.contains(id)) {
    return ToStatus(AlreadyProcessingMessage{id, address});
  }
  if (rpc == &keep_alive_spec_) {
    HandleKeepAlive(entity, id);
    return absl::OkStatus();
  }
  if (mailbox_capacity_.has_value() &&
      static_cast<int64_t>(entity.active.size()) >= *mailbox_capacity_) {
    return ToStatus(MailboxFull{address});
  }

  auto owned = std::make_unique<ActiveRequest>(std::move(message.envelope));
  ActiveRequest& request = *owned;
  request.respond = std::move(message.respond);
  request.rpc = rpc;
  request.annotations = rpc->AnnotationsFor(request.envelope.payload);
  request.admission = entity.next_admission++;
  if (message.last_sent_reply.has_value()) {
    if (auto* chunk = std::get_if<storage::Chunk>(&*message.last_sent_reply)) {
      request.last_sent_chunk = *chunk;
      request.sequence = chunk->sequence + 1;
    }
  }
  entity.active.emplace(id, std::move(owned));
  index_.emplace(id, &entity);
  if (entity.server != nullptr && !entity.restarting) Deliver(entity, request);
  return absl::OkStatus();
}

absl::Status EntityManager::Impl::SendEnvelope(
    const IncomingEnvelope& message) {
  const EntityAddress& address = std::visit(
      [](const auto& e) -> const EntityAddress& { return e.address; },
      message.envelope);
  const Snowflake request_id =
      std::visit([](const auto& e) { return e.request_id; }, message.envelope);
  if (address.entity_type() != definition_.type()) {
    return ToStatus(MalformedMessage{
        absl::StrCat("an envelope for ", address.ToString(),
                     " reached the manager of ", definition_.type().value())});
  }
  if (state_ == ManagerState::kClosed) {
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  // Retired entities still take acks and interrupts for their requests.
  if (auto it = draining_.find(address); it != draining_.end()) {
    if (it->second->Find(request_id) != nullptr) {
      DeliverEnvelope(*it->second, message);
      return absl::OkStatus();
    }
  }
  if (state_ != ManagerState::kAlive) {
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  // As in Effect, the entity is spawned even if it knows nothing of the
  // request.
  absl::StatusOr<Entity*> entity = GetOrSpawn(address);
  if (!entity.ok()) return entity.status();
  DeliverEnvelope(**entity, message);
  return absl::OkStatus();
}

void EntityManager::Impl::DeliverEnvelope(Entity& entity,
                                          const IncomingEnvelope& message) {
  if (const auto* ack = std::get_if<storage::AckChunk>(&message.envelope)) {
    ActiveRequest* request = entity.Find(ack->request_id);
    if (request == nullptr) return;
    // Only the acknowledgement of the last chunk sent releases the stream.
    if (request->last_sent_chunk.has_value() &&
        request->last_sent_chunk->id != ack->reply_id) {
      return;
    }
    request->ack.Open();
    return;
  }
  const auto& interrupt = std::get<storage::Interrupt>(message.envelope);
  if (ActiveRequest* request = entity.Find(interrupt.request_id)) {
    InterruptRequest(entity, *request);
  }
}

void EntityManager::Impl::ReplyMalformed(IncomingRequest message,
                                         std::string_view detail) {
  const Snowflake id = message.envelope.request_id;
  storage::WithExit reply{id, host_.NextSnowflake(),
                          MalformedMessageExit(detail)};
  TraceExit(id, reply.exit);
  if (message.respond) {
    message.respond(std::move(reply));
    return;
  }
  // No reply sink: the request came from storage.
  scope_.Spawn(SaveMalformed(message.envelope.address, std::move(reply)),
               "entity-malformed-reply");
}

Task<void> EntityManager::Impl::SaveMalformed(EntityAddress address,
                                              storage::Reply reply) {
  // Failures are the host's to retry and report; nothing else can be done.
  (void)co_await host_.SaveReply(address, std::move(reply));
}

// Effect's internal keep-alive RPC: parked until the handler releases its
// keep-alive latch, then answered. It takes no mailbox slot.
void EntityManager::Impl::HandleKeepAlive(Entity& entity,
                                          Snowflake request_id) {
  const bool wait = !entity.keep_alive_enabled;
  entity.keep_alive_enabled = true;
  entity.scope.Spawn(ReplyKeepAlive(&entity, request_id, wait),
                     "entity-keep-alive");
}

Task<void> EntityManager::Impl::ReplyKeepAlive(Entity* entity,
                                               Snowflake request_id,
                                               bool wait) {
  if (wait) {
    co_await entity->keep_alive_latch.Wait();
    entity->keep_alive_enabled = false;
  }
  storage::WithExit reply{request_id, host_.NextSnowflake(), Exit::Success("")};
  TraceExit(request_id, reply.exit);
  (void)co_await host_.SaveReply(entity->address_, std::move(reply));
}

// --- Queries -----------------------------------------------------------------

bool EntityManager::Impl::IsProcessingFor(Snowflake request_id,
                                          bool exclude_replies,
                                          bool exclude_completed) const {
  if (!exclude_replies && !exclude_completed &&
      processed_.contains(request_id)) {
    return true;
  }
  for (auto [it, end] = index_.equal_range(request_id); it != end; ++it) {
    const Entity& entity = *it->second;
    if (entity.phase != Phase::kLive) continue;
    const ActiveRequest* found = entity.Find(request_id);
    CHECK(found != nullptr, "the request index is out of date");
    const ActiveRequest& request = *found;
    if (exclude_replies && request.sent_reply) continue;
    if (exclude_completed && request.sent_exit) continue;
    return true;
  }
  return false;
}

std::vector<EntityAddress> EntityManager::Impl::ResidentAddresses() const {
  std::vector<EntityAddress> addresses;
  addresses.reserve(entities_.size());
  for (const auto& [address, entity] : entities_) addresses.push_back(address);
  return addresses;
}

bool EntityManager::Impl::HasServers(const ShardId& shard) const {
  for (const auto* map : {&entities_, &draining_}) {
    for (const auto& [address, entity] : *map) {
      if (address.shard_id() == shard && entity->phase != Phase::kSpawning) {
        return true;
      }
    }
  }
  return false;
}

// --- EntityManager -----------------------------------------------------------

EntityManager::EntityManager(EntityDefinition definition, EntityFactory factory,
                             EntityManagerHost& host, const NodeEnv& env,
                             Scope& scope)
    : impl_(std::make_unique<Impl>(std::move(definition), std::move(factory),
                                   host, env, scope)) {}

EntityManager::~EntityManager() = default;

const EntityDefinition& EntityManager::definition() const {
  return impl_->definition();
}
ManagerState EntityManager::state() const { return impl_->state(); }
absl::Status EntityManager::Send(IncomingMessage&& message) {
  return impl_->Send(std::move(message));
}
bool EntityManager::IsProcessingFor(Snowflake request_id, bool exclude_replies,
                                    bool exclude_completed) const {
  return impl_->IsProcessingFor(request_id, exclude_replies, exclude_completed);
}
void EntityManager::ClearProcessed() { impl_->ClearProcessed(); }
bool EntityManager::IsResident(const EntityAddress& address) const {
  return impl_->IsResident(address);
}
std::vector<EntityAddress> EntityManager::ResidentAddresses() const {
  return impl_->ResidentAddresses();
}
int64_t EntityManager::ActiveEntityCount() const {
  return impl_->ActiveEntityCount();
}
bool EntityManager::HasServers(const ShardId& shard) const {
  return impl_->HasServers(shard);
}
Task<void> EntityManager::InterruptShard(const ShardId& shard, bool force) {
  return impl_->InterruptShard(shard, force);
}

void EntityManager::StopShardNow(const ShardId& shard) {
  impl_->StopShardNow(shard);
}
Task<void> EntityManager::Close() { return impl_->Close(); }

}  // namespace clustersim::sharding
