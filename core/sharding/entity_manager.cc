// The entity manager's design, relative to Effect's entityManager.ts:
//
// - An Entity is one activation of an address. It is *spawning* while its
//   handler's build is being retried, *live* once built (Effect's
//   activeServers) and *retired* while it drains after removal (Effect's
//   drainingServers). `entities_` holds spawning and live ones (Effect's
//   ResourceMap), `draining_` the retired ones.
// - A Server is one generation of an entity's handler (Effect's RpcServer
//   inside a ResourceRef): the EntityHandler, the FIFO concurrency semaphore
//   and the scope of its request fibers. A defect restart replaces it.
// - Cancelling a fiber destroys its frames, so an interrupted handler cannot
//   run code of its own; the manager applies Effect's exit rules for an
//   interrupt itself at the points where it cancels (Interrupt envelopes,
//   shutdown, restart). Fibers of uninterruptible requests
//   (Uninterruptible::kServer/kBoth) and fibers storing a final reply are
//   never cancelled, only awaited (Effect runs onExit uninterruptibly).
// - Send() is synchronous, where Effect's sendLocal may block on a spawn or a
//   rebuild. The build usually succeeds at once; while a failed build is
//   being retried the entity refuses requests (volatile: ENA, which senders
//   retry; persisted: MailboxFull, which sends a resident entity's message
//   to resumption) instead of holding the caller.
//
// Time: idleness is measured on the node's wall clock (NodeEnv::executor's
// NowMs), as Effect uses Clock.currentTimeMillis, so a clock step moves
// reaping earlier or later exactly as it would in Effect; the reaper's period
// and all other delays run on the executor's elapsed time.
//
// Fibers: spawn retries, terminations, the reaper and malformed-message
// replies run in the manager's scope; a restart, keep-alive replies and the
// drain timer in the entity's scope; request handlers in the server's scope.
// No fiber ever destroys the scope it runs in.
#include "core/sharding/entity_manager.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_exits.h"

namespace clustersim::sharding {
namespace {

using storage::Exit;

// Effect's defaultRetryPolicy, min(exponential(500 ms, 1.5), spaced(10 s)),
// at step `step` (0-based). Multiplying by 1.5 is exact in binary, so this
// is the same on every platform.
int64_t DefectBackoffUs(int64_t step) {
  constexpr double kCapUs = 10'000'000;
  double delay_us = 500'000;
  for (int64_t i = 0; i < step && delay_us < kCapUs; ++i) delay_us *= 1.5;
  return static_cast<int64_t>(std::min(delay_us, kCapUs));
}

bool IsUninterruptibleForServer(const RpcSpec& rpc) {
  return rpc.uninterruptible == Uninterruptible::kServer ||
         rpc.uninterruptible == Uninterruptible::kBoth;
}

const char* ExitKind(const Exit& exit) {
  if (exit.is_success()) return "success";
  return exit.cause().kind == storage::CauseKind::kInterrupt ? "interrupt"
                                                             : "failure";
}

// Effect's KeepAliveRpc: persisted and uninterruptible.
RpcSpec KeepAliveSpec() {
  RpcSpec spec;
  spec.tag = kKeepAliveTag;
  spec.persisted = true;
  spec.uninterruptible = Uninterruptible::kBoth;
  return spec;
}

}  // namespace

class EntityManager::Impl {
 public:
  Impl(EntityDefinition definition, EntityFactory factory,
       EntityManagerHost& host, const NodeEnv& env, Scope& scope);
  ~Impl();

  const EntityDefinition& definition() const { return definition_; }
  ManagerState state() const { return state_; }

  absl::Status Send(IncomingMessage message);
  bool IsProcessingFor(Snowflake request_id, bool exclude_replies,
                       bool exclude_completed) const;
  void ClearProcessed() { processed_.clear(); }
  bool IsResident(const EntityAddress& address) const {
    return entities_.contains(address);
  }
  std::vector<EntityAddress> ResidentAddresses() const;
  int64_t ActiveEntityCount() const { return live_count_; }
  bool HasServers(const ShardId& shard) const;
  Task<void> InterruptShard(ShardId shard, bool force);
  void StopShardNow(const ShardId& shard);
  Task<void> Close();

 private:
  // One request in an entity's mailbox (Effect's activeRequests entry).
  struct ActiveRequest {
    explicit ActiveRequest(storage::Request envelope)
        : envelope(std::move(envelope)) {}

