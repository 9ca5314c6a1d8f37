// The counter scenario's oracle (scenarios/counter.h): every checker of a
// run, fed from outside the nodes, and the judgement at the end of the run.
// Internal to //scenarios:counter.
//
// Single-threaded, like the simulation. Owned by the run; it outlives the
// nodes, which hold it by pointer, and is unhooked from the trace before
// the harness's World goes.
#ifndef CLUSTERSIM_SCENARIOS_COUNTER_ORACLE_H_
#define CLUSTERSIM_SCENARIOS_COUNTER_ORACLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/btree_map.h"
#include "core/cluster/runner_address.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "scenarios/counter_entity.h"
#include "scenarios/harness.h"
#include "scenarios/ledger_workload.h"
#include "sim/checkers/assignment_convergence.h"
#include "sim/checkers/entity_state.h"
#include "sim/checkers/exactly_once_reply.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/ledger.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/lock_belief.h"
#include "sim/checkers/reply_delivery.h"
#include "sim/checkers/single_activation.h"
#include "sim/checkers/single_writer.h"
#include "sim/checkers/storage_watch.h"
#include "sim/checkers/unique_ids.h"
#include "sim/trace.h"

namespace clustersim::scenarios::counter_internal {

struct CounterRun {
  storage::StorageMode mode;
  uint32_t storage_node;
  // When clients stop starting operations (global virtual time).
  int64_t stop_issuing_us;
  // The assignment-convergence bound of the runners' configuration.
  int64_t convergence_bound_us;
};

// Sees the trace (entities, storage), the clients and the handlers from
// outside the nodes, so it survives their crashes; feeds every checker.
class Oracle : public sim::TraceListener {
 public:
  Oracle(SimHarness& harness, const storage::StorageBackend& backend,
         const CounterRun& run);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override;

  // Trace node `node` runs the runner at `address`.
  void AddRunner(NodeId node, const RunnerAddress& address) {
    convergence_.AddRunner(node.value, address);
  }

  // --- From the rolling restart ---
  void ShutdownBegan(NodeId node) { delivery_.ShutdownBegan(node.value); }

  // --- From the clients ---
  bool Issuing() const { return h_.world().now_us() < run_.stop_issuing_us; }
  void Issued(const ledger::Increment& op) {
    issued_.emplace(op.op, std::make_pair(op.key, op.amount));
  }
  void Resent() { ++resends_; }
  void WaitStarted(NodeId caller, const ledger::Increment& op) {
    delivery_.WaitStarted(h_.world().now_us(), caller.value, op.op);
  }
  void WaitEnded(NodeId caller, const ledger::Increment& op, bool delivered) {
    delivery_.WaitEnded(h_.world().now_us(), caller.value, op.op, delivered,
                        ExitStoredUs(op));
  }
  void Answered(const ledger::Increment& op, const storage::Exit& exit);

  // --- From the Counters' database ---
  void Written(std::string_view where, std::string_view key,
               std::string_view op, int64_t amount, int64_t value) {
    state_.OnWrite(h_.world().now_us(), where, key, op, amount, value);
  }

  // --- From the entities ---
  void HandlerStarted(Snowflake request_id, const RunnerAddress& runner) {
    exactly_once_.OnHandlerStarted(h_.world().now_us(), request_id,
                                   runner.Key());
  }

  // Judges what only the end of the run can show.
  void Finish();

 private:
  sim::checkers::FindingSink Sink();
  std::optional<Snowflake> StoredRequest(const ledger::Increment& op) const;
  // When storage stored the exit of `op`'s request, if it did.
  std::optional<int64_t> ExitStoredUs(const ledger::Increment& op) const;
  void RequestSaved(int64_t time_us, Snowflake id);
  void ExitAccepted(int64_t time_us, const storage::WithExit& exit);

  SimHarness& h_;
  const storage::StorageBackend& backend_;
  const CounterRun run_;
  sim::checkers::SingleActivationChecker activation_;
  sim::checkers::LockBeliefChecker lock_belief_;
  sim::checkers::SingleWriterChecker writer_;
  sim::checkers::ExactlyOnceReplyChecker exactly_once_;
  const std::optional<int64_t> delivery_bound_us_;
  sim::checkers::ReplyDeliveryChecker delivery_;
  sim::checkers::LivenessChecker liveness_;
  sim::checkers::LedgerChecker ledger_;
  sim::checkers::EntityStateChecker state_;
  sim::checkers::UniqueIdChecker ids_;
  sim::checkers::AssignmentConvergenceChecker convergence_;
  sim::checkers::StorageWatch watch_;
  // Every operation a client started: op -> (key, amount).
  absl::btree_map<std::string, std::pair<std::string, int64_t>> issued_;
  // Request -> when its exit was stored.
  absl::btree_map<Snowflake, int64_t> exits_;
  int64_t answered_ = 0;
  int64_t self_stops_ = 0;
  int64_t resends_ = 0;
  int64_t failure_exits_ = 0;
};

}  // namespace clustersim::scenarios::counter_internal

#endif  // CLUSTERSIM_SCENARIOS_COUNTER_ORACLE_H_
