// SingletonAddress: a cluster singleton's name and the shard that decides
// which runner runs it (Effect's `SingletonAddress`). Equality covers both.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_SINGLETON_ADDRESS_H_
#define CLUSTERSIM_CORE_CLUSTER_SINGLETON_ADDRESS_H_

#include <compare>
#include <string>
#include <utility>

#include "core/cluster/shard_id.h"

namespace clustersim {

class SingletonAddress {
 public:
  SingletonAddress(std::string name, ShardId shard_id)
      : shard_id_(std::move(shard_id)), name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const ShardId& shard_id() const { return shard_id_; }

  friend auto operator<=>(const SingletonAddress&,
                          const SingletonAddress&) = default;
  friend bool operator==(const SingletonAddress&,
                         const SingletonAddress&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const SingletonAddress& address) {
    return H::combine(std::move(h), address.shard_id_, address.name_);
  }

 private:
  ShardId shard_id_;
  std::string name_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_SINGLETON_ADDRESS_H_
