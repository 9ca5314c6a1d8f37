// The `kernel` benchmark: throughput of the simulator kernel, each figure
// the best of three runs:
//   bare events/s       a world action that reschedules itself (the event
//                       queue, the trace hash of every event, nothing else)
//   deliveries/s        framed messages through the simulated network: the
//                       receiver decodes each frame (checksum checked) and
//                       sends a new one on, 1000 messages in flight over 8
//                       nodes with the default latency model
//   pingpong sim s/s    simulated seconds per wall second of the pingpong
//                       scenario (3 runners, no faults, 600 s)
// Wall time is the host's steady clock. Single-threaded.
#ifndef CLUSTERSIM_TOOLS_BENCH_KERNEL_H_
#define CLUSTERSIM_TOOLS_BENCH_KERNEL_H_

#include "absl/status/statusor.h"

namespace clustersim::tools {

struct KernelFigures {
  double bare_events_per_wall_s = 0;
  double framed_deliveries_per_wall_s = 0;
  double pingpong_sim_s_per_wall_s = 0;
};

// An error if the pingpong run fails.
absl::StatusOr<KernelFigures> RunKernelBenchmark();

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_KERNEL_H_
