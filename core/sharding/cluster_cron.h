// ClusterCron: a job that runs on a schedule, once per scheduled instant,
// somewhere in the cluster (Effect 4.1.0's ClusterCron.make,
// effect-semantics.md §9.2, effect-delta-4.1.md §11).
//
// It registers an entity type "ClusterCron/<name>" with two persisted RPCs
// and a singleton of the same name:
//   run    uninterruptible; payload {scheduled time, executor?}; primary key
//          "" (one message per entity), or the ISO time for executor runs;
//          delivered at the scheduled time (DeliverAt).
//   start  asks the executor to schedule a run if its chain was lost.
// Without calculate_next_run_from_previous, each instant is its own entity
// (id = ISO-8601 time, e.g. "2025-01-01T00:00:00.000Z"): the singleton sends
// the first run, and each run, after executing the job (skipped if older
// than skip_if_older_than_ms), schedules the next instant after *now*. With
// it, every run goes to the single entity "executor" (primary key = ISO
// time), runs never overlap, and the next run is the next instant after the
// *previous scheduled time*, so missed instants are caught up. Scheduling
// is retried with min(200 ms x 1.5^n, 1 min) until it succeeds.
//
// Deviation: Effect takes a cron expression; this takes the subset "every N
// ms" (instants at multiples of N since the Unix epoch). Times come from the
// processing runner's clock, as in Effect. Execution is at least once.
//
// Thread/ownership: registration copies the options; `execute` must return
// tasks that do not outlive the Sharding.
#ifndef CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_
#define CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "core/runtime/task.h"
#include "core/sharding/sharding.h"

namespace clustersim::sharding {

struct ClusterCronOptions {
  std::string name;
  // The schedule: instants at multiples of every_ms (> 0) since the epoch.
  int64_t every_ms = 0;
  // The job, given its scheduled time. An error is traced; the schedule
  // goes on. Must not be a capturing coroutine lambda (see task.h).
  std::function<Task<absl::Status>(int64_t scheduled_ms)> execute;
  std::string shard_group = "default";
  bool calculate_next_run_from_previous = false;
  int64_t skip_if_older_than_ms = 24 * 60 * 60 * 1000;
};

// The first instant of the schedule strictly after `after_ms`.
int64_t NextCronRunMs(int64_t every_ms, int64_t after_ms);
// "2025-01-01T00:00:00.000Z".
std::string FormatIsoMs(int64_t ms);

// Registers the entity and the singleton. InvalidArgument for a bad
// schedule or name.
absl::Status RegisterClusterCron(Sharding& sharding,
                                 ClusterCronOptions options);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_
