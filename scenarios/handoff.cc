#include "scenarios/handoff.h"

#include "absl/status/statusor.h"
#include "scenarios/counter.h"

namespace clustersim::scenarios {
namespace {

absl::StatusOr<RunResult> RunHandoff(const RunOptions& options) {
  return RunCounterWorkload(options,
                            CounterWorkload{.slow_storage_on_shutdown = true});
}

}  // namespace

Scenario HandoffScenario() {
  return Scenario{
      .name = "handoff",
      .description =
          "counter's workload (persisted increments to 8 sharded Counter "
          "entities, runners 1-3 restart in turn, storage is a node) with "
          "runner 2's links to storage slow (250-1250 ms one way, drawn per "
          "seed) for the whole of its graceful shutdown; checks "
          "single-activation, lock belief, single-writer, exactly-once "
          "replies, reply delivery, the ledger, entity state, liveness and "
          "unique ids",
      .default_runners = 3,
      .min_runners = 2,
      .max_runners = 64,
      .extra_nodes = 1,
      .has_storage = true,
      .has_load = true,
      .mutants = WithCoreMutants({}),
      .run = &RunHandoff,
  };
}

}  // namespace clustersim::scenarios
