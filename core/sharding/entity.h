// Entity definitions: the C++ counterpart of Effect's `Entity.make(type,
// rpcs)` plus `entity.toLayer(handlers)`.
//
// An EntityDefinition names an entity type and the RPCs it accepts, each with
// Effect's annotations (Persisted, Uninterruptible, stream or not, primary
// key, deliver-at). Payloads and results cross the boundary as bytes encoded
// by the RPC's codec (typed helpers in typed_rpc.h); the cluster never looks
// inside them, as Effect treats them as an opaque "hole".
//
// Behaviour is an EntityHandler: one instance per live entity, built by the
// EntityFactory when the entity spawns, destroyed when it stops (idle reaping,
// shard loss, crash), so its member variables are the entity's volatile
// in-memory state. A handler runs each request as a coroutine; cancelling it
// is how interrupts, shard loss and shutdown stop a request (the request's
// `interrupted_by` says which, see InterruptReason). State that must survive
// a handler rebuild after a defect lives in the activation instead
// (EntityContext::ActivationState, Effect's CurrentActivationScope).
// Definitions are immutable values; handlers are single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/entity_type.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/scope.h"
#include "core/runtime/task.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// Effect's ClusterSchema.Uninterruptible: `client` stops the caller's
// interrupts from being forwarded; `server` makes an interrupted persisted
// request re-run in place instead of replying.
enum class Uninterruptible { kNo, kClient, kServer, kBoth };

// The annotations the entity manager reads for one request: the RPC's, then
// rewritten by its RpcSpec::dynamic. Persisted is not among them: the
// client has already routed the request (storage or not) by the RPC's.
struct RequestAnnotations {
  // Effect's Rpc.fork / Rpc.wrap({fork: true}): the handler runs without
  // holding one of the entity's concurrency permits, so a handler that waits
  // (Effect's asynchronous Deferred reply) does not hold up the entity's
  // other requests. In Effect the wrap is the handler's result, decided per
  // request; here it is the RPC's, or RpcSpec::dynamic's per request. (An
  // Effect Deferred-returning handler holds the permit while it builds the
  // Deferred; a forked handler here holds none at all.)
  bool fork = false;
  // The server side of ClusterSchema.Uninterruptible.
  Uninterruptible uninterruptible = Uninterruptible::kNo;
  // Effect's ClusterSchema.WithTransaction: the handler and the saving of
  // its reply run in one MessageStorage transaction. Our storage has no
  // multi-operation transactions and handlers have no transactional store of
  // their own, so the transaction here holds exactly one write, the final
  // reply of a persisted request, and what is real is 4.1.0's settle rule
  // for a failed commit of a success: if the reply is found stored the
  // request completes, otherwise the entity restarts as after a defect and
  // replays the request (without the annotation a failed save leaves the
  // request wedged, effect-semantics.md §14.1). Writes a handler makes
  // elsewhere are NOT rolled back with the reply. Failures and volatile
  // replies behave as without it, as in Effect when the commit succeeds.
  bool with_transaction = false;
};

struct RpcSpec {
  std::string tag;
  bool persisted = false;
  Uninterruptible uninterruptible = Uninterruptible::kNo;
  // A streaming RPC replies with Chunks, then a WithExit.
  bool stream = false;
  // Effect's PrimaryKey on the payload: the dedupe id, composed by the
  // client into "<type>/<id>/<tag>/<pk>". Unset: no primary key.
  std::function<std::optional<std::string>(std::string_view payload)>
      primary_key;
  // Effect's DeliverAt on the payload, in ms since the epoch.
  std::function<std::optional<int64_t>(std::string_view payload)>
      deliver_at_ms = nullptr;
  // Effect's ClusterSchema.InterruptOnTermination: a graceful termination
  // (shard release, reaping) interrupts the request's handler at once
  // instead of waiting for it; a persisted one stays in storage for the next
  // owner. No effect on a server-uninterruptible request.
  bool interrupt_on_termination = false;
  // Rpc.fork, Uninterruptible (server side) and WithTransaction as the
  // request annotations' defaults (see RequestAnnotations).
  bool fork = false;
  bool with_transaction = false;
  // Effect's ClusterSchema.Dynamic: rewrites the request annotations from
  // the payload, once per request, when the entity manager accepts it.
  std::function<void(std::string_view payload, RequestAnnotations& annotations)>
      dynamic = nullptr;

