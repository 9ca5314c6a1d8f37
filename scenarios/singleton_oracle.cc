#include "scenarios/singleton_oracle.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/shard_routing.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/distributions.h"
#include "core/storage/envelope.h"
#include "core/storage/storage_state.h"
#include "scenarios/cluster_setup.h"
#include "sim/duration.h"
#include "sim/node_clock.h"

namespace clustersim::scenarios::singleton_scenario {

using sim::checkers::Finding;

// --- The Ledger entity's contract ---------------------------------------

namespace {

void EncodeRecord(const Record& record, codec::ByteWriter& writer) {
  writer.PutSignedVarint(record.tick_ms);
}

absl::StatusOr<Record> DecodeRecord(codec::ByteReader& reader) {
  Record record;
  CLUSTERSIM_ASSIGN_OR_RETURN(record.tick_ms, reader.GetSignedVarint());
  return record;
}

}  // namespace

const sharding::TypedRpc<Record, Record>& RecordRpc() {
  static const auto* const rpc = [] {
    sharding::TypedRpc<Record, Record>::Options options;
    options.persisted = true;
    options.uninterruptible = sharding::Uninterruptible::kClient;
    options.primary_key = [](const Record& record) {
      return std::optional<std::string>(FormatIsoMs(record.tick_ms));
    };
    const sharding::WireCodec<Record> codec{&EncodeRecord, &DecodeRecord};
    return new sharding::TypedRpc<Record, Record>(kRecordTag, codec, codec,
                                                  std::move(options));
  }();
  return *rpc;
}

namespace {

EntityAddress AddressOf(const char* type, const char* id) {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId(id), kShardGroup, kShards);
  CHECK(shard.ok(), "scenario entity ids route");
  return EntityAddress(EntityType(type), EntityId(id), *shard);
}

}  // namespace

const Cron& Schedule() {
  static const Cron* const cron = new Cron(*Cron::Parse(kSchedule));
  return *cron;
}

namespace {}  // namespace

std::string RunnerName(uint32_t node) {
  return absl::StrCat("r", node, ":",
                      kFirstPort + static_cast<int32_t>(node) - 1);
}

namespace {

int64_t TickGlobalUs(int64_t tick_ms) {
  return (tick_ms - sim::kSimEpochMs) * 1000;
}

// The cron's stored run of `tick_ms`, if any (the executor's runs are keyed
// by their ISO time).
std::optional<Snowflake> StoredCronRun(const storage::StorageBackend& backend,
                                       int64_t tick_ms) {
  static const std::string* const type =
      new std::string(absl::StrCat("ClusterCron/", kCronName));
  const absl::StatusOr<std::optional<Snowflake>> id =
      backend.state().RequestIdForPrimaryKey(
          storage::ComposePrimaryKey(AddressOf(type->c_str(), kCronExecutorId),
                                     kCronRunTag, FormatIsoMs(tick_ms)));
  return id.ok() ? *id : std::nullopt;
}

}  // namespace

// --- The crash right after a run ------------------------------------------

CrashAfterRun::CrashAfterRun(sim::World& world, uint64_t seed, int64_t until_us,
                             const storage::StorageBackend& backend)
    : world_(world),
      rng_(sim::Prng::ForStream(seed, "singleton.crash-after-run")),
      until_us_(until_us),
      backend_(backend) {}

void CrashAfterRun::JobReturned(NodeId node, int64_t tick_ms, int ordinal) {
  if (world_.now_us() >= until_us_ ||
      std::find(std::begin(kCrashAfterTicks), std::end(kCrashAfterTicks),
                ordinal) == std::end(kCrashAfterTicks)) {
    return;
  }
  const int64_t delay_us = UniformInt(
      rng_, 0, Bernoulli(rng_, 0.5) ? kInFlightCrashMaxUs : kRetryCrashMaxUs);
  pending_.push_back(Pending{this, node, world_.incarnation(node), tick_ms});
  world_.ScheduleAfter(delay_us,
                       Action{&CrashAfterRun::Crash, &pending_.back()});
}

