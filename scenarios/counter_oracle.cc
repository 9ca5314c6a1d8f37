#include "scenarios/counter_oracle.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/storage/envelope.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/counter_entity.h"
#include "scenarios/ledger_workload.h"
#include "sim/checkers/finding.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::scenarios::counter_internal {
namespace {

using sim::checkers::Finding;

// The check that the workload made progress at all.
constexpr std::string_view kProgress = "progress";

using counter::CounterAddress;
using counter::CounterApplied;
using counter::CounterIncrementRpc;
using counter::kShards;
using ledger::Increment;
using ledger::kIncrementTag;

}  // namespace

Oracle::Oracle(SimHarness& harness, const storage::StorageBackend& backend,
               const CounterRun& run)
    : h_(harness),
      backend_(backend),
      run_(run),
      activation_(Sink()),
      lock_belief_(
          StorageLockQuery(harness.world(), NodeId{run.storage_node}, backend),
          Sink()),
      writer_(run.mode, Sink()),
      exactly_once_(Sink()),
      delivery_bound_us_(
          ReplyDeliveryBoundUs(harness.options().faults, sim::LinkConfig{})),
      // Unjudged plans (no bound): no wait is ever ready in time.
      delivery_(
          delivery_bound_us_.value_or(0),
          delivery_bound_us_.has_value() ? harness.quiet_time_us() : INT64_MAX,
          run.storage_node, Sink()),
      liveness_(ledger::kLivenessBoundUs + harness.liveness_slack_us(), Sink()),
      ledger_(Sink()),
      state_(Sink()),
      ids_(Sink()),
      convergence_({.shards = kShards,
                    .bound_us = run.convergence_bound_us,
                    .judge_from_us = ConvergenceJudgedFromUs(harness),
                    .storage_node = run.storage_node},
                   Sink()),
      watch_(
          run.storage_node, backend,
          sim::checkers::StorageWatch::Callbacks{
              .request_saved = [this](
                                   int64_t time_us,
                                   Snowflake id) { RequestSaved(time_us, id); },
              .exit_accepted =
                  [this](int64_t time_us, const storage::WithExit& exit) {
                    ExitAccepted(time_us, exit);
                  },
              .reply_written =
                  [this](int64_t time_us, const storage::StorageAudit& audit) {
                    writer_.Poll(time_us, audit);
                  }}) {}

void Oracle::OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                          std::string_view detail) {
  activation_.OnTraceEvent(time_us, node, kind, detail);
  lock_belief_.OnTraceEvent(time_us, node, kind, detail);
  delivery_.OnTraceEvent(time_us, node, kind, detail);
  convergence_.OnTraceEvent(time_us, node, kind, detail);
  watch_.OnTraceEvent(time_us, node, kind, detail);
  if (kind == "shard.self_stop") ++self_stops_;
}

void Oracle::Answered(const Increment& op, const storage::Exit& exit) {
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

void Oracle::Finish() {
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
    return it == issued_.end() ? std::nullopt
                               : ExitStoredUs(Increment{it->second.first, op,
                                                        it->second.second, op});
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

sim::checkers::FindingSink Oracle::Sink() { return h_.Sink(); }

std::optional<Snowflake> Oracle::StoredRequest(const Increment& op) const {
  absl::StatusOr<std::optional<Snowflake>> id =
      backend_.state().RequestIdForPrimaryKey(storage::ComposePrimaryKey(
          CounterAddress(op.key), kIncrementTag, op.primary_key));
  return id.ok() ? *id : std::nullopt;
}

std::optional<int64_t> Oracle::ExitStoredUs(const Increment& op) const {
  const std::optional<Snowflake> id = StoredRequest(op);
  if (!id.has_value()) return std::nullopt;
  auto it = exits_.find(*id);
  if (it == exits_.end()) return std::nullopt;
  return it->second;
}

void Oracle::RequestSaved(int64_t time_us, Snowflake id) {
  exactly_once_.OnRequestSaved(time_us, id);
  liveness_.OnAccepted(time_us, absl::StrCat("request ", id.ToString()));
  ids_.Observe(time_us, id, absl::StrCat("request ", id.ToString()));
}

void Oracle::ExitAccepted(int64_t time_us, const storage::WithExit& exit) {
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

}  // namespace clustersim::scenarios::counter_internal
