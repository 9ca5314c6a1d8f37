#include "core/sharding/sharding.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/cluster/shard_routing.h"
#include "core/sharding/async.h"

namespace clustersim::sharding {
namespace {

// Effect's RunnerHealth.layerPing: 5 retries, 500 ms apart.
constexpr int kPingRetries = 5;
constexpr int64_t kPingRetryDelayMs = 500;
// Effect's health check runs 10 checks at a time.
constexpr size_t kHealthCheckConcurrency = 10;
// The entities gauge is refreshed every second.
constexpr int64_t kEntityGaugeIntervalMs = 1'000;

RpcSpec KeepAliveSpec() {
  RpcSpec spec;
  spec.tag = kKeepAliveTag;
  spec.persisted = true;
  spec.uninterruptible = Uninterruptible::kBoth;
  return spec;
}

}  // namespace

Sharding::Sharding(ShardingConfig config, const NodeEnv& env,
                   storage::StorageClient& storage, RpcEndpoint& rpc,
                   const RunnerResolver& resolver, ClusterMetrics& metrics,
                   Options options)
    : config_(std::move(config)),
      env_(env),
      storage_(storage),
      metrics_(metrics),
      options_(options),
      step_free_clock_(*env.executor),
      snowflakes_(config_.mode == Mode::kHardened
                      ? static_cast<const Clock&>(step_free_clock_)
                      : *env.executor,
                  RandomMachineId(*env.random),
                  /*strict=*/config_.mode == Mode::kHardened, config_.mutant),
      keep_alive_spec_(KeepAliveSpec()),
      scope_(*env.scope),
      calls_scope_(scope_),
      misc_scope_(scope_),
      residency_(config_.max_resident_entities,
                 [this] {
                   if (read_loop_ != nullptr) read_loop_->Wake();
                 }),
      poller_(config_, env_, storage, scope_),
      runner_client_(rpc, resolver, snowflakes_, scope_),
      runners_(config_, storage, reply_handlers_, poller_, runner_client_,
               snowflakes_),
      entities_scope_(scope_),
      registry_(config_, *env.executor) {
  CHECK(config_.Validate().ok(), "Sharding needs a valid config");
  if (config_.runner_address.has_value()) {
    locks_ = std::make_unique<ShardLocks>(config_, env_, storage, scope_,
                                          static_cast<ShardLockHooks&>(*this),
                                          metrics_);
  }
  membership_ = std::make_unique<RunnerMembership>(
      config_, env_, storage, locks_.get(), snowflakes_, scope_, metrics_,
      [this] { return shutdown_; },
      [this](const RunnerAddress& address) {
        runner_client_.OnRunnerUnavailable(address);
      });
  singletons_ = std::make_unique<Singletons>(
      config_, env_,
      [this](const ShardId& shard) {
        return locks_ != nullptr && locks_->IsAcquired(shard);
      },
      metrics_, scope_);
  if (locks_ != nullptr) {
    read_loop_ = std::make_unique<StorageReadLoop>(
        config_, env_, storage, registry_, *locks_, residency_,
        // A coroutine, so that the address StoreReply refers to lives in its
        // frame (a plain lambda's parameter would be gone before StoreReply,
        // which starts when awaited, reads it for the fencing token).
        [this](EntityAddress address,
               storage::WithExit reply) -> Task<absl::Status> {
          co_return co_await StoreReply(address, std::move(reply));
        },
        [this] { return snowflakes_.Next(); }, scope_);
    // Effect's runner health checker is a singleton of every runner.
    CHECK(singletons_
              ->Register(kRunnerHealthSingleton, "default",
                         [this] { return RunHealthChecks(); })
              .ok());
  }
}

Sharding::~Sharding() {
  // Every fiber of ours refers to our members: end them first.
  scope_.Close();
}

void Sharding::Start() {
  membership_->Start();
  if (locks_ != nullptr) locks_->Start();
  if (read_loop_ != nullptr) read_loop_->Start();
  poller_.Start();
  misc_scope_.Spawn(EntityGauges(), "sharding.gauges");
}

const RunnerAddress& Sharding::runner_address() const {
  CHECK(config_.runner_address.has_value(),
        "a client-only node has no "
        "runner address");
  return *config_.runner_address;
}

bool Sharding::HasShardId(const ShardId& shard) const {
  // The mutant no-lock-check takes messages for shards it does not hold.
  return !shutdown_ &&
         (IsLocalShard(shard) || config_.mutant == Mutant::kNoLockCheck);
}

bool Sharding::IsLocalShard(const ShardId& shard) const {
  return locks_ != nullptr && locks_->IsAcquired(shard);
}

const absl::btree_set<ShardId>& Sharding::acquired_shards() const {
  static const absl::btree_set<ShardId> kNone;
  return locks_ != nullptr ? locks_->acquired() : kNone;
}

int64_t Sharding::ActiveEntityCount() const {
  int64_t count = 0;
  for (const EntityRegistry::Entry* entry : registry_.entries()) {
    count += entry->manager->ActiveEntityCount();
  }
  return count;
}

absl::StatusOr<ShardId> Sharding::ShardFor(const EntityId& id,
                                           const std::string& group) const {
  return ShardIdFor(id, group, config_.shards_per_group);
}

void Sharding::PollStorage() {
  if (read_loop_ != nullptr) read_loop_->Wake();
}

// --- Registration -----------------------------------------------------------

void Sharding::DefineEntity(EntityDefinition definition) {
  const EntityType type = definition.type();
  if (definitions_.contains(type)) return;
  definitions_.emplace(
      type, std::make_unique<EntityDefinition>(std::move(definition)));
}

absl::Status Sharding::RegisterEntity(EntityDefinition definition,
                                      EntityFactory factory) {
  if (!config_.runner_address.has_value() ||
      registry_.Find(definition.type()) != nullptr) {
    return absl::OkStatus();
  }
  DefineEntity(definition);
  env_.trace->Record("entity.register", definition.type().value());
  auto manager = std::make_unique<EntityManager>(
      std::move(definition), std::move(factory), *this, env_, entities_scope_);
  // Registered while storage is idle, so message order is preserved.
  if (std::optional<Semaphore::Permit> idle =
          read_loop_->read_lock().TryAcquire()) {
    AddEntity(std::move(manager));
    return absl::OkStatus();
  }
  misc_scope_.Spawn(AddEntityWhenIdle(std::move(manager)), "sharding.register");
  return absl::OkStatus();
}

Task<void> Sharding::AddEntityWhenIdle(std::unique_ptr<EntityManager> manager) {
  Semaphore::Permit idle = co_await read_loop_->read_lock().Acquire();
  AddEntity(std::move(manager));
}

void Sharding::AddEntity(std::unique_ptr<EntityManager> manager) {
  const EntityType type = manager->definition().type();
  registry_.Add(std::move(manager));
  // Messages held back for the type are read now.
  read_loop_->Wake();
  registration_events_.Publish(EntityRegistered{type});
}

absl::Status Sharding::RegisterSingleton(std::string name,
                                         const std::string& shard_group,
                                         SingletonRun run) {
  absl::StatusOr<SingletonAddress> address =
      singletons_->Register(std::move(name), shard_group, std::move(run));
  if (!address.ok()) return address.status();
  registration_events_.Publish(SingletonRegistered{*std::move(address)});
  return absl::OkStatus();
}

// --- ShardLockHooks
// -------------------------------------------------------------

Task<void> Sharding::InterruptShards(std::vector<ShardId> shards, bool force) {
  std::vector<FiberHandle> stops;
  for (const ShardId& shard : shards) {
    for (EntityRegistry::Entry* entry : registry_.entries()) {
      if (entry->status == EntityStatus::kClosed) continue;
      stops.push_back(SpawnJoinable(
          locks_->release_scope(), entry->manager->InterruptShard(shard, force),
          "shard.interrupt"));
    }
  }
  for (const FiberHandle& stop : stops) co_await stop.Join();
}

Task<void> Sharding::StopSingletons(std::vector<ShardId>) {
  // Cancellation is synchronous: once synced, the shards' singletons are
  // gone.
  singletons_->Sync();
  co_return;
}

void Sharding::SyncSingletons() { singletons_->Sync(); }

void Sharding::StopShardsNow(const std::vector<ShardId>& shards) {
  for (const ShardId& shard : shards) {
    for (EntityRegistry::Entry* entry : registry_.entries()) {
      entry->manager->StopShardNow(shard);
    }
  }
  // The shards are no longer acquired: syncing stops their singletons.
  singletons_->Sync();
}

void Sharding::OnShardsAcquired() { read_loop_->Wake(); }

void Sharding::OnShardReleased(const ShardId& shard) {
  // During shutdown the waiters will never see their reply here: interrupt
  // them; during a rebalance they fall back to storage polling.
  reply_handlers_.UnregisterShard(shard, shutdown_);
}

// --- Background
// ---------------------------------------------------------------------

Task<void> Sharding::EntityGauges() {
  for (;;) {
    for (const EntityRegistry::Entry* entry : registry_.entries()) {
      metrics_.Set(GaugeSeries::Entities(entry->manager->definition().type()),
                   entry->manager->ActiveEntityCount());
    }
    co_await SleepMs(kEntityGaugeIntervalMs);
  }
}

Task<void> Sharding::RunHealthChecks() {
  // The checks of one round run in this singleton's scope, so stopping the
  // singleton stops them.
  Scope checks(CurrentFiber()->scope());
  for (;;) {
    const std::vector<storage::RunnerEntry> runners = membership_->runners();
    // Skipped while this is the only runner.
    if (runners.size() > 1) {
      for (size_t i = 0; i < runners.size(); i += kHealthCheckConcurrency) {
        std::vector<FiberHandle> batch;
        for (size_t j = i;
             j < std::min(runners.size(), i + kHealthCheckConcurrency); ++j) {
          batch.push_back(
              SpawnJoinable(checks, CheckRunner(runners[j]), "runner.health"));
        }
        for (const FiberHandle& check : batch) co_await check.Join();
      }
    }
    co_await SleepMs(config_.runner_health_check_interval_ms);
  }
}

Task<void> Sharding::CheckRunner(storage::RunnerEntry entry) {
  const RunnerAddress& address = entry.runner.address();
  const bool alive = co_await IsAlive(address);
  if (alive == entry.healthy) co_return;
  if (!alive) {
    // Never mark the last healthy runner unhealthy (deadlock guard).
    if (membership_->healthy_runner_count() <= 1) co_return;
    membership_->AdjustHealthyRunnerCount(-1);
  } else {
    membership_->AdjustHealthyRunnerCount(1);
  }
  env_.trace->Record(
      "runner.health",
      absl::StrCat(address.Key(), " ", alive ? "healthy" : "unhealthy"));
  (void)co_await storage_.SetRunnerHealth(address, alive);
}

Task<bool> Sharding::IsAlive(RunnerAddress address) {
  if (options_.health_check == HealthCheck::kNoop) co_return true;
  for (int attempt = 0; attempt <= kPingRetries; ++attempt) {
    if (attempt > 0) co_await SleepMs(kPingRetryDelayMs);
    if ((co_await runner_client_.Ping(address)).ok()) co_return true;
  }
  co_return false;
}

// --- Shutdown
// -------------------------------------------------------------------------

Task<void> Sharding::BeginShutdown() {
  if (shutdown_) co_return;
  shutdown_ = true;
  if (locks_ != nullptr) locks_->NotifyLockWaiters();
  co_await membership_->Unregister();
}

Task<void> Sharding::Shutdown() {
  if (shutdown_started_) {
    co_await shutdown_done_.Wait();
    co_return;
  }
  shutdown_started_ = true;
  // Entity types first, the last registered first.
  std::vector<EntityRegistry::Entry*> entries = registry_.entries();
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    EntityRegistry::Entry* entry = *it;
    entry->status = EntityStatus::kClosing;
    if (config_.preemptive_shutdown) co_await BeginShutdown();
    co_await entry->manager->Close();
    entry->status = EntityStatus::kClosed;
  }
  // Sharding's own finalizers: shutdown and handoff, then the rest.
  co_await BeginShutdown();
  if (locks_ != nullptr) co_await locks_->Handoff();
  singletons_->StopAll();
  co_await CloseClients();
  membership_->Stop();
  if (read_loop_ != nullptr) read_loop_->Stop();
  poller_.Stop();
  misc_scope_.Close();
  if (locks_ != nullptr) {
    locks_->StopLoops();
    locks_->StopReleases();
    co_await locks_->ReleaseAll();
  }
  env_.trace->Record("sharding.shutdown", config_.runner_address.has_value()
                                              ? config_.runner_address->Key()
                                              : std::string("client"));
  shutdown_done_.Open();
}

}  // namespace clustersim::sharding
