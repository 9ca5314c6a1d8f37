// Shard routing: which shard of a group an entity id belongs to (Effect's
// `Sharding.getShardId`). shard number = |HashString(id) % N| + 1, with the
// remainder truncated toward zero as in JavaScript. The entity type plays no
// part. Singletons route their name the same way.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_CLUSTER_SHARD_ROUTING_H_
#define CLUSTERSIM_CORE_CLUSTER_SHARD_ROUTING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/cluster/entity_id.h"
#include "core/cluster/shard_id.h"

namespace clustersim {

// The shard number (1..shards_per_group) of `entity_id`. InvalidArgument if
// shards_per_group <= 0 or the id is not valid UTF-8.
absl::StatusOr<int32_t> ShardNumberFor(const EntityId& entity_id,
                                       int32_t shards_per_group);

// ShardId(group, ShardNumberFor(entity_id, shards_per_group)).
absl::StatusOr<ShardId> ShardIdFor(const EntityId& entity_id, std::string group,
                                   int32_t shards_per_group);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SHARD_ROUTING_H_
