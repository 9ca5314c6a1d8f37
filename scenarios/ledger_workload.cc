#include "scenarios/ledger_workload.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/cluster/shard_routing.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/distributions.h"
#include "core/runtime/sync.h"
#include "core/sharding/async.h"
#include "core/storage/envelope.h"
#include "core/storage/storage_state.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"
#include "sim/world.h"

namespace clustersim::scenarios::ledger {
namespace {

constexpr std::string_view kProgress = "progress";

void EncodeIncrement(const Increment& in, codec::ByteWriter& writer) {
  writer.PutString(in.key);
  writer.PutString(in.op);
  writer.PutSignedVarint(in.amount);
  writer.PutString(in.primary_key);
}

absl::StatusOr<Increment> DecodeIncrement(codec::ByteReader& reader) {
  Increment in;
  CLUSTERSIM_ASSIGN_OR_RETURN(in.key, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.op, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.amount, reader.GetSignedVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.primary_key, reader.GetString());
  return in;
}

void EncodeApplied(const Applied& out, codec::ByteWriter& writer) {
  writer.PutString(out.key);
  writer.PutString(out.op);
  writer.PutSignedVarint(out.amount);
}

absl::StatusOr<Applied> DecodeApplied(codec::ByteReader& reader) {
  Applied out;
  CLUSTERSIM_ASSIGN_OR_RETURN(out.key, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.op, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.amount, reader.GetSignedVarint());
  return out;
}

IncrementRpcType* MakeRpc(const char* tag, bool persisted) {
  return new IncrementRpcType(
      tag, IncrementCodec(),
      sharding::WireCodec<Applied>{&EncodeApplied, &DecodeApplied},
      IncrementOptions<Applied>(persisted));
}

class LedgerEntity : public sharding::EntityHandler {
 public:
  LedgerEntity(sharding::EntityContext& context,
               std::shared_ptr<const LedgerEntityOptions> options)
      : context_(context), options_(std::move(options)) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    options_->oracle->HandlerStarted(request.request_id,
                                     context_.runner_address());
    if (request.tag == kVolatileTag) {
      return VolatileIncrementRpc().Serve(request, [this](Increment in) {
        return ApplyVolatile(this, std::move(in));
      });
    }
    return PersistedIncrementRpc().Serve(request, [this](Increment in) {
      return Apply(options_->work_ms_per_unit, std::move(in));
    });
  }

 private:
  static Task<absl::StatusOr<Applied>> Apply(int64_t work_ms_per_unit,
                                             Increment in) {
    co_await SleepMs(work_ms_per_unit * std::max<int64_t>(in.amount, 0));
    co_return Applied{std::move(in.key), std::move(in.op), in.amount};
  }

  static Task<absl::StatusOr<Applied>> ApplyVolatile(LedgerEntity* self,
                                                     Increment in) {
    co_await SleepMs(self->options_->work_ms_per_unit *
                     std::max<int64_t>(in.amount, 0));
    // Applied once the work is done: a handler cut short applied nothing.
    if (self->options_->on_volatile_applied) {
      self->options_->on_volatile_applied(in);
    }
    co_return Applied{std::move(in.key), std::move(in.op), in.amount};
  }

  sharding::EntityContext& context_;
  const std::shared_ptr<const LedgerEntityOptions> options_;
};

}  // namespace

sharding::WireCodec<Increment> IncrementCodec() {
  return {&EncodeIncrement, &DecodeIncrement};
}

const IncrementRpcType& PersistedIncrementRpc() {
  static const IncrementRpcType* const rpc = MakeRpc(kIncrementTag, true);
  return *rpc;
}

const IncrementRpcType& VolatileIncrementRpc() {
  static const IncrementRpcType* const rpc = MakeRpc(kVolatileTag, false);
  return *rpc;
}

EntityAddress LedgerAddress(const LedgerOptions& options,
                            const std::string& key) {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId(key), kShardGroup, options.shards);
  CHECK(shard.ok(), "ledger keys route");
  return EntityAddress(EntityType(options.entity_type), EntityId(key), *shard);
}

