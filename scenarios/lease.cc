#include "scenarios/lease.h"

#include <algorithm>
#include <array>
#include <span>

#include "core/cluster/runner_address.h"
#include "core/runtime/distributions.h"
#include "core/sharding/config.h"
#include "scenarios/cluster_setup.h"
#include "scenarios/counter.h"
#include "sim/swarm.h"

namespace clustersim::scenarios {
namespace {

// How far a drawn pause or step lands from the bound it aims at, each way.
constexpr int64_t kJitterMs = 250;
constexpr int64_t kMinPauseMs = 10;

// The lock bounds of the runners' configuration, in ms: a pause or a step
// the size of one of them, give or take kJitterMs, is where a lease is
// refreshed just in time or lapses just too early.
std::array<int64_t, 4> LeaseBoundsMs() {
  // Every runner has the same lock timings; any address and mode give them.
  const sharding::ShardingConfig config = ScenarioRunnerConfig(
      RunnerAddress("r1", 1), sharding::Mode::kHardened, "", 1);
  return {
      config.shard_lock_refresh_interval_ms,
      config.lease_self_stop_after_us() / 1000, config.shard_lock_expiration_ms,
      config.shard_lock_expiration_ms + config.shard_lock_refresh_interval_ms};
}

int64_t NearBoundMs(Random& rng) {
  std::array<int64_t, 4> bounds = LeaseBoundsMs();
  return Choice(rng, std::span(bounds)) +
         UniformInt(rng, -kJitterMs, kJitterMs);
}

}  // namespace

sim::FaultPlan LeaseSwarmFaultPlan(Random& rng, size_t node_count,
                                   int64_t duration_us, bool has_storage) {
  sim::FaultPlan plan =
      sim::SwarmFaultPlan(rng, node_count, duration_us, has_storage);
  // Timed faults end by 80% of the run, as in every swarm plan.
  const int64_t limit_ms = duration_us / 1000 * 8 / 10;
  const size_t runners = has_storage ? node_count - 1 : node_count;
  if (runners == 0 || limit_ms < 2 * kJitterMs) return plan;
  const auto any_runner = [&] {
    return NodeId{static_cast<uint32_t>(
        UniformInt(rng, 1, static_cast<int64_t>(runners)))};
  };
  for (int64_t i = UniformInt(rng, 1, 3); i > 0; --i) {
    const int64_t length_ms = std::max(kMinPauseMs, NearBoundMs(rng));
    if (length_ms >= limit_ms) continue;
    const int64_t start_ms = UniformInt(rng, 0, limit_ms - length_ms);
    // A paused storage node answers no lock call: every runner's refreshes
    // time out at once.
    const NodeId node = has_storage && Bernoulli(rng, 0.25)
                            ? NodeId{static_cast<uint32_t>(node_count)}
                            : any_runner();
    plan.timed.push_back(
        sim::TimedFault{.kind = sim::FaultKind::kPause,
                        .start_us = start_ms * 1000,
                        .end_us = (start_ms + length_ms) * 1000,
                        .groups = {{node}}});
  }
  for (int64_t i = UniformInt(rng, 1, 2); i > 0; --i) {
    // The storage node judges every lease on its clock: step it as often
    // as a runner.
    const NodeId node = has_storage && Bernoulli(rng, 0.5)
                            ? NodeId{static_cast<uint32_t>(node_count)}
                            : any_runner();
    const int64_t step_ms = std::max(kMinPauseMs, NearBoundMs(rng)) *
                            (Bernoulli(rng, 0.5) ? 1 : -1);
    const int64_t at_ms = UniformInt(rng, 0, limit_ms - 1);
    plan.timed.push_back(sim::TimedFault{.kind = sim::FaultKind::kStep,
                                         .start_us = at_ms * 1000,
                                         .end_us = at_ms * 1000,
                                         .groups = {{node}},
                                         .step_us = step_ms * 1000});
  }
  std::stable_sort(plan.timed.begin(), plan.timed.end(),
                   [](const sim::TimedFault& a, const sim::TimedFault& b) {
                     return a.start_us < b.start_us;
                   });
  return plan;
}

Scenario LeaseScenario() {
  return Scenario{
      .name = "lease",
      .description =
          "counter's workload (persisted increments to 8 sharded Counter "
          "entities, runners 1-3 restart in turn, storage is a node) under "
          "pauses and wall-clock steps sized around the lock bounds (refresh "
          "1 s, self-stop 2.84 s, lease 3 s, lease + refresh 4 s, +-250 ms; "
          "--swarm adds 1-3 such pauses and 1-2 such steps, on runners or "
          "the storage node, to the general swarm draw); checks "
          "single-activation, "
          "single-writer, exactly-once replies, the ledger against the "
          "accepted operations, liveness and unique ids",
      .default_runners = 3,
      .min_runners = 1,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants({}),
      .swarm = &LeaseSwarmFaultPlan,
      .run = &RunCounterWorkload,
  };
}

}  // namespace clustersim::scenarios
