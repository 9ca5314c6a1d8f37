// FencingToken: a shard lease as the runner store hands it out — the shard and
// the epoch its lock row got when the current owner acquired it. acquire and
// refresh return one per held shard; in hardened mode a runner attaches the
// token to the writes it makes as that shard's owner, and the storage server
// refuses the write unless the token still names the current, unexpired lease
// (see storage_state.h).
//
// Epochs come from one store-wide counter, so a token never becomes valid
// again once its lease is lost, released or taken over.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_FENCING_TOKEN_H_
#define CLUSTERSIM_CORE_STORAGE_FENCING_TOKEN_H_

#include <compare>
#include <cstdint>
#include <ostream>

#include "core/cluster/shard_id.h"

namespace clustersim::storage {

struct FencingToken {
  ShardId shard;
  uint64_t epoch = 0;

  friend auto operator<=>(const FencingToken&, const FencingToken&) = default;
  friend bool operator==(const FencingToken&, const FencingToken&) = default;

  friend std::ostream& operator<<(std::ostream& os, const FencingToken& t) {
    return os << t.shard << "@" << t.epoch;
  }
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_FENCING_TOKEN_H_