    storage::Request envelope;
    ReplySink respond;  // volatile requests only
    const RpcSpec* rpc = nullptr;
    uint64_t admission = 0;  // replays go in admission order
    bool delivered = false;  // handed to a server at least once
    bool sent_reply = false;
    bool sent_exit = false;
    // An Interrupt that came while no server could take it: applied when
    // the request is next handed to one.
    bool interrupt_requested = false;
    // Storing the final reply: the fiber is not cancelled.
    bool replying = false;
    // A chunk could not be stored: the exit is not replied (Effect dies in
    // the stream writer, leaving the request in the mailbox).
    bool reply_failed = false;
    std::optional<storage::Chunk> last_sent_chunk;
    int32_t sequence = 0;
    // The server fiber working on the request, 0 if none.
    uint64_t fiber_token = 0;
    // Opened by the AckChunk of last_sent_chunk (persisted streams).
    Latch ack;
  };

  struct Server {
    Server(Scope& parent, std::unique_ptr<EntityHandler> handler,
           int32_t concurrency)
        : handler(std::move(handler)), semaphore(concurrency), scope(parent) {}

    struct Running {
      Snowflake request_id;
      FiberId fiber;
    };
    std::unique_ptr<EntityHandler> handler;
    Semaphore semaphore;
    // Live fibers by token.
    std::map<uint64_t, Running> fibers;
    // Effect's isShuttingDown: set once the server's fibers are being
    // interrupted (termination or restart).
    bool shutting_down = false;
    // Last: destroyed first, while the fibers' tickets can still reach the
    // fields above.
    Scope scope;
  };

  enum class Phase { kSpawning, kLive, kRetired };

  struct Entity final : EntityContext {
    Entity(Impl* impl, EntityAddress address, Scope& parent)
        : impl(impl), address_(std::move(address)), scope(parent) {}

    const EntityAddress& address() const override { return address_; }
    const RunnerAddress& runner_address() const override {
      return impl->host_.runner_address();
    }
    int64_t NowMs() const override { return impl->NowMs(); }
    void KeepAlive(bool enabled) override {
      if (!enabled) {
        keep_alive_latch.Open();
        return;
      }
      keep_alive_latch.Close();
      impl->host_.SendKeepAlive(address_);
    }

    ActiveRequest* Find(Snowflake id) const {
      auto it = active.find(id);
      return it == active.end() ? nullptr : it->second.get();
    }

    Impl* impl;
    EntityAddress address_;
    Phase phase = Phase::kSpawning;
    std::map<Snowflake, std::unique_ptr<ActiveRequest>> active;
    uint64_t next_admission = 0;
    int64_t last_active_check_ms = 0;
    bool keep_alive_enabled = false;
    // Closed while the handler asks to be kept alive (Effect's
    // KeepAliveLatch, created closed).
    Latch keep_alive_latch;
    // A defect restart is under way: new requests wait for the new server.
    bool restarting = false;
    // The spawn retry loop (manager scope) or the restart (entity scope).
    FiberId task_fiber;
    // The drain after retirement (manager scope).
    FiberId terminate_fiber;
    // Stop waiting for the handlers to finish: forced, timed out, or a
    // defect while retired (Effect's force latch, timeout and endLatch).
    bool drain_stop = false;
    // Opened whenever the server's last fiber ends or drain_stop is set.
    Latch drain_wake;
    // Opened once the entity is fully terminated (Effect's close latch).
    std::shared_ptr<Latch> closed = std::make_shared<Latch>();
    Scope scope;
    // Last: destroyed before the entity scope (its parent) and while the
    // fields above are still alive.
    std::unique_ptr<Server> server;
  };

  // Owned by a server fiber's root frame; tells the manager when the fiber
  // ended, whether it returned or was cancelled (even before it started).
  class FiberTicket {
   public:
    FiberTicket(Impl* impl, Entity* entity, Server* server, Snowflake id,
                uint64_t token)
        : impl_(impl),
          entity_(entity),
          server_(server),
          id_(id),
          token_(token) {}
    FiberTicket(FiberTicket&& other) noexcept
        : impl_(other.impl_),
          entity_(other.entity_),
          server_(std::exchange(other.server_, nullptr)),
          id_(other.id_),
          token_(other.token_) {}
    FiberTicket(const FiberTicket&) = delete;
    FiberTicket& operator=(const FiberTicket&) = delete;
    FiberTicket& operator=(FiberTicket&&) = delete;
    ~FiberTicket() {
      if (server_ != nullptr)
        impl_->OnFiberEnded(*entity_, *server_, id_, token_);
    }

   private:
    Impl* impl_;
    Entity* entity_;
    Server* server_;
    Snowflake id_;
    uint64_t token_;
  };

