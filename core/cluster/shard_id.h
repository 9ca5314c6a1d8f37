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

  // By group (as std::string orders them: bytes as unsigned), then number.
  // Shard sets and maps are ordered by this and iterated in traces, so the
  // order is exactly that of (group, number); it is inline and mostly
  // avoids comparing the strings because lock and routing lookups compare
  // shards on every message.
  friend std::strong_ordering operator<=>(const ShardId& a, const ShardId& b) {
    if (a.group_prefix_ != b.group_prefix_) {
      return a.group_prefix_ <=> b.group_prefix_;
    }
    // Equal prefixes of equal-length groups of at most 8 bytes are equal
    // groups.
    if (a.group_.size() != b.group_.size() || a.group_.size() > 8) {
      if (const std::strong_ordering c = a.group_ <=> b.group_; c != 0) {
        return c;
      }
    }
    return a.number_ <=> b.number_;
  }
  friend bool operator==(const ShardId& a, const ShardId& b) {
    return a.number_ == b.number_ && a.group_prefix_ == b.group_prefix_ &&
           a.group_ == b.group_;
  }

  template <typename H>
  friend H AbslHashValue(H h, const ShardId& id) {
    return H::combine(std::move(h), id.group_, id.number_);
  }

  friend std::ostream& operator<<(std::ostream& os, const ShardId& id) {
    return os << id.ToString();
  }

 private:
  // The group's first 8 bytes, zero-padded, as a big-endian number:
  // prefixes that differ order their groups.
  static uint64_t GroupPrefix(std::string_view group);

  std::string group_;
  int32_t number_;
  uint64_t group_prefix_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SHARD_ID_H_
