// StorageAudit: what the storage server observed about the single-writer and
// exactly-once-reply invariants (SPEC §4), for the checkers that read it at
// the end of a run.
//
//   - Ownership: every accepted SaveReply is checked, at the instant it lands,
//     against the shard leases the server has granted. A writer that did not
//     then hold an unexpired lease on the request's shard is an ownership
//     violation. Reference mode accepts such writes (as Effect does), so they
//     show up here; hardened mode refuses them, so none should.
//   - Terminal replies: every accepted WithExit, per request id. More than one
//     for a request is legitimate only after a ClearReplies (a reset).
//
// Who holds a lease is worked out from the grants the server handed out
// (tokens returned by acquire and refresh; each lease epoch belongs to one
// owner) and RunnerStore's own check that an epoch is still the shard's
// current, unexpired lease, so expiry is defined in one place.
//
// The server records into it in the same step as the state change it
// describes. Not thread-safe; owned by the storage node's StorageBackend.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_AUDIT_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/storage/fencing_token.h"
#include "core/storage/reply.h"
#include "core/storage/storage_state.h"

namespace clustersim::storage {

// An accepted reply whose writer did not hold the lease on its shard.
struct OwnershipViolation {
  int64_t server_time_ms = 0;
  // Unset for a writer that is no runner.
  std::optional<RunnerAddress> writer;
  Snowflake request_id;
  Snowflake reply_id;
  bool terminal = false;  // a WithExit; else a Chunk
  // The request's shard; unset if the request is not stored.
  std::optional<ShardId> shard;
  // Whoever held that shard's lease at the time, if anyone.
  std::optional<RunnerAddress> lease_holder;

  // "t=<ms> writer=<host:port> request=<id> reply=<id> exit shard=<s>
  //  holder=<host:port>", with "-" for what is unset.
  std::string ToString() const;
  friend bool operator==(const OwnershipViolation&,
                         const OwnershipViolation&) = default;
};

// One accepted WithExit.
struct AcceptedExit {
  int64_t server_time_ms = 0;
  Snowflake reply_id;
  std::optional<RunnerAddress> writer;
  friend bool operator==(const AcceptedExit&, const AcceptedExit&) = default;
};

class StorageAudit {
 public:
  // `owner` was handed these leases (the result of an acquire or refresh).
  void RecordLeases(const RunnerAddress& owner,
                    const std::vector<FencingToken>& tokens);

  // `state` accepted `reply` from `writer` at server time `now_ms`; `state`
  // is the store just after the write.
  void RecordReply(const Reply& reply,
                   const std::optional<RunnerAddress>& writer,
                   const StorageState& state, int64_t now_ms);

  // The runner holding an unexpired lease on `shard` at `now_ms`, if any.
  std::optional<RunnerAddress> LeaseHolder(const ShardId& shard,
                                           const RunnerStore& runners,
                                           int64_t now_ms) const;

  const std::vector<OwnershipViolation>& ownership_violations() const {
    return ownership_violations_;
  }
  const absl::btree_map<Snowflake, std::vector<AcceptedExit>>& accepted_exits()
      const {
    return accepted_exits_;
  }
  uint64_t accepted_replies() const { return accepted_replies_; }

 private:
  struct Grant {
    RunnerAddress owner;
    uint64_t epoch;
  };

  // The latest lease granted on each shard.
  absl::btree_map<ShardId, Grant> grants_;
  std::vector<OwnershipViolation> ownership_violations_;
  absl::btree_map<Snowflake, std::vector<AcceptedExit>> accepted_exits_;
  uint64_t accepted_replies_ = 0;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_AUDIT_H_