  // The ChunkWriter of one streaming request.
  class RequestChunks final : public ChunkWriter {
   public:
    RequestChunks(Impl* impl, Entity* entity, Snowflake id)
        : impl_(impl), entity_(entity), id_(id) {}
    Task<absl::Status> Emit(std::vector<std::string> values) override {
      return impl_->EmitChunk(entity_, id_, std::move(values));
    }

   private:
    Impl* impl_;
    Entity* entity_;
    Snowflake id_;
  };

  int64_t NowMs() const { return env_.executor->NowMs(); }
  void Trace(std::string_view kind, std::string_view detail) {
    if (env_.trace != nullptr) env_.trace->Record(kind, detail);
  }
  std::string Describe(const Entity& entity) const {
    return absl::StrCat(entity.address_.ToString(),
                        " runner=", host_.runner_address().Key());
  }
  void TraceExit(Snowflake id, const Exit& exit) {
    Trace("entity.reply",
          absl::StrCat("request=", id.ToString(), " exit=", ExitKind(exit)));
  }

  absl::Status SendRequest(IncomingRequest message);
  absl::Status SendEnvelope(const IncomingEnvelope& message);
  void DeliverEnvelope(Entity& entity, const IncomingEnvelope& message);
  void ReplyMalformed(IncomingRequest message, std::string_view detail);
  Task<void> SaveMalformed(EntityAddress address, storage::Reply reply);
  void HandleKeepAlive(Entity& entity, Snowflake request_id);
  Task<void> ReplyKeepAlive(Entity* entity, Snowflake request_id, bool wait);

  // Spawning.
  absl::StatusOr<Entity*> GetOrSpawn(const EntityAddress& address);
  absl::StatusOr<std::unique_ptr<EntityHandler>> TryBuild(Entity& entity);
  bool FinishSpawn(Entity& entity, std::unique_ptr<EntityHandler> handler);
  Task<void> RetrySpawn(Entity* entity);
  void AbortSpawn(Entity& entity);

  // Requests.
  void Deliver(Entity& entity, ActiveRequest& request);
  void SpawnOnServer(Entity& entity, ActiveRequest& request, bool interrupt);
  Task<void> RunRequest(Entity* entity, Server* server, Snowflake id,
                        FiberTicket ticket);
  Task<void> ReplyInterrupt(Entity* entity, Server* server, Snowflake id,
                            FiberTicket ticket);
  void OnFiberEnded(Entity& entity, Server& server, Snowflake id,
                    uint64_t token);
  void InterruptRequest(Entity& entity, ActiveRequest& request);
  Task<void> FinishRequest(Entity* entity, Server* server, Snowflake id,
                           Exit exit);
  Task<absl::Status> EmitChunk(Entity* entity, Snowflake id,
                               std::vector<std::string> values);
  void RespondVolatile(Entity& entity, Snowflake id, Exit exit);
  void RemoveRequest(Entity& entity, Snowflake id);

  // Defects.
  void OnDefect(Entity& entity, Server& server, Snowflake id,
                const storage::Cause& cause);
  Task<void> Restart(Entity* entity);
  Task<std::unique_ptr<EntityHandler>> Rebuild(Entity* entity);
  void Replay(Entity& entity);

  // Termination.
  void Retire(Entity& entity);
  void Force(Entity& entity);
  Task<void> Terminate(Entity* entity);
  void FinishTermination(Entity& entity);
  void StopNow(Entity& entity);
  Task<void> DrainTimeout(Entity* entity, int64_t timeout_ms);
  std::vector<Snowflake> CancelInterruptible(Entity& entity, Server& server);
  Task<void> AwaitFibers(Entity* entity, Server* server);

  Task<void> Reap(int64_t period_ms);

