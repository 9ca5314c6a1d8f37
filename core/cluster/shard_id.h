// ShardId: one shard of a shard group, numbered 1..shardsPerGroup (Effect's
// `ShardId`). Its string form and primary key are "<group>:<number>", e.g.
// "default:17"; parsing splits at the last ':' because group names may
// contain ':'.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_SHARD_ID_H_
#define CLUSTERSIM_CORE_CLUSTER_SHARD_ID_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace clustersim {

class ShardId {
 public:
  // Requires number >= 1.
  ShardId(std::string group, int32_t number);

  // Parses "<group>:<number>". Stricter than Effect (which accepts anything
  // JavaScript's Number() does): the number must be a decimal integer in
  // 1..INT32_MAX. InvalidArgument otherwise.
  static absl::StatusOr<ShardId> Parse(std::string_view text);

  const std::string& group() const { return group_; }
  int32_t number() const { return number_; }

  // "<group>:<number>".
  std::string ToString() const;

  friend auto operator<=>(const ShardId&, const ShardId&) = default;
  friend bool operator==(const ShardId&, const ShardId&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const ShardId& id) {
    return H::combine(std::move(h), id.group_, id.number_);
  }

  friend std::ostream& operator<<(std::ostream& os, const ShardId& id) {
    return os << id.ToString();
  }

 private:
  std::string group_;
  int32_t number_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SHARD_ID_H_
