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
// The schedule is a Cron (core/cluster/cron.h, Effect's Cron: expression,
// time zone, DST overlap policy); "next" below is Cron::Next, strictly
// after. Without calculate_next_run_from_previous, each instant is its own
// entity (id = ISO-8601 time, e.g. "2025-01-01T00:00:00.000Z"): the
// singleton sends the run of next(now), and each run, after executing the
// job (skipped if older than skip_if_older_than_ms), schedules next(now), so
// instants missed while nobody ran are not caught up. With it, every run
// goes to the single entity "executor" (primary key = ISO time), runs never
// overlap, and the next run is next(previous scheduled time), so missed
// instants are caught up in order (those older than skip_if_older_than_ms
// without executing the job). Scheduling is retried with
// min(200 ms x 1.5^n, 1 min) until it succeeds. Times come from the
// processing runner's clock, as in Effect. Execution is at least once.
//
// A schedule with no next instant (Effect's Cron.next throws, e.g.
// "0 0 30 2 *") ends the chain: a run then fails as a defect and the
// singleton schedules nothing, where Effect's singleton would die.
//
// Thread/ownership: registration copies the options; `execute` must return
// tasks that do not outlive the Sharding.
#ifndef CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_
#define CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/cluster/cron.h"
#include "core/runtime/task.h"
#include "core/sharding/sharding.h"

namespace clustersim::sharding {

struct ClusterCronOptions {
  std::string name;
  // The schedule (required; Cron has no empty value).
  std::optional<Cron> cron;
  // The job, given its scheduled time. An error is traced; the schedule
  // goes on. Must not be a capturing coroutine lambda (see task.h).
  std::function<Task<absl::Status>(int64_t scheduled_ms)> execute;
  std::string shard_group = "default";
  bool calculate_next_run_from_previous = false;
  int64_t skip_if_older_than_ms = 24 * 60 * 60 * 1000;
};

// Registers the entity and the singleton. InvalidArgument for a bad
// schedule or name.
absl::Status RegisterClusterCron(Sharding& sharding,
                                 ClusterCronOptions options);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_CLUSTER_CRON_H_
