#include "core/cluster/hash_ring.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "core/base/check.h"
#include "core/cluster/string_hash.h"
#include "core/cluster/utf16.h"
#include "fmt/format.h"

namespace clustersim {
namespace {

// JavaScript's Math.round for non-negative finite x: halves round up.
// floor(x + 0.5) would be wrong for 0.49999999999999994.
double JsRound(double x) {
  const double floor = std::floor(x);
  return x - floor >= 0.5 ? floor + 1 : floor;
}

// The UTF-16 code units of a decimal integer.
std::u16string DecimalUtf16(int64_t value) {
  const std::string digits = fmt::format("{}", value);
  return std::u16string(digits.begin(), digits.end());
}

absl::StatusOr<std::u16string> KeyOf(const RunnerAddress& node) {
  return Utf8ToUtf16(node.Key());
}

}  // namespace

HashRing::HashRing(double base_weight)
    : base_weight_(std::max(base_weight, 1.0)) {
  CHECK(std::isfinite(base_weight), "the base weight must be finite");
}

absl::Status HashRing::Add(const RunnerAddress& node, double weight) {
  return AddMany(absl::MakeConstSpan(&node, 1), weight);
}

absl::Status HashRing::AddMany(absl::Span<const RunnerAddress> nodes,
                               double weight) {
  if (!std::isfinite(weight)) {
    return absl::InvalidArgumentError(
        fmt::format("hash ring weight {} is not finite", weight));
  }
  weight = std::max(weight, 0.1);
  const double virtual_nodes = JsRound(weight * base_weight_);
  if (virtual_nodes > static_cast<double>(kMaxVirtualNodesPerNode)) {
    return absl::InvalidArgumentError(fmt::format(
        "hash ring weight {} gives {} virtual nodes per node, more than {}",
        weight, virtual_nodes, kMaxVirtualNodesPerNode));
  }
  std::vector<std::u16string> keys;
  keys.reserve(nodes.size());
  for (const RunnerAddress& node : nodes) {
    absl::StatusOr<std::u16string> key = KeyOf(node);
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }

  // Nodes whose virtual nodes are (re)built, in first-seen order.
  std::vector<NodeMap::value_type*> added;
  absl::flat_hash_set<NodeRef> reweighted;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto [it, inserted] = nodes_.try_emplace(keys[i], Node{nodes[i], weight});
    if (!inserted) {
      it->second.address = nodes[i];
      if (it->second.weight == weight) continue;
      reweighted.insert(&*it);
      it->second.weight = weight;
    }
    added.push_back(&*it);
  }
  if (!reweighted.empty()) {
    std::erase_if(ring_, [&](const VirtualNode& v) {
      return reweighted.contains(v.node);
    });
  }
  const int64_t count = static_cast<int64_t>(virtual_nodes);
  for (int64_t i = count; i > 0; --i) {
    const std::u16string suffix = u":" + DecimalUtf16(i);
    for (NodeRef node : added) {
      ring_.push_back(VirtualNode{HashUtf16(node->first + suffix), node});
    }
  }
  // Effect 4.1.0 breaks hash ties by key, so the ring is a pure function of
  // its nodes (4.0 kept insertion order).
  std::sort(ring_.begin(), ring_.end(),
            [](const VirtualNode& a, const VirtualNode& b) {
              if (a.hash != b.hash) return a.hash < b.hash;
              return a.node->first < b.node->first;
            });
  RecomputeTotalWeight();
  return absl::OkStatus();
}

void HashRing::Remove(const RunnerAddress& node) {
  absl::StatusOr<std::u16string> key = KeyOf(node);
  if (!key.ok()) return;  // Such a node was never added.
  auto it = nodes_.find(*key);
  if (it == nodes_.end()) return;
  const NodeRef removed = &*it;
  std::erase_if(ring_, [&](const VirtualNode& v) { return v.node == removed; });
  nodes_.erase(it);
  RecomputeTotalWeight();
}

bool HashRing::Has(const RunnerAddress& node) const {
  absl::StatusOr<std::u16string> key = KeyOf(node);
  return key.ok() && nodes_.contains(*key);
}

void HashRing::RecomputeTotalWeight() {
  // Summing in key order makes the rounding independent of history
  // (Effect 4.1.0; 4.0 kept a running += / -= total).
  double total = 0;
  for (const auto& [key, node] : nodes_) total += node.weight;
  total_weight_ = total;
}

