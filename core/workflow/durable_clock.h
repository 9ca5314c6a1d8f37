// DurableClock: a sleep that survives runs (Effect's DurableClock.sleep).
// Up to `in_memory_threshold_ms` (default 60 s) it is an activity that
// sleeps in memory, restarting from zero if the run is lost; above it the
// engine schedules the deferred "DurableClock/<name>" once (the first
// schedule fixes the wake-up) and the run parks until it fires.
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
    WorkflowContext ctx, std::string name, int64_t duration_ms,
    int64_t in_memory_threshold_ms = kDefaultInMemoryThresholdMs);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_DURABLE_CLOCK_H_
