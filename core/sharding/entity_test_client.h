// EntityTestClient: Effect's Entity.makeTestClient, an in-memory client of
// one entity type for testing its handlers without sharding, storage or a
// network.
//
// As in Effect, each entity id gets one activation, built on its first
// request and kept until the client goes, when its activation finalizers
// run (asynchronous ones do not: the destructor cannot await them; no idle
// reaping, no keep-alive, no persistence: Persisted RPCs run
// like volatile ones). Its address has the shard Effect's test client
// computes (|hash(id) % shards_per_group| + 1 in the id's shard group) and
// its runner is localhost:3000. Requests run with the definition's
// concurrency; a handler's exit is the reply. A defect is fatal to the
// entity unless disable_fatal_defects: every request in flight on that
// entity (not on others) ends with the same defect, as with Effect's test
// RpcServer; there is no restart or replay, and the next request builds a
// new activation (Effect's tests do not pin what a later request sees). A
// failed build fails the request (and is retried on the next one).
// Streaming RPCs pass their chunks to `on_chunk`. Cancelling a Send
// interrupts its handler.
//
// Single-threaded; the client owns the activations and their fibers, and
// must outlive the coroutines of its Send calls.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_TEST_CLIENT_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_TEST_CLIENT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/cluster/entity_id.h"
#include "core/runtime/executor.h"
#include "core/runtime/scope.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

class EntityTestClient {
 public:
  // `shards_per_group` is ShardingConfig's (Effect reads it from the
  // ShardingConfig in context); `executor` is the clock and runs fibers.
  EntityTestClient(EntityDefinition definition, EntityFactory factory,
                   int32_t shards_per_group, Executor& executor);
  ~EntityTestClient();
  EntityTestClient(const EntityTestClient&) = delete;
  EntityTestClient& operator=(const EntityTestClient&) = delete;

  // Calls `tag` on entity `id`. InvalidArgument for an unknown tag; the
  // build's error if the entity cannot be built.
  Task<absl::StatusOr<storage::Exit>> Send(
      EntityId id, std::string tag, std::string payload,
      std::function<void(const std::vector<std::string>&)> on_chunk = nullptr);

  // The address entity `id` runs at; InvalidArgument if it does not route
  // (not UTF-8).
  absl::StatusOr<EntityAddress> AddressOf(const EntityId& id) const;

 private:
  class Activation;
  struct Call;

  absl::StatusOr<Activation*> ActivationFor(const EntityId& id);
  Task<void> Run(Activation* entity, std::shared_ptr<Call> call);
  void FatalDefect(Activation& entity, const Call& defecting,
                   const storage::Exit& exit);

  EntityDefinition definition_;
  EntityFactory factory_;
  int32_t shards_per_group_;
  Executor& executor_;
  // Request ids of this client (Effect's test client uses a snowflake
  // generator; any unique id does here).
  int64_t next_request_id_ = 1;
  // Before the activations: their scopes are its children.
  Scope scope_;
  std::map<EntityId, std::unique_ptr<Activation>> activations_;
  // Activations ended by a fatal defect, kept until the client goes.
  std::vector<std::unique_ptr<Activation>> retired_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_TEST_CLIENT_H_
