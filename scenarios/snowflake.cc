#include "scenarios/snowflake.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
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
#include "sim/checkers/finding.h"
#include "sim/checkers/unique_ids.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using ledger::Increment;
using ledger::LedgerOracle;

constexpr char kIdMonotonic[] = "id-monotonic";
constexpr char kStampType[] = "Stamp";
constexpr int kEntities = 8;
constexpr int32_t kShards = 16;
constexpr int32_t kFirstPort = 34431;

// The burster: a burst every kMinBurstGapMs..kMaxBurstGapMs of the node's
// clock, of kMinBurstIds..kMaxBurstIds ids (past 8,192 the generator borrows
// two milliseconds ahead, where Effect 4.0's wrapped), then kBurstSends
// increments at once.
constexpr int64_t kMinBurstGapMs = 2'000;
constexpr int64_t kMaxBurstGapMs = 6'000;
constexpr int64_t kMinBurstIds = 1'000;
constexpr int64_t kMaxBurstIds = 10'000;
constexpr int kBurstSends = 4;

// The workload's clock steps: kClockSteps of them, step k at (2+k)/8 of the
// run, each kMinStepBackMs..kMaxStepBackMs back, followed after kCrashAfterUs
// by a crash and after kRestartAfterUs more by a restart.
constexpr int kClockSteps = 3;
constexpr int64_t kMinStepBackMs = 500;
constexpr int64_t kMaxStepBackMs = 3'000;
constexpr int64_t kCrashAfterUs = 200'000;
constexpr int64_t kRestartAfterUs = 300'000;

// Checks the ids each generator (node incarnation) hands out in bursts:
// unique cluster-wide (through the ledger oracle's checker) and, in hardened
// mode, strictly increasing.
// The value of `name` ("request=") in a trace detail, up to the next space.
std::string Field(std::string_view detail, std::string_view name) {
  const size_t at = detail.find(name);
  if (at == std::string_view::npos) return "";
  const std::string_view rest = detail.substr(at + name.size());
  return std::string(rest.substr(0, rest.find(' ')));
}

class BurstWatch {
 public:
  BurstWatch(LedgerOracle& oracle, uint32_t storage_node, bool judge_monotonic)
      : oracle_(oracle),
        storage_node_(storage_node),
        judge_monotonic_(judge_monotonic) {}

  void Drawn(uint32_t node, uint32_t incarnation, Snowflake id) {
    const int64_t now_us = oracle_.harness().world().now_us();
    ++drawn_;
    oracle_.ids().Observe(now_us, id,
                          absl::StrCat("burst n", node, ".", incarnation));
    auto [it, first] = last_.try_emplace({node, incarnation}, id);
    if (first) return;
    if (id.value() <= it->second.value()) {
      ++decreases_;
      if (judge_monotonic_ && decreases_ <= 3) {
        oracle_.Sink()(sim::checkers::Finding{
            kIdMonotonic, now_us,
            absl::StrCat("n", node, ".", incarnation, "'s generator gave ",
                         id.ToString(), " after ", it->second.ToString())});
      }
    }
    it->second = id;
  }

