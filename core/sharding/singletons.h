// Singletons: cluster singletons on a runner (Effect's registerSingleton and
// syncSingletons, effect-semantics.md §9.1, effect-delta-4.1.md §4.9).
//
// A singleton named N in shard group G lives on the shard
// ShardIdFor(N, G): it runs on whichever runner holds that shard. Sync()
// starts the registered singletons whose shard is acquired and stops those
// whose shard is not. A run that returns does not end the singleton (Effect
// appends Effect.never); stopping it cancels its fiber.
//
// Deviation: Effect 4.1.0 waits for a stopping singleton's finalizers
// (stoppingSingletons) before restarting it or releasing its shard. Here
// cancellation destroys the fiber synchronously, so a stopped singleton is
// gone when Sync() returns and there is nothing to wait for.
//
// Observable events: "singleton.start" / "singleton.stop" ("<name>
// <group:n>").
// Single-threaded. Owned by Sharding.
#ifndef CLUSTERSIM_CORE_SHARDING_SINGLETONS_H_
#define CLUSTERSIM_CORE_SHARDING_SINGLETONS_H_

#include <functional>
#include <string>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "core/cluster/cluster_metrics.h"
#include "core/cluster/singleton_address.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"

namespace clustersim::sharding {

// Builds a singleton's run. The returned task must not come from a
// capturing coroutine lambda (see task.h).
using SingletonRun = std::function<Task<void>()>;

class Singletons {
 public:
  using IsAcquired = std::function<bool(const ShardId&)>;

  Singletons(const ShardingConfig& config, const NodeEnv& env,
             IsAcquired is_acquired, ClusterMetrics& metrics, Scope& parent);
  ~Singletons();
  Singletons(const Singletons&) = delete;
  Singletons& operator=(const Singletons&) = delete;

  // Registers and, if its shard is acquired, starts the singleton; returns
  // its address. AlreadyExists for a name already registered in that shard;
  // InvalidArgument for a name that does not route.
  absl::StatusOr<SingletonAddress> Register(std::string name,
                                            const std::string& shard_group,
                                            SingletonRun run);
  // Starts and stops singletons to match the acquired shards.
  void Sync();
  // Stops every singleton for good (shutdown).
  void StopAll();

  bool IsRunning(const SingletonAddress& address) const {
    return fibers_.contains(address);
  }
  int64_t running_count() const { return static_cast<int64_t>(fibers_.size()); }

 private:
  static Task<void> Run(SingletonRun run);
  void Start(const SingletonAddress& address, const SingletonRun& run);
  void Stop(const SingletonAddress& address);
  void Trace(std::string_view kind, const SingletonAddress& address);

  const ShardingConfig& config_;
  NodeEnv env_;
  IsAcquired is_acquired_;
  ClusterMetrics& metrics_;
  absl::btree_map<SingletonAddress, SingletonRun> registered_;
  absl::btree_map<SingletonAddress, FiberId> fibers_;
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_SINGLETONS_H_
