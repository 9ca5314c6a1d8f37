#include "scenarios/bank.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/mix64.h"
#include "core/cluster/runner_address.h"
#include "core/runtime/distributions.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/reply.h"
#include "core/storage/storage_faults.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_runner.h"
#include "scenarios/bank_internal.h"
#include "scenarios/bank_transfer.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "sim/faults.h"
#include "sim/nemesis.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {

namespace {

using bank::Step;
using bank::Transfer;
using bank_internal::AccountDefinition;
using bank_internal::AccountEntity;
using bank_internal::AccountName;
using bank_internal::Applied;
using bank_internal::BankSetup;
using bank_internal::Intent;
using bank_internal::kAccounts;
using bank_internal::kAccountType;
using bank_internal::kLivenessBoundUs;
using bank_internal::Oracle;
using bank_internal::RpcFor;
using bank_internal::StepRequest;
using bank_internal::StepRpc;
using workflow::Cause;
using workflow::Outcome;

constexpr int32_t kShards = 16;
constexpr int32_t kFirstPort = 34531;

// The client: when it starts, the wait for an answer before asking again,
// the pause before that, the pause between transfers, transfer sizes and
// how often a transfer needs approval, is refused, or its start is resent.
constexpr int64_t kClientStartMs = 1'000;
constexpr int64_t kCallTimeoutMs = 5'000;
constexpr int64_t kResultTimeoutMs = 20'000;
constexpr int64_t kRetryDelayMs = 200;
constexpr int64_t kMinThinkMs = 10;
constexpr int64_t kMaxThinkMs = 200;
constexpr int64_t kMaxAmount = 50;
constexpr double kNeedsApproval = 0.3;
constexpr double kRefused = 0.3;
constexpr double kResendStart = 0.2;
constexpr int64_t kMinApprovalDelayMs = 500;
constexpr int64_t kMaxApprovalDelayMs = 3'000;
// A transfer still unfinished this long after its start is started and
// approved by any live node (its client may have died); checked this often.
constexpr int64_t kOrphanAfterUs = 10'000'000;
constexpr int64_t kOrphanCheckMs = 1'000;

// A run with timed faults lasts until kSettleUs after the last one (the
// liveness bound, kLivenessBoundUs, is in bank_internal.h).
constexpr int64_t kSettleUs = 30'000'000;
// A transfer's storage round trips in a row (its run request, each step's
// request, reply and journal reads, the deferred and the clock;
// SimHarness::liveness_slack_us adds their spikes).
constexpr int kStorageCallsPerTransfer = 20;

constexpr std::string_view kStepNewKey = "bank-step-new-key";
constexpr std::string_view kNoCompensation = "bank-no-compensation";

// --- A runner node: the runner, its workflow engine, its client ------------

class BankNode : public Process, public bank::Accounts {
 public:
  BankNode(const NodeEnv& env, sharding::RunnerProcessOptions options,
           const BankSetup* setup, Oracle* oracle)
      : env_(env),
        setup_(setup),
        oracle_(oracle),
        runner_(env, WithAccounts(std::move(options)),
                [this](workflow::WorkflowEngine& engine) {
                  return bank::RegisterTransfer(
                      engine, this,
                      bank::TransferOptions{.compensate = setup_->compensate});
                }) {
    env.scope->Spawn(ClientLoop(this), "bank.client");
    env.scope->Spawn(CaretakerLoop(this), "bank.caretaker");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

  // --- bank::Accounts: a step, asked until the Account answers ---
  Task<Outcome<std::string>> Apply(Step step, Transfer transfer) override {
    StepRequest request{transfer.key,
                        step == Step::kCredit ? transfer.to : transfer.from,
                        transfer.amount, bank::StepKey(transfer, step)};
    if (setup_->step_new_key) {
      request.primary_key = absl::StrCat(request.primary_key, "/",
                                         env_.incarnation, ".", ++new_keys_);
    }
    return AskAccount(this, step, std::move(request));
  }
  void OnCompensation(const std::string& execution_id, Step step) override {
    env_.trace->Record(
        "workflow.compensation",
        absl::StrCat(bank::kTransferTag, "/", execution_id,
                     " step=", std::string(bank::StepName(step))));
  }

 private:
  // The Account entities; the workflow runner adds the engine and the
  // Transfer workflow.
  sharding::RunnerProcessOptions WithAccounts(
      sharding::RunnerProcessOptions options) {
    options.register_entities = [this](sharding::Sharding& sharding) {
      return sharding.RegisterEntity(
          AccountDefinition(),
          [this](sharding::EntityContext&)
              -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
            return std::make_unique<AccountEntity>(setup_);
          });
    };
    return options;
  }

