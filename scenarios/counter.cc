#include "scenarios/counter.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"
#include "core/storage/storage_faults.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "scenarios/buggy_storage_client.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/counter_database.h"
#include "scenarios/counter_entity.h"
#include "scenarios/harness.h"
#include "scenarios/ledger_workload.h"
#include "scenarios/rolling_restart.h"
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
#include "sim/faults.h"
#include "sim/nemesis.h"
#include "sim/network.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using sim::checkers::AssignmentConvergenceChecker;
using sim::checkers::Finding;

// The check that the workload made progress at all.
constexpr std::string_view kProgress = "progress";

constexpr int kCounters = 8;
constexpr int32_t kFirstPort = 34431;

// The client paces itself as the ledger workload's (ledger_workload.h).
// Every kPatientEvery-th operation waits for its reply with no timeout, so a
// reply that never reaches its caller cannot hide behind a resend.
constexpr uint64_t kPatientEvery = 4;

constexpr std::string_view kRedeliverAnswered = "counter-redeliver-answered";
constexpr std::string_view kAcquireTakesHeldShards =
    "counter-acquire-takes-held-shards";
constexpr std::string_view kResendNewKey = "counter-resend-new-key";

// The rolling restart (rolling_restart.h): each of the first
// kRollingRestarts runners in turn.
constexpr uint32_t kRollingRestarts = 3;

// The runner whose storage links CounterWorkload::slow_storage_on_shutdown
// slows during its shutdown.
constexpr uint32_t kSlowStorageRunner = 2;

// --- The Counter entity's contract -----------------------------------------

// The ledger workload's Increment request (scenarios/ledger_workload.h),
// answered with the value it left (counter_entity.h). `primary_key` is the
// operation's id, unless a mutant changes it.
using counter::CounterAddress;
using counter::CounterApplied;
using counter::CounterIncrementRpc;
using counter::kCounterType;
using counter::kShards;
using ledger::Increment;
using ledger::kIncrementTag;