  // Storage refusing an id as a duplicate key is the id repeating too (the
  // repeat never got in, so the id checker cannot see it there): a server
  // trace event "storage.save_... request=R reply=P ... -> ... duplicate key
  // value violates unique constraint \"..._pkey\": id=N". A reply re-saved
  // under its own id (Effect retries a save whose answer was lost) is the
  // same use, not a repeat: it is counted (`reply_resaves_refused`) and left
  // to liveness.
  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) {
    if (node != storage_node_ || !kind.starts_with("storage.save_")) return;
    const std::string request = Field(detail, "request=");
    const std::string reply = Field(detail, "reply=");
    if (detail.ends_with("-> ok")) {
      if (!reply.empty()) saved_replies_.insert_or_assign(reply, request);
      return;
    }
    constexpr std::string_view kRefused = "duplicate key value violates";
    const size_t at = detail.find(kRefused);
    if (at == std::string_view::npos) return;
    const std::string repeated = Field(detail.substr(at), "id=");
    auto saved = saved_replies_.find(repeated);
    if (saved != saved_replies_.end() && saved->second == request) {
      ++resaves_refused_;
      return;
    }
    if (!refused_.insert(repeated).second) return;
    oracle_.Sink()(sim::checkers::Finding{
        sim::checkers::kUniqueIds, time_us,
        absl::StrCat("snowflake ", repeated,
                     " was issued again: storage refused it as a duplicate "
                     "key (",
                     std::string(kind), " of request ", request, ")")});
  }

  void AddStats(SimHarness& h) const {
    h.AddStat("burst_ids", drawn_);
    h.AddStat("id_decreases", decreases_);
    h.AddStat("reply_resaves_refused", resaves_refused_);
  }

 private:
  LedgerOracle& oracle_;
  const uint32_t storage_node_;
  const bool judge_monotonic_;
  absl::btree_set<std::string> refused_;
  // Reply id -> request id, of every reply storage accepted.
  absl::btree_map<std::string, std::string> saved_replies_;
  int64_t resaves_refused_ = 0;
  absl::btree_map<std::pair<uint32_t, uint32_t>, Snowflake> last_;
  int64_t drawn_ = 0;
  int64_t decreases_ = 0;
};

class SnowflakeNode : public Process {
 public:
  SnowflakeNode(const NodeEnv& env,
                const sharding::RunnerProcessOptions& options,
                LedgerOracle* oracle, BurstWatch* bursts, int load_percent)
      : env_(env),
        oracle_(oracle),
        bursts_(bursts),
        load_percent_(load_percent),
        runner_(env, options) {
    env.scope->Spawn(ClientLoop(this), "snowflake.client");
    env.scope->Spawn(BurstLoop(this), "snowflake.burst");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

 private:
  Increment NextOp(const std::string& tag) {
    Increment op;
    op.key = absl::StrCat("s", UniformInt(*env_.random, 0, kEntities - 1));
    op.op = absl::StrCat("n", env_.self.value, ".", env_.incarnation, "-", tag,
                         ++seq_);
    op.amount = UniformInt(*env_.random, 1, ledger::kMaxAmount);
    op.primary_key = op.op;
    return op;
  }

  static Task<void> ClientLoop(SnowflakeNode* self) {
    co_await SleepMs(ledger::kClientStartMs);
    while (self->oracle_->Issuing()) {
      co_await ledger::SendUntilAnswered(
          *self->env_.scope, self->runner_.sharding(), *self->oracle_,
          self->NextOp(""), ledger::kCallTimeoutMs, ledger::kResendDelayMs);
      co_await ledger::Think(*self->env_.random, self->load_percent_);
    }
  }

  static Task<void> BurstLoop(SnowflakeNode* self) {
    Random& random = *self->env_.random;
    for (;;) {
      co_await SleepMs(
          PauseAtLoadMs(UniformInt(random, kMinBurstGapMs, kMaxBurstGapMs),
                        self->load_percent_));
      if (!self->oracle_->Issuing()) co_return;
      const int64_t ids = UniformInt(random, kMinBurstIds, kMaxBurstIds);
      sharding::Sharding& sharding = self->runner_.sharding();
      for (int64_t i = 0; i < ids; ++i) {
        self->bursts_->Drawn(self->env_.self.value, self->env_.incarnation,
                             sharding.NextSnowflake());
      }
      for (int i = 0; i < kBurstSends; ++i) {
        self->env_.scope->Spawn(
            ledger::SendUntilAnswered(
                *self->env_.scope, sharding, *self->oracle_, self->NextOp("b"),
                ledger::kCallTimeoutMs, ledger::kResendDelayMs),
            "snowflake.burst_send");
      }
    }
  }

  NodeEnv env_;
  LedgerOracle* oracle_;
  BurstWatch* bursts_;
  int load_percent_;
  sharding::RunnerProcess runner_;
  uint64_t seq_ = 0;
};

// Steps a runner's wall clock back, then crashes and restarts it (see
// snowflake.h). Skipped if a fault has the node down or paused.
class StepThenRestart {
 public:
  StepThenRestart(sim::World& world, NodeId node, int64_t at_us,
                  int64_t back_ms)
      : world_(world), node_(node), back_ms_(back_ms) {
    world.ScheduleAt(at_us, Action{&StepThenRestart::Step, this});
  }