void CrashAfterRun::Crash(void* p) {
  auto* pending = static_cast<Pending*>(p);
  CrashAfterRun& self = *pending->self;
  if (self.world_.state(pending->node) == sim::NodeState::kDown ||
      self.world_.incarnation(pending->node) != pending->incarnation) {
    return;
  }
  ++self.crashes_;
  if (!self.SuccessorStored(pending->tick_ms)) ++self.before_successor_stored_;
  self.world_.Crash(pending->node);
  self.world_.ScheduleAfter(kCrashRestartDelayUs,
                            Action{&CrashAfterRun::StartAgain, pending});
}

void CrashAfterRun::StartAgain(void* p) {
  auto* pending = static_cast<Pending*>(p);
  CrashAfterRun& self = *pending->self;
  if (self.world_.state(pending->node) != sim::NodeState::kDown ||
      self.world_.incarnation(pending->node) != pending->incarnation) {
    return;
  }
  self.world_.Start(pending->node);
  ++self.restarts_;
}

bool CrashAfterRun::SuccessorStored(int64_t tick_ms) const {
  const absl::StatusOr<int64_t> next = Schedule().Next(tick_ms);
  return next.ok() && StoredCronRun(backend_, *next).has_value();
}

// --- The oracle -----------------------------------------------------------

Oracle::Oracle(SimHarness& harness, const storage::StorageBackend& backend,
               const SingletonRun& run, CrashAfterRun& crash_after_run)
    : h_(harness),
      backend_(backend),
      run_(run),
      crash_after_run_(crash_after_run),
      activation_(Sink()),
      singletons_(Renamed(kSingletonInstance)),
      writer_(run.mode, Sink()),
      exactly_once_(Sink()),
      liveness_(kLivenessBoundUs + harness.liveness_slack_us(), Sink()),
      convergence_({.shards = kShards,
                    .bound_us = run.convergence_bound_us,
                    .judge_from_us = ConvergenceJudgedFromUs(harness),
                    .storage_node = run.storage_node},
                   Sink()),
      watch_(
          run.storage_node, backend,
          sim::checkers::StorageWatch::Callbacks{
              .request_saved =
                  [this](int64_t time_us, Snowflake id) {
                    exactly_once_.OnRequestSaved(time_us, id);
                    liveness_.OnAccepted(
                        time_us, absl::StrCat("request ", id.ToString()));
                  },
              .exit_accepted =
                  [this](int64_t time_us, const storage::WithExit& exit) {
                    ExitAccepted(time_us, exit);
                  },
              .reply_written =
                  [this](int64_t time_us, const storage::StorageAudit& audit) {
                    writer_.Poll(time_us, audit);
                  }}) {}

void Oracle::AddRunner(NodeId node, const RunnerAddress& address) {
  convergence_.AddRunner(node.value, address);
}

void Oracle::OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                          std::string_view detail) {
  activation_.OnTraceEvent(time_us, node, kind, detail);
  convergence_.OnTraceEvent(time_us, node, kind, detail);
  watch_.OnTraceEvent(time_us, node, kind, detail);
  // Singletons are judged as entities are: their start and stop become
  // entity events of the address "singleton <name> <shard>"; every other
  // event only advances the checker's clock (it judges resumed nodes at
  // the first event after their resume instant).
  std::string_view as = kind.starts_with("node.") ? kind : "";
  if (kind == "singleton.start" || kind == "singleton.stop") {
    as = kind == "singleton.start" ? "entity.start" : "entity.stop";
    const std::string_view name = detail.substr(0, detail.find(' '));
    singleton_address_.try_emplace(
        std::string(name), absl::StrCat("singleton ", std::string(detail)));
    singleton_seen_us_.insert_or_assign(std::string(name), time_us);
    if (kind == "singleton.start") ++singleton_starts_;
  }
  if (kind == "shard.self_stop") ++self_stops_;
  const std::string singleton_detail =
      as.starts_with("entity.")
          ? absl::StrCat("singleton ", std::string(detail),
                         " runner=", RunnerName(node))
          : std::string();
  singletons_.OnTraceEvent(time_us, node, as, singleton_detail);
}