  // The annotations of one request with this RPC's `payload`.
  RequestAnnotations AnnotationsFor(std::string_view payload) const;
};

struct EntityOptions {
  // Requests handled at once by one entity (Effect's `concurrency`, default
  // 1); kUnboundedConcurrency is Effect's "unbounded" (the mailbox capacity
  // still bounds what an entity holds).
  int32_t concurrency = 1;
  // Overrides ShardingConfig::entity_max_idle_time_ms; nullopt in the
  // override means "use the config". Effect's "infinite" is
  // kNeverIdle.
  std::optional<int64_t> max_idle_time_ms;
  // Overrides ShardingConfig::entity_mailbox_capacity.
  std::optional<int64_t> mailbox_capacity = std::nullopt;
  // Effect's mailboxMetrics: overrides ShardingConfig::entity_mailbox_metrics
  // (a per-entity mailbox-size gauge).
  std::optional<bool> mailbox_metrics = std::nullopt;
  // Effect's disableFatalDefects: a handler defect is replied as Exit(die)
  // instead of restarting the entity.
  bool disable_fatal_defects = false;
  // Effect's defectRetryPolicy: the delay before restart (or build) attempt
  // `step` (0-based) after a defect. Unset: Effect's default, min(500 ms ×
  // 1.5ⁿ, 10 s).
  std::function<int64_t(int64_t step)> defect_backoff_us = nullptr;
};
inline constexpr int64_t kNeverIdle = INT64_MAX;
inline constexpr int32_t kUnboundedConcurrency = INT32_MAX;

// What a handler can see and do besides its request (Effect's CurrentAddress,
// CurrentRunnerAddress, KeepAliveLatch, CurrentActivationScope, and the
// clock). One context per activation: from the entity's spawn until it
// stops, across every handler rebuilt after a defect, so it outlives each
// handler the factory builds with it.
class EntityContext {
 public:
  virtual ~EntityContext() = default;
  virtual const EntityAddress& address() const = 0;
  virtual const RunnerAddress& runner_address() const = 0;
  // The runner's wall clock.
  virtual int64_t NowMs() const = 0;
  // Effect's Entity.keepAlive: while enabled, the entity is not reaped when
  // idle, and (because the keep-alive request is persisted) it re-arms after
  // the entity moves to another runner.
  virtual void KeepAlive(bool enabled) = 0;

  // The activation's object of type T (default-constructed on first use):
  // the factory finds the same object again when it rebuilds the handler
  // after a defect; it is destroyed when the activation ends, after the
  // activation finalizers ran. Objects are destroyed in the reverse order
  // of their creation.
  template <typename T>
  T& ActivationState() {
    std::shared_ptr<void>& slot = ActivationSlot(&ActivationKey<T>::kTag);
    if (slot == nullptr) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }
  // Registers a function run once when the activation ends (after its last
  // handler is gone), in reverse order of registration. `abandoned` is true
  // when the entity stops because this runner gives it up (shard lost or
  // released, shutdown, an aborted spawn; Effect's Abandon) and false when
  // it is reaped for idleness. It runs synchronously and must not reach the
  // handler or the context (asynchronous work: AddAsyncActivationFinalizer).
  virtual void AddActivationFinalizer(
      std::function<void(bool abandoned)> finalizer) = 0;
  // The same for asynchronous work (Effect's finalizer effects, which the
  // closing scope awaits: a finalizer that sends a message and awaits its
  // reply). Where the runner ends the activation in an orderly way (shard
  // release or loss, the runner's shutdown, idle reaping) the entity is only
  // closed (its residency slot freed, Sharding::Shutdown and the shard's
  // release completed) after the task ended; like Effect's, it is not bound
  // by entity_termination_timeout_ms, which bounds the handlers only, nor
  // cut by a forced release. Where the runner stops the entity without
  // waiting (an aborted spawn, hardened mode's self-stop) the task is
  // started in a fiber of the entity manager and not awaited. Synchronous
  // and asynchronous finalizers share one order, last registered first. The
  // task must not reach the handler or the context either.
  virtual void AddAsyncActivationFinalizer(
      std::function<Task<void>(bool abandoned)> finalizer) = 0;
  // Fibers that belong to the activation rather than to one handler (Effect's
  // forkIn(CurrentActivationScope)): they survive a defect rebuild and are
  // cancelled when the activation ends, before its finalizers run.
  virtual Scope& activation_scope() = 0;

