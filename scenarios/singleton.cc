#include "scenarios/singleton.h"

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
#include "core/base/status_macros.h"
#include "core/cluster/cron.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/cluster_cron.h"
#include "core/sharding/config.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/sharding.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/harness.h"
#include "sim/checkers/exactly_once_reply.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/single_activation.h"
#include "sim/checkers/single_writer.h"
#include "sim/checkers/storage_watch.h"
#include "sim/duration.h"
#include "sim/node_clock.h"
#include "sim/prng.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

using sim::checkers::Finding;

constexpr std::string_view kSingletonInstance = "singleton-single-instance";
constexpr std::string_view kCronExactlyOnce = "cron-exactly-once";
constexpr std::string_view kProgress = "progress";

constexpr char kShardGroup[] = "default";
constexpr int32_t kShards = 16;
constexpr int32_t kFirstPort = 34431;

constexpr char kLedgerType[] = "Ledger";
constexpr char kLedgerId[] = "ledger";
constexpr char kRecordTag[] = "Record";
constexpr int64_t kLedgerWorkMs = 5;

constexpr char kCronName[] = "tick";
constexpr char kSchedule[] = "*/3 * * * * *";
// Cluster cron's own names for its entity and executor (cluster_cron.h).
constexpr char kCronExecutorId[] = "executor";
constexpr char kCronRunTag[] = "run";

constexpr char kLeader[] = "leader";
constexpr int64_t kLeaderStepMs = 250;

// The job's wait for the Record's reply, and the pause before a resend.
constexpr int64_t kCallTimeoutMs = 5'000;
constexpr int64_t kResendDelayMs = 200;

// Liveness, as counter: due within this bound after the later of a
// request's save (a tick's time) and the last fault's end; a run with timed
// faults lasts until kSettleUs after the last one.
constexpr int64_t kLivenessBoundUs = 15'000'000;
constexpr int64_t kSettleUs = 20'000'000;
// At the end, every singleton must have run, and "leader" stepped, this
// recently. Not "at the last instant": whole-run loss and storage errors
// never heal, so shards (and their singletons) may be between owners then.
constexpr int64_t kSingletonFreshUs = 10'000'000;

// The crash right after a run: after the job of these completed ticks (in
// the order they completed), a crash within kInFlightCrashMaxUs (before the
// next run's save can be acknowledged: one network hop takes at least
// 500 us) or within kRetryCrashMaxUs (during its retries), then a start
// kCrashRestartDelayUs later.
constexpr int kCrashAfterTicks[] = {2, 6, 10};
constexpr int64_t kInFlightCrashMaxUs = 400;
constexpr int64_t kRetryCrashMaxUs = 1'000'000;
constexpr int64_t kCrashRestartDelayUs = 4'000'000;

// --- The Ledger entity's contract ---------------------------------------

// A tick's effect: recorded once per tick, keyed by the tick's ISO time.
struct Record {
  int64_t tick_ms = 0;
};

void EncodeRecord(const Record& record, codec::ByteWriter& writer) {
  writer.PutSignedVarint(record.tick_ms);
}

absl::StatusOr<Record> DecodeRecord(codec::ByteReader& reader) {
  Record record;
  CLUSTERSIM_ASSIGN_OR_RETURN(record.tick_ms, reader.GetSignedVarint());
  return record;
}

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

EntityAddress AddressOf(const char* type, const char* id) {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId(id), kShardGroup, kShards);
  CHECK(shard.ok(), "scenario entity ids route");
  return EntityAddress(EntityType(type), EntityId(id), *shard);
}

const Cron& Schedule() {
  static const Cron* const cron = new Cron(*Cron::Parse(kSchedule));
  return *cron;
}

std::string ExitText(const storage::Exit& exit) {
  if (exit.is_success()) return absl::StrCat("success:", exit.value());
  return absl::StrCat("failure:", static_cast<int>(exit.cause().kind), ":",
                      exit.cause().message);
}

std::string RunnerName(uint32_t node) {
  return absl::StrCat("r", node, ":",
                      kFirstPort + static_cast<int32_t>(node) - 1);
}

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

