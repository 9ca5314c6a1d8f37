// EntityManager::Impl: the private state and steps of the entity manager
// (entity_manager.h), shared by its source files:
//   entity_manager.cc              accepting messages, queries, the facade;
//   entity_manager_spawn.cc        spawning, defect restarts and replay;
//   entity_manager_requests.cc     running requests and replying;
//   entity_manager_termination.cc  retiring, draining, stopping, reaping.
// Include it only from those files.
//
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
//   shutdown, restart). Fibers storing a final reply are never cancelled,
//   only awaited (Effect runs onExit uninterruptibly); fibers of
//   uninterruptible requests (Uninterruptible::kServer/kBoth) survive a
//   restart but not termination (as in Effect, where the annotation does
//   not make the handler's fiber uninterruptible).
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
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_IMPL_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_IMPL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_manager.h"

namespace clustersim::sharding {
namespace entity_manager_internal {

// Effect's defaultRetryPolicy, min(exponential(500 ms, 1.5), spaced(10 s)),
// at step `step` (0-based). Multiplying by 1.5 is exact in binary, so this
// is the same on every platform.
inline int64_t DefectBackoffUs(int64_t step) {
  constexpr double kCapUs = 10'000'000;
  double delay_us = 500'000;
  for (int64_t i = 0; i < step && delay_us < kCapUs; ++i) delay_us *= 1.5;
  return static_cast<int64_t>(std::min(delay_us, kCapUs));
}

inline bool IsUninterruptibleForServer(const RequestAnnotations& annotations) {
  return annotations.uninterruptible == Uninterruptible::kServer ||
         annotations.uninterruptible == Uninterruptible::kBoth;
}

inline const char* ExitKind(const storage::Exit& exit) {
  if (exit.is_success()) return "success";
  return exit.cause().kind == storage::CauseKind::kInterrupt ? "interrupt"
                                                             : "failure";
}

// Effect's KeepAliveRpc: persisted and uninterruptible.
inline RpcSpec KeepAliveSpec() {
  RpcSpec spec;
  spec.tag = kKeepAliveTag;
  spec.persisted = true;
  spec.uninterruptible = Uninterruptible::kBoth;
  return spec;
}

}  // namespace entity_manager_internal

class EntityManager::Impl {
 public:
  using Exit = storage::Exit;

  Impl(EntityDefinition definition, EntityFactory factory,
       EntityManagerHost& host, const NodeEnv& env, Scope& scope);
  ~Impl();

  const EntityDefinition& definition() const { return definition_; }
  ManagerState state() const { return state_; }

  absl::Status Send(IncomingMessage&& message);
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
    explicit ActiveRequest(storage::Request&& envelope)
        : envelope(std::move(envelope)) {}

    storage::Request envelope;
    ReplySink respond;  // volatile requests only
    const RpcSpec* rpc = nullptr;
    // The RPC's annotations after its Dynamic rewrite.
    RequestAnnotations annotations;
    uint64_t admission = 0;  // replays go in admission order
    bool delivered = false;  // handed to a server at least once
    bool sent_reply = false;
    bool sent_exit = false;
    // An Interrupt that came while no server could take it: applied when
    // the request is next handed to one.
    bool interrupt_requested = false;
    // Interrupted by a graceful termination (InterruptOnTermination): its
    // interrupt is not a reply.
    bool terminating = false;
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
      // The request the handler runs on, once it runs (in the fiber's
      // frame): where a cancellation's reason is written.
      EntityRequest* call = nullptr;
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

  // One activation finalizer (EntityContext): exactly one of the two is set.
  struct Finalizer {
    std::function<void(bool abandoned)> run;
    std::function<Task<void>(bool abandoned)> run_async;
  };

  struct Entity final : EntityContext {
    Entity(Impl* impl, EntityAddress address, Scope& parent)
        : impl(impl),
          address_(std::move(address)),
          description(absl::StrCat(address_.ToString(), " runner=",
                                   impl->host_.runner_address().Key())),
          scope(parent) {}