// --- The oracle
// ---------------------------------------------------------------

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
         const CounterRun& run)
      : h_(harness),
        backend_(backend),
        run_(run),
        activation_(Sink()),
        lock_belief_(StorageLockQuery(harness.world(), NodeId{run.storage_node},
                                      backend),
                     Sink()),
        writer_(run.mode, Sink()),
        exactly_once_(Sink()),
        delivery_bound_us_(
            ReplyDeliveryBoundUs(harness.options().faults, sim::LinkConfig{})),
        // Unjudged plans (no bound): no wait is ever ready in time.
        delivery_(delivery_bound_us_.value_or(0),
                  delivery_bound_us_.has_value() ? harness.quiet_time_us()
                                                 : INT64_MAX,
                  run.storage_node, Sink()),
        liveness_(ledger::kLivenessBoundUs + harness.liveness_slack_us(),
                  Sink()),
        ledger_(Sink()),
        state_(Sink()),
        ids_(Sink()),
        convergence_({.shards = kShards,
                      .bound_us = run.convergence_bound_us,
                      .judge_from_us = ConvergenceJudgedFromUs(harness),
                      .storage_node = run.storage_node},
                     Sink()),
        watch_(run.storage_node, backend,
               sim::checkers::StorageWatch::Callbacks{
                   .request_saved =
                       [this](int64_t time_us, Snowflake id) {
                         RequestSaved(time_us, id);
                       },
                   .exit_accepted =
                       [this](int64_t time_us, const storage::WithExit& exit) {
                         ExitAccepted(time_us, exit);
                       },
                   .reply_written =
                       [this](int64_t time_us,
                              const storage::StorageAudit& audit) {
                         writer_.Poll(time_us, audit);
                       }}) {}

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override {
    activation_.OnTraceEvent(time_us, node, kind, detail);
    lock_belief_.OnTraceEvent(time_us, node, kind, detail);
    delivery_.OnTraceEvent(time_us, node, kind, detail);
    convergence_.OnTraceEvent(time_us, node, kind, detail);
    watch_.OnTraceEvent(time_us, node, kind, detail);
    if (kind == "shard.self_stop") ++self_stops_;
  }

  // Trace node `node` runs the runner at `address`.
  void AddRunner(NodeId node, const RunnerAddress& address) {
    convergence_.AddRunner(node.value, address);
  }

  // --- From the rolling restart ---
  void ShutdownBegan(NodeId node) { delivery_.ShutdownBegan(node.value); }

  // --- From the clients ---
  bool Issuing() const { return h_.world().now_us() < run_.stop_issuing_us; }
  void Issued(const Increment& op) {
    issued_.emplace(op.op, std::make_pair(op.key, op.amount));
  }
  void Resent() { ++resends_; }
  void WaitStarted(NodeId caller, const Increment& op) {
    delivery_.WaitStarted(h_.world().now_us(), caller.value, op.op);
  }
  void WaitEnded(NodeId caller, const Increment& op, bool delivered) {
    delivery_.WaitEnded(h_.world().now_us(), caller.value, op.op, delivered,
                        ExitStoredUs(op));
  }
  void Answered(const Increment& op, const storage::Exit& exit) {
    ++answered_;
    exactly_once_.OnCallerReply(h_.world().now_us(), op.op, StoredRequest(op),
                                ExitText(exit));
    if (!exit.is_success()) return;
    absl::StatusOr<CounterApplied> applied =
        CounterIncrementRpc().DecodeResponse(exit.value());
    if (!applied.ok()) {
      Sink()(Finding{sim::checkers::kEntityState, h_.world().now_us(),
                     absl::StrCat("the reply to ", op.op, " does not decode: ",
                                  applied.status().ToString())});
      return;
    }
    state_.OnReply(h_.world().now_us(), applied->key, applied->op,
                   applied->value);
  }

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
  void Finish() {
    sim::World& world = h_.world();
    const int64_t now_us = world.now_us();
    const NodeId storage{run_.storage_node};
    const bool cluster_up = h_.ClusterUpAtEnd(storage);
    const bool can_progress = h_.LivenessJudgedAtEnd(storage);
    if (can_progress) liveness_.Check(h_.quiet_time_us(), now_us);
    convergence_.Finish(now_us);
    // Every saved request was due by the end.
    const bool complete = can_progress && liveness_.unjudged() == 0;
    // The model: each operation storage accepted takes effect once. Until
    // the run is complete, only the answered ones are judged.
    for (const auto& [op, target] : issued_) {
      const std::optional<Snowflake> id =
          StoredRequest(Increment{target.first, op, target.second, op});
      if (id.has_value() && (complete || exits_.contains(*id))) {
        ledger_.Expect(op, target.first, target.second);
      }
    }
    ledger_.Check(now_us);
    if (complete) exactly_once_.CheckAllReplied(now_us);
    delivery_.Finish(now_us, [this](const std::string& op) {
      auto it = issued_.find(op);
      return it == issued_.end()
                 ? std::nullopt
                 : ExitStoredUs(
                       Increment{it->second.first, op, it->second.second, op});
    });
    // A run in which no operation completed checked nothing (SPEC.md §4):
    // it fails, in either mode, whatever the faults, unless the plan killed
    // the only storage node for good (no design progresses without its
    // database; the run's progress_judged stat says so).
    const bool progress_judged = cluster_up;
    if (progress_judged && answered_ == 0) {
      h_.Violate(std::string(kProgress),
                 absl::StrCat("no operation completed: 0 of ", issued_.size(),
                              " issued were answered, so no invariant was "
                              "exercised"));
    }

    int64_t total = 0;
    for (const auto& [key, value] : ledger_.Balances()) total += value;
    const std::pair<const char*, int64_t> stats[] = {
        {"ops_issued", static_cast<int64_t>(issued_.size())},
        {"ops_answered", answered_},
        {"resends", resends_},
        {"requests_saved", exactly_once_.requests_saved()},
        {"exits_saved", exactly_once_.exits_saved()},
        {"handler_starts", exactly_once_.handler_starts()},
        {"reply_deliveries_judged", delivery_.judged()},
        {"reply_deliveries_excused", delivery_.excused()},
        {"max_reply_delivery_ms", delivery_.max_delivery_us() / 1000},
        {"failure_exits", failure_exits_},
        {"ledger_total", total},
        {"state_writes", state_.writes()},
        {"state_replies_checked", state_.replies_checked()},
        {"activations", activation_.activations()},
        {"activation_overlaps_paused", activation_.overlaps_with_paused()},
        {"lock_belief_checks", lock_belief_.checked()},
        {"membership_changes", convergence_.changes()},
        {"judged_windows", convergence_.judged()},
        {"max_convergence_ms", convergence_.max_latency_us() / 1000},
        {"lease_self_stops", self_stops_},
        {"single_writer_violations", writer_.violations()},
        {"liveness_judged", can_progress ? 1 : 0},
        {"progress_judged", progress_judged ? 1 : 0},
        {"complete", complete ? 1 : 0},
        {"max_reply_after_quiet_ms",
         liveness_.max_latency_after_quiet_us() / 1000},
        {"storage_requests", static_cast<int64_t>(backend_.stats().requests)},
        {"storage_injected_errors",
         static_cast<int64_t>(backend_.stats().injected_errors)},
    };
    for (const auto& [name, value] : stats) h_.AddStat(name, value);
  }

 private:
  sim::checkers::FindingSink Sink() {
    return [this](Finding f) {
      h_.Violate(std::move(f.invariant), std::move(f.message));
    };
  }

  std::optional<Snowflake> StoredRequest(const Increment& op) const {
    absl::StatusOr<std::optional<Snowflake>> id =
        backend_.state().RequestIdForPrimaryKey(storage::ComposePrimaryKey(
            CounterAddress(op.key), kIncrementTag, op.primary_key));
    return id.ok() ? *id : std::nullopt;
  }

  // When storage stored the exit of `op`'s request, if it did.
  std::optional<int64_t> ExitStoredUs(const Increment& op) const {
    const std::optional<Snowflake> id = StoredRequest(op);
    if (!id.has_value()) return std::nullopt;
    auto it = exits_.find(*id);
    if (it == exits_.end()) return std::nullopt;
    return it->second;
  }

  void RequestSaved(int64_t time_us, Snowflake id) {
    exactly_once_.OnRequestSaved(time_us, id);
    liveness_.OnAccepted(time_us, absl::StrCat("request ", id.ToString()));
    ids_.Observe(time_us, id, absl::StrCat("request ", id.ToString()));
  }

  void ExitAccepted(int64_t time_us, const storage::WithExit& exit) {
    const std::string request =
        absl::StrCat("request ", exit.request_id.ToString());
    exits_.emplace(exit.request_id, time_us);
    exactly_once_.OnExitSaved(time_us, exit.request_id, ExitText(exit.exit));
    liveness_.OnReplied(time_us, request);
    ids_.Observe(time_us, exit.id, absl::StrCat("the reply to ", request));
    absl::StatusOr<CounterApplied> applied =
        exit.exit.is_success()
            ? CounterIncrementRpc().DecodeResponse(exit.exit.value())
            : absl::StatusOr<CounterApplied>(absl::InternalError("failed"));
    if (!applied.ok()) {
      ++failure_exits_;
      return;
    }
    ledger_.Record(applied->op, applied->key, applied->amount);
  }

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