  static Task<Outcome<std::string>> AskAccount(BankNode* self, Step step,
                                               StepRequest request) {
    const StepRpc& rpc = RpcFor(step);
    for (;;) {
      std::optional<absl::StatusOr<storage::Exit>> exit =
          co_await sharding::WithTimeout(
              *self->env_.scope,
              self->runner_.runner().sharding().Send(
                  EntityType(kAccountType), EntityId(request.account),
                  rpc.tag(), rpc.EncodeRequest(request)),
              kCallTimeoutMs);
      if (exit.has_value() && exit->ok()) {
        absl::StatusOr<Applied> applied = rpc.FromExit(**exit);
        if (applied.ok()) co_return rpc.EncodeResponse(*applied);
        if (absl::IsFailedPrecondition(applied.status())) {
          co_return Cause::Fail(bank::kAccountClosed);
        }
        co_return Cause::Die(applied.status().ToString());
      }
      co_await SleepMs(kRetryDelayMs);
    }
  }

  // Starts the transfers of this node's book, old ones first (re-driven
  // after a restart), then new ones while the run lets it.
  static Task<void> ClientLoop(BankNode* self) {
    if (self->runner_.engine() == nullptr) co_return;  // registration failed
    co_await SleepMs(kClientStartMs);
    std::vector<Intent>& book = self->oracle_->Book(self->env_.self.value);
    for (size_t i = 0; i < book.size(); ++i) {
      if (book[i].observed_success.has_value()) continue;
      self->oracle_->Redriven();
      co_await Drive(self, i);
    }
    Random& random = *self->env_.random;
    while (self->oracle_->Issuing()) {
      Intent intent;
      Transfer& t = intent.transfer;
      t.key = absl::StrCat("n", self->env_.self.value, "-", book.size());
      const int from = static_cast<int>(UniformInt(random, 0, kAccounts - 1));
      const int to = static_cast<int>(
          (from + UniformInt(random, 1, kAccounts - 1)) % kAccounts);
      t.from = AccountName(from);
      t.to = AccountName(to);
      t.amount = UniformInt(random, 1, kMaxAmount);
      t.needs_approval = Bernoulli(random, kNeedsApproval);
      intent.approve = !t.needs_approval || !Bernoulli(random, kRefused);
      intent.applies = intent.approve && t.to != self->setup_->closed_account;
      absl::StatusOr<std::string> id = bank::TransferExecutionId(t);
      CHECK(id.ok(), "transfer keys are valid UTF-8");
      intent.execution_id = *id;
      book.push_back(std::move(intent));
      co_await Drive(self, book.size() - 1);
      co_await SleepMs(
          PauseAtLoadMs(UniformInt(random, kMinThinkMs, kMaxThinkMs),
                        self->setup_->load_percent));
    }
  }

  // Starts (or joins) the transfer book[index], gives its approval, and
  // waits for its result; every call is repeated until it is answered.
  static Task<void> Drive(BankNode* self, size_t index) {
    const Intent intent = self->oracle_->Book(self->env_.self.value)[index];
    workflow::WorkflowEngine& engine = *self->runner_.engine();
    const workflow::WorkflowDefinition& definition =
        *engine.Find(bank::kTransferTag);
    const std::string payload = bank::EncodeTransfer(intent.transfer);
    self->env_.trace->Record(
        "workflow.started",
        absl::StrCat(bank::kTransferTag, "/", intent.execution_id));
    {
      Intent& entry = self->oracle_->Book(self->env_.self.value)[index];
      if (entry.started_us == 0) entry.started_us = self->oracle_->NowUs();
    }
    Random& random = *self->env_.random;
    const int starts = Bernoulli(random, kResendStart) ? 2 : 1;
    for (int i = 0; i < starts; ++i) {
      if (i > 0) self->oracle_->StartResent();
      co_await Start(self, &definition, intent.execution_id, payload);
    }
    if (intent.transfer.needs_approval) {
      co_await SleepMs(
          UniformInt(random, kMinApprovalDelayMs, kMaxApprovalDelayMs));
      co_await Approve(self, self->env_.self.value, index);
    }
    for (;;) {
      std::optional<Outcome<std::string>> result =
          co_await sharding::WithTimeout(
              *self->env_.scope,
              workflow::Execute(engine, nullptr, definition,
                                intent.execution_id, payload),
              kResultTimeoutMs);
      // A transfer ends credited, or failed with its typed failure (refused
      // or rejected); an interrupt or a defect is no result of it.
      if (result.has_value() &&
          (result->ok() ||
           (result->cause().HasFails() && !result->cause().HasDies()))) {
        self->oracle_->Book(self->env_.self.value)[index].observed_success =
            result->ok();
        co_return;
      }
      co_await SleepMs(kRetryDelayMs);
    }
  }

  // Gives the approval (or the refusal) the intent book[node][index] holds.
  static Task<void> Approve(BankNode* self, uint32_t node, size_t index) {
    const Intent intent = self->oracle_->Book(node)[index];
    // Locals, not temporaries of the co_await: GCC's coroutines free such
    // temporaries too early.
    workflow::DeferredAddress approval{bank::kTransferTag, intent.execution_id,
                                       bank::kApprovalDeferred};
    workflow::Exit decision =
        intent.approve ? workflow::Exit::Success("approved")
                       : workflow::Exit::Failure(Cause::Fail(bank::kRejected));
    // A completion that was not sent (reference mode: Effect dies in the
    // caller) is sent again, as a client holding the decision would.
    for (;;) {
      const absl::Status sent =
          co_await workflow::Done(*self->runner_.engine(), approval, decision);
      if (sent.ok()) break;
      co_await SleepMs(kRetryDelayMs);
    }
    self->oracle_->Book(node)[index].approval_given = true;
  }

