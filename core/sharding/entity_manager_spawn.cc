// The entity manager's activations: spawning an entity, and restarting its
// handler after a defect with a replay of its delivered requests.
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/entity_manager_impl.h"

namespace clustersim::sharding {

using entity_manager_internal::DefectBackoffUs;

int64_t EntityManager::Impl::DefectDelayUs(int64_t step) const {
  const auto& policy = definition_.options().defect_backoff_us;
  return policy ? policy(step) : DefectBackoffUs(step);
}

// --- Spawning ----------------------------------------------------------------

absl::StatusOr<EntityManager::Impl::Entity*> EntityManager::Impl::GetOrSpawn(
    const EntityAddress& address) {
  if (auto it = entities_.find(address); it != entities_.end()) {
    return it->second.get();
  }
  if (!host_.HasShardId(address.shard_id()) || draining_.contains(address)) {
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (!host_.AdmitResident()) return ToStatus(MailboxFull{address});
  auto [it, inserted] = entities_.emplace(
      address, std::make_unique<Entity>(this, address, scope_));
  CHECK(inserted);
  Entity& entity = *it->second;
  if (mailbox_metrics_) {
    entity.mailbox_size = host_.metrics().Observe(
        GaugeSeries::EntityMailboxSize(address),
        [&entity] { return static_cast<int64_t>(entity.active.size()); });
  }
  absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(entity);
  if (handler.ok()) {
    if (!FinishSpawn(entity, *std::move(handler))) {
      return ToStatus(EntityNotAssignedToRunner{address});
    }
    return &entity;
  }
  entity.task_fiber = scope_.Spawn(RetrySpawn(&entity), "entity-spawn");
  if (!entity.task_fiber) {
    AbortSpawn(entity);
    return ToStatus(EntityNotAssignedToRunner{address});
  }
  return &entity;
}

absl::StatusOr<std::unique_ptr<EntityHandler>> EntityManager::Impl::TryBuild(
    Entity& entity) {
  absl::StatusOr<std::unique_ptr<EntityHandler>> handler = factory_(entity);
  if (handler.ok() && *handler == nullptr) {
    handler = absl::InternalError("the entity factory returned no handler");
  }
  if (!handler.ok()) {
    Trace("entity.defect", absl::StrCat(Describe(entity), " build: ",
                                        handler.status().ToString()));
  }
  return handler;
}

// Effect 4.1.0 re-checks ownership after the build: the shard may have been
// lost meanwhile, and an entity still building is invisible to
// InterruptShard.
bool EntityManager::Impl::FinishSpawn(Entity& entity,
                                      std::unique_ptr<EntityHandler> handler) {
  if (!host_.HasShardId(entity.address_.shard_id())) {
    AbortSpawn(entity);
    return false;
  }
  entity.server = std::make_unique<Server>(entity.scope, std::move(handler),
                                           definition_.options().concurrency);
  entity.phase = Phase::kLive;
  entity.task_fiber = FiberId{};
  entity.last_active_check_ms = NowMs();
  ++live_count_;
  Trace("entity.start", Describe(entity));
  return true;
}

// Retries a failed build with the defect backoff (Effect's
// Effect.retry(defectRetryPolicy), a fresh schedule per spawn). Unlike
// Effect, it gives up as soon as the shard is no longer held, rather than
// retrying a spawn that the ownership re-check would reject anyway.
Task<void> EntityManager::Impl::RetrySpawn(Entity* entity) {
  for (int64_t step = 0;; ++step) {
    co_await SleepUs(DefectDelayUs(step));
    if (!host_.HasShardId(entity->address_.shard_id())) break;
    absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(*entity);
    if (handler.ok()) {
      FinishSpawn(*entity, *std::move(handler));
      co_return;
    }
  }
  AbortSpawn(*entity);
}

// A failed creation leaves the map and frees its slot (ResourceMap). The
// runner gave the entity up, so its activation ends abandoned.
void EntityManager::Impl::AbortSpawn(Entity& entity) {
  CHECK(entity.phase == Phase::kSpawning && entity.active.empty());
  entity.abandoned = true;
  entity.scope.Close();
  EndActivation(entity);
  entities_.erase(entity.address_);  // destroys `entity`
  host_.ReleaseResident();
}

// --- Defects
// -------------------------------------------------------------------

void EntityManager::Impl::OnDefect(Entity& entity, Server& server, Snowflake id,
                                   const storage::Cause& cause) {
  Trace("entity.defect", absl::StrCat(Describe(entity), " request=",
                                      id.ToString(), " ", cause.message));
  if (entity.phase == Phase::kRetired) {
    // Effect opens the end latch: the drain stops waiting.
    entity.drain_stop = true;
    entity.drain_wake.Open();
    return;
  }
  // One rebuild per failed server, however many of its requests die.
  if (entity.restarting || entity.server.get() != &server) return;
  entity.restarting = true;
  entity.task_fiber = entity.scope.Spawn(Restart(&entity), "entity-restart");
}

// Effect's restart: one step of the manager's defect schedule (the old
// server keeps running meanwhile), close the old server, rebuild, replay.
Task<void> EntityManager::Impl::Restart(Entity* entity) {
  co_await SleepUs(DefectDelayUs(defect_steps_++));
  Server* old = entity->server.get();
  old->shutting_down = true;
  // The entity is live, so these interrupts are not replies (see
  // FinishRequest): their requests are replayed.
  CancelInterruptible(*entity, *old, InterruptReason::kRestart);
  co_await AwaitFibers(entity, old);
  entity->server.reset();
  std::unique_ptr<EntityHandler> handler = co_await Rebuild(entity);
  entity->server = std::make_unique<Server>(entity->scope, std::move(handler),
                                            definition_.options().concurrency);
  entity->restarting = false;
  entity->task_fiber = FiberId{};
  Replay(*entity);
}

Task<std::unique_ptr<EntityHandler>> EntityManager::Impl::Rebuild(
    Entity* entity) {
  for (int64_t step = 0;; ++step) {
    absl::StatusOr<std::unique_ptr<EntityHandler>> handler = TryBuild(*entity);
    if (handler.ok()) co_return *std::move(handler);
    co_await SleepUs(DefectDelayUs(step));
  }
}

// Re-writes the requests the old server had been given (their exits are
// forgotten), then hands over those that came during the restart.
void EntityManager::Impl::Replay(Entity& entity) {
  std::vector<ActiveRequest*> delivered;
  std::vector<ActiveRequest*> waiting;
  for (auto& [id, request] : entity.active) {
    (request->delivered ? delivered : waiting).push_back(request.get());
  }
  const auto by_admission = [](const ActiveRequest* a, const ActiveRequest* b) {
    return a->admission < b->admission;
  };
  std::sort(delivered.begin(), delivered.end(), by_admission);
  std::sort(waiting.begin(), waiting.end(), by_admission);
  for (ActiveRequest* request : delivered) {
    request->sent_exit = false;
    request->reply_failed = false;
    Deliver(entity, *request);
  }
  for (ActiveRequest* request : waiting) Deliver(entity, *request);
}

}  // namespace clustersim::sharding