  int64_t done() const { return done_; }

 private:
  static void Step(void* self) {
    auto* s = static_cast<StepThenRestart*>(self);
    if (s->world_.state(s->node_) != sim::NodeState::kUp) return;
    s->world_.trace().Record(
        s->world_.now_us(), sim::kWorldNode, "workload.step",
        absl::StrCat(s->node_.value, ":-", s->back_ms_, "ms"));
    s->world_.clock(s->node_).Step(-s->back_ms_);
    s->incarnation_ = s->world_.incarnation(s->node_);
    s->world_.ScheduleAfter(kCrashAfterUs, Action{&StepThenRestart::Crash, s});
  }

  static void Crash(void* self) {
    auto* s = static_cast<StepThenRestart*>(self);
    if (s->world_.state(s->node_) != sim::NodeState::kUp ||
        s->world_.incarnation(s->node_) != s->incarnation_) {
      return;
    }
    s->world_.Crash(s->node_);
    s->world_.ScheduleAfter(kRestartAfterUs,
                            Action{&StepThenRestart::Start, s});
  }

  static void Start(void* self) {
    auto* s = static_cast<StepThenRestart*>(self);
    if (s->world_.state(s->node_) != sim::NodeState::kDown ||
        s->world_.incarnation(s->node_) != s->incarnation_) {
      return;
    }
    s->world_.Start(s->node_);
    ++s->done_;
  }

  sim::World& world_;
  NodeId node_;
  int64_t back_ms_;
  uint32_t incarnation_ = 0;
  int64_t done_ = 0;
};

absl::StatusOr<RunResult> RunSnowflake(const RunOptions& options) {
  ledger::LedgerRun run(options, kStampType, kShards, ledger::kLivenessBoundUs,
                        ledger::kSettleUs);
  const uint32_t runners = run.runners();
  const int64_t end_us = run.end_us();
  SimHarness& harness = run.harness();
  LedgerOracle& oracle = run.oracle();
  BurstWatch bursts(oracle, runners + 1, options.mode == Mode::kHardened);
  oracle.set_trace_hook([&bursts](int64_t time_us, uint32_t node,
                                  std::string_view kind,
                                  std::string_view detail) {
    bursts.OnTraceEvent(time_us, node, kind, detail);
  });
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    sharding::RunnerProcessOptions runner = ledger::LedgerRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        run.storage_node(), &resolver,
        ledger::LedgerEntityOptions{.entity_type = kStampType,
                                    .oracle = &oracle});
    harness.AddNode(absl::StrCat("r", i),
                    [runner = std::move(runner), oracle_ptr = &oracle,
                     bursts_ptr = &bursts, load = options.load_percent](
                        const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<SnowflakeNode>(
                          env, runner, oracle_ptr, bursts_ptr, load);
                    });
  }
  Random& steps = harness.world().Stream("snowflake.steps");
  std::deque<StepThenRestart> stepped;
  for (int k = 0; k < kClockSteps; ++k) {
    const NodeId node{1 + static_cast<uint32_t>(k) % runners};
    stepped.emplace_back(harness.world(), node, end_us * (2 + k) / 8,
                         UniformInt(steps, kMinStepBackMs, kMaxStepBackMs));
  }
  const absl::Status ran = run.Run();
  if (!ran.ok()) return ran;
  oracle.Finish();
  bursts.AddStats(harness);
  int64_t restarts = 0;
  for (const StepThenRestart& s : stepped) restarts += s.done();
  harness.AddStat("stepped_restarts", restarts);
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario SnowflakeScenario() {
  return Scenario{
      .name = "snowflake",
      .description =
          "runners draw bursts of 1,000-10,000 snowflakes in one instant and "
          "send increments to 8 sharded Stamp entities, while three runners "
          "in turn step their clocks back 0.5-3 s and restart; checks "
          "unique ids, per-generator monotonic ids (hardened), and the "
          "ledger workload's single-activation, exactly-once replies, "
          "effectively-once and liveness",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants({}),
      .run = &RunSnowflake,
  };
}

}  // namespace clustersim::scenarios