absl::StatusOr<std::optional<RunnerAddress>> HashRing::Get(
    std::string_view input) const {
  absl::StatusOr<int32_t> hash = HashString(input);
  if (!hash.ok()) return hash.status();
  if (ring_.empty()) return std::nullopt;
  return ring_[Place(*hash, nullptr).index].node->second.address;
}

HashRing::Placement HashRing::Place(
    int32_t hash, const absl::flat_hash_set<NodeRef>* excluded) const {
  const size_t len = ring_.size();
  CHECK(len > 0);
  // First virtual node at or after the hash; may be len.
  const size_t lo = std::lower_bound(ring_.begin(), ring_.end(), hash,
                                     [](const VirtualNode& v, int32_t h) {
                                       return v.hash < h;
                                     }) -
                    ring_.begin();
  auto at = [&](size_t index) {
    return Placement{index, std::abs(int64_t{ring_[index].hash} - hash)};
  };
  auto is_excluded = [&](size_t index) {
    return excluded->contains(ring_[index].node);
  };
  // Not circular: past the end means the last virtual node.
  const Placement a = at(lo == len ? lo - 1 : lo);
  if (excluded == nullptr) {
    if (lo == 0) return a;
    const Placement b = at(lo - 1);
    return a.distance <= b.distance ? a : b;  // ties go to a
  }
  if (!is_excluded(a.index)) return a;
  // Outwards from lo, below before above, through the whole ring (4.1.0;
  // 4.0 stopped one short and could miss index 0).
  const size_t range = std::max(lo, len - lo);
  for (size_t i = 1; i <= range; ++i) {
    if (i <= lo && !is_excluded(lo - i)) return at(lo - i);
    if (lo + i < len && !is_excluded(lo + i)) return at(lo + i);
  }
  return a;
}

std::optional<std::vector<RunnerAddress>> HashRing::GetShards(
    int32_t count) const {
  if (ring_.empty()) return std::nullopt;
  if (count <= 0) return std::vector<RunnerAddress>();

  struct Candidate {
    int32_t shard;
    NodeRef node;
    int64_t distance;
  };
  std::vector<int32_t> shard_hashes(count);
  std::vector<Candidate> candidates(count);
  for (int32_t shard = 0; shard < count; ++shard) {
    shard_hashes[shard] = HashUtf16(u"shard-" + DecimalUtf16(shard));
    const Placement placement = Place(shard_hashes[shard], nullptr);
    candidates[shard] = {shard, ring_[placement.index].node,
                         placement.distance};
  }
  // Closest first; equal distances keep shard order (JavaScript's sort is
  // stable).
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     return a.distance < b.distance;
                   });

  std::vector<NodeRef> owners(count, nullptr);
  absl::flat_hash_map<NodeRef, int64_t> allocations;
  absl::flat_hash_set<NodeRef> excluded;
  // Counts a shard for `node` and excludes the node once it reaches its cap,
  // max(1, floor(count * (weight / total))) in double arithmetic.
  auto allocate = [&](NodeRef node) {
    const int64_t allocated = ++allocations[node];
    const double max_per_node =
        std::max(1.0, std::floor(static_cast<double>(count) *
                                 (node->second.weight / total_weight_)));
    if (static_cast<double>(allocated) >= max_per_node) excluded.insert(node);
  };

  for (const Candidate& candidate : candidates) {
    if (excluded.contains(candidate.node)) continue;
    owners[candidate.shard] = candidate.node;
    allocate(candidate.node);
  }

  // Leftovers, in shard order, go to the nearest node still under its cap;
  // once every node is at its cap, to the nearest node, uncounted. (A node
  // with no virtual nodes is never excluded, so then this never happens, and
  // the search falls back to the nearest node, counting it: as Effect.)
  bool all_at_max = excluded.size() == nodes_.size();
  for (int32_t shard = 0; shard < count; ++shard) {
    if (owners[shard] != nullptr) continue;
    const NodeRef node =
        ring_[Place(shard_hashes[shard], all_at_max ? nullptr : &excluded)
                  .index]
            .node;
    owners[shard] = node;
    if (all_at_max) continue;
    allocate(node);
    all_at_max = excluded.size() == nodes_.size();
  }

  std::vector<RunnerAddress> result;
  result.reserve(count);
  for (NodeRef node : owners) result.push_back(node->second.address);
  return result;
}

}  // namespace clustersim
