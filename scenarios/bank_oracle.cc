// The bank's oracle: judges a run's ledger, compensations, conservation
// and liveness against the clients' books (bank_internal.h).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "scenarios/bank_internal.h"
#include "scenarios/bank_transfer.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "sim/checkers/finding.h"
#include "sim/world.h"

namespace clustersim::scenarios::bank_internal {
namespace {

constexpr std::string_view kCompensation = "compensation";
constexpr std::string_view kConservation = "conservation";

constexpr int64_t kInitialBalance = 1'000;

}  // namespace

Oracle::Oracle(SimHarness& harness, const storage::StorageBackend& backend,
               uint32_t storage_node, int64_t stop_issuing_us)
    : h_(harness),
      storage_node_(storage_node),
      stop_issuing_us_(stop_issuing_us),
      activation_(Sink()),
      lock_belief_(
          StorageLockQuery(harness.world(), NodeId{storage_node}, backend),
          Sink()),
      workflow_(kLivenessBoundUs + harness.liveness_slack_us(), Sink()),
      ledger_(Sink()),
      watch_(
          storage_node, backend,
          sim::checkers::StorageWatch::Callbacks{
              .request_saved = [](int64_t, Snowflake) {},
              .exit_accepted =
                  [this](int64_t, const storage::WithExit& exit) {
                    ExitAccepted(exit);
                  },
              .reply_written = [](int64_t, const storage::StorageAudit&) {}}) {}

void Oracle::OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                          std::string_view detail) {
  activation_.OnTraceEvent(time_us, node, kind, detail);
  lock_belief_.OnTraceEvent(time_us, node, kind, detail);
  workflow_.OnTraceEvent(time_us, node, kind, detail);
  watch_.OnTraceEvent(time_us, node, kind, detail);
  if (kind == "workflow.compensation") {
    const std::string_view execution = detail.substr(0, detail.find(' '));
    ++compensations_[std::string(execution)];
  }
}

void Oracle::Finish() {
  sim::World& world = h_.world();
  const int64_t now_us = world.now_us();
  // As counter judges it (SimHarness::LivenessJudgedAtEnd).
  const NodeId storage{storage_node_};
  const bool can_progress = h_.LivenessJudgedAtEnd(storage);
  if (can_progress) workflow_.CheckTerminal(h_.quiet_time_us(), now_us);
  const bool complete = can_progress && workflow_.unjudged() == 0;

  int64_t started = 0, finished = 0, applied = 0, compensated = 0;
  int64_t in_flight = 0;
  for (const auto& [node, book] : books_) {
    for (const Intent& intent : book) {
      ++started;
      const Transfer& t = intent.transfer;
      const bool done = intent.observed_success.has_value();
      finished += done ? 1 : 0;
      if (done) (*intent.observed_success ? applied : compensated) += 1;
      Judge(intent, done || complete);
      const StepCounts steps = steps_[t.key];
      if (steps.debit > 0 && steps.credit == 0 && steps.refund == 0) {
        in_flight += t.amount;
      }
    }
  }
  ledger_.Check(now_us);
  // Every effect belongs to a transfer of the books (else the ledger
  // reported it), so the total moved only by what is in flight.
  int64_t total = 0;
  for (const auto& [account, delta] : ledger_.Balances()) total += delta;
  if (total != -in_flight) {
    h_.Violate(
        std::string(kConservation),
        absl::StrCat("the accounts hold ", kAccounts * kInitialBalance + total,
                     " in all, not the initial ", kAccounts * kInitialBalance,
                     " less ", in_flight, " in flight"));
  }
  const std::pair<const char*, int64_t> stats[] = {
      {"transfers_started", started},
      {"transfers_finished", finished},
      {"transfers_applied", applied},
      {"transfers_compensated", compensated},
      {"starts_resent", resent_starts_},
      {"transfers_redriven", redriven_},
      {"in_flight_amount", in_flight},
      {"workflow_runs", workflow_.runs()},
      {"workflow_completed", workflow_.completed()},
      {"workflow_superseded_runs", workflow_.superseded_runs()},
      {"activations", activation_.activations()},
      {"lock_belief_checks", lock_belief_.checked()},
      {"liveness_judged", can_progress ? 1 : 0},
      {"complete", complete ? 1 : 0},
  };
  for (const auto& [name, value] : stats) h_.AddStat(name, value);
}

sim::checkers::FindingSink Oracle::Sink() { return h_.Sink(); }

void Oracle::ExitAccepted(const storage::WithExit& exit) {
  if (!exit.exit.is_success()) return;
  // Only account steps reply an Applied of a known step.
  absl::StatusOr<Applied> applied =
      RpcFor(Step::kDebit).DecodeResponse(exit.exit.value());
  if (!applied.ok()) return;
  StepCounts& counts = steps_[applied->transfer];
  if (applied->step == bank::StepName(Step::kDebit)) {
    ++counts.debit;
  } else if (applied->step == bank::StepName(Step::kCredit)) {
    ++counts.credit;
  } else if (applied->step == bank::StepName(Step::kRefund)) {
    ++counts.refund;
  } else {
    return;
  }
  ledger_.Record(absl::StrCat(applied->transfer, "/", applied->step),
                 applied->account, applied->delta);
}

void Oracle::Judge(const Intent& intent, bool final) {
  const Transfer& t = intent.transfer;
  const StepCounts steps = steps_[t.key];
  if (final || steps.debit > 0) {
    ledger_.Expect(bank::StepKey(t, Step::kDebit), t.from, -t.amount);
  }
  if (intent.applies && (final || steps.credit > 0)) {
    ledger_.Expect(bank::StepKey(t, Step::kCredit), t.to, t.amount);
  }
  if (!intent.applies && (final || steps.refund > 0)) {
    ledger_.Expect(bank::StepKey(t, Step::kRefund), t.from, t.amount);
  }
  if (intent.observed_success.has_value() &&
      *intent.observed_success != intent.applies) {
    h_.Violate(sim::checkers::kEffectivelyOnce,
               absl::StrCat("transfer ", t.key, " ended ",
                            *intent.observed_success ? "credited" : "refunded",
                            " though the model says it ",
                            intent.applies ? "applies" : "is refunded"));
  }
  const auto it = compensations_.find(
      absl::StrCat(bank::kTransferTag, "/", intent.execution_id));
  const int64_t runs = it == compensations_.end() ? 0 : it->second;
  if (final && !intent.applies && runs == 0) {
    h_.Violate(std::string(kCompensation),
               absl::StrCat("transfer ", t.key, " failed but ran no ",
                            "compensation"));
  }
  if (intent.applies && runs > 0) {
    h_.Violate(std::string(kCompensation),
               absl::StrCat("transfer ", t.key, " ran ", runs,
                            " compensations though it applies"));
  }
}

}  // namespace clustersim::scenarios::bank_internal
