// EntityRegistry: the entity types registered on a runner, each with its
// EntityManager and Sharding's view of its lifecycle (Effect's
// entityManagers map: alive, closing, closed), plus the registration
// deadline Effect 4.1.0 applies to messages for types not registered (yet):
// entity_registration_timeout_ms from the first registration on this runner,
// or, if none has started, twice that from the first miss.
//
// Single-threaded. Owned by Sharding; the managers it holds are destroyed
// with it.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_REGISTRY_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "core/cluster/entity_type.h"
#include "core/runtime/clock.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/entity_manager.h"

namespace clustersim::sharding {

enum class EntityStatus { kAlive, kClosing, kClosed };

// The defect for a type that never registered: "Entity type 'X' not
// registered" (Internal).
absl::Status EntityNotRegistered(const EntityType& type);

class EntityRegistry {
 public:
  struct Entry {
    std::unique_ptr<EntityManager> manager;
    EntityStatus status = EntityStatus::kAlive;
  };

  EntityRegistry(const ShardingConfig& config, const Clock& clock)
      : config_(config), clock_(clock) {}
  EntityRegistry(const EntityRegistry&) = delete;
  EntityRegistry& operator=(const EntityRegistry&) = delete;

  Entry* Find(const EntityType& type);
  const Entry* Find(const EntityType& type) const;
  // In registration order.
  const std::vector<Entry*>& entries() const { return order_; }

  // Adds a type (precondition: not registered) and wakes its waiters.
  void Add(std::unique_ptr<EntityManager> manager);

  // How long messages for an unregistered type may still wait; starts the
  // fallback window on the first miss.
  int64_t RegistrationTimeRemainingMs();
  // Waits until `type` is registered (OK), or its deadline passes
  // (EntityNotRegistered).
  Task<absl::Status> WaitFor(EntityType type);

 private:
  const ShardingConfig& config_;
  const Clock& clock_;
  absl::btree_map<EntityType, std::unique_ptr<Entry>> entries_;
  std::vector<Entry*> order_;
  std::optional<int64_t> registration_start_ms_;
  std::optional<int64_t> fallback_start_ms_;
  absl::btree_map<EntityType, std::shared_ptr<Latch>> waiters_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_REGISTRY_H_
