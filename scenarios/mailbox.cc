#include "scenarios/mailbox.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/cluster/runner_address.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/outgoing.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/envelope.h"
#include "core/storage/storage_server.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "scenarios/ledger_workload.h"
#include "sim/checkers/finding.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using ledger::Applied;
using ledger::Increment;
using ledger::LedgerOracle;

constexpr char kVolatileOnce[] = "volatile-once";
constexpr char kRejectedNotApplied[] = "rejected-not-applied";
constexpr char kBoxType[] = "Box";
constexpr int kEntities = 16;
constexpr int32_t kShards = 16;
constexpr int32_t kFirstPort = 34431;

// The limits under test.
constexpr int64_t kMailboxCapacity = 3;
constexpr int64_t kMaxResidentEntities = 3;
constexpr int64_t kMaxIdleMs = 2'000;
constexpr int64_t kWorkMsPerUnit = 10;

// The hot set: kHotEntities consecutive entities, moving on every kHotPhaseMs.
constexpr int kHotEntities = 4;
constexpr int64_t kHotPhaseMs = 5'000;

// Persisted clients, as counter's.
constexpr int kPersistedClients = 2;

// The volatile burster.
constexpr int64_t kMinBurstGapMs = 1'000;
constexpr int64_t kMaxBurstGapMs = 3'000;
constexpr int kBurstSends = 6;
constexpr int64_t kResendAfterMs = 5;
constexpr int64_t kVolatileWaitMs = 2'000;

enum class Attempt { kAccepted, kMailboxFull, kAlreadyProcessing, kUnknown };

// The volatile operations: their attempts, applications and replies. An
// attempt is counted when it starts (so one still in flight at the end may
// have been applied) and uncounted when it is refused.
class VolatileLedger {
 public:
  explicit VolatileLedger(LedgerOracle& oracle) : oracle_(oracle) {}

  void Started(const std::string& op) { ++ops_[op].attempts; }
  void Ended(const std::string& op, Attempt attempt) {
    if (attempt == Attempt::kMailboxFull) ++mailbox_full_;
    if (attempt == Attempt::kAlreadyProcessing) ++already_processing_;
    if (attempt == Attempt::kMailboxFull ||
        attempt == Attempt::kAlreadyProcessing) {
      ++ops_[op].refused;
    }
  }
  void Applied(const Increment& in) { ++ops_[in.op].applied; }
  void Replied(const std::string& op, const ledger::Applied& applied) {
    const Op& o = ops_[op];
    ++replied_;
    // The handler reports before it answers.
    if (o.applied < 1 || applied.op != op) {
      Report(kVolatileOnce,
             absl::StrCat("volatile ", op, " was answered (", applied.op,
                          ") but applied ", o.applied, " times"));
    }
  }
  int64_t replied() const { return replied_; }

  void Finish(SimHarness& h) {
    for (const auto& [op, o] : ops_) {
      if (o.refused == o.attempts && o.applied > 0) {
        Report(kRejectedNotApplied,
               absl::StrCat("volatile ", op, " was refused on each of its ",
                            o.attempts, " attempts but applied ", o.applied,
                            " times"));
      } else if (o.applied > o.attempts - o.refused) {
        Report(kVolatileOnce,
               absl::StrCat("volatile ", op, " was applied ", o.applied,
                            " times for ", o.attempts - o.refused,
                            " attempts not refused"));
      }
    }
    h.AddStat("volatile_ops", static_cast<int64_t>(ops_.size()));
    h.AddStat("volatile_replied", replied_);
    h.AddStat("mailbox_full", mailbox_full_);
    h.AddStat("already_processing", already_processing_);
  }

 private:
  struct Op {
    int attempts = 0;
    int refused = 0;
    int applied = 0;
  };

  void Report(const char* invariant, std::string message) {
    oracle_.Sink()(sim::checkers::Finding{
        invariant, oracle_.harness().world().now_us(), std::move(message)});
  }

  LedgerOracle& oracle_;
  absl::btree_map<std::string, Op> ops_;
  int64_t replied_ = 0;
  int64_t mailbox_full_ = 0;
  int64_t already_processing_ = 0;
};

