// EntityType: the name of an entity kind (Effect's branded string
// `EntityType`). Not part of shard routing: entities of different types with
// the same id share a shard.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_ENTITY_TYPE_H_
#define CLUSTERSIM_CORE_CLUSTER_ENTITY_TYPE_H_

#include "core/cluster/string_id.h"

namespace clustersim {

struct EntityTypeTag {};
using EntityType = StringId<EntityTypeTag>;

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_ENTITY_TYPE_H_
