#include "core/sharding/singletons.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/sync.h"

namespace clustersim::sharding {

Singletons::Singletons(const ShardingConfig& config, const NodeEnv& env,
                       IsAcquired is_acquired, ClusterMetrics& metrics,
                       Scope& parent)
    : config_(config),
      env_(env),
      is_acquired_(std::move(is_acquired)),
      metrics_(metrics),
      scope_(parent) {}

Singletons::~Singletons() { scope_.Close(); }

absl::StatusOr<SingletonAddress> Singletons::Register(
    std::string name, const std::string& shard_group, SingletonRun run) {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId(name), shard_group, config_.shards_per_group);
  if (!shard.ok()) return shard.status();
  SingletonAddress address(std::move(name), *std::move(shard));
  if (registered_.contains(address)) {
    return absl::AlreadyExistsError(
        absl::StrCat("Singleton '", address.name(), "' is already registered"));
  }
  auto [it, inserted] = registered_.emplace(address, std::move(run));
  if (is_acquired_(address.shard_id())) Start(address, it->second);
  metrics_.Set(GaugeSeries::Singletons(), running_count());
  return address;
}

void Singletons::Sync() {
  for (const auto& [address, run] : registered_) {
    const bool running = fibers_.contains(address);
    const bool should_run = is_acquired_(address.shard_id());
    if (running && !should_run) {
      Stop(address);
    } else if (!running && should_run) {
      Start(address, run);
    }
  }
  metrics_.Set(GaugeSeries::Singletons(), running_count());
}

void Singletons::StopAll() {
  scope_.Close();
  fibers_.clear();
  metrics_.Set(GaugeSeries::Singletons(), 0);
}

void Singletons::Start(const SingletonAddress& address,
                       const SingletonRun& run) {
  const FiberId id = scope_.Spawn(Run(run), "singleton");
  if (!id) return;
  fibers_.insert_or_assign(address, id);
  Trace("singleton.start", address);
}

void Singletons::Stop(const SingletonAddress& address) {
  auto it = fibers_.find(address);
  if (it == fibers_.end()) return;
  const FiberId id = it->second;
  fibers_.erase(it);
  scope_.Cancel(id);
  Trace("singleton.stop", address);
}

Task<void> Singletons::Run(SingletonRun run) {
  co_await run();
  // A singleton that returns keeps its place until stopped (Effect's
  // Effect.andThen(Effect.never)).
  co_await Never();
}

void Singletons::Trace(std::string_view kind, const SingletonAddress& address) {
  env_.trace->Record(
      kind, absl::StrCat(address.name(), " ", address.shard_id().ToString()));
}

}  // namespace clustersim::sharding