const sharding::RpcSpec& VolatileSpec() {
  static const sharding::RpcSpec* const spec =
      new sharding::RpcSpec(ledger::VolatileIncrementRpc().Spec());
  return *spec;
}

class MailboxNode : public Process {
 public:
  MailboxNode(const NodeEnv& env, const sharding::RunnerProcessOptions& options,
              LedgerOracle* oracle, VolatileLedger* volatiles, int load_percent)
      : env_(env),
        oracle_(oracle),
        volatiles_(volatiles),
        load_percent_(load_percent),
        runner_(env, options) {
    for (int i = 0; i < kPersistedClients; ++i) {
      env.scope->Spawn(ClientLoop(this, i), "mailbox.client");
    }
    env.scope->Spawn(BurstLoop(this), "mailbox.burst");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

 private:
  // An entity of the current hot set (by the node's clock).
  std::string HotKey() {
    const int64_t phase = env_.executor->NowMs() / kHotPhaseMs;
    const int64_t first = (phase * kHotEntities) % kEntities;
    return absl::StrCat(
        "b",
        (first + UniformInt(*env_.random, 0, kHotEntities - 1)) % kEntities);
  }

  Increment NextOp(const std::string& key, const std::string& tag) {
    Increment op;
    op.key = key;
    op.op = absl::StrCat("n", env_.self.value, ".", env_.incarnation, "-", tag,
                         ++seq_);
    op.amount = UniformInt(*env_.random, 1, ledger::kMaxAmount);
    op.primary_key = op.op;
    return op;
  }

  static Task<void> ClientLoop(MailboxNode* self, int client) {
    co_await SleepMs(ledger::kClientStartMs);
    while (self->oracle_->Issuing()) {
      co_await ledger::SendUntilAnswered(
          *self->env_.scope, self->runner_.sharding(), *self->oracle_,
          self->NextOp(self->HotKey(), absl::StrCat("p", client, ".")),
          ledger::kCallTimeoutMs, ledger::kResendDelayMs);
      co_await ledger::Think(*self->env_.random, self->load_percent_);
    }
  }

  static Task<void> BurstLoop(MailboxNode* self) {
    Random& random = *self->env_.random;
    co_await SleepMs(ledger::kClientStartMs);
    for (;;) {
      co_await SleepMs(
          PauseAtLoadMs(UniformInt(random, kMinBurstGapMs, kMaxBurstGapMs),
                        self->load_percent_));
      if (!self->oracle_->Issuing()) co_return;
      const std::string key = self->HotKey();
      // The same request twice: the first goes in ahead of the burst, and
      // the second lands while it runs.
      const storage::Request twice = self->Envelope(self->NextOp(key, "r"));
      self->env_.scope->Spawn(SendVolatile(self, twice), "mailbox.volatile");
      for (int i = 0; i < kBurstSends; ++i) {
        self->env_.scope->Spawn(
            SendVolatile(self, self->Envelope(self->NextOp(key, "v"))),
            "mailbox.volatile");
      }
      co_await SleepMs(kResendAfterMs);
      self->env_.scope->Spawn(SendVolatile(self, twice), "mailbox.volatile");
    }
  }

  storage::Request Envelope(const Increment& op) {
    absl::StatusOr<ShardId> shard =
        runner_.sharding().ShardFor(EntityId(op.key), ledger::kShardGroup);
    CHECK(shard.ok(), "box keys route");
    return storage::Request{
        runner_.sharding().NextSnowflake(),
        EntityAddress(EntityType(kBoxType), EntityId(op.key), *shard),
        ledger::kVolatileTag,
        ledger::VolatileIncrementRpc().EncodeRequest(op),
        {},
        std::nullopt,
        std::nullopt};
  }

  // One attempt: send, then wait for the reply if the send went through.
  static Task<void> SendVolatile(MailboxNode* self, storage::Request envelope) {
    absl::StatusOr<Increment> op =
        ledger::VolatileIncrementRpc().DecodeRequest(envelope.payload);
    CHECK(op.ok(), "our own payload decodes");
    self->volatiles_->Started(op->op);
    auto reply = std::make_shared<Deferred<storage::Exit>>();
    sharding::OutgoingRequest request{
        std::move(envelope), &VolatileSpec(), std::nullopt,
        [reply](storage::Reply r) {
          if (auto* exit = std::get_if<storage::WithExit>(&r)) {
            reply->Set(exit->exit);
          }
        }};
    std::optional<absl::Status> sent = co_await sharding::WithTimeout(
        *self->env_.scope,
        self->runner_.sharding().SendOutgoing(std::move(request), false,
                                              std::nullopt, std::nullopt),
        kVolatileWaitMs);
    Attempt attempt = Attempt::kUnknown;
    if (sent.has_value() && sent->ok()) attempt = Attempt::kAccepted;
    if (sent.has_value() && IsClusterError<MailboxFull>(*sent)) {
      attempt = Attempt::kMailboxFull;
    }
    if (sent.has_value() && IsClusterError<AlreadyProcessingMessage>(*sent)) {
      attempt = Attempt::kAlreadyProcessing;
    }
    self->volatiles_->Ended(op->op, attempt);
    if (attempt != Attempt::kAccepted) co_return;
    std::optional<storage::Exit> exit =
        co_await reply->WaitFor(kVolatileWaitMs);
    if (!exit.has_value()) co_return;
    absl::StatusOr<Applied> applied =
        ledger::VolatileIncrementRpc().FromExit(*exit);
    if (applied.ok()) self->volatiles_->Replied(op->op, *applied);
  }

  NodeEnv env_;
  LedgerOracle* oracle_;
  VolatileLedger* volatiles_;
  int load_percent_;
  sharding::RunnerProcess runner_;
  uint64_t seq_ = 0;
};

absl::StatusOr<RunResult> RunMailbox(const RunOptions& options) {
  ledger::LedgerRun run(options, kBoxType, kShards, ledger::kLivenessBoundUs,
                        ledger::kSettleUs);
  const uint32_t runners = run.runners();
  SimHarness& harness = run.harness();
  LedgerOracle& oracle = run.oracle();
  VolatileLedger volatiles(oracle);
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    sharding::ShardingConfig config =
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards);
    config.entity_mailbox_capacity = kMailboxCapacity;
    config.max_resident_entities = kMaxResidentEntities;
    config.entity_max_idle_time_ms = kMaxIdleMs;
    sharding::RunnerProcessOptions runner = ledger::LedgerRunnerOptions(
        std::move(config), run.storage_node(), &resolver,
        ledger::LedgerEntityOptions{
            .entity_type = kBoxType,
            .work_ms_per_unit = kWorkMsPerUnit,
            .oracle = &oracle,
            .on_volatile_applied = [&volatiles](const Increment& in) {
              volatiles.Applied(in);
            }});
    harness.AddNode(absl::StrCat("r", i),
                    [runner = std::move(runner), oracle_ptr = &oracle,
                     volatiles_ptr = &volatiles, load = options.load_percent](
                        const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<MailboxNode>(
                          env, runner, oracle_ptr, volatiles_ptr, load);
                    });
  }
  const absl::Status ran = run.Run();
  if (!ran.ok()) return ran;
  oracle.Finish(volatiles.replied());
  volatiles.Finish(harness);
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario MailboxScenario() {
  return Scenario{
      .name = "mailbox",
      .description =
          "back-pressure: mailboxes of 3, at most 3 resident entities per "
          "runner (idle ones reaped after 2 s), persisted and volatile "
          "increments to a moving hot set of 16 Box entities, volatile "
          "bursts past the mailbox and volatile resends under the same id "
          "while the first is processed; checks volatile-once, "
          "rejected-not-applied (MailboxFull, AlreadyProcessingMessage), and "
          "the ledger workload's exactly-once replies, effectively-once and "
          "liveness",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants({}),
      .run = &RunMailbox,
  };
}

}  // namespace clustersim::scenarios
