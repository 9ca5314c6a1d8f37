// The `sweep` benchmark: seeds per hour of a real `clustersim sweep` of a
// scenario at its defaults (reference mode, default runners and duration),
// with --jobs worker processes, fault-free or with --swarm. Failing seeds
// (reference mode's findings under --swarm) count like passing ones: the
// figure is throughput.
// Single-threaded caller; the sweep forks its workers.
#ifndef CLUSTERSIM_TOOLS_BENCH_SWEEP_H_
#define CLUSTERSIM_TOOLS_BENCH_SWEEP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace clustersim::tools {

struct SweepWorkload {
  std::string scenario = "counter";
  int64_t seeds = 400;  // seeds 1..seeds
  int jobs = 1;
  bool swarm = false;
};

struct SweepFigures {
  int64_t seeds = 0;
  int64_t failed = 0;
  double wall_s = 0;
};

// Runs the sweep in this process (its workers are forked). An error if the
// sweep rejects its input or a worker dies.
absl::StatusOr<SweepFigures> RunSweepWorkload(const SweepWorkload& workload);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_SWEEP_H_