LedgerOracle::LedgerOracle(SimHarness& harness,
                           const storage::StorageBackend& backend,
                           LedgerOptions options)
    : h_(harness),
      backend_(backend),
      options_(std::move(options)),
      activation_(Sink()),
      lock_belief_(StorageLockQuery(harness.world(),
                                    NodeId{options_.storage_node}, backend),
                   Sink()),
      writer_(options_.mode == sharding::Mode::kHardened
                  ? storage::StorageMode::kHardened
                  : storage::StorageMode::kReference,
              Sink()),
      exactly_once_(Sink()),
      liveness_(options_.liveness_bound_us, Sink()),
      ledger_(Sink()),
      ids_(Sink()),
      watch_(
          options_.storage_node, backend,
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

void LedgerOracle::OnTraceEvent(int64_t time_us, uint32_t node,
                                std::string_view kind,
                                std::string_view detail) {
  activation_.OnTraceEvent(time_us, node, kind, detail);
  lock_belief_.OnTraceEvent(time_us, node, kind, detail);
  watch_.OnTraceEvent(time_us, node, kind, detail);
  if (kind == "shard.self_stop") ++self_stops_;
  if (hook_) hook_(time_us, node, kind, detail);
}

bool LedgerOracle::Issuing() const {
  return h_.world().now_us() < options_.stop_issuing_us;
}

void LedgerOracle::Issued(const Increment& op) {
  issued_.emplace(op.op, std::make_pair(op.key, op.amount));
}

void LedgerOracle::Answered(const Increment& op, const storage::Exit& exit) {
  ++answered_;
  exactly_once_.OnCallerReply(h_.world().now_us(), op.op, StoredRequest(op),
                              ExitText(exit));
}

void LedgerOracle::HandlerStarted(Snowflake request_id,
                                  const RunnerAddress& runner) {
  exactly_once_.OnHandlerStarted(h_.world().now_us(), request_id, runner.Key());
}

sim::checkers::FindingSink LedgerOracle::Sink() { return h_.Sink(); }

void LedgerOracle::Finish(int64_t volatile_answered) {
  sim::World& world = h_.world();
  const int64_t now_us = world.now_us();
  bool runner_up = false;
  for (uint32_t n = 1; n < options_.storage_node; ++n) {
    runner_up |= world.state(NodeId{n}) == sim::NodeState::kUp;
  }
  // As counter.h explains: whole-run loss never heals, and only hardened
  // mode retransmits calls.
  const sim::FaultPlan& plan = h_.options().faults;
  const bool lossless = plan.loss == 0 && plan.corrupt == 0;
  const bool cluster_up =
      !h_.stopped_early() && runner_up &&
      world.state(NodeId{options_.storage_node}) == sim::NodeState::kUp;
  const bool can_progress =
      cluster_up && (lossless || options_.mode == sharding::Mode::kHardened);
  if (can_progress) liveness_.Check(h_.quiet_time_us(), now_us);
  const bool complete = can_progress && liveness_.unjudged() == 0;
  for (const auto& [op, target] : issued_) {
    const std::optional<Snowflake> id =
        StoredRequest(Increment{target.first, op, target.second, op});
    if (id.has_value() && (complete || exits_.contains(*id))) {
      ledger_.Expect(op, target.first, target.second);
    }
  }
  ledger_.Check(now_us);
  if (complete) exactly_once_.CheckAllReplied(now_us);
  if (cluster_up && answered_ + volatile_answered == 0) {
    h_.Violate(std::string(kProgress),
               absl::StrCat("no operation completed: 0 of ", issued_.size(),
                            " persisted issued were answered, so no "
                            "invariant was exercised"));
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
      {"failure_exits", failure_exits_},
      {"ledger_total", total},
      {"activations", activation_.activations()},
      {"lock_belief_checks", lock_belief_.checked()},
      {"lease_self_stops", self_stops_},
      {"ids_observed", ids_.observed()},
      {"liveness_judged", can_progress ? 1 : 0},
      {"progress_judged", cluster_up ? 1 : 0},
      {"complete", complete ? 1 : 0},
  };
  for (const auto& [name, value] : stats) h_.AddStat(name, value);
}

std::optional<Snowflake> LedgerOracle::StoredRequest(
    const Increment& op) const {
  absl::StatusOr<std::optional<Snowflake>> id =
      backend_.state().RequestIdForPrimaryKey(storage::ComposePrimaryKey(
          LedgerAddress(options_, op.key), kIncrementTag, op.primary_key));
  return id.ok() ? *id : std::nullopt;
}

void LedgerOracle::RequestSaved(int64_t time_us, Snowflake id) {
  exactly_once_.OnRequestSaved(time_us, id);
  liveness_.OnAccepted(time_us, absl::StrCat("request ", id.ToString()));
  ids_.Observe(time_us, id, absl::StrCat("request ", id.ToString()));
}

void LedgerOracle::ExitAccepted(int64_t time_us,
                                const storage::WithExit& exit) {
  const std::string request =
      absl::StrCat("request ", exit.request_id.ToString());
  exits_.insert(exit.request_id);
  exactly_once_.OnExitSaved(time_us, exit.request_id, ExitText(exit.exit));
  liveness_.OnReplied(time_us, request);
  ids_.Observe(time_us, exit.id, absl::StrCat("the reply to ", request));
  absl::StatusOr<Applied> applied =
      exit.exit.is_success()
          ? PersistedIncrementRpc().DecodeResponse(exit.exit.value())
          : absl::StatusOr<Applied>(absl::InternalError("failed"));
  if (!applied.ok()) {
    ++failure_exits_;
    return;
  }
  ledger_.Record(applied->op, applied->key, applied->amount);
}

sharding::EntityDefinition LedgerDefinition(const std::string& entity_type) {
  sharding::EntityDefinition definition{EntityType(entity_type)};
  definition.Add(PersistedIncrementRpc().Spec());
  definition.Add(VolatileIncrementRpc().Spec());
  return definition;
}

absl::Status RegisterLedgerEntity(sharding::Sharding& sharding,
                                  LedgerEntityOptions options) {
  auto shared = std::make_shared<const LedgerEntityOptions>(std::move(options));
  return sharding.RegisterEntity(
      LedgerDefinition(shared->entity_type),
      [shared](sharding::EntityContext& context)
          -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
        return std::make_unique<LedgerEntity>(context, shared);
      });
}

