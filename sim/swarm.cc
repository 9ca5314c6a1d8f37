#include "sim/swarm.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/runtime/distributions.h"
#include "sim/world.h"

namespace clustersim::sim {

namespace {

double Permille(Random& rng, int64_t max_permille) {
  return static_cast<double>(UniformInt(rng, 1, max_permille)) / 1000.0;
}

NodeId AnyNode(Random& rng, size_t node_count) {
  return NodeId{static_cast<uint32_t>(
      UniformInt(rng, 1, static_cast<int64_t>(node_count)))};
}

// A window starting before `limit_ms` and lasting up to `max_ms`, in whole
// milliseconds, ending by `limit_ms`.
void DrawWindow(Random& rng, int64_t limit_ms, int64_t max_ms,
                TimedFault& fault) {
  const int64_t start = UniformInt(rng, 0, limit_ms - 1);
  const int64_t length = UniformInt(
      rng, 1, std::max<int64_t>(1, std::min(max_ms, limit_ms - start)));
  fault.start_us = start * 1000;
  fault.end_us = (start + length) * 1000;
}

}  // namespace

FaultPlan SwarmFaultPlan(Random& rng, size_t node_count, int64_t duration_us,
                         bool has_storage) {
  FaultPlan plan;
  if (Bernoulli(rng, 0.5)) plan.loss = Permille(rng, 200);
  if (Bernoulli(rng, 0.5)) plan.duplicate = Permille(rng, 100);
  if (Bernoulli(rng, 0.5)) plan.reorder = Permille(rng, 300);
  if (Bernoulli(rng, 0.3)) plan.corrupt = Permille(rng, 50);
  if (Bernoulli(rng, 0.5)) {
    const int64_t lo = UniformInt(rng, 1, 50) * 100;
    const int64_t hi = lo + UniformInt(rng, 0, 100) * 1000;
    plan.latency =
        LatencyModel{.min_us = lo, .tail_mean_us = (hi - lo) / 4, .max_us = hi};
  }
  const int64_t limit_ms = duration_us / 1000 * 8 / 10;
  if (node_count == 0 || limit_ms < 10) return plan;

  for (uint32_t n = 1; n <= node_count; ++n) {
    if (Bernoulli(rng, 0.3)) {
      plan.clocks[n].offset_ms = UniformInt(rng, -2000, 2000);
    }
    if (Bernoulli(rng, 0.3)) {
      plan.clocks[n].drift_ppm = UniformInt(rng, -1000, 1000);
    }
  }
  for (auto it = plan.clocks.begin(); it != plan.clocks.end();) {
    it = it->second.offset_ms == 0 && it->second.drift_ppm == 0
             ? plan.clocks.erase(it)
             : std::next(it);
  }

  std::vector<NodeId> nodes;
  for (uint32_t n = 1; n <= node_count; ++n) nodes.push_back(NodeId{n});
  if (node_count >= 2) {
    for (int64_t i = UniformInt(rng, 0, 2); i > 0; --i) {
      TimedFault fault;
      DrawWindow(rng, limit_ms, limit_ms / 4, fault);
      Shuffle(rng, std::span(nodes));
      const size_t cut = static_cast<size_t>(
          UniformInt(rng, 1, static_cast<int64_t>(node_count) - 1));
      std::vector<NodeId> a(nodes.begin(), nodes.begin() + cut);
      std::vector<NodeId> b(nodes.begin() + cut, nodes.end());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      fault.kind = Bernoulli(rng, 0.3) ? FaultKind::kPartitionOneWay
                                       : FaultKind::kPartition;
      fault.groups = {std::move(a), std::move(b)};
      plan.timed.push_back(std::move(fault));
    }
    if (Bernoulli(rng, 0.3)) {
      TimedFault fault;
      fault.kind = FaultKind::kIsolate;
      DrawWindow(rng, limit_ms, limit_ms / 5, fault);
      fault.groups = {{AnyNode(rng, node_count)}};
      plan.timed.push_back(std::move(fault));
    }
    for (int64_t i = UniformInt(rng, 0, 2); i > 0; --i) {
      TimedFault fault;
      DrawWindow(rng, limit_ms, limit_ms / 20, fault);
      NodeId from = AnyNode(rng, node_count);
      if (Bernoulli(rng, 0.5)) {
        fault.kind = FaultKind::kClogNode;
        fault.groups = {{from}};
      } else {
        NodeId to = AnyNode(rng, node_count - 1);
        if (to >= from) to.value += 1;
        fault.kind = FaultKind::kClogLink;
        fault.groups = {{from}, {to}};
      }
      plan.timed.push_back(std::move(fault));
    }
  }
  for (int64_t i = UniformInt(rng, 0, 2); i > 0; --i) {
    TimedFault fault;
    fault.kind = FaultKind::kPause;
    DrawWindow(rng, limit_ms, limit_ms / 6, fault);
    fault.groups = {{AnyNode(rng, node_count)}};
    plan.timed.push_back(std::move(fault));
  }
  for (int64_t i = UniformInt(rng, 0, 2); i > 0; --i) {
    const NodeId node = AnyNode(rng, node_count);
    const int64_t at_ms = UniformInt(rng, 0, limit_ms - 1);
    plan.timed.push_back(TimedFault{.kind = FaultKind::kCrash,
                                    .start_us = at_ms * 1000,
                                    .end_us = at_ms * 1000,
                                    .groups = {{node}}});
    if (Bernoulli(rng, 0.8)) {
      const int64_t back_ms =
          std::min(limit_ms, at_ms + UniformInt(rng, 1, limit_ms / 10 + 1));
      plan.timed.push_back(TimedFault{.kind = FaultKind::kRestart,
                                      .start_us = back_ms * 1000,
                                      .end_us = back_ms * 1000,
                                      .groups = {{node}}});
    }
  }
  if (Bernoulli(rng, 0.2)) {
    const int64_t at_ms = UniformInt(rng, 0, limit_ms - 1);
    int64_t step_ms = UniformInt(rng, -5000, 4999);
    if (step_ms >= 0) ++step_ms;  // never zero
    plan.timed.push_back(TimedFault{.kind = FaultKind::kStep,
                                    .start_us = at_ms * 1000,
                                    .end_us = at_ms * 1000,
                                    .groups = {{AnyNode(rng, node_count)}},
                                    .step_us = step_ms * 1000});
  }
  if (has_storage) {
    if (Bernoulli(rng, 0.3)) plan.storage.error_rate = Permille(rng, 200);
    if (Bernoulli(rng, 0.3)) plan.storage.drop_rate = Permille(rng, 100);
    if (Bernoulli(rng, 0.3)) {
      plan.storage.spike_rate = Permille(rng, 200);
      plan.storage.spike_min_ms = UniformInt(rng, 0, 100);
      plan.storage.spike_max_ms =
          plan.storage.spike_min_ms + UniformInt(rng, 0, 3000);
    }
    if (Bernoulli(rng, 0.3)) {
      TimedFault fault;
      fault.kind = FaultKind::kStorageDown;
      DrawWindow(rng, limit_ms, limit_ms / 10, fault);
      plan.timed.push_back(std::move(fault));
    }
  }
  std::stable_sort(plan.timed.begin(), plan.timed.end(),
                   [](const TimedFault& a, const TimedFault& b) {
                     return a.start_us < b.start_us;
                   });
  return plan;
}

}  // namespace clustersim::sim
