// The entity manager's termination: retiring entities, draining and
// stopping their handlers, shard interruption, close and the idle reaper.
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/entity_manager_impl.h"

namespace clustersim::sharding {

using entity_manager_internal::IsUninterruptibleForServer;

// --- Termination -----------------------------------------------------------

// Effect's entities.remove: the entity leaves the map at once (no longer
// resident or active) and drains in the background.
void EntityManager::Impl::Retire(Entity& entity, bool abandoned) {
  CHECK(entity.phase == Phase::kLive);
  entity.phase = Phase::kRetired;
  entity.abandoned = abandoned;
  --live_count_;
  if (entity.restarting) {
    entity.scope.Cancel(entity.task_fiber);
    entity.restarting = false;
  }
  auto node = entities_.extract(entity.address_);
  draining_.insert(std::move(node));
  entity.terminate_fiber = scope_.Spawn(Terminate(&entity), "entity-terminate");
}

void EntityManager::Impl::Force(Entity& entity) {
  entity.drain_stop = true;
  entity.drain_wake.Open();
}

// Effect's drain finalizer, then the handler scope's close, then the close
// latch and the residency slot.
Task<void> EntityManager::Impl::Terminate(Entity* entity) {
  const auto busy = [entity] {
    return entity->server != nullptr && !entity->server->fibers.empty();
  };
  // Effect's drain first interrupts the requests annotated
  // InterruptOnTermination (not server-uninterruptible ones).
  if (entity->server != nullptr) {
    std::vector<Snowflake> terminating;
    for (auto& [id, request] : entity->active) {
      if (request->delivered && !request->sent_exit &&
          request->rpc->interrupt_on_termination &&
          !IsUninterruptibleForServer(request->annotations)) {
        terminating.push_back(id);
      }
    }
    for (Snowflake id : terminating) {
      if (ActiveRequest* request = entity->Find(id)) {
        request->terminating = true;
        InterruptRequest(*entity, *request);
      }
    }
  }
  if (busy() && !entity->drain_stop) {
    entity->scope.Spawn(
        DrainTimeout(entity, host_.config().entity_termination_timeout_ms),
        "entity-drain-timeout");
  }
  while (busy() && !entity->drain_stop) {
    entity->drain_wake.Close();
    co_await entity->drain_wake.Wait();
  }
  if (Server* server = entity->server.get()) {
    server->shutting_down = true;
    for (Snowflake id :
         CancelInterruptible(*entity, *server, InterruptReason::kAbandon)) {
      // Effect's exit rules for a shutdown interrupt of a retired entity:
      // durable requests stay in storage, volatile callers hear of it.
      ActiveRequest* request = entity->Find(id);
      if (request == nullptr) continue;
      if (request->rpc->persisted) {
        RemoveRequest(*entity, id);
      } else {
        RespondVolatile(*entity, id, InterruptExit());
      }
    }
    co_await AwaitFibers(entity, server);
    entity->server.reset();
  }
  CloseActivation(*entity);
  // Effect closes the handler scope, awaiting its finalizers, before the
  // entity's close latch opens. (A hardened self-stop may cancel this wait:
  // StopNow then ends the entity.)
  co_await RunFinalizers(std::exchange(entity->finalizers, {}),
                         entity->abandoned);
  EndActivation(*entity);
  RemoveTerminated(*entity);
}

// A retired entity whose server is gone: its requests are settled and its
// scope closes (idempotent).
void EntityManager::Impl::CloseActivation(Entity& entity) {
  CHECK(entity.phase == Phase::kRetired && entity.server == nullptr);
  // Requests that never reached (or never finished on) a handler: durable
  // ones are redelivered from storage; volatile callers are interrupted.
  std::vector<Snowflake> left;
  for (const auto& [id, request] : entity.active) left.push_back(id);
  for (Snowflake id : left) {
    const ActiveRequest* request = entity.Find(id);
    if (request == nullptr) continue;
    if (request->rpc->persisted) {
      RemoveRequest(entity, id);
    } else {
      RespondVolatile(entity, id, InterruptExit());
    }
  }
  entity.scope.Close();
}

// The end of a retired entity whose activation ended: it leaves the manager.
void EntityManager::Impl::RemoveTerminated(Entity& entity) {
  Trace("entity.stop", Describe(entity));
  std::shared_ptr<Latch> closed = entity.closed;
  draining_.erase(entity.address_);  // destroys `entity`
  closed->Open();
  host_.ReleaseResident();
}

// The activation's end (Effect's activation scope closing) where nothing
// awaits it: its finalizers, last registered first, except the asynchronous
// ones, which are started in one fiber of the manager (in the same order)
// and not awaited; then its state, newest first. Terminate has awaited every
// finalizer before calling this.
void EntityManager::Impl::EndActivation(Entity& entity) {
  std::vector<Finalizer> finalizers = std::move(entity.finalizers);
  std::vector<Finalizer> later;
  for (Finalizer& finalizer : finalizers) {
    if (finalizer.run_async) later.push_back(std::move(finalizer));
  }
  for (auto it = finalizers.rbegin(); it != finalizers.rend(); ++it) {
    if (it->run) it->run(entity.abandoned);
  }
  if (!later.empty()) {
    scope_.Spawn(RunFinalizers(std::move(later), entity.abandoned),
                 "entity-finalizers");
  }
  while (!entity.activation_state.empty()) entity.activation_state.pop_back();
}

// Runs `finalizers`, last first, awaiting the asynchronous ones.
Task<void> EntityManager::Impl::RunFinalizers(std::vector<Finalizer> finalizers,
                                              bool abandoned) {
  for (auto it = finalizers.rbegin(); it != finalizers.rend(); ++it) {
    if (it->run) {
      it->run(abandoned);
    } else {
      co_await it->run_async(abandoned);
    }
  }
}

// Hardened mode's self-stop (see EntityManager::StopShardNow): no drain, no
// exception for uninterruptible handlers or replies being stored.
void EntityManager::Impl::StopNow(Entity& entity) {
  CHECK(entity.phase == Phase::kRetired);
  scope_.Cancel(std::exchange(entity.terminate_fiber, FiberId{}));
  if (Server* server = entity.server.get()) {
    server->shutting_down = true;
    std::vector<uint64_t> tokens;
    for (const auto& [token, running] : server->fibers) tokens.push_back(token);
    for (uint64_t token : tokens) {
      if (server->fibers.contains(token)) {
        CancelFiber(*server, token, InterruptReason::kAbandon);
      }
    }
    server->scope.CancelAll();
    entity.server.reset();
  }
  CloseActivation(entity);
  EndActivation(entity);
  RemoveTerminated(entity);
}

Task<void> EntityManager::Impl::DrainTimeout(Entity* entity,
                                             int64_t timeout_ms) {
  co_await SleepMs(timeout_ms);
  Force(*entity);
}

// Cancels the server's fibers except those that must not be interrupted;
// returns the requests whose handler was cancelled.
std::vector<Snowflake> EntityManager::Impl::CancelInterruptible(
    Entity& entity, Server& server, InterruptReason reason) {
  std::vector<std::pair<Snowflake, uint64_t>> victims;
  for (const auto& [token, running] : server.fibers) {
    const ActiveRequest* request = entity.Find(running.request_id);
    // A reply being stored is never cut (Effect runs onExit
    // uninterruptibly). A handler annotated Uninterruptible is interrupted
    // like any other, on a restart and on termination: the annotation makes
    // an interrupted persisted request re-run (in place, or replayed on the
    // rebuilt handler), not its fiber uninterruptible, and a handler that
    // waits for work only a rebuilt handler or the shard's next owner can do
    // (a workflow run waiting for its activity) would otherwise wait forever.
    if (request != nullptr && request->fiber_token == token &&
        request->replying) {
      continue;
    }
    victims.emplace_back(running.request_id, token);
  }
  std::vector<Snowflake> cancelled;
  for (const auto& [id, token] : victims) {
    // Cancelling one fiber may end others (a ticket's frame).
    if (server.fibers.contains(token)) CancelFiber(server, token, reason);
    cancelled.push_back(id);
  }
  return cancelled;
}

Task<void> EntityManager::Impl::AwaitFibers(Entity* entity, Server* server) {
  while (!server->fibers.empty()) {
    entity->drain_wake.Close();
    co_await entity->drain_wake.Wait();
  }
}

Task<void> EntityManager::Impl::InterruptShard(ShardId shard, bool force) {
  for (;;) {
    std::vector<Entity*> live;
    for (const auto& [address, entity] : entities_) {
      if (address.shard_id() == shard && entity->phase == Phase::kLive) {
        live.push_back(entity.get());
      }
    }
    for (Entity* entity : live) {
      if (force) Force(*entity);
      Retire(*entity, /*abandoned=*/true);
    }
    std::vector<std::shared_ptr<Latch>> closing;
    for (const auto& [address, entity] : draining_) {
      if (address.shard_id() != shard) continue;
      if (force) Force(*entity);
      closing.push_back(entity->closed);
    }
    if (closing.empty()) co_return;
    for (const std::shared_ptr<Latch>& closed : closing) {
      co_await closed->Wait();
    }
  }
}

void EntityManager::Impl::StopShardNow(const ShardId& shard) {
  std::vector<Entity*> spawning;
  std::vector<Entity*> live;
  for (const auto& [address, entity] : entities_) {
    if (address.shard_id() != shard) continue;
    (entity->phase == Phase::kLive ? live : spawning).push_back(entity.get());
  }
  for (Entity* entity : spawning) {
    scope_.Cancel(entity->task_fiber);
    AbortSpawn(*entity);
  }
  for (Entity* entity : live) Retire(*entity, /*abandoned=*/true);
  std::vector<Entity*> draining;
  for (const auto& [address, entity] : draining_) {
    if (address.shard_id() == shard) draining.push_back(entity.get());
  }
  for (Entity* entity : draining) StopNow(*entity);
}

Task<void> EntityManager::Impl::Close() {
  if (state_ == ManagerState::kAlive) {
    state_ = ManagerState::kClosing;
    scope_.Cancel(reaper_);
    std::vector<Entity*> spawning;
    std::vector<Entity*> live;
    for (const auto& [address, entity] : entities_) {
      (entity->phase == Phase::kLive ? live : spawning).push_back(entity.get());
    }
    for (Entity* entity : spawning) {
      scope_.Cancel(entity->task_fiber);
      AbortSpawn(*entity);
    }
    for (Entity* entity : live) Retire(*entity, /*abandoned=*/true);
  }
  while (!draining_.empty()) {
    std::shared_ptr<Latch> closed = draining_.begin()->second->closed;
    co_await closed->Wait();
  }
  state_ = ManagerState::kClosed;
}

// Effect's EntityReaper, one per manager.
Task<void> EntityManager::Impl::Reap(int64_t period_ms) {
  for (;;) {
    co_await SleepMs(period_ms);
    const int64_t now_ms = NowMs();
    std::vector<Entity*> idle;
    for (const auto& [address, entity] : entities_) {
      if (entity->phase == Phase::kLive && !entity->keep_alive_enabled &&
          entity->active.empty() &&
          now_ms - entity->last_active_check_ms >= max_idle_ms_) {
        idle.push_back(entity.get());
      }
    }
    for (Entity* entity : idle) Retire(*entity, /*abandoned=*/false);
  }
}

}  // namespace clustersim::sharding
