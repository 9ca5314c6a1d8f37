// The ledger workload that the snowflake, mailbox and rebalance scenarios
// share: clients send Increment{key, op, amount} requests to sharded ledger
// entities, and an oracle outside the nodes checks what came of them.
//
// An Increment is persisted (stored once under its primary key, the
// operation's id, and answered once; a client resends it under the same key
// until it gets the reply) or volatile (handed to the entity's runner
// directly; the answer or a typed error goes back to the caller only). A
// ledger entity works `work_ms_per_unit` per unit of amount and replies with
// what it applied, so for persisted requests the stored replies (WithExits)
// are the ledger; volatile applications are reported to the oracle by the
// handler itself.
//
// LedgerOracle sees the trace (entities, storage) and hears from clients and
// handlers; it survives every node's crash. Its invariants:
//   single-activation   no entity alive on two runners at once
//   single-writer       storage accepted no reply from a non-owner (judged
//                       as the storage mode defines it)
//   exactly-once-reply  one WithExit per saved request, no handler run after
//                       it, every client reply is the recorded one, and (when
//                       the run is complete) every saved request answered
//   effectively-once    per entity, the stored replies add up to the
//                       persisted operations storage accepted, once each
//   liveness            every saved request answered within
//                       `liveness_bound_us` of the later of its save and the
//                       last fault's end
//   unique-ids          request and reply snowflakes never reused (scenarios
//                       feed more ids through ids())
//   progress            some operation was answered
// judged as counter.h explains (liveness only when the storage node and a
// runner are up at the end and, in reference mode, the plan has no
// whole-run loss or corruption).
//
// Single-threaded; the oracle outlives every node of the run's World.
#ifndef CLUSTERSIM_SCENARIOS_LEDGER_WORKLOAD_H_
#define CLUSTERSIM_SCENARIOS_LEDGER_WORKLOAD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/process.h"
#include "core/runtime/random.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "scenarios/harness.h"
#include "sim/checkers/exactly_once_reply.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/ledger.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/lock_belief.h"
#include "sim/checkers/single_activation.h"
#include "sim/checkers/single_writer.h"
#include "sim/checkers/storage_watch.h"
#include "sim/checkers/unique_ids.h"
#include "sim/trace.h"

namespace clustersim::scenarios::ledger {

inline constexpr char kIncrementTag[] = "Increment";
inline constexpr char kVolatileTag[] = "IncrementVolatile";
inline constexpr char kShardGroup[] = "default";

// The clients (counter's too): the wait for one reply, the pause before a
// resend, the pause between operations, when they start, and the largest
// increment.
inline constexpr int64_t kCallTimeoutMs = 5'000;
inline constexpr int64_t kResendDelayMs = 200;
inline constexpr int64_t kMinThinkMs = 10;
inline constexpr int64_t kMaxThinkMs = 100;
inline constexpr int64_t kClientStartMs = 1'000;
inline constexpr int64_t kMaxAmount = 9;

// Liveness: every saved request is answered within this bound after the
// later of its save and the last fault's end. Clients stop starting
// operations this long before the end, and a run with timed faults lasts
// until kSettleUs after the last one.
inline constexpr int64_t kLivenessBoundUs = 15'000'000;
inline constexpr int64_t kSettleUs = 20'000'000;
// The storage round trips an answer waits on in a row, across a failover:
// the request's save, the new owner's lock acquisition and its read, the
// reply's save, and the caller's reply poll, plus one retry
// (SimHarness::SetStorageCallChain).
inline constexpr int kStorageCallsPerAnswer = 6;

// Adds `amount` to entity `key` for operation `op`; `primary_key` dedupes
// persisted resends.
struct Increment {
  std::string key;
  std::string op;
  int64_t amount = 0;
  std::string primary_key;
};

// What an entity applied: the reply, and so the ledger entry.
struct Applied {
  std::string key;
  std::string op;
  int64_t amount = 0;
};

// Increment's wire form.
sharding::WireCodec<Increment> IncrementCodec();

// The options of an Increment RPC whose reply is `Resp`. Persisted: primary
// key = Increment::primary_key, uninterruptible for the client, so giving up
// on a wait never interrupts the handler.
template <typename Resp>
typename sharding::TypedRpc<Increment, Resp>::Options IncrementOptions(
    bool persisted) {
  typename sharding::TypedRpc<Increment, Resp>::Options options;
  options.persisted = persisted;
  if (persisted) {
    options.uninterruptible = sharding::Uninterruptible::kClient;
    options.primary_key = [](const Increment& in) {
      return std::optional<std::string>(in.primary_key);
    };
  }
  return options;
}

using IncrementRpcType = sharding::TypedRpc<Increment, Applied>;
// Persisted (IncrementOptions).
const IncrementRpcType& PersistedIncrementRpc();
// Volatile: sent to the owner runner directly, never stored.
const IncrementRpcType& VolatileIncrementRpc();

struct LedgerOptions {
  std::string entity_type;
  int32_t shards = 16;
  uint32_t storage_node = 0;
  sharding::Mode mode = sharding::Mode::kReference;
  int64_t liveness_bound_us = 15'000'000;
  // When clients stop starting operations (global virtual time).
  int64_t stop_issuing_us = 0;
};

EntityAddress LedgerAddress(const LedgerOptions& options,
                            const std::string& key);

class LedgerOracle : public sim::TraceListener {
 public:
  using TraceHook =
      std::function<void(int64_t time_us, uint32_t node, std::string_view kind,
                         std::string_view detail)>;

