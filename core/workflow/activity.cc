#include "core/workflow/activity.h"

#include <optional>
#include <utility>

#include "core/runtime/sync.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/engine.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {
namespace {

bool IsSuspendedAttempt(const Outcome<Result>& r) {
  return r.ok() && IsSuspended(r.value());
}

}  // namespace

Task<Outcome<std::string>> RunActivity(WorkflowContext ctx,
                                       ActivityDefinition activity) {
  Outcome<Result> result = co_await WrapActivityResult<Outcome<Result>>(
      ctx.instance, ctx.engine->ActivityExecute(ctx, activity, ctx.attempt),
      &IsSuspendedAttempt);
  if (!result.ok()) co_return std::move(result).cause();
  if (const auto* suspended = std::get_if<Suspended>(&result.value())) {
    if (suspended->failed) ctx.instance->failed = true;
    co_return Suspend(*ctx.instance);
  }
  co_return FromExit(std::get<Complete>(result.value()).exit);
}

Task<Outcome<std::string>> RetryActivity(WorkflowContext ctx,
                                         ActivityDefinition activity,
                                         int32_t times) {
  for (int32_t attempt = 1;; ++attempt) {
    WorkflowContext at = ctx;
    at.attempt = attempt;
    Outcome<std::string> out = co_await RunActivity(at, activity);
    // Effect.retry retries typed failures only.
    if (out.ok() || attempt > times || out.cause().HasDies() ||
        out.cause().HasInterrupts()) {
      co_return out;
    }
  }
}

Task<Outcome<std::string>> RaceActivities(
    WorkflowContext ctx, std::string name,
    std::vector<ActivityDefinition> activities) {
  std::vector<ActivityBody> effects;
  for (ActivityDefinition& activity : activities) {
    effects.push_back([activity](WorkflowContext local) {
      return RunActivity(std::move(local), activity);
    });
  }
  return RaceAll(std::move(ctx), "Activity/" + name, std::move(effects));
}

absl::StatusOr<std::string> IdempotencyKey(const WorkflowContext& ctx,
                                           std::string_view name,
                                           bool include_attempt) {
  std::optional<int32_t> attempt;
  if (include_attempt) attempt = ctx.attempt;
  return ActivityIdempotencyKey(ExecutionId(ctx.instance->execution_id), name,
                                attempt);
}

Task<Outcome<std::string>> ExecuteActivityBody(WorkflowContext ctx,
                                               ActivityDefinition activity) {
  for (int32_t step = 0;; ++step) {
    Outcome<std::string> out = co_await activity.execute(ctx);
    if (out.ok() || !out.cause().HasInterrupts() || ctx.instance->suspended) {
      co_return out;
    }
    std::optional<int64_t> delay_ms = activity.interrupt_retry.DelayMs(step);
    if (!delay_ms.has_value()) {
      co_return Cause::Die("Activity \"" + activity.name +
                           "\" interrupted and retry attempts exhausted");
    }
    co_await SleepMs(*delay_ms);
  }
}

}  // namespace clustersim::workflow
