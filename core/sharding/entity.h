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
// is how interrupts, shard loss and shutdown stop a request.
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
#include "core/runtime/task.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// Effect's ClusterSchema.Uninterruptible: `client` stops the caller's
// interrupts from being forwarded; `server` makes an interrupted persisted
// request re-run in place instead of replying.
enum class Uninterruptible { kNo, kClient, kServer, kBoth };

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
  std::function<std::optional<int64_t>(std::string_view payload)> deliver_at_ms;
};

struct EntityOptions {
  // Requests handled at once by one entity (Effect's `concurrency`, default 1).
  int32_t concurrency = 1;
  // Overrides ShardingConfig::entity_max_idle_time_ms; nullopt in the
  // override means "use the config". Effect's "infinite" is
  // kNeverIdle.
  std::optional<int64_t> max_idle_time_ms;
  // Overrides ShardingConfig::entity_mailbox_capacity.
  std::optional<int64_t> mailbox_capacity;
  // Effect's disableFatalDefects: a handler defect is replied as Exit(die)
  // instead of restarting the entity.
  bool disable_fatal_defects = false;
};
inline constexpr int64_t kNeverIdle = INT64_MAX;

// What a handler can see and do besides its request (Effect's CurrentAddress,
// CurrentRunnerAddress, KeepAliveLatch, and the clock). Valid for the
// handler's whole life.
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
};

struct EntityRequest {
  Snowflake request_id;
  std::string tag;
  std::string payload;
  // For a stream resumed after a restart: the last chunk stored for it.
  std::optional<storage::Chunk> last_sent_chunk;
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
