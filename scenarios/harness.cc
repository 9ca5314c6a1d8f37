#include "scenarios/harness.h"

#include <algorithm>
#include <utility>

#include "core/base/check.h"

namespace clustersim::scenarios {

namespace {

int64_t StorageSpikeSlackUs(const sim::StorageFaultPlan& storage,
                            int sequential_storage_calls) {
  CHECK(sequential_storage_calls >= 0);
  if (storage.spike_rate <= 0) return 0;
  return int64_t{sequential_storage_calls} * storage.spike_max_ms * 1000;
}

}  // namespace

SimHarness::SimHarness(const RunOptions& options,
                       const sim::LinkConfig& default_link,
                       int sequential_storage_calls)
    : options_(options),
      world_(sim::WorldOptions{.seed = options.seed,
                               .keep_trace_events = options.keep_trace_events}),
      network_(world_, default_link),
      liveness_slack_us_(StorageSpikeSlackUs(options.faults.storage,
                                             sequential_storage_calls)) {}

SimHarness::~SimHarness() = default;

NodeId SimHarness::AddNode(std::string name, ProcessFactory factory) {
  result_.node_names.push_back(name);
  return world_.AddNode(std::move(name), std::move(factory));
}

absl::Status SimHarness::Run(int64_t settle_us,
                             sim::StorageFaultSink* storage) {
  if (absl::Status s = options_.faults.ValidateNodes(world_.node_count());
      !s.ok()) {
    return s;
  }
  if (options_.faults.UsesStorage() && storage == nullptr) {
    return absl::InvalidArgumentError(
        "the fault plan has storage faults but this scenario has no storage");
  }
  nemesis_ = std::make_unique<sim::Nemesis>(world_, network_, options_.faults,
                                            storage);
  for (uint32_t n = 1; n <= world_.node_count(); ++n) world_.Start(NodeId{n});
  stopped_early_ = !world_.RunUntil(end_us(settle_us) + liveness_slack_us_,
                                    options_.max_trace_events);
  return absl::OkStatus();
}

int64_t SimHarness::end_us(int64_t settle_us) const {
  return options_.faults.timed.empty()
             ? options_.duration_us
             : std::max(options_.duration_us, quiet_time_us() + settle_us);
}

sim::checkers::FindingSink SimHarness::Sink() {
  return [this](sim::checkers::Finding f) {
    Violate(std::move(f.invariant), std::move(f.message));
  };
}

void SimHarness::Violate(std::string invariant, std::string message) {
  ++result_.violation_count;
  if (result_.violations.size() < kMaxViolationsKept) {
    result_.violations.push_back(
        Violation{std::move(invariant), world_.now_us(), std::move(message)});
  }
}

void SimHarness::AddStat(std::string name, int64_t value) {
  result_.stats.emplace_back(std::move(name), value);
}

bool SimHarness::ClusterUpAtEnd(NodeId storage) const {
  bool runner_up = false;
  for (uint32_t n = 1; n < storage.value; ++n) {
    runner_up |= world_.state(NodeId{n}) == sim::NodeState::kUp;
  }
  return !stopped_early_ && runner_up &&
         world_.state(storage) == sim::NodeState::kUp;
}

bool SimHarness::LivenessJudgedAtEnd(NodeId storage) const {
  const bool lossless =
      options_.faults.loss == 0 && options_.faults.corrupt == 0;
  return ClusterUpAtEnd(storage) &&
         (lossless || options_.mode == Mode::kHardened);
}

RunResult SimHarness::Finish() {
  const sim::NetworkStats& net = network_.stats();
  const std::pair<const char*, uint64_t> network_stats[] = {
      {"net.sent", net.sent},           {"net.delivered", net.delivered},
      {"net.lost", net.lost},           {"net.partitioned", net.partitioned},
      {"net.node_down", net.node_down}, {"net.duplicated", net.duplicated},
      {"net.reordered", net.reordered}, {"net.corrupted", net.corrupted},
      {"net.held", net.held},
  };
  for (const auto& [name, value] : network_stats) {
    AddStat(name, static_cast<int64_t>(value));
  }
  result_.events = world_.trace().count();
  result_.virtual_time_us = world_.now_us();
  result_.trace_hash = world_.trace().hash();
  result_.stopped_early = stopped_early_;
  result_.trace = world_.trace().events();
  return std::move(result_);
}

}  // namespace clustersim::scenarios
