#include "core/sharding/cluster_cron.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/sync.h"

namespace clustersim::sharding {
namespace {

constexpr char kExecutorId[] = "executor";
constexpr char kRunTag[] = "run";
constexpr char kStartTag[] = "start";
// Effect's retry policy: min(exponential(200 ms, 1.5), spaced(1 min)).
constexpr int64_t kRetryBaseMs = 200;
constexpr int64_t kRetryCapMs = 60'000;

struct CronPayload {
  int64_t scheduled_ms = 0;
  bool executor = false;
};

std::string EncodePayload(const CronPayload& payload) {
  codec::ByteWriter writer;
  writer.PutSignedVarint(payload.scheduled_ms);
  writer.PutBool(payload.executor);
  return writer.Release();
}

absl::StatusOr<CronPayload> DecodePayload(std::string_view bytes) {
  codec::ByteReader reader(bytes);
  CLUSTERSIM_ASSIGN_OR_RETURN(int64_t scheduled_ms, reader.GetSignedVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(bool executor, reader.GetBool());
  CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
  return CronPayload{scheduled_ms, executor};
}

int64_t RetryDelayMs(int attempt) {
  double delay = kRetryBaseMs;
  for (int i = 0; i < attempt && delay < kRetryCapMs; ++i) delay *= 1.5;
  return std::min<int64_t>(static_cast<int64_t>(delay), kRetryCapMs);
}

// What the entity handlers and the singleton of one cron share.
struct CronJob {
  Sharding* sharding;
  ClusterCronOptions options;
  EntityType type;

  bool from_previous() const {
    return options.calculate_next_run_from_previous;
  }
  absl::StatusOr<int64_t> Next(int64_t after_ms) const {
    return options.cron->Next(after_ms);
  }

  // Discard-sends the run of `scheduled_ms`, retried until it is sent.
  Task<void> Schedule(int64_t scheduled_ms) const {
    const CronPayload payload{scheduled_ms, from_previous()};
    const std::string id =
        from_previous() ? std::string(kExecutorId) : FormatIsoMs(scheduled_ms);
    for (int attempt = 0;; ++attempt) {
      EntityId entity(id);
      std::string tag = kRunTag;
      std::string bytes = EncodePayload(payload);
      const absl::Status sent = co_await sharding->SendDiscard(
          type, std::move(entity), std::move(tag), std::move(bytes));
      if (sent.ok()) co_return;
      co_await SleepMs(RetryDelayMs(attempt));
    }
  }

  // The singleton: start the chain (idempotent by primary key or by the
  // executor's own check).
  Task<void> Start() const {
    if (!from_previous()) {
      const absl::StatusOr<int64_t> next = Next(sharding->NowMs());
      if (next.ok()) co_await Schedule(*next);
      co_return;
    }
    for (int attempt = 0;; ++attempt) {
      EntityId executor(kExecutorId);
      std::string tag = kStartTag;
      std::string empty;
      absl::StatusOr<storage::Exit> started = co_await sharding->Send(
          type, std::move(executor), std::move(tag), std::move(empty));
      if (started.ok()) co_return;
      co_await SleepMs(RetryDelayMs(attempt));
    }
  }
};

class CronHandler : public EntityHandler {
 public:
  CronHandler(std::shared_ptr<const CronJob> cron, EntityContext* context)
      : cron_(std::move(cron)), context_(context) {}

  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    if (request.tag == kStartTag) {
      // A run processed here means the chain is alive.
      if (!processed_run_) {
        const absl::StatusOr<int64_t> next = cron_->Next(context_->NowMs());
        if (!next.ok()) co_return NoNextRun(next.status());
        co_await cron_->Schedule(*next);
      }
      co_return storage::Exit::Success("");
    }
    absl::StatusOr<CronPayload> payload = DecodePayload(request.payload);
    if (!payload.ok()) {
      co_return storage::Exit::Failure(storage::Cause{
          storage::CauseKind::kDie, std::string(payload.status().message())});
    }
    const int64_t scheduled_ms = payload->scheduled_ms;
    if (cron_->from_previous() &&
        context_->address().entity_id().value() != kExecutorId) {
      // A run scheduled by an earlier release joins the executor's chain.
      co_await cron_->Schedule(scheduled_ms);
      co_return storage::Exit::Success("");
    }
    processed_run_ = true;
    if (scheduled_ms >=
        context_->NowMs() - cron_->options.skip_if_older_than_ms) {
      const absl::Status status = co_await cron_->options.execute(scheduled_ms);
      (void)status;  // Effect logs a failure; the schedule goes on.
    }
    const absl::StatusOr<int64_t> next =
        cron_->Next(cron_->from_previous() ? scheduled_ms : context_->NowMs());
    if (!next.ok()) co_return NoNextRun(next.status());
    co_await cron_->Schedule(*next);
    co_return storage::Exit::Success("");
  }

 private:
  static storage::Exit NoNextRun(const absl::Status& status) {
    return storage::Exit::Failure(storage::Cause{
        storage::CauseKind::kDie, std::string(status.message())});
  }

  std::shared_ptr<const CronJob> cron_;
  EntityContext* context_;
  bool processed_run_ = false;
};

Task<void> StartCron(std::shared_ptr<const CronJob> cron) {
  co_await cron->Start();
}

}  // namespace

absl::Status RegisterClusterCron(Sharding& sharding,
                                 ClusterCronOptions options) {
  if (options.name.empty() || !options.cron.has_value() || !options.execute) {
    return absl::InvalidArgumentError(
        "a cluster cron needs a name, a schedule and a job");
  }
  auto cron = std::make_shared<CronJob>();
  cron->sharding = &sharding;
  cron->type = EntityType(absl::StrCat("ClusterCron/", options.name));
  cron->options = std::move(options);

  RpcSpec run;
  run.tag = kRunTag;
  run.persisted = true;
  run.uninterruptible = Uninterruptible::kBoth;
  run.primary_key = [](std::string_view payload) -> std::optional<std::string> {
    absl::StatusOr<CronPayload> decoded = DecodePayload(payload);
    if (!decoded.ok() || !decoded->executor) return std::string();
    return FormatIsoMs(decoded->scheduled_ms);
  };
  run.deliver_at_ms = [](std::string_view payload) -> std::optional<int64_t> {
    absl::StatusOr<CronPayload> decoded = DecodePayload(payload);
    if (!decoded.ok()) return std::nullopt;
    return decoded->scheduled_ms;
  };
  RpcSpec start;
  start.tag = kStartTag;
  start.persisted = true;
  EntityDefinition definition(cron->type);
  definition.Add(std::move(run)).Add(std::move(start));
  const std::string group = cron->options.shard_group;
  definition.SetShardGroup([group](const EntityId&) { return group; });

  std::shared_ptr<const CronJob> shared = cron;
  CLUSTERSIM_RETURN_IF_ERROR(sharding.RegisterEntity(
      std::move(definition),
      [shared](EntityContext& context)
          -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
        return std::make_unique<CronHandler>(shared, &context);
      }));
  return sharding.RegisterSingleton(cron->type.value(), group,
                                    [shared] { return StartCron(shared); });
}

}  // namespace clustersim::sharding
