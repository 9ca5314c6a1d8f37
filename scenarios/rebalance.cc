#include "scenarios/rebalance.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/runner_address.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/storage_server.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "scenarios/ledger_workload.h"
#include "sim/checkers/assignment_convergence.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using ledger::Increment;
using ledger::LedgerOracle;
using sim::checkers::AssignmentConvergenceChecker;

constexpr char kLedgerType[] = "Ledger";
constexpr int kEntities = 12;
constexpr int32_t kShards = 32;
constexpr int32_t kPort = 34431;

// Hosts whose vnodes tie in pairs (see rebalance.h); runners past these get
// hosts with no planned ties.
constexpr std::array<const char*, 8> kTiedHosts = {
    "rb27", "rb1176", "rb23", "rb1576", "rb65", "rb1776", "rb34", "rb2076"};

// Churn: a step every kMinChurnGapUs..kMaxChurnGapUs from kChurnStartUs; a
// graceful leave stops the node once its shutdown completed, or after
// kShutdownLimitUs.
constexpr int64_t kChurnStartUs = 3'000'000;
constexpr int64_t kMinChurnGapUs = 2'000'000;
constexpr int64_t kMaxChurnGapUs = 5'000'000;
constexpr int64_t kChurnEndMarginUs = 2'000'000;
constexpr int64_t kShutdownPollUs = 100'000;
constexpr int64_t kShutdownLimitUs = 10'000'000;
constexpr int kMinUp = 2;