    const EntityAddress& address() const override { return address_; }
    const RunnerAddress& runner_address() const override {
      return impl->host_.runner_address();
    }
    int64_t NowMs() const override { return impl->NowMs(); }
    void AddActivationFinalizer(
        std::function<void(bool abandoned)> finalizer) override {
      finalizers.push_back({std::move(finalizer), nullptr});
    }
    void AddAsyncActivationFinalizer(
        std::function<Task<void>(bool abandoned)> finalizer) override {
      finalizers.push_back({nullptr, std::move(finalizer)});
    }
    Scope& activation_scope() override { return scope; }
    std::shared_ptr<void>& ActivationSlot(const void* key) override {
      for (auto& [slot_key, value] : activation_state) {
        if (slot_key == key) return value;
      }
      return activation_state.emplace_back(key, nullptr).second;
    }
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
    // What traces call the entity (Describe), formatted once: every step
    // of every request is traced with it.
    const std::string description;
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
    // The activation ends because the runner gives the entity up (not
    // reaped): what its finalizers are told.
    bool abandoned = false;
    // EntityContext's activation state, in creation order, and finalizers.
    std::vector<std::pair<const void*, std::shared_ptr<void>>> activation_state;
    std::vector<Finalizer> finalizers;
    // Opened whenever the server's last fiber ends or drain_stop is set.
    Latch drain_wake;
    // Opened once the entity is fully terminated (Effect's close latch).
    std::shared_ptr<Latch> closed = std::make_shared<Latch>();
    Scope scope;
    // Last: destroyed before the entity scope (its parent) and while the
    // fields above are still alive.
    std::unique_ptr<Server> server;
    // effect_cluster_entity_mailbox_size, when mailbox metrics are on.
    ClusterMetrics::Observation mailbox_size;
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
    uint64_t token() const { return token_; }
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
  static const std::string& Describe(const Entity& entity) {
    return entity.description;
  }
  void TraceExit(Snowflake id, const Exit& exit) {
    Trace("entity.reply",
          absl::StrCat("request=", id.value(),
                       " exit=", entity_manager_internal::ExitKind(exit)));
  }

  absl::Status SendRequest(IncomingRequest&& message);
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
  // The entity type's defect schedule (EntityOptions::defect_backoff_us).
  int64_t DefectDelayUs(int64_t step) const;
  void OnDefect(Entity& entity, Server& server, Snowflake id,
                const storage::Cause& cause);
  Task<void> Restart(Entity* entity);
  Task<std::unique_ptr<EntityHandler>> Rebuild(Entity* entity);
  void Replay(Entity& entity);

  // Termination.
  void Retire(Entity& entity, bool abandoned);
  void Force(Entity& entity);
  Task<void> Terminate(Entity* entity);
  void CloseActivation(Entity& entity);
  void EndActivation(Entity& entity);
  static Task<void> RunFinalizers(std::vector<Finalizer> finalizers,
                                  bool abandoned);
  void RemoveTerminated(Entity& entity);
  void StopNow(Entity& entity);
  Task<void> DrainTimeout(Entity* entity, int64_t timeout_ms);
  std::vector<Snowflake> CancelInterruptible(Entity& entity, Server& server,
                                             InterruptReason reason);
  void CancelFiber(Server& server, uint64_t token, InterruptReason reason);
  Task<void> AwaitFibers(Entity* entity, Server* server);

  Task<void> Reap(int64_t period_ms);

  EntityDefinition definition_;
  EntityFactory factory_;
  EntityManagerHost& host_;
  NodeEnv env_;
  const RpcSpec keep_alive_spec_ = entity_manager_internal::KeepAliveSpec();
  const std::optional<int64_t> mailbox_capacity_;
  const bool mailbox_metrics_;
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
  // effect_cluster_entity_mailbox_size_max of the type; reads the maps above.
  ClusterMetrics::Observation mailbox_size_max_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_IMPL_H_