void Oracle::LeaderStepped(uint32_t node) {
  last_leader_step_us_ = h_.world().now_us();
  auto it = singleton_address_.find(kLeader);
  if (it == singleton_address_.end()) return;
  singletons_.OnTraceEvent(
      h_.world().now_us(), node, "entity.step",
      absl::StrCat(it->second, " runner=", RunnerName(node)));
}

void Oracle::LedgerHandlerStarted(Snowflake request_id, uint32_t node) {
  exactly_once_.OnHandlerStarted(h_.world().now_us(), request_id,
                                 RunnerName(node));
}

void Oracle::JobReturned(NodeId node, int64_t tick_ms,
                         const storage::Exit& exit) {
  ++job_runs_;
  const std::string iso = FormatIsoMs(tick_ms);
  exactly_once_.OnCallerReply(h_.world().now_us(), iso, StoredRecord(iso),
                              ExitText(exit));
  if (!executed_.insert(tick_ms).second) {
    ++job_reruns_;
    return;
  }
  crash_after_run_.JobReturned(node, tick_ms,
                               static_cast<int>(executed_.size()));
}

void Oracle::Finish() {
  const int64_t now_us = h_.world().now_us();
  const NodeId storage{run_.storage_node};
  const bool cluster_up = h_.ClusterUpAtEnd(storage);
  const bool can_progress = h_.LivenessJudgedAtEnd(storage);
  if (can_progress) liveness_.Check(h_.quiet_time_us(), now_us);
  convergence_.Finish(now_us);
  const bool complete = can_progress && liveness_.unjudged() == 0;
  if (complete) exactly_once_.CheckAllReplied(now_us);
  int64_t ticks_judged = 0;
  if (can_progress) ticks_judged = CheckTicks(now_us);
  if (can_progress) CheckSingletonsRun(now_us);
  if (cluster_up && fired_.empty()) {
    h_.Violate(std::string(kProgress),
               "no cron tick fired, so no invariant was exercised");
  }
  const std::pair<const char*, int64_t> stats[] = {
      {"ticks_fired", static_cast<int64_t>(fired_.size())},
      {"ticks_judged", ticks_judged},
      {"job_runs", job_runs_},
      {"job_reruns", job_reruns_},
      {"crashes_after_run", crash_after_run_.crashes()},
      {"crashes_before_successor_stored",
       crash_after_run_.before_successor_stored()},
      {"crash_restarts", crash_after_run_.restarts()},
      {"singleton_starts", singleton_starts_},
      {"singleton_overlaps_paused", singletons_.overlaps_with_paused()},
      {"activations", activation_.activations()},
      {"membership_changes", convergence_.changes()},
      {"judged_windows", convergence_.judged()},
      {"max_convergence_ms", convergence_.max_latency_us() / 1000},
      {"lease_self_stops", self_stops_},
      {"requests_saved", exactly_once_.requests_saved()},
      {"exits_saved", exactly_once_.exits_saved()},
      {"single_writer_violations", writer_.violations()},
      {"liveness_judged", can_progress ? 1 : 0},
      {"progress_judged", cluster_up ? 1 : 0},
      {"complete", complete ? 1 : 0},
  };
  for (const auto& [name, value] : stats) h_.AddStat(name, value);
}

std::optional<Snowflake> Oracle::StoredRecord(const std::string& iso) const {
  absl::StatusOr<std::optional<Snowflake>> id =
      backend_.state().RequestIdForPrimaryKey(storage::ComposePrimaryKey(
          AddressOf(kLedgerType, kLedgerId), kRecordTag, iso));
  return id.ok() ? *id : std::nullopt;
}

void Oracle::ExitAccepted(int64_t time_us, const storage::WithExit& exit) {
  const std::string request =
      absl::StrCat("request ", exit.request_id.ToString());
  exactly_once_.OnExitSaved(time_us, exit.request_id, ExitText(exit.exit));
  answered_.insert(exit.request_id);
  liveness_.OnReplied(time_us, request);
  if (!exit.exit.is_success() || exit.exit.value().empty()) return;
  absl::StatusOr<Record> record = RecordRpc().DecodeResponse(exit.exit.value());
  if (!record.ok()) return;
  const std::string iso = FormatIsoMs(record->tick_ms);
  const auto [it, first] = fired_.try_emplace(record->tick_ms, time_us);
  if (!first) {
    h_.Violate(std::string(kCronExactlyOnce),
               absl::StrCat("tick ", iso, " took effect twice: at ",
                            sim::FormatDurationUs(it->second), " and ",
                            sim::FormatDurationUs(time_us)));
  }
  const absl::StatusOr<int64_t> on_schedule =
      Schedule().Next(record->tick_ms - 1);
  if (!on_schedule.ok() || *on_schedule != record->tick_ms) {
    h_.Violate(
        std::string(kCronExactlyOnce),
        absl::StrCat("tick ", iso, " is not on the schedule ", kSchedule));
  }
}

