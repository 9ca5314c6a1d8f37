// Sharding: one node's view of Effect 4.1.0's Sharding service (Sharding.ts)
// — the entity types and singletons it runs, the shards it owns, and the
// routing of every message between clients, local entities, other runners
// and storage.
//
// It composes:
//   RunnerMembership  the runner-storage sync loop and the hash-ring
//                     assignment (client-only nodes run it too, to route);
//   ShardLocks        acquisition, refresh and release of shard locks;
//   StorageReadLoop   the inbox: persisted messages read from storage;
//   Runners           sending: persist-then-notify, remote calls (through
//                     RunnerClient), reply handlers and storage polling;
//   Singletons        cluster singletons, including Effect's runner health
//                     checker ("effect/cluster/Sharding/RunnerHealth");
//   EntityRegistry    one EntityManager per registered entity type.
// The runner-to-runner server side is RunnerServer (runner_server.h), which
// calls SendIncoming / NotifyIncoming / reply_handlers().
//
// Client API: Send / SendDiscard address an entity by type and id (the
// type's EntityDefinition must be known: registered here, or added with
// DefineEntity). A request's id is a snowflake of this node. Streams deliver
// their chunks to CallOptions::on_chunk, each acknowledged as Effect's client
// does. Interrupts follow Effect: cancelling the calling fiber forwards an
// Interrupt envelope (3 retries) unless the RPC is uninterruptible for the
// client, or the request is persisted and the interrupt is transient (the
// runner shuts down, or the caller's shard or entity type is being torn
// down).
//
// Error model of the client calls: cluster errors (core/cluster/
// cluster_error.h) as Effect's typed errors; "defect: ..." (Internal) where
// Effect dies; CancelledError "abandoned: ..." where Effect interrupts the
// caller with its Abandon marker (a persisted request abandoned in teardown,
// to be served by the next owner).
//
// Modes: in hardened mode every owner write (reply) carries the shard's
// FencingToken; in reference mode none, as Effect.
//
// Registration events (Effect's getRegistrationEvents): see
// RegistrationEventsQueue.
//
// Observable events (besides those of the parts): "sharding.shutdown",
// "entity.register", "sharding.abandon" ("<address>"), "runner.health"
// ("<host:port> healthy|unhealthy").
//
// Single-threaded. Owned by the node's process; the storage client, RPC
// endpoint, resolver and metrics outlive it. Callers of its coroutines must
// not outlive it (a RunnerProcess closes the node's scope first).
#ifndef CLUSTERSIM_CORE_SHARDING_SHARDING_H_
#define CLUSTERSIM_CORE_SHARDING_SHARDING_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/cluster_metrics.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake_generator.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/step_free_clock.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/entity_manager.h"
#include "core/sharding/entity_registry.h"
#include "core/sharding/message.h"
#include "core/sharding/outgoing.h"
#include "core/sharding/registration_events.h"
#include "core/sharding/reply_handlers.h"
#include "core/sharding/residency.h"
#include "core/sharding/runner_client.h"
#include "core/sharding/runner_membership.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/runners.h"
#include "core/sharding/shard_locks.h"
#include "core/sharding/singletons.h"
#include "core/sharding/storage_read_loop.h"
#include "core/sharding/storage_reply_poller.h"
#include "core/storage/reply.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

// The name of Effect's runner health-check singleton.
inline constexpr char kRunnerHealthSingleton[] =
    "effect/cluster/Sharding/RunnerHealth";

class Sharding : public EntityManagerHost, private ShardLockHooks {
 public:
  // How the health checker decides a runner is alive (Effect's
  // RunnerHealth layers): kPing pings it (10 s timeout, 5 retries 500 ms
  // apart); kNoop says every runner is alive.
  enum class HealthCheck { kNoop, kPing };
  struct Options {
    HealthCheck health_check = HealthCheck::kPing;
  };

  struct CallOptions {
    // Receives the values of each chunk of a streaming RPC, in order.
    std::function<void(const std::vector<std::string>& values)> on_chunk;
    // The entity making the call, if any (for Effect's transient-interrupt
    // classification).
    std::optional<EntityAddress> caller;
    // Set when a singleton makes the call: its shard.
    std::optional<ShardId> singleton_shard;
  };

  // `config` must be valid (ShardingConfig::Validate).
  Sharding(ShardingConfig config, const NodeEnv& env,
           storage::StorageClient& storage, RpcEndpoint& rpc,
           const RunnerResolver& resolver, ClusterMetrics& metrics,
           Options options);
  Sharding(ShardingConfig config, const NodeEnv& env,
           storage::StorageClient& storage, RpcEndpoint& rpc,
           const RunnerResolver& resolver, ClusterMetrics& metrics)
      : Sharding(std::move(config), env, storage, rpc, resolver, metrics,
                 Options()) {}
  ~Sharding() override;
  Sharding(const Sharding&) = delete;
  Sharding& operator=(const Sharding&) = delete;

  // Starts the background loops. Call once.
  void Start();

