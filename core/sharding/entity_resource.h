// EntityResource: Effect's EntityResource.make({acquire, idleTimeToLive,
// acquireEagerly}), a resource an entity acquires lazily, shares across its
// requests and keeps until it is closed (or idle for its time to live),
// even across the entity's restarts, shard moves and runner shutdowns.
//
// Acquiring turns the entity's keep-alive on (Entity.keepAlive(true):
// a persisted keep-alive request, so the entity is not reaped when idle and
// is re-activated wherever its shard goes) and runs `acquire`, which returns
// the value and its `on_close` (what Effect's acquire registers on its
// CloseScope). Releasing (Close(), or the idle time to live after the last
// Lease went) runs `on_close` and turns the keep-alive off. When the entity
// stops instead (the handler owning the resource is destroyed: shard moved
// or lost, shutdown, a defect rebuild), nothing is released: `on_close` does
// not run and the keep-alive stays on, so the next activation, here or on
// another runner, acquires again (from what `on_close` would have torn
// down, e.g. an external pod it reattaches to). That is Effect's
// `shuttingDown` flag.
//
// Get() is Effect's RcRef.get: the resource stays acquired while a Lease
// lives; concurrent Gets share one acquisition; a failed acquisition turns
// the keep-alive off again and is returned to every waiter. Close() is
// RcRef.invalidate: the next Get acquires anew; a resource still leased is
// released when its last Lease goes. acquire_eagerly starts the acquisition
// when the resource is made (the handler's build), as Effect's
// `Effect.scoped(RcRef.get(ref))`.
//
// Ownership: the entity's handler owns it (build it in the EntityFactory
// with the handler's EntityContext); its fibers live in a child of the
// activation scope. Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_RESOURCE_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_RESOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"

namespace clustersim::sharding {

// The type-erased machinery of EntityResource<T>.
class EntityResourceBase {
 public:
  struct Acquired {
    std::shared_ptr<void> value;
    // Effect's CloseScope finalizers: run on release, never on shutdown.
    std::function<void()> on_close;
  };
  struct Options {
    std::function<Task<absl::StatusOr<Acquired>>()> acquire;
    // Effect's idleTimeToLive; kNeverIdle (the default) is infinite.
    int64_t idle_time_to_live_ms = kNeverIdle;
    bool acquire_eagerly = false;
  };

  EntityResourceBase(EntityContext& context, Options options);
  // The entity stops: no release (see the file comment).
  ~EntityResourceBase();
  EntityResourceBase(const EntityResourceBase&) = delete;
  EntityResourceBase& operator=(const EntityResourceBase&) = delete;

  void Close();

 protected:
  // One acquisition, shared by the leases of it.
  struct State;
  // Keeps `state` acquired while it lives.
  class LeaseBase {
   public:
    LeaseBase(LeaseBase&& other) noexcept
        : state_(std::exchange(other.state_, nullptr)) {}
    LeaseBase& operator=(LeaseBase&&) = delete;
    ~LeaseBase();

   protected:
    explicit LeaseBase(std::shared_ptr<State> state);
    const std::shared_ptr<void>& value() const;

   private:
    std::shared_ptr<State> state_;
  };

  Task<absl::StatusOr<std::shared_ptr<State>>> GetState();

 private:
  Task<void> Acquire(std::shared_ptr<State> state);
  void Release(State& state);
  Task<void> ExpireWhenIdle(std::shared_ptr<State> state);

  EntityContext& context_;
  Options options_;
  // The current acquisition (acquiring or acquired); null when empty.
  std::shared_ptr<State> current_;
  // Points at this object until it is destroyed (states outlive it).
  std::shared_ptr<EntityResourceBase*> self_;
  // Last: its fibers end before the fields above go.
  Scope scope_;
};

template <typename T>
class EntityResource : public EntityResourceBase {
 public:
  struct Acquired {
    std::shared_ptr<T> value;
    std::function<void()> on_close;
  };
  struct Options {
    std::function<Task<absl::StatusOr<Acquired>>()> acquire;
    int64_t idle_time_to_live_ms = kNeverIdle;
    bool acquire_eagerly = false;
  };
  // A use of the resource (Effect's RcRef.get in a scope).
  class Lease : public LeaseBase {
   public:
    T& operator*() const { return *static_cast<T*>(value().get()); }
    T* operator->() const { return static_cast<T*>(value().get()); }

   private:
    friend class EntityResource;
    explicit Lease(std::shared_ptr<State> state)
        : LeaseBase(std::move(state)) {}
  };

  EntityResource(EntityContext& context, Options options)
      : EntityResourceBase(context, Erase(std::move(options))) {}

  Task<absl::StatusOr<Lease>> Get() {
    absl::StatusOr<std::shared_ptr<State>> state = co_await GetState();
    if (!state.ok()) co_return state.status();
    co_return Lease(*std::move(state));
  }

 private:
  static EntityResourceBase::Options Erase(Options options) {
    return {[acquire = std::move(options.acquire)]()
                -> Task<absl::StatusOr<EntityResourceBase::Acquired>> {
              absl::StatusOr<Acquired> acquired = co_await acquire();
              if (!acquired.ok()) co_return acquired.status();
              co_return EntityResourceBase::Acquired{
                  std::move(acquired->value), std::move(acquired->on_close)};
            },
            options.idle_time_to_live_ms, options.acquire_eagerly};
  }
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_RESOURCE_H_