// --- A runner node: the runner process and its client
// -------------------------

class CounterNode : public Process, public GracefulShutdown {
 public:
  CounterNode(const NodeEnv& env, const sharding::RunnerProcessOptions& options,
              Oracle* oracle, bool resend_new_key, int load_percent)
      : env_(env),
        oracle_(oracle),
        resend_new_key_(resend_new_key),
        load_percent_(load_percent),
        runner_(env, options) {
    env.scope->Spawn(ClientLoop(this), "counter.client");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

  void Shutdown() override { runner_.Shutdown(); }
  bool shutdown_complete() const override {
    return runner_.shutdown_complete();
  }

 private:
  // One operation at a time, resent under the same primary key until it is
  // answered.
  static Task<void> ClientLoop(CounterNode* self) {
    Random& random = *self->env_.random;
    co_await SleepMs(ledger::kClientStartMs);
    for (uint64_t seq = 1; self->oracle_->Issuing(); ++seq) {
      Increment op;
      op.key = absl::StrCat("c", UniformInt(random, 0, kCounters - 1));
      op.op = absl::StrCat("n", self->env_.self.value, ".",
                           self->env_.incarnation, "-", seq);
      op.amount = UniformInt(random, 1, ledger::kMaxAmount);
      op.primary_key = op.op;
      self->oracle_->Issued(op);
      const bool patient = seq % kPatientEvery == 0;
      for (int resend = 1;; ++resend) {
        self->oracle_->WaitStarted(self->env_.self, op);
        std::optional<absl::StatusOr<storage::Exit>> exit =
            co_await Call(self, op, patient);
        const bool delivered = exit.has_value() && exit->ok();
        self->oracle_->WaitEnded(self->env_.self, op, delivered);
        if (delivered) {
          self->oracle_->Answered(op, **exit);
          break;
        }
        self->oracle_->Resent();
        if (self->resend_new_key_) {
          op.primary_key = absl::StrCat(op.op, "/", resend);
        }
        co_await SleepMs(ledger::kResendDelayMs);
      }
      co_await ledger::Think(random, self->load_percent_);
    }
  }

  // One send of `op`: waits for the reply, for at most ledger::kCallTimeoutMs
  // unless `patient` (nullopt: timed out).
  static Task<std::optional<absl::StatusOr<storage::Exit>>> Call(
      CounterNode* self, Increment op, bool patient) {
    Task<absl::StatusOr<storage::Exit>> send = self->runner_.sharding().Send(
        EntityType(kCounterType), EntityId(op.key), kIncrementTag,
        CounterIncrementRpc().EncodeRequest(op));
    if (patient) co_return co_await std::move(send);
    co_return co_await sharding::WithTimeout(*self->env_.scope, std::move(send),
                                             ledger::kCallTimeoutMs);
  }

  NodeEnv env_;
  Oracle* oracle_;
  bool resend_new_key_;
  int load_percent_;
  sharding::RunnerProcess runner_;
};

// CounterWorkload::slow_storage_on_shutdown: slows the links between one
// runner and the storage node, both ways, for as long as it is told to.
class SlowStorageLinks {
 public:
  SlowStorageLinks(SimHarness& harness, NodeId runner, NodeId storage)
      : network_(harness.network()), runner_(runner), storage_(storage) {
    Random& rng = harness.world().Stream("slow-storage");
    const int64_t min_us =
        UniformInt(rng, kSlowStorageMinMs, kSlowStorageMaxMs) * 1000;
    latency_ = sim::LatencyModel{
        .min_us = min_us, .tail_mean_us = min_us / 4, .max_us = 2 * min_us};
  }

