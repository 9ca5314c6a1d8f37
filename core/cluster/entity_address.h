// EntityAddress: where an entity lives — its type, its id and the shard the
// id routes to (Effect's `EntityAddress`). Equality and hashing cover all
// three. Printed as "EntityAddress(<type>, <id>, <group>:<n>)".
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_ENTITY_ADDRESS_H_
#define CLUSTERSIM_CORE_CLUSTER_ENTITY_ADDRESS_H_

#include <compare>
#include <ostream>
#include <string>
#include <utility>

#include "core/cluster/entity_id.h"
#include "core/cluster/entity_type.h"
#include "core/cluster/shard_id.h"

namespace clustersim {

class EntityAddress {
 public:
  EntityAddress(EntityType entity_type, EntityId entity_id, ShardId shard_id)
      : shard_id_(std::move(shard_id)),
        entity_type_(std::move(entity_type)),
        entity_id_(std::move(entity_id)) {}

  const EntityType& entity_type() const { return entity_type_; }
  const EntityId& entity_id() const { return entity_id_; }
  const ShardId& shard_id() const { return shard_id_; }

  // "EntityAddress(<type>, <id>, <group>:<n>)", as Effect's toString.
  std::string ToString() const;

  // Ordered by shard first, so a range of a map covers one shard's entities.
  friend auto operator<=>(const EntityAddress&, const EntityAddress&) = default;
  friend bool operator==(const EntityAddress&, const EntityAddress&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const EntityAddress& address) {
    return H::combine(std::move(h), address.shard_id_, address.entity_type_,
                      address.entity_id_);
  }

  friend std::ostream& operator<<(std::ostream& os,
                                  const EntityAddress& address) {
    return os << address.ToString();
  }

 private:
  ShardId shard_id_;
  EntityType entity_type_;
  EntityId entity_id_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_ENTITY_ADDRESS_H_
