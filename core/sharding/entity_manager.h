// EntityManager: the entities of one type on one runner (Effect's
// internal/entityManager.ts, 4.1.0 semantics).
//
// It spawns an entity on its first message (if the runner holds the shard and
// a residency slot is free), keeps a per-entity mailbox with a capacity,
// runs requests with the definition's concurrency (forked requests outside
// it), answers them (volatile:
// through the request's ReplySink; persisted: through the host, i.e. storage),
// delivers AckChunk and Interrupt envelopes, reaps idle entities, honours
// keep-alive, restarts an entity after a handler defect and replays its
// in-flight requests (the activation, i.e. the EntityContext with its state,
// outlives the rebuilt handlers), applies WithTransaction's settle rule,
// and terminates entities on shard loss or shutdown with Effect's graceful
// timeout and forced variant, then runs their activation finalizers.
// A cancelled handler is told why (EntityRequest::interrupted_by).
//
// Observable events go to the node's TraceSink: "entity.start",
// "entity.stop" and "entity.step" (a request handed to the handler, or the
// handler's exit) (detail: "<EntityAddress> runner=<host>:<port>"), which
// the single-activation checker reads; "entity.defect"; "entity.reply"
// ("request=<id> exit=success|failure|interrupt" or "request=<id> chunk
// seq=<n>"); "entity.reply_rolled_back" (a WithTransaction reply whose
// save failed and is not in storage: the entity restarts).
//
// Metrics (Effect's, read when the host's metrics are read):
// effect_cluster_entity_mailbox_size_max{type}, the largest mailbox of the
// type's resident entities (draining ones included), while the manager
// lives; and, when mailbox metrics are on (EntityOptions::mailbox_metrics,
// else ShardingConfig::entity_mailbox_metrics),
// effect_cluster_entity_mailbox_size{id,shard,type} per resident entity,
// until its activation ends. A mailbox counts the requests the entity holds.
//
// Single-threaded. Owned by the runner's Sharding; its fibers live in a child
// scope of the scope it is given; the host outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "core/cluster/cluster_metrics.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/process.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/message.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// The tag of Effect's internal keep-alive RPC (persisted, uninterruptible).
inline constexpr char kKeepAliveTag[] = "Cluster/Entity/keepAlive";

// What an entity manager needs from its runner (implemented by Sharding).
class EntityManagerHost {
 public:
  virtual ~EntityManagerHost() = default;
  virtual const ShardingConfig& config() const = 0;
  virtual const RunnerAddress& runner_address() const = 0;
  // Effect's hasShardId: not shut down and the shard is acquired.
  virtual bool HasShardId(const ShardId& shard) const = 0;
  virtual Snowflake NextSnowflake() = 0;
  // The runner-wide residency cap (ShardingConfig::max_resident_entities):
  // Admit reserves a slot (false at the cap); Release frees one and wakes
  // the storage read loop.
  virtual bool AdmitResident() = 0;
  virtual void ReleaseResident() = 0;
  // Stores a reply of a persisted request, with Effect's retries. Before a
  // WithExit it confirms the shard lock (4.1.0's confirmShardLock; in hardened
  // mode the write also carries the fencing token). Errors: PersistenceError
  // after the retries; FailedPrecondition when ownership could not be
  // confirmed or the write was fenced (the manager then drops the request
  // without a reply and the host makes it readable for the real owner).
  virtual Task<absl::Status> SaveReply(const EntityAddress& address,
                                       storage::Reply reply) = 0;
  // Whether storage holds a WithExit for the request (Effect's
  // hasStoredExit, for WithTransaction's settle rule); false when it cannot
  // be read.
  virtual Task<bool> HasStoredExit(Snowflake request_id) = 0;
  // Discard-sends the persisted keep-alive request to `address` itself.
  virtual void SendKeepAlive(const EntityAddress& address) = 0;
  virtual bool IsShutdown() const = 0;
  // The runner's metrics: the manager observes its mailbox gauges there.
  virtual ClusterMetrics& metrics() = 0;
};

enum class ManagerState { kAlive, kClosing, kClosed };

class EntityManager {
 public:
  // `definition` and `factory` describe the entity type; `scope` is the
  // runner's scope (the manager makes a child of it).
  EntityManager(EntityDefinition definition, EntityFactory factory,
                EntityManagerHost& host, const NodeEnv& env, Scope& scope);
  ~EntityManager();
  EntityManager(const EntityManager&) = delete;
  EntityManager& operator=(const EntityManager&) = delete;

  const EntityDefinition& definition() const;
  ManagerState state() const;

  // Accepts a message for one of this type's entities. Errors (as cluster
  // errors, see core/cluster/cluster_error.h): EntityNotAssignedToRunner,
  // MailboxFull, AlreadyProcessingMessage, MalformedMessage.
  absl::Status Send(IncomingMessage&& message);

  // Effect's isProcessingFor.
  bool IsProcessingFor(Snowflake request_id, bool exclude_replies = false,
                       bool exclude_completed = false) const;
  // Forgets request ids completed since the last storage read.
  void ClearProcessed();

  bool IsResident(const EntityAddress& address) const;
  std::vector<EntityAddress> ResidentAddresses() const;
  int64_t ActiveEntityCount() const;
  // Whether any entity of the shard is still open, including ones being
  // terminated.
  bool HasServers(const ShardId& shard) const;

  // Stops the shard's entities: gracefully (each gets
  // entity_termination_timeout_ms to finish), or forced (handlers are
  // interrupted at once; a reply being stored is still awaited). Completes
  // when they are all gone.
  Task<void> InterruptShard(const ShardId& shard, bool force);
  // Hardened mode's self-stop, for a shard whose lease may have lapsed: every
  // entity of the shard (spawning, live or draining) is stopped before this
  // returns, its handlers cancelled wherever they are, uninterruptible ones
  // and replies being stored included (the next owner may already run them;
  // a reply that lands anyway is fenced). Durable requests stay in storage
  // for the next owner; volatile callers get an interrupt.
  void StopShardNow(const ShardId& shard);

  // Entity-type teardown: closing, then every entity terminated, then closed.
  Task<void> Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_H_