  NodeId runner() const { return runner_; }
  int64_t min_latency_us() const { return latency_.min_us; }
  // How many times the links were slowed.
  int64_t windows() const { return windows_; }

  void Slow(bool slow) {
    if (slow == saved_.has_value()) return;
    if (slow) {
      ++windows_;
      saved_ = {network_.link(runner_, storage_),
                network_.link(storage_, runner_)};
      sim::LinkConfig to_storage = saved_->first;
      sim::LinkConfig from_storage = saved_->second;
      to_storage.latency = latency_;
      from_storage.latency = latency_;
      network_.SetLink(runner_, storage_, to_storage);
      network_.SetLink(storage_, runner_, from_storage);
      return;
    }
    network_.SetLink(runner_, storage_, saved_->first);
    network_.SetLink(storage_, runner_, saved_->second);
    saved_.reset();
  }

 private:
  sim::Network& network_;
  const NodeId runner_;
  const NodeId storage_;
  sim::LatencyModel latency_;
  // The links' configurations before they were slowed (to and from storage).
  std::optional<std::pair<sim::LinkConfig, sim::LinkConfig>> saved_;
  int64_t windows_ = 0;
};

StorageBug BugOf(const std::string& name) {
  if (name == kRedeliverAnswered) return StorageBug::kRedeliverAnswered;
  if (name == kAcquireTakesHeldShards) {
    return StorageBug::kAcquireTakesHeldShards;
  }
  return StorageBug::kNone;
}

}  // namespace

absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options) {
  return RunCounterWorkload(options, CounterWorkload{});
}

