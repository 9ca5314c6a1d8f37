// RaceFirstSuccess: Effect's Effect.raceAll over workflow steps. Every
// branch runs in its own fiber; the first to succeed wins and the others are
// cancelled (interrupted); if every branch fails, the race fails with all
// their reasons.
// Single-threaded; must be awaited inside a fiber.
#ifndef CLUSTERSIM_CORE_WORKFLOW_RACE_H_
#define CLUSTERSIM_CORE_WORKFLOW_RACE_H_

#include <string>
#include <vector>

#include "core/runtime/task.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

Task<Outcome<std::string>> RaceFirstSuccess(
    std::vector<Task<Outcome<std::string>>> branches);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_RACE_H_