  // The caretaker of last resort: a transfer whose client died for good
  // before starting or approving it would never finish, so any live node,
  // once the client's window has long passed, starts it (a start is
  // idempotent: the execution id names it) and gives the approval its intent
  // holds (the first completion of a deferred wins, so a late duplicate is
  // harmless).
  static Task<void> CaretakerLoop(BankNode* self) {
    if (self->runner_.engine() == nullptr) co_return;
    const workflow::WorkflowDefinition* definition =
        self->runner_.engine()->Find(bank::kTransferTag);
    for (;;) {
      co_await SleepMs(kOrphanCheckMs);
      const int64_t now_us = self->oracle_->NowUs();
      std::vector<std::pair<uint32_t, size_t>> orphans;
      for (auto& [node, book] : self->oracle_->Books()) {
        for (size_t i = 0; i < book.size(); ++i) {
          const Intent& intent = book[i];
          if (intent.started_us > 0 && !intent.observed_success.has_value() &&
              !(intent.adopted &&
                (!intent.transfer.needs_approval || intent.approval_given)) &&
              now_us - intent.started_us > kOrphanAfterUs) {
            orphans.emplace_back(node, i);
          }
        }
      }
      for (const auto& [node, index] : orphans) {
        const Intent intent = self->oracle_->Book(node)[index];
        if (!intent.adopted) {
          co_await Start(self, definition, intent.execution_id,
                         bank::EncodeTransfer(intent.transfer));
          self->oracle_->Book(node)[index].adopted = true;
        }
        if (intent.transfer.needs_approval && !intent.approval_given) {
          co_await Approve(self, node, index);
        }
      }
    }
  }

  static Task<void> Start(BankNode* self,
                          const workflow::WorkflowDefinition* definition,
                          std::string execution_id, std::string payload) {
    for (;;) {
      std::optional<Outcome<std::string>> started =
          co_await sharding::WithTimeout(
              *self->env_.scope,
              workflow::Execute(*self->runner_.engine(), nullptr, *definition,
                                execution_id, payload,
                                workflow::ExecuteOptions{.discard = true}),
              kCallTimeoutMs);
      if (started.has_value() && started->ok()) co_return;
      co_await SleepMs(kRetryDelayMs);
    }
  }

  NodeEnv env_;
  const BankSetup* setup_;
  Oracle* oracle_;
  int64_t new_keys_ = 0;
  workflow::WorkflowRunner runner_;
};

absl::StatusOr<RunResult> RunBank(const RunOptions& options) {
  CHECK(options.runners >= 1);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  const BankSetup setup{.closed_account = AccountName(
                            static_cast<int>(Mix64(options.seed) % kAccounts)),
                        .step_new_key = options.bug == kStepNewKey,
                        .compensate = options.bug != kNoCompensation,
                        .mode = options.mode,
                        .load_percent = options.load_percent};

  SimHarness harness(options, sim::LinkConfig{}, kStorageCallsPerTransfer);
  const int64_t end_us = harness.end_us(kSettleUs);
  storage::StorageBackend backend(
      ScenarioStorageOptions(ScenarioStorageMode(options.mode), options.bug));
  Oracle oracle(harness, backend, runners + 1,
                StopIssuingUs(end_us, kLivenessBoundUs));
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address = NumberedRunnerAddress(i, kFirstPort);
    resolver.Add(address, NodeId{i});
    sharding::RunnerProcessOptions runner = ScenarioRunnerOptions(
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards),
        NodeId{runners + 1}, &resolver);
    harness.AddNode(absl::StrCat("r", i),
                    [runner = std::move(runner), &setup,
                     &oracle](const NodeEnv& env) -> std::unique_ptr<Process> {
                      return std::make_unique<BankNode>(env, runner, &setup,
                                                        &oracle);
                    });
  }
  const absl::Status ran = RunWithStorage(harness, backend, oracle, kSettleUs);
  if (!ran.ok()) return ran;
  oracle.Finish();
  harness.AddStat("closed_account",
                  static_cast<int64_t>(Mix64(options.seed) % kAccounts));
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario BankScenario() {
  return Scenario{
      .name = "bank",
      .description =
          "transfers between 6 sharded Account entities as workflows (debit "
          "with a refund compensation, durable sleep, optional approval "
          "through a durable deferred, credit; one seeded account refuses "
          "credits); clients start them with idempotency keys, resend "
          "starts and re-drive them after restarts; checks single-"
          "activation, lock belief, the workflow invariant, every transfer "
          "applied or "
          "compensated exactly once, conservation and liveness",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants(
          {{std::string(kStepNewKey),
            "account steps use a new primary key per call, so a step asked "
            "again applies twice"},
           {std::string(kNoCompensation),
            "the debit registers no refund, so failed transfers keep the "
            "money"}}),
      .run = &RunBank,
  };
}

}  // namespace clustersim::scenarios