  // --- Registration ---------------------------------------------------------
  // Effect's registerEntity: a no-op on a client-only node or for a type
  // already registered. The definition also becomes known to clients.
  absl::Status RegisterEntity(EntityDefinition definition,
                              EntityFactory factory);
  // Makes an entity type known to this node's clients (Effect's
  // makeClient(entity)) without running it here.
  void DefineEntity(EntityDefinition definition);
  absl::Status RegisterSingleton(std::string name,
                                 const std::string& shard_group,
                                 SingletonRun run);
  // Effect's getRegistrationEvents: a queue of the entity types and
  // singletons registered from now on (registration_events.h).
  std::shared_ptr<Queue<RegistrationEvent>> RegistrationEventsQueue() {
    return registration_events_.Subscribe();
  }

  // --- Client
  // -----------------------------------------------------------------
  Task<absl::StatusOr<storage::Exit>> Send(EntityType type, EntityId id,
                                           std::string tag, std::string payload,
                                           CallOptions options);
  Task<absl::StatusOr<storage::Exit>> Send(EntityType type, EntityId id,
                                           std::string tag,
                                           std::string payload) {
    return Send(std::move(type), std::move(id), std::move(tag),
                std::move(payload), CallOptions());
  }
  // Completes once the message is sent (persisted: stored), Effect's
  // `{discard: true}`.
  Task<absl::Status> SendDiscard(EntityType type, EntityId id, std::string tag,
                                 std::string payload);
  // Effect's sendOutgoing, for messages built elsewhere (e.g. a workflow
  // engine).
  Task<absl::Status> SendOutgoing(OutgoingMessage message, bool discard,
                                  std::optional<int> retries,
                                  std::optional<RunnerAddress> runner);
  // Effect's reset: clearReplies (compare-and-reset with an expected reply
  // id); false on any failure in reference mode, retried until it succeeds
  // in hardened mode (§14.4).
  Task<bool> Reset(Snowflake request_id,
                   std::optional<Snowflake> expected_reply_id);
  // Effect's awaitRunReply for any persisted, non-streaming request: the
  // request's final reply, the one stored now or else the next one saved
  // (after a Reset, the replay's), waking as soon as this node saves it or
  // when the storage poll finds it (saved by another runner). Unavailable
  // if this node stops polling first.
  Task<absl::StatusOr<storage::WithExit>> AwaitReply(Snowflake request_id,
                                                     EntityAddress address);
  // Reads storage now.
  void PollStorage();
  // This node's wall clock.
  int64_t NowMs() const { return env_.executor->NowMs(); }
  // The shard an entity id of the group routes to.
  absl::StatusOr<ShardId> ShardFor(const EntityId& id,
                                   const std::string& group) const;

  // --- Server side (RunnerServer)
  // --------------------------------------------- Effect's send: local delivery
  // of a message from another runner.
  Task<absl::Status> SendIncoming(IncomingMessage message);
  // Effect's notify: a persisted message from another runner is in storage.
  Task<absl::Status> NotifyIncoming(IncomingMessage message,
                                    bool wait_until_read);
  ReplyHandlers& reply_handlers() { return reply_handlers_; }

  // --- Shutdown
  // --------------------------------------------------------------- Effect's
  // teardown: entity types close (last registered first; with
  // preemptive_shutdown the first one also starts the shutdown), then
  // shutdown (unregister) and the shard handoff, then singletons, clients
  // and loops stop, then releaseAll. Idempotent.
  Task<void> Shutdown();

  // --- Introspection
  // ------------------------------------------------------------
  bool IsShutdown() const override { return shutdown_; }
  const std::optional<RunnerAddress>& self() const {
    return config_.runner_address;
  }
  std::optional<MachineId> machine_id() const {
    return membership_->machine_id();
  }
  // Empty on a client-only node.
  const absl::btree_set<ShardId>& acquired_shards() const;
  std::optional<RunnerAddress> OwnerOf(const ShardId& shard) const {
    return membership_->OwnerOf(shard);
  }
  int64_t ActiveEntityCount() const;
  // Null on a client-only node.
  ShardLocks* locks() { return locks_.get(); }
  const Singletons& singletons() const { return *singletons_; }
  const EntityRegistry& registry() const { return registry_; }
  int64_t pending_client_calls() const {
    return static_cast<int64_t>(client_calls_.size());
  }

  // --- EntityManagerHost
  // ----------------------------------------------------------
  const ShardingConfig& config() const override { return config_; }
  const RunnerAddress& runner_address() const override;
  bool HasShardId(const ShardId& shard) const override;
  Snowflake NextSnowflake() override { return snowflakes_.Next(); }
  bool AdmitResident() override { return residency_.Admit(); }
  void ReleaseResident() override { residency_.Release(); }
  Task<absl::Status> SaveReply(const EntityAddress& address,
                               storage::Reply reply) override;
  Task<bool> HasStoredExit(Snowflake request_id) override;
  void SendKeepAlive(const EntityAddress& address) override;
  ClusterMetrics& metrics() override { return metrics_; }

