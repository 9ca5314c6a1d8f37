// RunnerStore: the storage server's durable runner membership and shard
// locks — Effect's RunnerStorage contract as SqlRunnerStorage implements it
// in lease-row mode (the only mode that has leases to simulate), plus a
// lease epoch for hardened mode.
//
// Tables, as in SQL:
//   runners(machine_id, address UNIQUE, runner, healthy, last_heartbeat)
//   locks(shard_id PRIMARY KEY, address, acquired_at)  + epoch (ours)
//
// All time is the storage server's clock, passed in as `now_ms` (Effect uses
// the DB clock for heartbeats and leases). With E = lock_expiration_ms:
//   - a lease is *expired* when acquired_at < now - E (it may be taken over);
//   - a lease is *held* when acquired_at >= now - E;
//   - a runner is *live* (listed by GetRunners) when last_heartbeat > now - E.
// Effect rounds the expiration up to whole seconds for SQL; pass the rounded
// value to reproduce that exactly.
//
// Deviations from SQL, all for determinism or bounds: GetRunners and lease
// lists come back sorted (SQL leaves the order open); every call is bounded
// by Options (see RunnerStoreLimits).
//
// A pure, deterministic state machine: no clock, no I/O. Every operation is
// atomic: on error nothing changed. Not thread-safe; the storage server owns
// it.
#ifndef CLUSTERSIM_CORE_STORAGE_RUNNER_STORE_H_
#define CLUSTERSIM_CORE_STORAGE_RUNNER_STORE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/storage/fencing_token.h"

namespace clustersim::storage {

struct RunnerStoreLimits {
  // Rows in the runners table.
  int64_t max_runners = 4096;
  // Rows in the locks table.
  int64_t max_locks = 1 << 20;
  // Shards named in one acquire or refresh.
  int64_t max_shards_per_call = 1 << 16;
  // Shard groups of one runner.
  int64_t max_runner_groups = 256;
};

// One row of GetRunners.
struct RunnerEntry {
  Runner runner;
  bool healthy = false;

  friend bool operator==(const RunnerEntry&, const RunnerEntry&) = default;
};

class RunnerStore {
 public:
  struct Options {
    // Effect's shardLockExpiration (35 s by default). Must be > 0.
    int64_t lock_expiration_ms = 35'000;
    RunnerStoreLimits limits;
    // Hardened mode:
    // - every registration gets a fresh machine id, whose value mod 1024
    //   (the snowflake's machine bits) no other live runner's id and not the
    //   address's previous id share, so snowflakes of live runners, and of a
    //   restarted runner against its past incarnation, cannot collide
    //   (effect-semantics.md §14.2);
    // - every Acquire starts a new lease epoch, even of a lease the address
    //   still holds: a restarted runner (same address) fences the writes its
    //   past incarnation still has in flight.
    bool hardened = false;
  };

  explicit RunnerStore(Options options);

  // Upserts the runner by address: sets the runner, the health flag and
  // last_heartbeat = now. A new row gets the next machine id (1, 2, ...);
  // an existing row keeps its id (unless hardened). Like
  // PostgreSQL's SERIAL, every call consumes a sequence value, even when the
  // row already existed.
  absl::StatusOr<MachineId> Register(const Runner& runner, bool healthy,
                                     int64_t now_ms);

  // Deletes the runner's row and every row whose heartbeat has expired.
  // Its locks stay (they expire on their own), as in SQL.
  void Unregister(const RunnerAddress& address, int64_t now_ms);

  // The live runners, by machine id.
  std::vector<RunnerEntry> GetRunners(int64_t now_ms) const;

  // Sets the health flag; an unknown address is a no-op.
  void SetRunnerHealth(const RunnerAddress& address, bool healthy);

  // Takes each requested lock that is absent, already `address`'s, or
  // expired (acquired_at = now), then returns the requested locks `address`
  // holds, in shard order. A lock gets a new epoch when it is created, or
  // taken over or re-taken after it expired; re-acquiring a held lock keeps
  // its epoch.
  absl::StatusOr<std::vector<FencingToken>> Acquire(
      const RunnerAddress& address, const std::vector<ShardId>& shards,
      int64_t now_ms);

  // Heartbeat first (last_heartbeat = now, even for an empty list), then
  // sets acquired_at = now on each requested lock `address` owns and returns
  // those, in shard order. Like SQL there is no expiry check: an expired
  // lease that nobody took over is revived, with its epoch.
  absl::StatusOr<std::vector<FencingToken>> Refresh(
      const RunnerAddress& address, const std::vector<ShardId>& shards,
      int64_t now_ms);

  // Drops the lock if `address` owns it. With `max_epoch` (hardened
  // mode), only a lease of that epoch or older: a release that lands late
  // cannot drop the same runner's newer lease (effect-semantics.md §14.8).
  void Release(const RunnerAddress& address, const ShardId& shard,
               std::optional<uint64_t> max_epoch = std::nullopt);

  // Drops every lock `address` owns (with `max_epoch`: of that epoch or
  // older).
  void ReleaseAll(const RunnerAddress& address,
                  std::optional<uint64_t> max_epoch = std::nullopt);

  // OK if `token` names the shard's current lease and that lease is held
  // (not expired) at `now_ms`; otherwise a Fenced error saying why.
  absl::Status CheckFencingToken(const FencingToken& token,
                                 int64_t now_ms) const;

  // OK if `owner` holds the shard's lease at `now_ms` (a row of its own, not
  // expired); otherwise a Fenced error saying what storage holds instead.
  // The lock-belief checker's view of storage (sim/checkers/lock_belief.h).
  absl::Status CheckLockHeld(const ShardId& shard, const RunnerAddress& owner,
                             int64_t now_ms) const;

  int64_t lock_expiration_ms() const { return options_.lock_expiration_ms; }

 private:
  struct RunnerRow {
    MachineId machine_id;
    Runner runner;
    bool healthy;
    int64_t last_heartbeat_ms;
  };
  struct LockRow {
    RunnerAddress owner;
    int64_t acquired_at_ms;
    uint64_t epoch;
  };

  bool Expired(int64_t acquired_at_ms, int64_t now_ms) const;
  // Bounds and column checks shared by Acquire and Refresh.
  absl::Status CheckShardList(const std::vector<ShardId>& shards) const;

  Options options_;
  absl::btree_map<RunnerAddress, RunnerRow> runners_;
  absl::btree_map<ShardId, LockRow> locks_;
  // The last machine id handed out (SERIAL's sequence).
  // The next SERIAL value; hardened, the first one whose
  // snowflake bits are free (ResourceExhausted when none is).
  absl::StatusOr<MachineId> NextMachineId(const RunnerAddress& address,
                                          int64_t now_ms);

  int64_t last_machine_id_ = 0;
  // The last lease epoch handed out; epochs start at 1.
  uint64_t last_epoch_ = 0;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_RUNNER_STORE_H_
