// SimHarness: what every scenario run shares. It owns the World, the
// Network and the Nemesis; validates and installs the fault plan; runs to
// the end; collects violations and counters into a RunResult.
//
// The end of a run is `duration`, pushed later if needed so that `settle`
// of fault-free time follows the plan's last timed fault (liveness is
// judged after the system had a chance to recover), or earlier when the
// trace reaches `max_trace_events` (replay --until).
//
// Single-threaded; lives for one run. Nodes are added before Run().
#ifndef CLUSTERSIM_SCENARIOS_HARNESS_H_
#define CLUSTERSIM_SCENARIOS_HARNESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/runtime/process.h"
#include "scenarios/scenario.h"
#include "sim/checkers/finding.h"
#include "sim/nemesis.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::scenarios {

class SimHarness {
 public:
  // `sequential_storage_calls`: see liveness_slack_us().
  SimHarness(const RunOptions& options, const sim::LinkConfig& default_link,
             int sequential_storage_calls = 0);
  SimHarness(const SimHarness&) = delete;
  SimHarness& operator=(const SimHarness&) = delete;
  ~SimHarness();

  sim::World& world() { return world_; }
  sim::Network& network() { return network_; }
  const RunOptions& options() const { return options_; }

  // Adds a node (started by Run).
  NodeId AddNode(std::string name, ProcessFactory factory);

  // Checks the fault plan against the nodes and, if it has storage faults,
  // that the scenario gave a `storage` sink (an error is bad input);
  // installs it, starts every node and runs to the end (see above).
  absl::Status Run(int64_t settle_us, sim::StorageFaultSink* storage = nullptr);

  // When the plan's last fault ended (0 without timed faults).
  int64_t quiet_time_us() const { return options_.faults.QuietTimeUs(); }
  // When Run(settle_us) ends the run (see above) unless the trace cuts it
  // short; scenarios plan their workload's phases by it.
  int64_t end_us(int64_t settle_us) const;

  // Whole-run storage spikes (storage-spike=P:A..B) slow each storage call
  // by up to B, so an answer that waits on `sequential_storage_calls`
  // (given at construction) calls in a row may come that many times B
  // later than without them, on any design. This is that slack (0 without
  // whole-run spikes): scenarios add it to their liveness bounds, and Run()
  // runs that much past end_us(), so that what was due at the end still is.
  int64_t liveness_slack_us() const { return liveness_slack_us_; }
  bool stopped_early() const { return stopped_early_; }

  // For cluster scenarios whose runners are the nodes before `storage`:
  // whether the run was not cut short and ends with the storage node and
  // some runner up (no design progresses without its database).
  bool ClusterUpAtEnd(NodeId storage) const;
  // Whether liveness can be judged at the end: ClusterUpAtEnd and, in
  // reference mode, no whole-run loss or corruption. Such a link never
  // heals, and Effect's calls are not retransmitted (its transports are
  // connections; ours drop single messages), so lock refreshes keep failing
  // and shards keep moving to the end; hardened mode retransmits every call
  // until its deadline, and is judged on every plan.
  bool LivenessJudgedAtEnd(NodeId storage) const;

  // Records a violation of `invariant` at the current virtual time.
  void Violate(std::string invariant, std::string message);
  // A checker's finding sink that records each finding with Violate.
  sim::checkers::FindingSink Sink();
  void AddStat(std::string name, int64_t value);

  // The run's result: trace, violations, counters (the network's included).
  RunResult Finish();

 private:
  RunOptions options_;
  sim::World world_;
  sim::Network network_;
  std::unique_ptr<sim::Nemesis> nemesis_;
  RunResult result_;
  bool stopped_early_ = false;
  const int64_t liveness_slack_us_;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_HARNESS_H_