absl::StatusOr<RunResult> RunCounterWorkload(const RunOptions& options,
                                             const CounterWorkload& workload) {
  CHECK(options.runners >= 1);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  SimHarness harness(options, sim::LinkConfig{},
                     ledger::kStorageCallsPerAnswer);
  const int64_t end_us = harness.end_us(ledger::kSettleUs);
  const storage::StorageMode storage_mode = ScenarioStorageMode(options.mode);
  const CounterRun run{
      storage_mode, runners + 1,
      StopIssuingUs(end_us, ledger::kLivenessBoundUs),
      AssignmentConvergenceChecker::BoundMs(
          ScenarioRunnerConfig(NumberedRunnerAddress(1, kFirstPort),
                               options.mode, options.bug, kShards),
          kScenarioStorageCallTimeoutMs) *
          1000};
  // The database outlives every incarnation of the storage node.
  storage::StorageBackend backend(
      ScenarioStorageOptions(storage_mode, options.bug));
  // Destroyed before the harness, and unhooked from the trace first: the
  // nodes' teardown (when the World goes) never calls it.
  Oracle oracle(harness, backend, run);
  // The Counters' own database, outside the nodes (counter_database.h).
  CounterDatabase database([&oracle](std::string_view where,
                                     std::string_view key, std::string_view op,
                                     int64_t amount, int64_t value) {
    oracle.Written(where, key, op, amount, value);
  });
  sharding::StaticRunnerResolver resolver;
  const StorageBug bug = BugOf(options.bug);
  const bool resend_new_key = options.bug == kResendNewKey;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    oracle.AddRunner(NodeId{i}, address);
    sharding::RunnerProcessOptions runner = ScenarioRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        NodeId{run.storage_node}, &resolver);
    if (bug != StorageBug::kNone) {
      runner.storage =
          [remote = std::move(runner.storage), bug](
              const NodeEnv& env,
              RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
        return std::make_unique<BuggyStorageClient>(remote(env, rpc), bug);
      };
    }
    Oracle* oracle_ptr = &oracle;
    CounterDatabase* database_ptr = &database;
    runner.register_entities = [oracle_ptr,
                                database_ptr](sharding::Sharding& sharding) {
      return sharding.RegisterEntity(
          counter::CounterDefinition(),
          counter::CounterFactory(
              database_ptr,
              [oracle_ptr](Snowflake request_id, const RunnerAddress& runner) {
                oracle_ptr->HandlerStarted(request_id, runner);
              }));
    };
    harness.AddNode(absl::StrCat("r", i),
                    [runner = std::move(runner), oracle_ptr, resend_new_key,
                     load = options.load_percent](
                        const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<CounterNode>(
                          env, runner, oracle_ptr, resend_new_key, load);
                    });
  }
  std::optional<SlowStorageLinks> slow;
  if (workload.slow_storage_on_shutdown && runners >= kSlowStorageRunner) {
    slow.emplace(harness, NodeId{kSlowStorageRunner}, NodeId{run.storage_node});
  }
  // Reply delivery is scoped by each shutdown, and the slow links last
  // exactly as long as theirs.
  const RollingRestart::Observer observe =
      [&oracle, &slow](NodeId node, bool shutting_down) {
        if (shutting_down) oracle.ShutdownBegan(node);
        if (slow.has_value() && node == slow->runner())
          slow->Slow(shutting_down);
      };
  // Runners 1..3 restart one at a time, at 1/4, 5/16 and 3/8 of the run.
  std::deque<RollingRestart> rolling;
  for (uint32_t i = 1; i <= std::min<uint32_t>(runners, kRollingRestarts);
       ++i) {
    rolling.emplace_back(harness.world(), NodeId{i}, end_us * (3 + i) / 16,
                         observe);
  }
  const absl::Status ran =
      RunWithStorage(harness, backend, oracle, ledger::kSettleUs);
  if (!ran.ok()) return ran;
  oracle.Finish();
  int64_t restarts = 0;
  for (const RollingRestart& r : rolling) restarts += r.restarts();
  harness.AddStat("rolling_restarts", restarts);
  if (slow.has_value()) {
    harness.AddStat("slow_storage_ms", slow->min_latency_us() / 1000);
    harness.AddStat("slow_storage_windows", slow->windows());
  }
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

Scenario CounterScenario() {
  return Scenario{
      .name = "counter",
      .description =
          "runners' clients send persisted increments (unique primary keys, "
          "resent on timeout) to 8 sharded Counter entities while runners "
          "1-3 restart in turn; storage is a node; checks single-activation, "
          "lock belief, single-writer, exactly-once replies, the ledger "
          "against the accepted operations, each reply's and each write's "
          "counter value against the history (entity-state), liveness, "
          "unique ids and assignment convergence (leases 3 s, "
          "refresh 1 s, polls 200-500 ms)",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants(
          {{std::string(kRedeliverAnswered),
            "runners' storage reads also return requests already answered, "
            "so handlers run again after their reply is recorded"},
           {std::string(kAcquireTakesHeldShards),
            "a lock acquisition reports shards another runner still holds "
            "as acquired, so two runners own them until the next refresh"},
           {std::string(kResendNewKey),
            "the client resends a timed-out increment under a new primary "
            "key, so storage cannot deduplicate it"}}),
      .run = &RunCounterWorkload,
  };
}

}  // namespace clustersim::scenarios
