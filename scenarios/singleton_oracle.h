// The singleton scenario's parts (scenarios/singleton.h says what the
// scenario is): its constants, the Ledger's Record contract, the cron's
// schedule, the crash right after a run, and the oracle that sees the trace,
// the jobs, the ledger's handlers and the leader's steps from outside the
// nodes and feeds every checker. Single-threaded; each object lives for one
// run.
#ifndef CLUSTERSIM_SCENARIOS_SINGLETON_ORACLE_H_
#define CLUSTERSIM_SCENARIOS_SINGLETON_ORACLE_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "core/cluster/cron.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/process.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "scenarios/harness.h"
#include "sim/checkers/assignment_convergence.h"
#include "sim/checkers/exactly_once_reply.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/single_activation.h"
#include "sim/checkers/single_writer.h"
#include "sim/checkers/storage_watch.h"
#include "sim/prng.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios::singleton_scenario {

inline constexpr std::string_view kSingletonInstance =
    "singleton-single-instance";
inline constexpr std::string_view kCronExactlyOnce = "cron-exactly-once";
inline constexpr std::string_view kProgress = "progress";

inline constexpr char kShardGroup[] = "default";
inline constexpr int32_t kShards = 16;
inline constexpr int32_t kFirstPort = 34431;

inline constexpr char kLedgerType[] = "Ledger";
inline constexpr char kLedgerId[] = "ledger";
inline constexpr char kRecordTag[] = "Record";
inline constexpr int64_t kLedgerWorkMs = 5;

inline constexpr char kCronName[] = "tick";
inline constexpr char kSchedule[] = "*/3 * * * * *";
// Cluster cron's own names for its entity and executor (cluster_cron.h).
inline constexpr char kCronExecutorId[] = "executor";
inline constexpr char kCronRunTag[] = "run";

inline constexpr char kLeader[] = "leader";
inline constexpr int64_t kLeaderStepMs = 250;

// The job's wait for the Record's reply, and the pause before a resend.
inline constexpr int64_t kCallTimeoutMs = 5'000;
inline constexpr int64_t kResendDelayMs = 200;

// Liveness, as counter: due within this bound after the later of a
// request's save (a tick's time) and the last fault's end; a run with timed
// faults lasts until kSettleUs after the last one.
inline constexpr int64_t kLivenessBoundUs = 15'000'000;
inline constexpr int64_t kSettleUs = 20'000'000;
// The storage round trips an answer or a tick waits on in a row across a
// failover (as counter's; SimHarness::liveness_slack_us adds their spikes).
inline constexpr int kStorageCallsPerAnswer = 6;
// At the end, every singleton must have run, and "leader" stepped, this
// recently. Not "at the last instant": whole-run loss and storage errors
// never heal, so shards (and their singletons) may be between owners then.
inline constexpr int64_t kSingletonFreshUs = 10'000'000;

// The crash right after a run: after the job of these completed ticks (in
// the order they completed), a crash within kInFlightCrashMaxUs (before the
// next run's save can be acknowledged: one network hop takes at least
// 500 us) or within kRetryCrashMaxUs (during its retries), then a start
// kCrashRestartDelayUs later.
inline constexpr int kCrashAfterTicks[] = {2, 6, 10};
inline constexpr int64_t kInFlightCrashMaxUs = 400;
inline constexpr int64_t kRetryCrashMaxUs = 1'000'000;
inline constexpr int64_t kCrashRestartDelayUs = 4'000'000;

// A tick's effect: recorded once per tick, keyed by the tick's ISO time.
struct Record {
  int64_t tick_ms = 0;
};

// The Ledger's persisted Record RPC (primary key: the tick's ISO time).
const sharding::TypedRpc<Record, Record>& RecordRpc();
// The cron's schedule, kSchedule.
const Cron& Schedule();
// The runner address "r<node>:<port>" of runner node `node`.
std::string RunnerName(uint32_t node);

// --- The crash right after a run ------------------------------------------

// Crashes a runner right after its job of a tick returned, and starts it
// again later (skipped if a fault restarted it meanwhile). Called from the
// runner's own fibers, so the crash itself is a world event.
class CrashAfterRun {
 public:
  CrashAfterRun(sim::World& world, uint64_t seed, int64_t until_us,
                const storage::StorageBackend& backend);

  // The job of `tick_ms`, the `ordinal`-th tick to complete, returned on
  // `node`.
  void JobReturned(NodeId node, int64_t tick_ms, int ordinal);

  int64_t crashes() const { return crashes_; }
  int64_t before_successor_stored() const { return before_successor_stored_; }
  int64_t restarts() const { return restarts_; }