 private:
  // One request a client of this node is waiting for.
  struct ClientCall {
    ClientCall(EntityAddress address, const RpcSpec* rpc)
        : address(std::move(address)), rpc(rpc) {}
    EntityAddress address;
    const RpcSpec* rpc;
    Queue<std::variant<storage::Reply, absl::Status>> replies;
    // Where a volatile request was sent: its acks and interrupts go there.
    std::optional<RunnerAddress> runner;
    // The fiber sending the request.
    FiberHandle sender;
  };

  // --- ShardLockHooks ---
  Task<void> InterruptShards(std::vector<ShardId> shards, bool force) override;
  Task<void> StopSingletons(std::vector<ShardId> shards) override;
  void SyncSingletons() override;
  void StopShardsNow(const std::vector<ShardId>& shards) override;
  void OnShardsAcquired() override;
  void OnShardReleased(const ShardId& shard) override;

  // --- Sending ---
  absl::StatusOr<OutgoingMessage> PrepareRequest(const EntityType& type,
                                                 const EntityId& id,
                                                 std::string tag,
                                                 std::string payload);
  // The coroutines below take the message by reference: each is awaited at
  // once by a caller that owns it (SendOutgoing keeps it for retries), so no
  // attempt copies or moves it.
  Task<absl::Status> SendOutgoingOnce(const OutgoingMessage& message,
                                      bool discard,
                                      std::optional<RunnerAddress> runner);
  Task<absl::Status> Abandon(OutgoingMessage message, bool should_fail,
                             absl::Status error);
  // The entity manager that may take a local message now (Effect's checks
  // in sendLocal), waiting for the shard lock (requests) and for the type's
  // registration.
  Task<absl::StatusOr<EntityRegistry::Entry*>> LocalManagerFor(
      const EntityAddress& address, bool is_request, bool is_incoming_request);
  Task<absl::Status> SendLocal(const OutgoingMessage& message);
  Task<absl::Status> NotifyLocal(const OutgoingMessage& message, bool discard);
  Task<void> RunClientSend(std::shared_ptr<ClientCall> call,
                           OutgoingMessage message);
  void OnClientInterrupted(Snowflake request_id,
                           const std::shared_ptr<ClientCall>& call,
                           const CallOptions& options);
  Task<void> SendInterrupt(OutgoingMessage message,
                           std::optional<RunnerAddress> runner);
  Task<void> SendKeepAliveTask(EntityAddress address);
  bool IsInTeardown(const EntityAddress& caller) const;
  bool IsLocalShard(const ShardId& shard) const;

  // --- Replies ---
  // A reply write as the shard's owner (fencing token in hardened mode);
  // local reply handlers see it once stored.
  Task<absl::Status> StoreReply(const EntityAddress& address,
                                storage::Reply reply);
  // The write was refused (not confirmed, or fenced): leave the request to
  // the shard's real owner.
  Task<absl::Status> LeaveToOwner(const EntityAddress& address,
                                  Snowflake request_id);
  // 4.1.0's confirmShardLock before a final reply; in hardened mode an
  // unknown outcome is retried instead of counting as a loss.
  Task<bool> ConfirmOwnership(const ShardId& shard);

  // --- Background ---
  Task<void> RunHealthChecks();
  Task<void> CheckRunner(storage::RunnerEntry entry);
  Task<bool> IsAlive(RunnerAddress address);
  Task<void> EntityGauges();
  Task<void> AddEntityWhenIdle(std::unique_ptr<EntityManager> manager);
  void AddEntity(std::unique_ptr<EntityManager> manager);
  Task<void> BeginShutdown();
  Task<void> CloseClients();

  const ShardingConfig config_;
  NodeEnv env_;
  storage::StorageClient& storage_;
  ClusterMetrics& metrics_;
  const Options options_;
  // Hardened mode's snowflakes read a step-free clock (§14.2).
  StepFreeClock step_free_clock_;
  SnowflakeGenerator snowflakes_;
  bool shutdown_ = false;
  bool shutdown_started_ = false;
  Latch shutdown_done_;
  // Lets guards in callers' frames see that this object is gone.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
  RpcSpec keep_alive_spec_;

  // Parent of every scope below; declared before them.
  Scope scope_;
  Scope calls_scope_;  // client sends and interrupt forwarding
  Scope misc_scope_;   // gauges, deferred registrations
  ReplyHandlers reply_handlers_;
  RegistrationEvents registration_events_;
  Residency residency_;
  absl::btree_map<EntityType, std::unique_ptr<EntityDefinition>> definitions_;
  absl::btree_map<Snowflake, std::shared_ptr<ClientCall>> client_calls_;
  std::unique_ptr<ShardLocks> locks_;
  std::unique_ptr<RunnerMembership> membership_;
  StorageReplyPoller poller_;
  RunnerClient runner_client_;
  Runners runners_;
  std::unique_ptr<Singletons> singletons_;
  // Entity managers make child scopes of entities_scope_.
  Scope entities_scope_;
  EntityRegistry registry_;
  std::unique_ptr<StorageReadLoop> read_loop_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_SHARDING_H_
