#include "core/workflow/durable_clock.h"

#include <cmath>
#include <utility>

#include "core/runtime/sync.h"
#include "core/workflow/activity.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/engine.h"

namespace clustersim::workflow {
namespace {

Task<Outcome<std::string>> SleepInMemory(WorkflowContext, int64_t duration_us) {
  co_await SleepUs(duration_us);
  co_return std::string();
}

}  // namespace

Task<Outcome<std::string>> Sleep(WorkflowContext ctx, std::string name,
                                 double duration_ms,
                                 int64_t in_memory_threshold_ms) {
  // Past this a wake-up would not fit the clock's whole milliseconds.
  constexpr double kMaxDurationMs = 1e15;
  if (std::isnan(duration_ms) || duration_ms > kMaxDurationMs) {
    co_return Cause::Die("DurableClock " + name + ": duration " +
                         std::to_string(duration_ms) +
                         " ms is not a finite time");
  }
  if (duration_ms <= 0) co_return std::string();
  const int64_t duration_us =
      static_cast<int64_t>(std::ceil(duration_ms * 1000.0));
  if (duration_ms <= static_cast<double>(in_memory_threshold_ms)) {
    ActivityDefinition sleep{"DurableClock/" + name,
                             [duration_us](WorkflowContext c) {
                               return SleepInMemory(std::move(c), duration_us);
                             }};
    co_return co_await RunActivity(std::move(ctx), std::move(sleep));
  }
  absl::Status scheduled =
      co_await ctx.engine->ScheduleClock(ctx, name, duration_us);
  if (!scheduled.ok()) {
    co_return Cause::Die("DurableClock " + name + ": " + scheduled.ToString());
  }
  co_return co_await Await(std::move(ctx), "DurableClock/" + name);
}

}  // namespace clustersim::workflow
