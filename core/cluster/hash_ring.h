// HashRing: Effect 4.1.0's weighted consistent-hash ring over runner
// addresses, used to assign the shards of a group to the healthy runners.
// Reproduces Effect's algorithm bit for bit (see effect-semantics.md §2.3
// and effect-delta-4.1.md §2):
//   - each node gets round(weight * base_weight) virtual nodes hashed as
//     Hash.string("<key>:<i>"), where key = "<host>:<port>";
//   - the ring is sorted by (hash, key), keys compared as UTF-16;
//   - the total weight is re-summed in key order after every change;
//   - GetShards places shard i (0-based, "shard-<i>") on the nearest virtual
//     node (the ring is not circular), capping each node at
//     max(1, floor(count * weight / total)) and then giving leftovers to the
//     nearest node under its cap, searching outwards exhaustively.
// The result is a pure function of the set of (key, weight) pairs and the
// base weight, independent of the order of operations.
//
// Effect's ring is generic over PrimaryKey nodes; the cluster only ever puts
// RunnerAddresses in it, so this one holds RunnerAddresses.
//
// Not thread-safe. Movable, not copyable (the ring points into the node map).
#ifndef CLUSTERSIM_CORE_CLUSTER_HASH_RING_H_
#define CLUSTERSIM_CORE_CLUSTER_HASH_RING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/cluster/runner_address.h"

namespace clustersim {

class HashRing {
 public:
  // Virtual nodes per unit of weight in Effect's Sharding.
  static constexpr double kDefaultBaseWeight = 128;
  // Cap on one node's virtual nodes. Effect has none: a huge weight makes it
  // run out of memory (or loop forever on Infinity); we reject it instead.
  static constexpr int64_t kMaxVirtualNodesPerNode = int64_t{1} << 20;

  // As Effect, base weights below 1 count as 1. Requires a finite value.
  explicit HashRing(double base_weight = kDefaultBaseWeight);

  HashRing(const HashRing&) = delete;
  HashRing& operator=(const HashRing&) = delete;
  HashRing(HashRing&&) = default;
  HashRing& operator=(HashRing&&) = default;

  // Effect's add/addMany: adds the nodes with `weight` (below 0.1 counts as
  // 0.1). A node already present keeps its virtual nodes when the weight is
  // the same, and has them rebuilt when it differs. InvalidArgument, with
  // nothing changed, if the weight is not finite, gives more than
  // kMaxVirtualNodesPerNode virtual nodes, or a host is not valid UTF-8.
  absl::Status Add(const RunnerAddress& node, double weight = 1);
  absl::Status AddMany(absl::Span<const RunnerAddress> nodes,
                       double weight = 1);

  // Removes the node with this key, if present.
  void Remove(const RunnerAddress& node);

  bool Has(const RunnerAddress& node) const;
  // Number of nodes (including any with no virtual nodes).
  size_t size() const { return nodes_.size(); }
  // Number of virtual nodes.
  size_t virtual_node_count() const { return ring_.size(); }
  // Sum of the node weights, added in key order (Effect's totalWeightCache).
  double total_weight() const { return total_weight_; }

  // Effect's get: the node nearest to Hash.string(input); nullopt when the
  // ring has no virtual nodes. InvalidArgument if input is not valid UTF-8.
  absl::StatusOr<std::optional<RunnerAddress>> Get(
      std::string_view input) const;

  // Effect's getShards: element i is the owner of shard i+1 of a group with
  // `count` shards. nullopt when the ring has no virtual nodes; empty when
  // count <= 0 (Effect's count normalisation, for integers).
  std::optional<std::vector<RunnerAddress>> GetShards(int32_t count) const;

 private:
  struct Node {
    RunnerAddress address;
    double weight;
  };
  // Keyed by the UTF-16 form of the key, so iteration follows JavaScript's
  // default sort order.
  using NodeMap = std::map<std::u16string, Node>;
  using NodeRef = const NodeMap::value_type*;
  struct VirtualNode {
    int32_t hash;
    NodeRef node;
  };
  struct Placement {
    size_t index;
    int64_t distance;
  };

  void RecomputeTotalWeight();
  // Effect's getIndexForInput.
  Placement Place(int32_t hash,
                  const absl::flat_hash_set<NodeRef>* excluded) const;

  double base_weight_;
  NodeMap nodes_;
  std::vector<VirtualNode> ring_;
  double total_weight_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_HASH_RING_H_