 private:
  struct Pending {
    CrashAfterRun* self;
    NodeId node;
    uint32_t incarnation;
    int64_t tick_ms;
  };

  static void Crash(void* p);

  static void StartAgain(void* p);

  // Whether storage holds the run that follows `tick_ms`.
  bool SuccessorStored(int64_t tick_ms) const;

  sim::World& world_;
  sim::Prng rng_;
  const int64_t until_us_;
  const storage::StorageBackend& backend_;
  std::deque<Pending> pending_;  // stable addresses for the world's actions
  int64_t crashes_ = 0;
  int64_t before_successor_stored_ = 0;
  int64_t restarts_ = 0;
};

// --- The oracle -----------------------------------------------------------

struct SingletonRun {
  storage::StorageMode mode;
  uint32_t storage_node;
  // The assignment-convergence bound of the runners' configuration.
  int64_t convergence_bound_us;
};

// Sees the trace, the jobs, the ledger's handlers and the leader's steps from
// outside the nodes; feeds every checker.
class Oracle : public sim::TraceListener {
 public:
  Oracle(SimHarness& harness, const storage::StorageBackend& backend,
         const SingletonRun& run, CrashAfterRun& crash_after_run);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override;

  // Trace node `node` runs the runner at `address`.
  void AddRunner(NodeId node, const RunnerAddress& address);

  // --- From the nodes ---
  void LeaderStepped(uint32_t node);
  void LedgerHandlerStarted(Snowflake request_id, uint32_t node);
  // The job of `tick_ms` got its Record's reply `exit` on `node`.
  void JobReturned(NodeId node, int64_t tick_ms, const storage::Exit& exit);

  void Finish();

 private:
  sim::checkers::FindingSink Sink() { return h_.Sink(); }
  sim::checkers::FindingSink Renamed(std::string_view invariant) {
    return [this, invariant](sim::checkers::Finding f) {
      h_.Violate(std::string(invariant), std::move(f.message));
    };
  }

  std::optional<Snowflake> StoredRecord(const std::string& iso) const;

  // A Record's reply is a tick's effect; cron runs reply with no value.
  void ExitAccepted(int64_t time_us, const storage::WithExit& exit);

  // The ticks from the first one that fired, in order. A tick that took no
  // effect is lost if no run of it is pending and none is pending below it
  // (a pending run's chain reaches it in time): its chain was cut, as when a
  // run is answered before its successor is stored; it is judged once a
  // later tick fired or it is due. Runs are serialized (one executor, and a
  // singleton that finds the chain behind starts a second one beside it),
  // so a tick is due within the liveness bound after the latest of its
  // time, the last fault's end and the previous tick's effect: after an
  // outage the chain catches up one run at a time. Returns how many ticks
  // were judged.
  int64_t CheckTicks(int64_t now_us);

  enum class CronRunState { kNone, kPending, kAnswered };
  // The state of the cron's stored run of `tick_ms`.
  CronRunState CronRun(int64_t tick_ms) const;

  // After the last fault, every singleton runs again somewhere (started,
  // stopped or alive within kSingletonFreshUs of the end), and the leader
  // steps.
  void CheckSingletonsRun(int64_t now_us);

  SimHarness& h_;
  const storage::StorageBackend& backend_;
  const SingletonRun run_;
  CrashAfterRun& crash_after_run_;
  sim::checkers::SingleActivationChecker activation_;
  sim::checkers::SingleActivationChecker singletons_;
  sim::checkers::SingleWriterChecker writer_;
  sim::checkers::ExactlyOnceReplyChecker exactly_once_;
  sim::checkers::LivenessChecker liveness_;
  sim::checkers::AssignmentConvergenceChecker convergence_;
  sim::checkers::StorageWatch watch_;
  // Singleton name -> its checker address, and its last start or stop.
  absl::btree_map<std::string, std::string> singleton_address_;
  absl::btree_map<std::string, int64_t> singleton_seen_us_;
  // Tick -> when its Record's reply was stored (its effect).
  absl::btree_map<int64_t, int64_t> fired_;
  // Requests with a stored reply.
  absl::btree_set<Snowflake> answered_;
  // Ticks whose job returned at least once.
  absl::btree_set<int64_t> executed_;
  int64_t last_leader_step_us_ = 0;
  int64_t job_runs_ = 0;
  int64_t job_reruns_ = 0;
  int64_t singleton_starts_ = 0;
  int64_t self_stops_ = 0;
};

}  // namespace clustersim::scenarios::singleton_scenario

#endif  // CLUSTERSIM_SCENARIOS_SINGLETON_ORACLE_H_
