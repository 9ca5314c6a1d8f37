// The `cluster` benchmark: Effect's peer workload (SPEC §7) on the cluster
// core. `entities` entities each get `requests` sequential request/reply
// round trips, all entities at once; entity activation is included (every
// entity starts cold), after a warm-up of the same shape on other entity
// ids. Each workload runs in two settings:
//   in-process  one runner whose storage client calls the storage state in
//               the same process (no network, no storage node);
//   simulated   3 runners and a storage node over the simulated network
//               with its default latency, every message a CRC-checked
//               frame; each entity's client runs on runner (i mod 3) + 1,
//               so most calls cross the network.
// and two RPCs: volatile (delivered directly) and persisted (saved to
// storage first, its reply saved too).
//
// Wall time is the host's steady clock around the measured phase only.
// Single-threaded; runs everything in the calling process.
#ifndef CLUSTERSIM_TOOLS_BENCH_CLUSTER_H_
#define CLUSTERSIM_TOOLS_BENCH_CLUSTER_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "tools/bench_world.h"

namespace clustersim::tools {

struct ClusterWorkload {
  ClusterSetting setting = ClusterSetting::kInProcess;
  bool persisted = false;
  int64_t entities = 1000;
  int64_t requests = 100;  // per entity, one after another
};

struct ClusterFigures {
  int64_t round_trips = 0;  // answered in the measured phase
  double wall_s = 0;
  double virtual_s = 0;  // simulated time the measured phase took
};

// Runs the warm-up, then the measured phase. An error if a request failed
// or the run stalled (no progress for 10 minutes of virtual time).
absl::StatusOr<ClusterFigures> RunClusterWorkload(
    const ClusterWorkload& workload);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_CLUSTER_H_
