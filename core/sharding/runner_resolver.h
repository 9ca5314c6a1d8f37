// RunnerResolver: how a runner finds the network node behind another
// runner's address (Effect resolves "host:port" through its socket layer).
// Provided by the environment (the simulator's node table, a scenario).
// Implementations must be deterministic; single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_RESOLVER_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_RESOLVER_H_

#include <optional>

#include "absl/container/btree_map.h"
#include "core/cluster/runner_address.h"
#include "core/runtime/transport.h"

namespace clustersim::sharding {

class RunnerResolver {
 public:
  virtual ~RunnerResolver() = default;
  // The node serving `address`, or nullopt if unknown (unreachable).
  virtual std::optional<NodeId> NodeOf(const RunnerAddress& address) const = 0;
};

// A fixed table.
class StaticRunnerResolver : public RunnerResolver {
 public:
  void Add(const RunnerAddress& address, NodeId node) {
    nodes_.insert_or_assign(address, node);
  }
  std::optional<NodeId> NodeOf(const RunnerAddress& address) const override {
    auto it = nodes_.find(address);
    if (it == nodes_.end()) return std::nullopt;
    return it->second;
  }

 private:
  absl::btree_map<RunnerAddress, NodeId> nodes_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_RESOLVER_H_