int64_t Oracle::CheckTicks(int64_t now_us) {
  if (fired_.empty()) return 0;
  const int64_t last_fired = fired_.rbegin()->first;
  int64_t judged = 0;
  int64_t previous_us = 0;
  bool pending_below = false;
  for (int64_t tick = fired_.begin()->first;;) {
    const int64_t due_us =
        std::max({TickGlobalUs(tick), h_.quiet_time_us(), previous_us}) +
        kLivenessBoundUs + h_.liveness_slack_us();
    const bool is_due = due_us <= now_us;
    const std::string iso = FormatIsoMs(tick);
    auto it = fired_.find(tick);
    const CronRunState run = CronRun(tick);
    if (tick > last_fired && !is_due) break;  // nothing left to judge
    ++judged;
    if (it != fired_.end()) {
      // A run that took effect but is not answered yet has its successor
      // still to store.
      pending_below |= run == CronRunState::kPending;
      if (it->second > due_us) {
        h_.Violate(sim::checkers::kLiveness,
                   absl::StrCat("tick ", iso, " took effect at ",
                                sim::FormatDurationUs(it->second),
                                ", after it was due (",
                                sim::FormatDurationUs(due_us), ")"));
      }
      previous_us = it->second;
    } else if (run == CronRunState::kPending ||
               (run == CronRunState::kNone && pending_below)) {
      pending_below = true;
      if (is_due) {
        h_.Violate(sim::checkers::kLiveness,
                   absl::StrCat("tick ", iso, " had not taken effect by ",
                                sim::FormatDurationUs(due_us),
                                " (its chain is behind)"));
      }
      previous_us = due_us;
    } else {
      h_.Violate(std::string(kCronExactlyOnce),
                 absl::StrCat("tick ", iso, " was lost: ",
                              run == CronRunState::kAnswered
                                  ? "its run was answered without its effect"
                                  : "no run of it was stored",
                              ", and no pending run comes before it"));
      previous_us = due_us;
    }
    const absl::StatusOr<int64_t> next = Schedule().Next(tick);
    if (!next.ok()) break;
    tick = *next;
  }
  return judged;
}

void Oracle::CheckSingletonsRun(int64_t now_us) {
  const int64_t since_us = now_us - kSingletonFreshUs;
  for (const std::string& name :
       {std::string(kLeader), absl::StrCat("ClusterCron/", kCronName)}) {
    auto address = singleton_address_.find(name);
    auto seen = singleton_seen_us_.find(name);
    const bool ran =
        address != singleton_address_.end() &&
        (singletons_.IsAlive(address->second) || seen->second >= since_us);
    if (!ran) {
      h_.Violate(
          sim::checkers::kLiveness,
          absl::StrCat("singleton ", name, " ran on no runner in the last ",
                       sim::FormatDurationUs(kSingletonFreshUs)));
    }
  }
  if (last_leader_step_us_ < since_us) {
    h_.Violate(sim::checkers::kLiveness,
               absl::StrCat("singleton ", kLeader, " last stepped at ",
                            sim::FormatDurationUs(last_leader_step_us_)));
  }
}

Oracle::CronRunState Oracle::CronRun(int64_t tick_ms) const {
  const std::optional<Snowflake> id = StoredCronRun(backend_, tick_ms);
  if (!id.has_value()) return CronRunState::kNone;
  return answered_.contains(*id) ? CronRunState::kAnswered
                                 : CronRunState::kPending;
}

}  // namespace clustersim::scenarios::singleton_scenario