sharding::RunnerProcessOptions LedgerRunnerOptions(
    sharding::ShardingConfig config, NodeId storage_node,
    const sharding::RunnerResolver* resolver, LedgerEntityOptions entity) {
  sharding::RunnerProcessOptions runner =
      ScenarioRunnerOptions(std::move(config), storage_node, resolver);
  runner.register_entities =
      [entity = std::move(entity)](sharding::Sharding& sharding) {
        return RegisterLedgerEntity(sharding, entity);
      };
  return runner;
}

LedgerRun::LedgerRun(const RunOptions& options, std::string entity_type,
                     int32_t shards, int64_t liveness_bound_us,
                     int64_t settle_us)
    : runners_(static_cast<uint32_t>(options.runners)),
      settle_us_(settle_us),
      harness_(options, sim::LinkConfig{}, kStorageCallsPerAnswer),
      end_us_(harness_.end_us(settle_us)),
      backend_(ScenarioStorageOptions(ScenarioStorageMode(options.mode),
                                      options.bug)),
      oracle_(harness_, backend_,
              LedgerOptions{.entity_type = std::move(entity_type),
                            .shards = shards,
                            .storage_node = runners_ + 1,
                            .mode = options.mode,
                            .liveness_bound_us = liveness_bound_us +
                                                 harness_.liveness_slack_us(),
                            .stop_issuing_us =
                                StopIssuingUs(end_us_, liveness_bound_us)}) {
  CHECK(options.runners >= 1);
}

absl::Status LedgerRun::Run() {
  return RunWithStorage(harness_, backend_, oracle_, settle_us_);
}

Task<void> Think(Random& random, int load_percent) {
  co_await SleepMs(PauseAtLoadMs(UniformInt(random, kMinThinkMs, kMaxThinkMs),
                                 load_percent));
}

Task<void> SendUntilAnswered(
    Scope& scope, sharding::Sharding& sharding, LedgerOracle& oracle,
    Increment op, int64_t timeout_ms, int64_t resend_delay_ms,
    std::function<void(const storage::Exit& exit)> on_answered) {
  oracle.Issued(op);
  for (;;) {
    std::optional<absl::StatusOr<storage::Exit>> exit =
        co_await sharding::WithTimeout(
            scope,
            sharding.Send(EntityType(oracle.options().entity_type),
                          EntityId(op.key), kIncrementTag,
                          PersistedIncrementRpc().EncodeRequest(op)),
            timeout_ms);
    if (exit.has_value() && exit->ok()) {
      oracle.Answered(op, **exit);
      if (on_answered) on_answered(**exit);
      co_return;
    }
    oracle.Resent();
    co_await SleepMs(resend_delay_ms);
  }
}

}  // namespace clustersim::scenarios::ledger