  EntityDefinition definition_;
  EntityFactory factory_;
  EntityManagerHost& host_;
  NodeEnv env_;
  const RpcSpec keep_alive_spec_ = KeepAliveSpec();
  const std::optional<int64_t> mailbox_capacity_;
  const int64_t max_idle_ms_;
  ManagerState state_ = ManagerState::kAlive;
  // Steps of the manager-wide defect restart schedule (Effect keeps one
  // schedule driver per manager).
  int64_t defect_steps_ = 0;
  uint64_t next_token_ = 0;
  int64_t live_count_ = 0;
  FiberId reaper_;
  // Before the entities: their scopes are its children, destroyed first.
  Scope scope_;
  std::map<EntityAddress, std::unique_ptr<Entity>> entities_;
  std::map<EntityAddress, std::unique_ptr<Entity>> draining_;
  // Which entities hold each active request id (lookups only).
  std::multimap<Snowflake, Entity*> index_;
  // Persisted requests completed since the last ClearProcessed().
  absl::flat_hash_set<Snowflake> processed_;
};

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
      max_idle_ms_(definition_.options().max_idle_time_ms.value_or(
          host.config().entity_max_idle_time_ms)),
      scope_(scope) {
  CHECK(env_.executor != nullptr, "an entity manager needs an executor");
  CHECK(definition_.options().concurrency >= 1,
        "entity concurrency must be at least 1");
  CHECK(factory_ != nullptr, "an entity manager needs a factory");
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

absl::Status EntityManager::Impl::Send(IncomingMessage message) {
  if (auto* request = std::get_if<IncomingRequest>(&message)) {
    return SendRequest(std::move(*request));
  }
  return SendEnvelope(std::get<IncomingEnvelope>(message));
}

absl::Status EntityManager::Impl::SendRequest(IncomingRequest message) {
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

// --- Spawning ----------------------------------------------------------------

absl::StatusOr<EntityManager::Impl::Entity*> EntityManager::Impl::GetOrSpawn(
    const EntityAddress& address) {
  if (auto it = entities_.find(address); it != entities_.end()) {
    return it->second.get();
  }
  if (!host_.HasShardId(address.shard_id()) || draining_.contains(address)) {
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (!host_.AdmitResident()) return ToStatus(MailboxFull{address});
  auto [it, inserted] = entities_.emplace(
      address, std::make_unique<Entity>(this, address, scope_));
  CHECK(inserted);
  Entity& entity = *it->second;
  absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(entity);
  if (handler.ok()) {
    if (!FinishSpawn(entity, *std::move(handler))) {
      return ToStatus(EntityNotAssignedToRunner{address});
    }
    return &entity;
  }
  entity.task_fiber = scope_.Spawn(RetrySpawn(&entity), "entity-spawn");
  if (!entity.task_fiber) {
    AbortSpawn(entity);
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  return &entity;
}

absl::StatusOr<std::unique_ptr<EntityHandler>> EntityManager::Impl::TryBuild(
    Entity& entity) {
  absl::StatusOr<std::unique_ptr<EntityHandler>> handler = factory_(entity);
  if (handler.ok() && *handler == nullptr) {
    handler = absl::InternalError("the entity factory returned no handler");
  }
  if (!handler.ok()) {
    Trace("entity.defect", absl::StrCat(Describe(entity), " build: ",
                                        handler.status().ToString()));
  }
  return handler;
}

// Effect 4.1.0 re-checks ownership after the build: the shard may have been
// lost meanwhile, and an entity still building is invisible to
// InterruptShard.
bool EntityManager::Impl::FinishSpawn(Entity& entity,
                                      std::unique_ptr<EntityHandler> handler) {
  if (!host_.HasShardId(entity.address_.shard_id())) {
    AbortSpawn(entity);
    return false;
  }
  entity.server = std::make_unique<Server>(entity.scope, std::move(handler),
                                           definition_.options().concurrency);
  entity.phase = Phase::kLive;
  entity.task_fiber = FiberId{};
  entity.last_active_check_ms = NowMs();
  ++live_count_;
  Trace("entity.start", Describe(entity));
  return true;
}

// Retries a failed build with the defect backoff (Effect's
// Effect.retry(defectRetryPolicy), a fresh schedule per spawn). Unlike
// Effect, it gives up as soon as the shard is no longer held, rather than
// retrying a spawn that the ownership re-check would reject anyway.
Task<void> EntityManager::Impl::RetrySpawn(Entity* entity) {
  for (int64_t step = 0;; ++step) {
    co_await SleepUs(DefectBackoffUs(step));
    if (!host_.HasShardId(entity->address_.shard_id())) break;
    absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(*entity);
    if (handler.ok()) {
      FinishSpawn(*entity, *std::move(handler));
      co_return;
    }
  }
  AbortSpawn(*entity);
}

// A failed creation leaves the map and frees its slot (ResourceMap).
void EntityManager::Impl::AbortSpawn(Entity& entity) {
  CHECK(entity.phase == Phase::kSpawning && entity.active.empty());
  entities_.erase(entity.address_);  // destroys `entity`
  host_.ReleaseResident();
}

// --- Requests ----------------------------------------------------------------

void EntityManager::Impl::Deliver(Entity& entity, ActiveRequest& request) {
  Trace("entity.step", Describe(entity));
  request.delivered = true;
  const bool interrupt = std::exchange(request.interrupt_requested, false);
  SpawnOnServer(entity, request, interrupt);
}

// Starts a fiber on the entity's server: the handler, or (for an interrupt
// that came before the handler could start) Effect's Exit(interrupt) reply.
void EntityManager::Impl::SpawnOnServer(Entity& entity, ActiveRequest& request,
                                        bool interrupt) {
  Server& server = *entity.server;
  const Snowflake id = request.envelope.request_id;
  const uint64_t token = ++next_token_;
  server.fibers.emplace(token, Server::Running{id, FiberId{}});
  request.fiber_token = token;
  FiberTicket ticket(this, &entity, &server, id, token);
  Task<void> task =
      interrupt ? ReplyInterrupt(&entity, &server, id, std::move(ticket))
                : RunRequest(&entity, &server, id, std::move(ticket));
  const FiberId fiber = server.scope.Spawn(std::move(task), "entity-request");
  // A closed scope drops the task, whose ticket has then deregistered it.
  if (auto it = server.fibers.find(token); it != server.fibers.end()) {
    it->second.fiber = fiber;
  }
}

Task<void> EntityManager::Impl::RunRequest(
    Entity* entity, Server* server, Snowflake id,
    [[maybe_unused]] FiberTicket ticket) {
  // The permit covers the handler and its reply, as in Effect's RpcServer.
  Semaphore::Permit permit = co_await server->semaphore.Acquire();
  const ActiveRequest* request = entity->Find(id);
  if (request == nullptr) co_return;
  const EntityRequest call{id, request->envelope.tag, request->envelope.payload,
                           request->last_sent_chunk};
  RequestChunks chunks(this, entity, id);
  Exit exit = co_await server->handler->Handle(
      call, request->rpc->stream ? &chunks : nullptr);
  Trace("entity.step", Describe(*entity));
  co_await FinishRequest(entity, server, id, std::move(exit));
}

Task<void> EntityManager::Impl::ReplyInterrupt(
    Entity* entity, Server* server, Snowflake id,
    [[maybe_unused]] FiberTicket ticket) {
  co_await FinishRequest(entity, server, id, InterruptExit());
}

void EntityManager::Impl::OnFiberEnded(Entity& entity, Server& server,
                                       Snowflake id, uint64_t token) {
  server.fibers.erase(token);
  if (ActiveRequest* request = entity.Find(id);
      request != nullptr && request->fiber_token == token) {
    request->fiber_token = 0;
  }
  if (server.fibers.empty()) entity.drain_wake.Open();
}

// An Interrupt envelope: cancel the handler, then answer Exit(interrupt)
// through the usual exit rules (Effect's RpcServer interrupts the fiber, or
// emits Exit(interrupt) when it has none).
void EntityManager::Impl::InterruptRequest(Entity& entity,
                                           ActiveRequest& request) {
  Server* server = entity.server.get();
  if (server == nullptr || entity.restarting) {
    // Effect holds the interrupt until the new server is ready; it then
    // hits the replayed (or first) run of the request.
    request.interrupt_requested = true;
    return;
  }
  if (request.fiber_token != 0) {
    if (IsUninterruptibleForServer(*request.rpc) || request.replying) return;
    server->scope.Cancel(server->fibers.at(request.fiber_token).fiber);
  }
  SpawnOnServer(entity, request, /*interrupt=*/true);
}

// Effect's onFromServer "Exit" (4.1.0 rules).
Task<void> EntityManager::Impl::FinishRequest(Entity* entity, Server* server,
                                              Snowflake id, Exit exit) {
  ActiveRequest* request = entity->Find(id);
  if (request == nullptr || request->reply_failed) co_return;
  if (!exit.is_success() && exit.cause().kind == storage::CauseKind::kDie &&
      !definition_.options().disable_fatal_defects &&
      !IsMalformedMessage(exit.cause())) {
    OnDefect(*entity, *server, id, exit.cause());
    co_return;
  }
  request->sent_reply = true;
  request->sent_exit = true;
  const bool interrupt = IsInterrupt(exit);
  // Interrupts from a restart are not replies: the new server replays.
  if (interrupt && server->shutting_down && entity->phase == Phase::kLive) {
    co_return;
  }
  if (interrupt && request->rpc->persisted) {
    // A durable request interrupted by shutdown stays in storage for the
    // next owner.
    if (server->shutting_down) {
      RemoveRequest(*entity, id);
      co_return;
    }
    // An uninterruptible one runs again in place.
    if (IsUninterruptibleForServer(*request->rpc)) {
      request->sent_exit = false;
      SpawnOnServer(*entity, *request, /*interrupt=*/false);
      co_return;
    }
  }
  if (!request->rpc->persisted) {
    RespondVolatile(*entity, id, std::move(exit));
    co_return;
  }
  storage::WithExit reply{id, host_.NextSnowflake(), std::move(exit)};
  const Exit reply_exit = reply.exit;
  request->replying = true;
  const absl::Status saved =
      co_await host_.SaveReply(entity->address_, std::move(reply));
  request = entity->Find(id);
  CHECK(request != nullptr, "a replying request left the mailbox");
  request->replying = false;
  if (saved.ok()) {
    TraceExit(id, reply_exit);
    processed_.insert(id);
    RemoveRequest(*entity, id);
  } else if (absl::IsFailedPrecondition(saved)) {
    // 4.1.0's confirmShardLock said no (or the write was fenced): leave the
    // request to the shard's owner, without a reply.
    Trace("entity.reply_abandoned",
          absl::StrCat("request=", id.ToString(), " ", saved.ToString()));
    RemoveRequest(*entity, id);
  } else {
    // Effect dies after its retries and never removes the request (the
    // wedge of effect-semantics.md §14.1): it keeps its mailbox slot until
    // the entity stops or restarts.
    Trace("entity.reply_lost",
          absl::StrCat("request=", id.ToString(), " ", saved.ToString()));
  }
}

// Effect's onFromServer "Chunk". Persisted streams then wait for the
// client's AckChunk, one chunk per storage round trip.
Task<absl::Status> EntityManager::Impl::EmitChunk(
    Entity* entity, Snowflake id, std::vector<std::string> values) {
  ActiveRequest* request = entity->Find(id);
  if (request == nullptr || request->reply_failed) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("request ", id.ToString(), " can no longer be answered"));
  }
  if (values.empty()) co_return absl::OkStatus();  // chunks are never empty
  storage::Chunk chunk{id, host_.NextSnowflake(), request->sequence++,
                       std::move(values)};
  request->sent_reply = true;
  request->last_sent_chunk = chunk;
  const std::string traced =
      absl::StrCat("request=", id.ToString(), " chunk seq=", chunk.sequence);
  if (!request->rpc->persisted) {
    Trace("entity.reply", traced);
    if (request->respond) request->respond(std::move(chunk));
    co_return absl::OkStatus();
  }
  request->ack.Close();
  const absl::Status saved =
      co_await host_.SaveReply(entity->address_, std::move(chunk));
  request = entity->Find(id);
  CHECK(request != nullptr, "a streaming request left the mailbox");
  if (!saved.ok()) {
    if (absl::IsFailedPrecondition(saved)) {
      RemoveRequest(*entity, id);
    } else {
      request->reply_failed = true;
      Trace("entity.reply_lost", absl::StrCat(traced, " ", saved.ToString()));
    }
    co_return saved;
  }
  Trace("entity.reply", traced);
  co_await request->ack.Wait();
  co_return absl::OkStatus();
}

void EntityManager::Impl::RespondVolatile(Entity& entity, Snowflake id,
                                          Exit exit) {
  ActiveRequest* request = entity.Find(id);
  CHECK(request != nullptr && !request->rpc->persisted);
  TraceExit(id, exit);
  ReplySink respond = request->respond;
  RemoveRequest(entity, id);
  if (respond) respond(storage::WithExit{id, host_.NextSnowflake(), exit});
}

void EntityManager::Impl::RemoveRequest(Entity& entity, Snowflake id) {
  if (entity.active.erase(id) == 0) return;
  for (auto [it, end] = index_.equal_range(id); it != end; ++it) {
    if (it->second == &entity) {
      index_.erase(it);
      break;
    }
  }
  if (entity.active.empty()) entity.last_active_check_ms = NowMs();
}

// --- Defects
// -------------------------------------------------------------------

void EntityManager::Impl::OnDefect(Entity& entity, Server& server, Snowflake id,
                                   const storage::Cause& cause) {
  Trace("entity.defect", absl::StrCat(Describe(entity), " request=",
                                      id.ToString(), " ", cause.message));
  if (entity.phase == Phase::kRetired) {
    // Effect opens the end latch: the drain stops waiting.
    entity.drain_stop = true;
    entity.drain_wake.Open();
    return;
  }
  // One rebuild per failed server, however many of its requests die.
  if (entity.restarting || entity.server.get() != &server) return;
  entity.restarting = true;
  entity.task_fiber = entity.scope.Spawn(Restart(&entity), "entity-restart");
}

// Effect's restart: one step of the manager's defect schedule (the old
// server keeps running meanwhile), close the old server, rebuild, replay.
Task<void> EntityManager::Impl::Restart(Entity* entity) {
  co_await SleepUs(DefectBackoffUs(defect_steps_++));
  Server* old = entity->server.get();
  old->shutting_down = true;
  // The entity is live, so these interrupts are not replies (see
  // FinishRequest): their requests are replayed.
  CancelInterruptible(*entity, *old);
  co_await AwaitFibers(entity, old);
  entity->server.reset();
  std::unique_ptr<EntityHandler> handler = co_await Rebuild(entity);
  entity->server = std::make_unique<Server>(entity->scope, std::move(handler),
                                            definition_.options().concurrency);
  entity->restarting = false;
  entity->task_fiber = FiberId{};
  Replay(*entity);
}

Task<std::unique_ptr<EntityHandler>> EntityManager::Impl::Rebuild(
    Entity* entity) {
  for (int64_t step = 0;; ++step) {
    absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(*entity);
    if (handler.ok()) co_return *std::move(handler);
    co_await SleepUs(DefectBackoffUs(step));
  }
}

// Re-writes the requests the old server had been given (their exits are
// forgotten), then hands over those that came during the restart.
void EntityManager::Impl::Replay(Entity& entity) {
  std::vector<ActiveRequest*> delivered;
  std::vector<ActiveRequest*> waiting;
  for (auto& [id, request] : entity.active) {
    (request->delivered ? delivered : waiting).push_back(request.get());
  }
  const auto by_admission = [](const ActiveRequest* a, const ActiveRequest* b) {
    return a->admission < b->admission;
  };
  std::sort(delivered.begin(), delivered.end(), by_admission);
  std::sort(waiting.begin(), waiting.end(), by_admission);
  for (ActiveRequest* request : delivered) {
    request->sent_exit = false;
    request->reply_failed = false;
    Deliver(entity, *request);
  }
  for (ActiveRequest* request : waiting) Deliver(entity, *request);
}

// --- Termination -----------------------------------------------------------

// Effect's entities.remove: the entity leaves the map at once (no longer
// resident or active) and drains in the background.
void EntityManager::Impl::Retire(Entity& entity) {
  CHECK(entity.phase == Phase::kLive);
  entity.phase = Phase::kRetired;
  --live_count_;
  if (entity.restarting) {
    entity.scope.Cancel(entity.task_fiber);
    entity.restarting = false;
  }
  auto node = entities_.extract(entity.address_);
  draining_.insert(std::move(node));
  entity.terminate_fiber = scope_.Spawn(Terminate(&entity), "entity-terminate");
}

void EntityManager::Impl::Force(Entity& entity) {
  entity.drain_stop = true;
  entity.drain_wake.Open();
}

// Effect's drain finalizer, then the handler scope's close, then the close
// latch and the residency slot.
Task<void> EntityManager::Impl::Terminate(Entity* entity) {
  const auto busy = [entity] {
    return entity->server != nullptr && !entity->server->fibers.empty();
  };
  if (busy() && !entity->drain_stop) {
    entity->scope.Spawn(
        DrainTimeout(entity, host_.config().entity_termination_timeout_ms),
        "entity-drain-timeout");
  }
  while (busy() && !entity->drain_stop) {
    entity->drain_wake.Close();
    co_await entity->drain_wake.Wait();
  }
  if (Server* server = entity->server.get()) {
    server->shutting_down = true;
    for (Snowflake id : CancelInterruptible(*entity, *server)) {
      // Effect's exit rules for a shutdown interrupt of a retired entity:
      // durable requests stay in storage, volatile callers hear of it.
      ActiveRequest* request = entity->Find(id);
      if (request == nullptr) continue;
      if (request->rpc->persisted) {
        RemoveRequest(*entity, id);
      } else {
        RespondVolatile(*entity, id, InterruptExit());
      }
    }
    co_await AwaitFibers(entity, server);
    entity->server.reset();
  }
  FinishTermination(*entity);
}

// The end of a retired entity whose server is gone: its scope closes and it
// leaves the manager.
void EntityManager::Impl::FinishTermination(Entity& entity) {
  CHECK(entity.phase == Phase::kRetired && entity.server == nullptr);
  // Requests that never reached (or never finished on) a handler: durable
  // ones are redelivered from storage; volatile callers are interrupted.
  std::vector<Snowflake> left;
  for (const auto& [id, request] : entity.active) left.push_back(id);
  for (Snowflake id : left) {
    const ActiveRequest* request = entity.Find(id);
    if (request == nullptr) continue;
    if (request->rpc->persisted) {
      RemoveRequest(entity, id);
    } else {
      RespondVolatile(entity, id, InterruptExit());
    }
  }
  entity.scope.Close();
  Trace("entity.stop", Describe(entity));
  std::shared_ptr<Latch> closed = entity.closed;
  draining_.erase(entity.address_);  // destroys `entity`
  closed->Open();
  host_.ReleaseResident();
}

// Hardened mode's self-stop (see EntityManager::StopShardNow): no drain, no
// exception for uninterruptible handlers or replies being stored.
void EntityManager::Impl::StopNow(Entity& entity) {
  CHECK(entity.phase == Phase::kRetired);
  scope_.Cancel(std::exchange(entity.terminate_fiber, FiberId{}));
  if (Server* server = entity.server.get()) {
    server->shutting_down = true;
    server->scope.CancelAll();
    entity.server.reset();
  }
  FinishTermination(entity);
}

Task<void> EntityManager::Impl::DrainTimeout(Entity* entity,
                                             int64_t timeout_ms) {
  co_await SleepMs(timeout_ms);
  Force(*entity);
}

// Cancels the server's fibers except those that must not be interrupted;
// returns the requests whose handler was cancelled.
std::vector<Snowflake> EntityManager::Impl::CancelInterruptible(
    Entity& entity, Server& server) {
  std::vector<std::pair<Snowflake, FiberId>> victims;
  for (const auto& [token, running] : server.fibers) {
    const ActiveRequest* request = entity.Find(running.request_id);
    if (request != nullptr && request->fiber_token == token &&
        (IsUninterruptibleForServer(*request->rpc) || request->replying)) {
      continue;
    }
    victims.emplace_back(running.request_id, running.fiber);
  }
  std::vector<Snowflake> cancelled;
  for (const auto& [id, fiber] : victims) {
    server.scope.Cancel(fiber);
    cancelled.push_back(id);
  }
  return cancelled;
}

Task<void> EntityManager::Impl::AwaitFibers(Entity* entity, Server* server) {
  while (!server->fibers.empty()) {
    entity->drain_wake.Close();
    co_await entity->drain_wake.Wait();
  }
}

Task<void> EntityManager::Impl::InterruptShard(ShardId shard, bool force) {
  for (;;) {
    std::vector<Entity*> live;
    for (const auto& [address, entity] : entities_) {
      if (address.shard_id() == shard && entity->phase == Phase::kLive) {
        live.push_back(entity.get());
      }
    }
    for (Entity* entity : live) {
      if (force) Force(*entity);
      Retire(*entity);
    }
    std::vector<std::shared_ptr<Latch>> closing;
    for (const auto& [address, entity] : draining_) {
      if (address.shard_id() != shard) continue;
      if (force) Force(*entity);
      closing.push_back(entity->closed);
    }
    if (closing.empty()) co_return;
    for (const std::shared_ptr<Latch>& closed : closing) {
      co_await closed->Wait();
    }
  }
}

void EntityManager::Impl::StopShardNow(const ShardId& shard) {
  std::vector<Entity*> spawning;
  std::vector<Entity*> live;
  for (const auto& [address, entity] : entities_) {
    if (address.shard_id() != shard) continue;
    (entity->phase == Phase::kLive ? live : spawning).push_back(entity.get());
  }
  for (Entity* entity : spawning) {
    scope_.Cancel(entity->task_fiber);
    AbortSpawn(*entity);
  }
  for (Entity* entity : live) Retire(*entity);
  std::vector<Entity*> draining;
  for (const auto& [address, entity] : draining_) {
    if (address.shard_id() == shard) draining.push_back(entity.get());
  }
  for (Entity* entity : draining) StopNow(*entity);
}

Task<void> EntityManager::Impl::Close() {
  if (state_ == ManagerState::kAlive) {
    state_ = ManagerState::kClosing;
    scope_.Cancel(reaper_);
    std::vector<Entity*> spawning;
    std::vector<Entity*> live;
    for (const auto& [address, entity] : entities_) {
      (entity->phase == Phase::kLive ? live : spawning).push_back(entity.get());
    }
    for (Entity* entity : spawning) {
      scope_.Cancel(entity->task_fiber);
      AbortSpawn(*entity);
    }
    for (Entity* entity : live) Retire(*entity);
  }
  while (!draining_.empty()) {
    std::shared_ptr<Latch> closed = draining_.begin()->second->closed;
    co_await closed->Wait();
  }
  state_ = ManagerState::kClosed;
}

// Effect's EntityReaper, one per manager.
Task<void> EntityManager::Impl::Reap(int64_t period_ms) {
  for (;;) {
    co_await SleepMs(period_ms);
    const int64_t now_ms = NowMs();
    std::vector<Entity*> idle;
    for (const auto& [address, entity] : entities_) {
      if (entity->phase == Phase::kLive && !entity->keep_alive_enabled &&
          entity->active.empty() &&
          now_ms - entity->last_active_check_ms >= max_idle_ms_) {
        idle.push_back(entity.get());
      }
    }
    for (Entity* entity : idle) Retire(*entity);
  }
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
absl::Status EntityManager::Send(IncomingMessage message) {
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
