// ShardSet: an ordered set of shards with a constant-time membership test.
//
// It iterates in ShardId order, exactly as absl::btree_set<ShardId> does
// (traces and storage reads depend on that order), and answers `contains`
// with a bit test in a per-group bitmap: the lock and routing checks ask it
// for every message, where a B-tree lookup compared about nine ShardIds.
// Shard numbers past kMaxBitmapNumber (a group that large is allowed, but
// 300 is the default) are looked up in the tree instead, so a bitmap never
// passes 8 KiB.
//
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_SHARD_SET_H_
#define CLUSTERSIM_CORE_CLUSTER_SHARD_SET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "core/cluster/shard_id.h"

namespace clustersim {

class ShardSet {
 public:
  using const_iterator = absl::btree_set<ShardId>::const_iterator;
  static constexpr int32_t kMaxBitmapNumber = 1 << 16;

  ShardSet() = default;

  // True if `shard` was not in the set.
  bool insert(const ShardId& shard);
  // The number of shards erased (0 or 1).
  size_t erase(const ShardId& shard);
  bool contains(const ShardId& shard) const;
  void clear();

  size_t size() const { return ordered_.size(); }
  bool empty() const { return ordered_.empty(); }
  const_iterator begin() const { return ordered_.begin(); }
  const_iterator end() const { return ordered_.end(); }
  // The same shards, as the ordered set callers keep or merge.
  const absl::btree_set<ShardId>& ordered() const { return ordered_; }

 private:
  // The index of `group`'s bitmap in bits_, or bits_.size() if no shard of
  // it was inserted since the last clear().
  size_t GroupIndex(const std::string& group) const;

  absl::btree_set<ShardId> ordered_;
  // Per group, bit n says whether shard n is in the set. A cluster has a
  // handful of groups, so a list searched in order serves.
  std::vector<std::pair<std::string, std::vector<bool>>> bits_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SHARD_SET_H_