RunnerAddress AddressOf(uint32_t i) {
  return RunnerAddress(i <= kTiedHosts.size() ? kTiedHosts[i - 1]
                                              : absl::StrCat("rb", 10'000 + i),
                       kPort);
}

class RebalanceNode : public Process {
 public:
  RebalanceNode(const NodeEnv& env,
                const sharding::RunnerProcessOptions& options,
                LedgerOracle* oracle, int load_percent)
      : env_(env),
        oracle_(oracle),
        load_percent_(load_percent),
        runner_(env, options) {
    env.scope->Spawn(ClientLoop(this), "rebalance.client");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

  void Shutdown() { runner_.Shutdown(); }
  bool shutdown_complete() const { return runner_.shutdown_complete(); }

 private:
  static Task<void> ClientLoop(RebalanceNode* self) {
    Random& random = *self->env_.random;
    co_await SleepMs(ledger::kClientStartMs);
    for (uint64_t seq = 1; self->oracle_->Issuing(); ++seq) {
      Increment op;
      op.key = absl::StrCat("l", UniformInt(random, 0, kEntities - 1));
      op.op = absl::StrCat("n", self->env_.self.value, ".",
                           self->env_.incarnation, "-", seq);
      op.amount = UniformInt(random, 1, ledger::kMaxAmount);
      op.primary_key = op.op;
      co_await ledger::SendUntilAnswered(
          *self->env_.scope, self->runner_.sharding(), *self->oracle_,
          std::move(op), ledger::kCallTimeoutMs, ledger::kResendDelayMs);
      co_await ledger::Think(random, self->load_percent_);
    }
  }

  NodeEnv env_;
  LedgerOracle* oracle_;
  int load_percent_;
  sharding::RunnerProcess runner_;
};

// Joins, graceful leaves and crashes of runner nodes (see rebalance.h).
class Churn {
 public:
  Churn(sim::World& world, uint32_t runners, int64_t end_us)
      : world_(world),
        random_(world.Stream("rebalance.churn")),
        max_up_(static_cast<int>(runners) / 2 + 1),
        end_us_(end_us),
        leaving_(runners + 1, 0),
        started_(runners + 1, false) {
    const uint32_t initial = std::max<uint32_t>(kMinUp, runners / 2);
    for (uint32_t n = 1; n <= std::min(initial, runners); ++n) {
      started_[n] = true;
    }
    // The others go down before they run anything (scheduled before the
    // nodes start, so first at time 0): they join later.
    world.ScheduleAt(0, Action{&Churn::KeepDown, this});
    world.ScheduleAt(kChurnStartUs, Action{&Churn::Step, this});
  }

  void AddStats(SimHarness& h) const {
    h.AddStat("joins", joins_);
    h.AddStat("new_addresses", new_addresses_);
    h.AddStat("graceful_leaves", leaves_);
    h.AddStat("churn_crashes", crashes_);
  }

 private:
  static void KeepDown(void* self) {
    auto* c = static_cast<Churn*>(self);
    for (uint32_t n = 1; n < c->started_.size(); ++n) {
      if (!c->started_[n]) c->world_.Crash(NodeId{n});
    }
  }

  static void Step(void* self) {
    auto* c = static_cast<Churn*>(self);
    c->Act();
    const int64_t next_us =
        c->world_.now_us() +
        UniformInt(c->random_, kMinChurnGapUs, kMaxChurnGapUs);
    if (next_us < c->end_us_) {
      c->world_.ScheduleAt(next_us, Action{&Churn::Step, c});
    }
  }

  void Act() {
    std::vector<uint32_t> up;
    std::vector<uint32_t> down;
    std::vector<uint32_t> fresh;
    for (uint32_t n = 1; n < leaving_.size(); ++n) {
      if (leaving_[n] != 0) continue;
      const sim::NodeState state = world_.state(NodeId{n});
      if (state == sim::NodeState::kUp) up.push_back(n);
      if (state == sim::NodeState::kDown) {
        (started_[n] ? down : fresh).push_back(n);
      }
    }
    const bool can_join = !down.empty() || !fresh.empty();
    const int up_count = static_cast<int>(up.size());
    const bool join =
        can_join &&
        (up_count <= kMinUp || (up_count < max_up_ && Bernoulli(random_, 0.4)));
    if (join) {
      const bool use_fresh =
          !fresh.empty() && (down.empty() || Bernoulli(random_, 0.5));
      std::vector<uint32_t>& from = use_fresh ? fresh : down;
      const uint32_t n = from[static_cast<size_t>(
          UniformInt(random_, 0, static_cast<int64_t>(from.size()) - 1))];
      new_addresses_ += started_[n] ? 0 : 1;
      started_[n] = true;
      world_.Start(NodeId{n});
      ++joins_;
      return;
    }
    if (up_count <= kMinUp) return;
    const uint32_t n = up[static_cast<size_t>(
        UniformInt(random_, 0, static_cast<int64_t>(up.size()) - 1))];
    if (Bernoulli(random_, 0.3)) {
      world_.Crash(NodeId{n});
      ++crashes_;
      return;
    }
    leaving_[n] = world_.incarnation(NodeId{n});
    static_cast<RebalanceNode*>(world_.process(NodeId{n}))->Shutdown();
    ++leaves_;
    Poll(n, world_.now_us() + kShutdownLimitUs);
  }

  // Stops a leaving node once its shutdown completed (or at the limit);
  // forgets it if a fault restarted or crashed it meanwhile.
  void Poll(uint32_t n, int64_t deadline_us) {
    polls_.push_back(PollState{this, n, deadline_us});
    world_.ScheduleAfter(kShutdownPollUs,
                         Action{&Churn::OnPoll, &polls_.back()});
  }

  struct PollState {
    Churn* churn;
    uint32_t node;
    int64_t deadline_us;
  };

  static void OnPoll(void* self) {
    auto* p = static_cast<PollState*>(self);
    Churn* c = p->churn;
    const NodeId node{p->node};
    if (c->world_.state(node) == sim::NodeState::kDown ||
        c->world_.incarnation(node) != c->leaving_[p->node]) {
      c->leaving_[p->node] = 0;
      return;
    }
    const bool done = c->world_.state(node) == sim::NodeState::kUp &&
                      static_cast<RebalanceNode*>(c->world_.process(node))
                          ->shutdown_complete();
    if (!done && c->world_.now_us() < p->deadline_us) {
      c->world_.ScheduleAfter(kShutdownPollUs, Action{&Churn::OnPoll, p});
      return;
    }
    c->world_.Crash(node);
    c->leaving_[p->node] = 0;
  }

  sim::World& world_;
  Random& random_;
  const int max_up_;
  const int64_t end_us_;
  // Node -> the incarnation shutting down (0: not leaving).
  std::vector<uint32_t> leaving_;
  std::vector<bool> started_;
  std::deque<PollState> polls_;
  int64_t joins_ = 0;
  int64_t new_addresses_ = 0;
  int64_t leaves_ = 0;
  int64_t crashes_ = 0;
};

absl::StatusOr<RunResult> RunRebalance(const RunOptions& options) {
  CHECK(options.runners >= 3);
  ledger::LedgerRun run(options, kLedgerType, kShards, ledger::kLivenessBoundUs,
                        ledger::kSettleUs);
  const uint32_t runners = run.runners();
  const int64_t end_us = run.end_us();
  SimHarness& harness = run.harness();
  LedgerOracle& oracle = run.oracle();
  const sharding::ShardingConfig probe =
      ScenarioRunnerConfig(AddressOf(1), options.mode, options.bug, kShards);
  const int64_t bound_us = AssignmentConvergenceChecker::BoundMs(
                               probe, kScenarioStorageCallTimeoutMs) *
                           1000;
  AssignmentConvergenceChecker convergence(
      {.shards = kShards,
       .bound_us = bound_us,
       .judge_from_us = ConvergenceJudgedFromUs(harness),
       .storage_node = runners + 1},
      oracle.Sink());
  oracle.set_trace_hook([&convergence](int64_t time_us, uint32_t node,
                                       std::string_view kind,
                                       std::string_view detail) {
    convergence.OnTraceEvent(time_us, node, kind, detail);
  });
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = AddressOf(i);
    resolver.Add(address, NodeId{i});
    convergence.AddRunner(i, address);
    sharding::RunnerProcessOptions runner = ledger::LedgerRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        run.storage_node(), &resolver,
        ledger::LedgerEntityOptions{.entity_type = kLedgerType,
                                    .oracle = &oracle});
    harness.AddNode(address.host(),
                    [runner = std::move(runner), oracle_ptr = &oracle,
                     load = options.load_percent](
                        const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<RebalanceNode>(env, runner,
                                                             oracle_ptr, load);
                    });
  }
  Churn churn(harness.world(), runners, end_us - bound_us - kChurnEndMarginUs);
  const absl::Status ran = run.Run();
  if (!ran.ok()) return ran;
  convergence.Finish(harness.world().now_us());
  oracle.Finish();
  churn.AddStats(harness);
  harness.AddStat("membership_changes", convergence.changes());
  harness.AddStat("converged_windows", convergence.converged());
  harness.AddStat("judged_windows", convergence.judged());
  harness.AddStat("max_convergence_ms", convergence.max_latency_us() / 1000);
  harness.AddStat("convergence_bound_ms", bound_us / 1000);
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario RebalanceScenario() {
  return Scenario{
      .name = "rebalance",
      .description =
          "runners join (some under addresses never seen), leave gracefully "
          "and crash every 2-5 s under a ledger load of 12 entities over 32 "
          "shards, with runner addresses whose vnode hashes tie; checks that "
          "every shard reaches its ring owner within the bound the config "
          "implies after each membership change (assignment-convergence), "
          "single-activation, exactly-once replies, effectively-once, "
          "liveness and unique ids",
      .default_runners = 8,
      .min_runners = 3,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants({}),
      .run = &RunRebalance,
  };
}

}  // namespace clustersim::scenarios
