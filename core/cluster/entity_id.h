// EntityId: the id of one entity instance within its type (Effect's branded
// string `EntityId`). It alone decides the shard (see shard_routing.h).
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_ENTITY_ID_H_
#define CLUSTERSIM_CORE_CLUSTER_ENTITY_ID_H_

#include "core/cluster/string_id.h"

namespace clustersim {

struct EntityIdTag {};
using EntityId = StringId<EntityIdTag>;

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_ENTITY_ID_H_
