// StorageReadLoop: a runner's inbox — Effect 4.1.0 Sharding's storage read
// loop (effect-semantics.md §7.5, effect-delta-4.1.md §4.7).
//
// Each pass (when its latch opens: every entity_message_poll_interval_ms,
// on Wake(), after an acquisition, a freed residency slot, an entity
// registration, or a full batch that delivered something) takes the read
// lock, reads the unprocessed messages of the acquired shards (at the
// residency cap: first those of resident entities), and hands each to its
// entity manager by Effect's rules (0)-(i): a row that does not decode (an
// address without an entity type) answered with a MalformedMessage defect
// and left in storage; skipped (claim kept) when the
// shard is not acquired; held for an unregistered type until the
// registration deadline, then answered with a defect; envelopes of requests
// in progress delivered; requests in progress skipped (their claim released
// once they have completed); pending waitUntilRead notifications resumed;
// capped at the residency cap; queued for an entity in resumption mode;
// otherwise delivered. A MailboxFull of a resident entity puts it in
// resumption mode (a fiber that re-reads its queued request ids until
// caught up). After the lock: resetRequests(released claims) and one
// resetAddresses(unregistered ∪ capped).
//
// Observable events: "storage.read_failed", "storage.unregistered_type".
//
// Single-threaded. Owned by Sharding; everything it references outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_STORAGE_READ_LOOP_H_
#define CLUSTERSIM_CORE_SHARDING_STORAGE_READ_LOOP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"
#include "core/sharding/entity_registry.h"
#include "core/sharding/residency.h"
#include "core/sharding/shard_locks.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

class StorageReadLoop {
 public:
  // Stores a defect reply for a message (Sharding's unconfirmed reply
  // write, which also notifies local reply handlers).
  using SaveDefect = std::function<Task<absl::Status>(EntityAddress address,
                                                      storage::WithExit reply)>;
  using NextId = std::function<Snowflake()>;

  StorageReadLoop(const ShardingConfig& config, const NodeEnv& env,
                  storage::StorageClient& storage, EntityRegistry& registry,
                  ShardLocks& locks, const Residency& residency,
                  SaveDefect save_defect, NextId next_id, Scope& parent);
  ~StorageReadLoop();
  StorageReadLoop(const StorageReadLoop&) = delete;
  StorageReadLoop& operator=(const StorageReadLoop&) = delete;

  void Start();
  void Stop();
  // Opens the read latch: a pass starts as soon as the current one ends.
  void Wake() { latch_.Open(); }
  // Held by the loop during a pass; entity registration takes it so that
  // no pass sees a half-registered type.
  Semaphore& read_lock() { return read_lock_; }

  // Effect's notify(waitUntilRead): completes when a pass delivers the
  // request (OK), when an exhaustive pass missed it
  // (EntityNotAssignedToRunner), or at the residency cap (OK: it is safely
  // stored). Several callers of one id share the wait.
  Task<absl::Status> WaitUntilRead(Snowflake request_id, EntityAddress address);

  bool InResumption(const EntityAddress& address) const {
    return resumption_.contains(address);
  }

 private:
  static constexpr int kResetAttempts = 3;

  using Pending = std::shared_ptr<Deferred<absl::Status>>;
  struct PendingRead {
    EntityAddress address;
    Pending done;
  };
  // State of one pass (Effect keeps it per run of the loop).
  struct Pass {
    bool delivered = false;
    absl::btree_map<Snowflake, PendingRead> removable;
    absl::btree_set<EntityAddress> reset_addresses;
    absl::btree_set<EntityAddress> capped;
    std::vector<Snowflake> reset_requests;
  };
  struct Resumption {
    absl::btree_set<Snowflake> unprocessed;
    absl::btree_map<Snowflake, storage::Interrupt> interrupts;
  };

  Task<void> Run();
  Task<absl::Status> RunPasses();
  Task<void> Ticker();
  Task<absl::StatusOr<int64_t>> ReadAndProcess(
      Pass& pass, int64_t limit,
      std::optional<std::vector<EntityAddress>> addresses);
  Task<absl::Status> Process(Pass& pass, storage::StoredMessage message);
  Task<absl::Status> HandleFailure(Pass& pass,
                                   const storage::StoredMessage& message,
                                   EntityRegistry::Entry* entry,
                                   const absl::Status& status);
  // Hardened mode: a skipped message's claim is released after the pass.
  void ReleaseSkippedClaim(Pass& pass, Snowflake request_id);
  Task<void> ResetRequests(std::vector<Snowflake> ids);
  void ReleaseCompletedClaim(Pass& pass, EntityRegistry::Entry& entry,
                             Snowflake request_id);
  Task<absl::Status> SaveDefectFor(const storage::StoredMessage& message,
                                   const absl::Status& cause);

  void ResumeFromStorage(const storage::Request& request);
  Task<void> ResumeFiber(EntityAddress address);
  Task<absl::Status> ResumeUntilCaughtUp(EntityAddress address,
                                         EntityManager& manager);

  const ShardingConfig& config_;
  NodeEnv env_;
  storage::StorageClient& storage_;
  EntityRegistry& registry_;
  ShardLocks& locks_;
  const Residency& residency_;
  SaveDefect save_defect_;
  NextId next_id_;
  const int64_t batch_size_;

  Latch latch_{true};
  Semaphore read_lock_{1};
  absl::btree_map<Snowflake, PendingRead> pending_;
  // std::map: entries stay put while their fiber runs.
  std::map<EntityAddress, Resumption> resumption_;
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_STORAGE_READ_LOOP_H_
