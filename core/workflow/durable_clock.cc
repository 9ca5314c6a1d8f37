#include "core/workflow/durable_clock.h"

#include <utility>

#include "core/runtime/sync.h"
#include "core/workflow/activity.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/engine.h"

namespace clustersim::workflow {
namespace {

Task<Outcome<std::string>> SleepInMemory(WorkflowContext, int64_t duration_ms) {
  co_await SleepMs(duration_ms);
  co_return std::string();
}

}  // namespace

Task<Outcome<std::string>> Sleep(WorkflowContext ctx, std::string name,
                                 int64_t duration_ms,
                                 int64_t in_memory_threshold_ms) {
  if (duration_ms <= 0) co_return std::string();
  if (duration_ms <= in_memory_threshold_ms) {
    ActivityDefinition sleep{"DurableClock/" + name,
                             [duration_ms](WorkflowContext c) {
                               return SleepInMemory(std::move(c), duration_ms);
                             }};
    co_return co_await RunActivity(std::move(ctx), std::move(sleep));
  }
  absl::Status scheduled =
      co_await ctx.engine->ScheduleClock(ctx, name, duration_ms);
  if (!scheduled.ok()) {
    co_return Cause::Die("DurableClock " + name + ": " + scheduled.ToString());
  }
  co_return co_await Await(std::move(ctx), "DurableClock/" + name);
}

}  // namespace clustersim::workflow
