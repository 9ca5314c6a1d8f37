// The `workflow` benchmark: `executions` concurrent executions of a
// three-activity workflow on ClusterWorkflowEngine, each started by a caller
// that waits for its result, after a warm-up of 100 executions. Settings as
// the cluster benchmark (bench_world.h): in-process, or 3 runners and a
// storage node over the simulated network. Each execution is a run request,
// three activity requests and their replies, all persisted.
// Single-threaded; runs everything in the calling process.
#ifndef CLUSTERSIM_TOOLS_BENCH_WORKFLOW_H_
#define CLUSTERSIM_TOOLS_BENCH_WORKFLOW_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "tools/bench_world.h"

namespace clustersim::tools {

struct WorkflowWorkload {
  ClusterSetting setting = ClusterSetting::kInProcess;
  int64_t executions = 1000;
};

struct WorkflowFigures {
  int64_t executions = 0;  // completed in the measured phase
  double wall_s = 0;
  double virtual_s = 0;
};

// An error if an execution failed or the run stalled.
absl::StatusOr<WorkflowFigures> RunWorkflowWorkload(
    const WorkflowWorkload& workload);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_WORKFLOW_H_