// --- The crash right after a run ------------------------------------------

// Crashes a runner right after its job of a tick returned, and starts it
// again later (skipped if a fault restarted it meanwhile). Called from the
// runner's own fibers, so the crash itself is a world event.
class CrashAfterRun {
 public:
  CrashAfterRun(sim::World& world, uint64_t seed, int64_t until_us,
                const storage::StorageBackend& backend)
      : world_(world),
        rng_(sim::Prng::ForStream(seed, "singleton.crash-after-run")),
        until_us_(until_us),
        backend_(backend) {}

  // The job of `tick_ms`, the `ordinal`-th tick to complete, returned on
  // `node`.
  void JobReturned(NodeId node, int64_t tick_ms, int ordinal) {
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

  int64_t crashes() const { return crashes_; }
  int64_t before_successor_stored() const { return before_successor_stored_; }
  int64_t restarts() const { return restarts_; }

 private:
  struct Pending {
    CrashAfterRun* self;
    NodeId node;
    uint32_t incarnation;
    int64_t tick_ms;
  };

  static void Crash(void* p) {
    auto* pending = static_cast<Pending*>(p);
    CrashAfterRun& self = *pending->self;
    if (self.world_.state(pending->node) == sim::NodeState::kDown ||
        self.world_.incarnation(pending->node) != pending->incarnation) {
      return;
    }
    ++self.crashes_;
    if (!self.SuccessorStored(pending->tick_ms))
      ++self.before_successor_stored_;
    self.world_.Crash(pending->node);
    self.world_.ScheduleAfter(kCrashRestartDelayUs,
                              Action{&CrashAfterRun::StartAgain, pending});
  }

  static void StartAgain(void* p) {
    auto* pending = static_cast<Pending*>(p);
    CrashAfterRun& self = *pending->self;
    if (self.world_.state(pending->node) != sim::NodeState::kDown ||
        self.world_.incarnation(pending->node) != pending->incarnation) {
      return;
    }
    self.world_.Start(pending->node);
    ++self.restarts_;
  }

  // Whether storage holds the run that follows `tick_ms`.
  bool SuccessorStored(int64_t tick_ms) const {
    const absl::StatusOr<int64_t> next = Schedule().Next(tick_ms);
    return next.ok() && StoredCronRun(backend_, *next).has_value();
  }

  sim::World& world_;
  sim::Prng rng_;
  const int64_t until_us_;
  const storage::StorageBackend& backend_;
  std::deque<Pending> pending_;  // stable addresses for the world's actions
  int64_t crashes_ = 0;
  int64_t before_successor_stored_ = 0;
  int64_t restarts_ = 0;
};

// --- The oracle -----------------------------------------------------------

struct SingletonRun {
  storage::StorageMode mode;
  uint32_t storage_node;
};

// Sees the trace, the jobs, the ledger's handlers and the leader's steps from
// outside the nodes; feeds every checker.
class Oracle : public sim::TraceListener {
 public:
  Oracle(SimHarness& harness, const storage::StorageBackend& backend,
         const SingletonRun& run, CrashAfterRun& crash_after_run)
      : h_(harness),
        backend_(backend),
        run_(run),
        crash_after_run_(crash_after_run),
        activation_(Sink()),
        singletons_(Renamed(kSingletonInstance)),
        writer_(run.mode, Sink()),
        exactly_once_(Sink()),
        liveness_(kLivenessBoundUs, Sink()),
        watch_(run.storage_node, backend,
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
                       [this](int64_t time_us,
                              const storage::StorageAudit& audit) {
                         writer_.Poll(time_us, audit);
                       }}) {}

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override {
    activation_.OnTraceEvent(time_us, node, kind, detail);
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

  // --- From the nodes ---
  void LeaderStepped(uint32_t node) {
    last_leader_step_us_ = h_.world().now_us();
    auto it = singleton_address_.find(kLeader);
    if (it == singleton_address_.end()) return;
    singletons_.OnTraceEvent(
        h_.world().now_us(), node, "entity.step",
        absl::StrCat(it->second, " runner=", RunnerName(node)));
  }
  void LedgerHandlerStarted(Snowflake request_id, uint32_t node) {
    exactly_once_.OnHandlerStarted(h_.world().now_us(), request_id,
                                   RunnerName(node));
  }
  // The job of `tick_ms` got its Record's reply `exit` on `node`.
  void JobReturned(NodeId node, int64_t tick_ms, const storage::Exit& exit) {
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

  void Finish() {
    const int64_t now_us = h_.world().now_us();
    const NodeId storage{run_.storage_node};
    const bool cluster_up = h_.ClusterUpAtEnd(storage);
    const bool can_progress = h_.LivenessJudgedAtEnd(storage);
    if (can_progress) liveness_.Check(h_.quiet_time_us(), now_us);
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

 private:
  sim::checkers::FindingSink Sink() {
    return [this](Finding f) {
      h_.Violate(std::move(f.invariant), std::move(f.message));
    };
  }
  sim::checkers::FindingSink Renamed(std::string_view invariant) {
    return [this, invariant](Finding f) {
      h_.Violate(std::string(invariant), std::move(f.message));
    };
  }

  std::optional<Snowflake> StoredRecord(const std::string& iso) const {
    absl::StatusOr<std::optional<Snowflake>> id =
        backend_.state().RequestIdForPrimaryKey(storage::ComposePrimaryKey(
            AddressOf(kLedgerType, kLedgerId), kRecordTag, iso));
    return id.ok() ? *id : std::nullopt;
  }

  // A Record's reply is a tick's effect; cron runs reply with no value.
  void ExitAccepted(int64_t time_us, const storage::WithExit& exit) {
    const std::string request =
        absl::StrCat("request ", exit.request_id.ToString());
    exactly_once_.OnExitSaved(time_us, exit.request_id, ExitText(exit.exit));
    answered_.insert(exit.request_id);
    liveness_.OnReplied(time_us, request);
    if (!exit.exit.is_success() || exit.exit.value().empty()) return;
    absl::StatusOr<Record> record =
        RecordRpc().DecodeResponse(exit.exit.value());
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

  // The ticks from the first one that fired, in order. A tick that took no
  // effect is lost if no run of it is pending and none is pending below it
  // (a pending run's chain reaches it in time): its chain was cut, as when a
  // run is answered before its successor is stored; it is judged once a
  // later tick fired or it is due. Runs are serialized (one executor, and a
  // singleton that finds the chain behind starts a second one beside it),
  // so a tick is due within the liveness bound after the latest of its
  // time, the last fault's end and the previous tick's effect: after an
  // outage the chain catches up one run at a time. Returns how many ticks
  // were judged.
  int64_t CheckTicks(int64_t now_us) {
    if (fired_.empty()) return 0;
    const int64_t last_fired = fired_.rbegin()->first;
    int64_t judged = 0;
    int64_t previous_us = 0;
    bool pending_below = false;
    for (int64_t tick = fired_.begin()->first;;) {
      const int64_t due_us =
          std::max({TickGlobalUs(tick), h_.quiet_time_us(), previous_us}) +
          kLivenessBoundUs;
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

  enum class CronRunState { kNone, kPending, kAnswered };
  // The state of the cron's stored run of `tick_ms`.
  CronRunState CronRun(int64_t tick_ms) const {
    const std::optional<Snowflake> id = StoredCronRun(backend_, tick_ms);
    if (!id.has_value()) return CronRunState::kNone;
    return answered_.contains(*id) ? CronRunState::kAnswered
                                   : CronRunState::kPending;
  }

  // After the last fault, every singleton runs again somewhere (started,
  // stopped or alive within kSingletonFreshUs of the end), and the leader
  // steps.
  void CheckSingletonsRun(int64_t now_us) {
    const int64_t since_us = now_us - kSingletonFreshUs;
    for (const std::string name :
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

  SimHarness& h_;
  const storage::StorageBackend& backend_;
  const SingletonRun run_;
  CrashAfterRun& crash_after_run_;
  sim::checkers::SingleActivationChecker activation_;
  sim::checkers::SingleActivationChecker singletons_;
  sim::checkers::SingleWriterChecker writer_;
  sim::checkers::ExactlyOnceReplyChecker exactly_once_;
  sim::checkers::LivenessChecker liveness_;
  sim::checkers::StorageWatch watch_;
  // Singleton name -> its checker address, and its last start or stop.
  absl::btree_map<std::string, std::string> singleton_address_;
  absl::btree_map<std::string, int64_t> singleton_seen_us_;
  // Tick -> when its Record's reply was stored (its effect).
  absl::btree_map<int64_t, int64_t> fired_;
  // Requests with a stored reply.
  absl::btree_set<Snowflake> answered_;
  // Ticks whose job returned at least once.
  absl::btree_set<int64_t> executed_;
  int64_t last_leader_step_us_ = 0;
  int64_t job_runs_ = 0;
  int64_t job_reruns_ = 0;
  int64_t singleton_starts_ = 0;
  int64_t self_stops_ = 0;
};

// --- The Ledger entity and a runner node -----------------------------------

class LedgerEntity : public sharding::EntityHandler {
 public:
  LedgerEntity(uint32_t node, Oracle* oracle) : node_(node), oracle_(oracle) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    oracle_->LedgerHandlerStarted(request.request_id, node_);
    return RecordRpc().Serve(request,
                             [](Record record) { return Apply(record); });
  }

 private:
  static Task<absl::StatusOr<Record>> Apply(Record record) {
    co_await SleepMs(kLedgerWorkMs);
    co_return record;
  }

  uint32_t node_;
  Oracle* oracle_;
};

class SingletonNode : public Process {
 public:
  SingletonNode(const NodeEnv& env, sharding::RunnerProcessOptions options,
                Oracle* oracle)
      : env_(env),
        oracle_(oracle),
        runner_(env, WithRegistration(std::move(options), this)) {}

  void OnMessage(NodeId from, std::string_view bytes) override {
    runner_.OnMessage(from, bytes);
  }

 private:
  static sharding::RunnerProcessOptions WithRegistration(
      sharding::RunnerProcessOptions options, SingletonNode* self) {
    options.register_entities = [self](sharding::Sharding& sharding) {
      return self->Register(sharding);
    };
    return options;
  }

  absl::Status Register(sharding::Sharding& sharding) {
    sharding::EntityDefinition ledger{EntityType(kLedgerType)};
    ledger.Add(RecordRpc().Spec());
    const uint32_t node = env_.self.value;
    Oracle* oracle = oracle_;
    CLUSTERSIM_RETURN_IF_ERROR(sharding.RegisterEntity(
        std::move(ledger),
        [node, oracle](sharding::EntityContext&)
            -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
          return std::make_unique<LedgerEntity>(node, oracle);
        }));
    CLUSTERSIM_RETURN_IF_ERROR(sharding.RegisterSingleton(
        kLeader, kShardGroup, [this] { return Leader(this); }));
    sharding::ClusterCronOptions cron;
    cron.name = kCronName;
    cron.cron = Schedule();
    cron.calculate_next_run_from_previous = true;
    cron.execute = [this](int64_t tick_ms) { return Job(this, tick_ms); };
    return sharding::RegisterClusterCron(sharding, std::move(cron));
  }

  static Task<void> Leader(SingletonNode* self) {
    for (;;) {
      self->oracle_->LeaderStepped(self->env_.self.value);
      co_await SleepMs(kLeaderStepMs);
    }
  }

  // The tick's effect: its Record, resent under the same key until answered.
  static Task<absl::Status> Job(SingletonNode* self, int64_t tick_ms) {
    for (;;) {
      std::optional<absl::StatusOr<storage::Exit>> exit =
          co_await sharding::WithTimeout(
              *self->env_.scope,
              self->runner_.sharding().Send(
                  EntityType(kLedgerType), EntityId(kLedgerId), kRecordTag,
                  RecordRpc().EncodeRequest(Record{tick_ms})),
              kCallTimeoutMs);
      if (exit.has_value() && exit->ok()) {
        self->oracle_->JobReturned(self->env_.self, tick_ms, **exit);
        co_return absl::OkStatus();
      }
      co_await SleepMs(kResendDelayMs);
    }
  }

  NodeEnv env_;
  Oracle* oracle_;
  sharding::RunnerProcess runner_;
};

absl::StatusOr<RunResult> RunSingleton(const RunOptions& options) {
  CHECK(options.runners >= 1);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  const storage::StorageMode storage_mode =
      options.mode == Mode::kHardened ? storage::StorageMode::kHardened
                                      : storage::StorageMode::kReference;
  // The run's end as SimHarness::Run computes it.
  const int64_t end_us =
      options.faults.timed.empty()
          ? options.duration_us
          : std::max(options.duration_us,
                     options.faults.QuietTimeUs() + kSettleUs);
  const SingletonRun run{storage_mode, runners + 1};

  SimHarness harness(options, sim::LinkConfig{});
  storage::StorageBackend backend(
      ScenarioStorageOptions(storage_mode, options.bug));
  // Crashes after runs end with the run's settling time, as faults do.
  CrashAfterRun crash_after_run(harness.world(), options.seed,
                                end_us - kSettleUs, backend);
  // Unhooked from the trace before the nodes' teardown.
  Oracle oracle(harness, backend, run, crash_after_run);
  sharding::StaticRunnerResolver resolver;
  for (uint32_t i = 1; i <= runners; ++i) {
    const RunnerAddress address(absl::StrCat("r", i),
                                kFirstPort + static_cast<int32_t>(i) - 1);
    resolver.Add(address, NodeId{i});
    sharding::RunnerProcessOptions runner;
    runner.config =
        ScenarioRunnerConfig(address, options.mode, options.bug, kShards);
    runner.resolver = &resolver;
    const NodeId storage_node{run.storage_node};
    const sharding::ShardingConfig config = runner.config;
    runner.storage =
        [storage_node, address, config](
            const NodeEnv&,
            RpcEndpoint& rpc) -> std::unique_ptr<storage::StorageClient> {
      return RemoteStorage(rpc, storage_node, address, config);
    };
    Oracle* oracle_ptr = &oracle;
    harness.AddNode(
        absl::StrCat("r", i),
        [runner = std::move(runner),
         oracle_ptr](const NodeEnv& env) -> std::unique_ptr<Process> {
          return std::make_unique<SingletonNode>(env, runner, oracle_ptr);
        });
  }
  harness.AddNode("storage", [&backend](const NodeEnv& env) {
    return std::make_unique<storage::StorageServer>(env, backend);
  });
  harness.world().trace().set_listener(&oracle);
  BackendFaultSink storage_faults(backend);
  const absl::Status ran = harness.Run(kSettleUs, &storage_faults);
  if (!ran.ok()) {
    harness.world().trace().set_listener(nullptr);
    return ran;
  }
  oracle.Finish();
  harness.world().trace().set_listener(nullptr);
  return harness.Finish();
}

}  // namespace

Scenario SingletonScenario() {
  return Scenario{
      .name = "singleton",
      .description =
          "runners host the singleton \"leader\" (steps every 250 ms) and "
          "the ClusterCron \"tick\" (\"*/3 * * * * *\", next run from the "
          "previous), whose job records each tick once to a Ledger entity "
          "(persisted, keyed by the tick's ISO time); a runner is crashed "
          "right after the runs of ticks 2, 6 and 10 and restarted 4 s "
          "later; storage is a node; checks singleton-single-instance, "
          "single-activation, single-writer, exactly-once replies, "
          "cron-exactly-once (every tick from the first one fired to the "
          "last one due took effect once), liveness (requests and ticks "
          "within 15 s of the last fault, every singleton running in the "
          "last 10 s) "
          "and progress (leases 3 s, refresh 1 s, polls 200-500 ms)",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .mutants = WithCoreMutants({}),
      .run = &RunSingleton,
  };
}

}  // namespace clustersim::scenarios