  LedgerOracle(SimHarness& harness, const storage::StorageBackend& backend,
               LedgerOptions options);

  // Also called with every trace event, after the oracle's own checkers.
  void set_trace_hook(TraceHook hook) { hook_ = std::move(hook); }

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override;

  // --- From the clients ---
  bool Issuing() const;
  // A persisted operation was started.
  void Issued(const Increment& op);
  void Resent() { ++resends_; }
  // A persisted operation's reply reached its client.
  void Answered(const Increment& op, const storage::Exit& exit);

  // --- From the entities ---
  void HandlerStarted(Snowflake request_id, const RunnerAddress& runner);

  // The finding sink every checker of the run reports to.
  sim::checkers::FindingSink Sink();
  sim::checkers::UniqueIdChecker& ids() { return ids_; }
  const LedgerOptions& options() const { return options_; }
  SimHarness& harness() { return h_; }

  // Judges what only the end of the run can show and adds the counters.
  // `volatile_answered` counts volatile operations answered (for progress).
  void Finish(int64_t volatile_answered = 0);

 private:
  std::optional<Snowflake> StoredRequest(const Increment& op) const;
  void RequestSaved(int64_t time_us, Snowflake id);
  void ExitAccepted(int64_t time_us, const storage::WithExit& exit);

  SimHarness& h_;
  const storage::StorageBackend& backend_;
  const LedgerOptions options_;
  sim::checkers::SingleActivationChecker activation_;
  sim::checkers::LockBeliefChecker lock_belief_;
  sim::checkers::SingleWriterChecker writer_;
  sim::checkers::ExactlyOnceReplyChecker exactly_once_;
  sim::checkers::LivenessChecker liveness_;
  sim::checkers::LedgerChecker ledger_;
  sim::checkers::UniqueIdChecker ids_;
  sim::checkers::StorageWatch watch_;
  TraceHook hook_;
  // Every persisted operation a client started: op -> (key, amount).
  absl::btree_map<std::string, std::pair<std::string, int64_t>> issued_;
  absl::btree_set<Snowflake> exits_;
  int64_t answered_ = 0;
  int64_t self_stops_ = 0;
  int64_t resends_ = 0;
  int64_t failure_exits_ = 0;
};

// A ledger entity: applies increments (persisted and volatile) after
// `work_ms_per_unit` per unit, telling the oracle when a handler starts and
// `on_volatile` when a volatile increment was applied.
struct LedgerEntityOptions {
  std::string entity_type;
  int64_t work_ms_per_unit = 4;
  LedgerOracle* oracle = nullptr;
  std::function<void(const Increment& op)> on_volatile_applied = nullptr;
};
sharding::EntityDefinition LedgerDefinition(const std::string& entity_type);
absl::Status RegisterLedgerEntity(sharding::Sharding& sharding,
                                  LedgerEntityOptions options);

// A ledger runner's process options: `config` (see ScenarioRunnerConfig), a
// storage client to `storage_node` (scenarios/cluster_setup.h), the ledger
// entity, and `resolver` (which must outlive the run).
sharding::RunnerProcessOptions LedgerRunnerOptions(
    sharding::ShardingConfig config, NodeId storage_node,
    const sharding::RunnerResolver* resolver, LedgerEntityOptions entity);

// What each ledger scenario's run owns, built the same way: the harness,
// the backend of the storage node (node runners + 1, added by Run after the
// scenario's runners) and the oracle, whose clients stop issuing
// StopIssuingUs before the run's end. Members are destroyed oracle first.
class LedgerRun {
 public:
  LedgerRun(const RunOptions& options, std::string entity_type, int32_t shards,
            int64_t liveness_bound_us, int64_t settle_us);

  SimHarness& harness() { return harness_; }
  LedgerOracle& oracle() { return oracle_; }
  uint32_t runners() const { return runners_; }
  NodeId storage_node() const { return NodeId{runners_ + 1}; }
  int64_t end_us() const { return end_us_; }

  // RunWithStorage (scenarios/cluster_setup.h) with the oracle listening.
  absl::Status Run();

 private:
  const uint32_t runners_;
  const int64_t settle_us_;
  SimHarness harness_;
  const int64_t end_us_;
  storage::StorageBackend backend_;
  LedgerOracle oracle_;
};

// A client's pause between two operations: kMinThinkMs..kMaxThinkMs, scaled
// to `load_percent` (RunOptions::load_percent).
Task<void> Think(Random& random, int load_percent);

// Sends `op` (persisted) until a reply comes, waiting up to `timeout_ms` for
// each attempt and `resend_delay_ms` between attempts; tells the oracle, and
// `on_answered` (if set) the reply.
Task<void> SendUntilAnswered(
    Scope& scope, sharding::Sharding& sharding, LedgerOracle& oracle,
    Increment op, int64_t timeout_ms, int64_t resend_delay_ms,
    std::function<void(const storage::Exit& exit)> on_answered = nullptr);

}  // namespace clustersim::scenarios::ledger

#endif  // CLUSTERSIM_SCENARIOS_LEDGER_WORKLOAD_H_
