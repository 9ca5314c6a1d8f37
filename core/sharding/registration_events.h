// Registration events: Effect's ShardingRegistrationEvent and
// Sharding.getRegistrationEvents, the entity types and singletons this
// runner registers, as they are registered.
//
// Like Effect's stream over an unbounded PubSub, a subscriber sees only the
// events published after it subscribed, in order, each in its own unbounded
// queue; dropping the queue unsubscribes. An entity type is announced once
// its registration is complete (messages can reach it), a singleton once it
// is registered (before it starts).
// Single-threaded; the publisher outlives nothing it publishes to (queues
// are shared with their subscribers).
#ifndef CLUSTERSIM_CORE_SHARDING_REGISTRATION_EVENTS_H_
#define CLUSTERSIM_CORE_SHARDING_REGISTRATION_EVENTS_H_

#include <memory>
#include <variant>
#include <vector>

#include "core/cluster/entity_type.h"
#include "core/cluster/singleton_address.h"
#include "core/runtime/sync.h"

namespace clustersim::sharding {

// Effect's EntityRegistered (which carries the Entity; here its type).
struct EntityRegistered {
  EntityType type;
  friend bool operator==(const EntityRegistered&,
                         const EntityRegistered&) = default;
};

// Effect's SingletonRegistered.
struct SingletonRegistered {
  SingletonAddress address;
  friend bool operator==(const SingletonRegistered&,
                         const SingletonRegistered&) = default;
};

using RegistrationEvent = std::variant<EntityRegistered, SingletonRegistered>;

// Effect's PubSub.unbounded of registration events.
class RegistrationEvents {
 public:
  // A new subscriber's queue.
  std::shared_ptr<Queue<RegistrationEvent>> Subscribe() {
    auto queue = std::make_shared<Queue<RegistrationEvent>>();
    subscribers_.push_back(queue);
    return queue;
  }

  void Publish(const RegistrationEvent& event) {
    std::erase_if(subscribers_,
                  [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : subscribers_) weak.lock()->Push(event);
  }

 private:
  std::vector<std::weak_ptr<Queue<RegistrationEvent>>> subscribers_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_REGISTRATION_EVENTS_H_