 protected:
  // The slot of one ActivationState type.
  virtual std::shared_ptr<void>& ActivationSlot(const void* key) = 0;

 private:
  template <typename T>
  struct ActivationKey {
    static constexpr char kTag = 0;
  };
};

// Why the entity manager cancelled a request's handler. Cancellation
// destroys the handler's frames, so a handler observes it from the
// destructor of an RAII guard, reading EntityRequest::interrupted_by through
// the reference it was given. Mapping to Effect's interrupt causes:
//   kClientAbort  an Interrupt envelope from the caller: RpcServer interrupts
//                 the fiber with the ClientAbort annotation;
//   kAbandon      the entity is torn down (shard lost or released, shutdown,
//                 hardened self-stop, a drain that timed out): the runner
//                 gives the request up and a persisted one is redelivered to
//                 the next owner. Effect interrupts with no annotation when
//                 the entity's scope closes; its Abandon annotation marks the
//                 same situation where it is detected (ClusterAbandon).
//   kRestart      the handler is rebuilt after a defect and the request is
//                 replayed on the new one (a plain interrupt in Effect).
enum class InterruptReason { kNone, kClientAbort, kAbandon, kRestart };

struct EntityRequest {
  Snowflake request_id;
  std::string tag;
  std::string payload;
  // For a stream resumed after a restart: the last chunk stored for it.
  std::optional<storage::Chunk> last_sent_chunk;
  // Set by the entity manager just before it cancels the handler (kNone
  // while the handler runs; see InterruptReason).
  InterruptReason interrupted_by = InterruptReason::kNone;
};

// Receives a streaming handler's chunks. Emit suspends until the chunk was
// handed on (for persisted streams: saved); it fails when the request can no
// longer be answered.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  virtual Task<absl::Status> Emit(std::vector<std::string> values) = 0;
};

class EntityHandler {
 public:
  virtual ~EntityHandler() = default;
  // Handles one request and returns its exit. A failure whose cause is kDie
  // is a defect (see EntityOptions::disable_fatal_defects). `chunks` is
  // non-null exactly for streaming RPCs.
  virtual Task<storage::Exit> Handle(const EntityRequest& request,
                                     ChunkWriter* chunks) = 0;
};

// Builds the handler of a spawning entity. An error is a build defect: the
// spawn is retried with Effect's defect backoff.
using EntityFactory =
    std::function<absl::StatusOr<std::unique_ptr<EntityHandler>>(
        EntityContext& context)>;

class EntityDefinition {
 public:
  explicit EntityDefinition(EntityType type, EntityOptions options = {})
      : type_(std::move(type)), options_(options) {}

  // Replaces the options (e.g. toLayerQueue's "unbounded" concurrency).
  EntityDefinition& SetOptions(EntityOptions options) {
    options_ = std::move(options);
    return *this;
  }
  // Adds an RPC; tags are unique.
  EntityDefinition& Add(RpcSpec spec);
  // Effect's ClusterSchema.ShardGroup: entity id -> shard group.
  EntityDefinition& SetShardGroup(
      std::function<std::string(const EntityId&)> group);

  const EntityType& type() const { return type_; }
  const EntityOptions& options() const { return options_; }
  const RpcSpec* Find(std::string_view tag) const;
  const std::map<std::string, RpcSpec, std::less<>>& rpcs() const {
    return rpcs_;
  }
  std::string ShardGroupOf(const EntityId& id) const;

 private:
  EntityType type_;
  EntityOptions options_;
  std::map<std::string, RpcSpec, std::less<>> rpcs_;
  std::function<std::string(const EntityId&)> shard_group_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_H_
