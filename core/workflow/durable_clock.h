// DurableClock: a sleep that survives runs (Effect's DurableClock.sleep).
// Up to `in_memory_threshold_ms` (default 60 s) it is an activity that
// sleeps in memory, restarting from zero if the run is lost; above it the
// engine schedules the deferred "DurableClock/<name>" once (the first
// schedule fixes the wake-up) and the run parks until it fires.
// Durations are milliseconds with a fraction, as Effect's Duration: the
// simulator sleeps whole microseconds (rounded up), and a scheduled wake-up
// is a whole millisecond, the next one at or after now + duration (Effect's
// Math.ceil). A duration that is not finite dies.
// Single-threaded.
#ifndef CLUSTERSIM_CORE_WORKFLOW_DURABLE_CLOCK_H_
#define CLUSTERSIM_CORE_WORKFLOW_DURABLE_CLOCK_H_

#include <cstdint>
#include <string>

#include "core/runtime/task.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

inline constexpr int64_t kDefaultInMemoryThresholdMs = 60'000;

Task<Outcome<std::string>> Sleep(
    WorkflowContext ctx, std::string name, double duration_ms,
    int64_t in_memory_threshold_ms = kDefaultInMemoryThresholdMs);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_DURABLE_CLOCK_H_
