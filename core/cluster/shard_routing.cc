#include "core/cluster/shard_routing.h"

#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/string_hash.h"

namespace clustersim {

absl::StatusOr<int32_t> ShardNumberFor(const EntityId& entity_id,
                                       int32_t shards_per_group) {
  if (shards_per_group <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shards per group must be positive, got ", shards_per_group));
  }
  absl::StatusOr<int32_t> hash = HashString(entity_id.value());
  if (!hash.ok()) return hash.status();
  // C++ '%' truncates toward zero like JavaScript's, and |remainder| < N.
  return std::abs(*hash % shards_per_group) + 1;
}

absl::StatusOr<ShardId> ShardIdFor(const EntityId& entity_id, std::string group,
                                   int32_t shards_per_group) {
  absl::StatusOr<int32_t> number = ShardNumberFor(entity_id, shards_per_group);
  if (!number.ok()) return number.status();
  return ShardId(std::move(group), *number);
}

}  // namespace clustersim
