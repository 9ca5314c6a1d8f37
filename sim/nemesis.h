// Nemesis: applies a FaultPlan (faults.h) to a World and its Network.
//
// On construction it applies the whole-run parts at once (link behaviour on
// every link, clock skews and drifts) and schedules every timed fault as a
// world event at its planned instant; faults planned at the same instant
// apply in spec order. Overlapping partitions compose: when one ends, the
// network is healed and the partitions still in force are re-applied. A
// fault that no longer makes sense when its time comes (pausing a node that
// is down, resuming one that a crash took down meanwhile) is skipped. Each
// applied fault is traced ("fault" for instants, "fault.begin"/"fault.end"
// for windows) with its spec item, on the world's track.
//
// Storage faults go to the scenario through a StorageFaultSink (sim/ knows
// no storage server): the whole-run settings at construction, and again with
// `unavailable` set while any storage-down window is open.
//
// Single-threaded. Construct it after every node has been added; destroy it
// before the Network and the World.
#ifndef CLUSTERSIM_SIM_NEMESIS_H_
#define CLUSTERSIM_SIM_NEMESIS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/faults.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::sim {

// Implemented by a scenario with a storage node: applies the settings to
// it from then on, replacing the previous ones.
class StorageFaultSink {
 public:
  virtual ~StorageFaultSink() = default;
  virtual void SetStorageFaults(const StorageFaultPlan& faults) = 0;
};

class Nemesis {
 public:
  // Preconditions: plan.ValidateNodes(world.node_count()).ok(), and a
  // `storage` sink (outliving the Nemesis) if plan.UsesStorage().
  Nemesis(World& world, Network& network, FaultPlan plan,
          StorageFaultSink* storage = nullptr);
  Nemesis(const Nemesis&) = delete;
  Nemesis& operator=(const Nemesis&) = delete;
  ~Nemesis();

  const FaultPlan& plan() const { return plan_; }

 private:
  struct Step {
    Nemesis* self;
    size_t fault;  // index into plan_.timed
    bool begin;
    TimerId timer;
  };
  static void RunStep(void* step);
  void Apply(Step& step);
  void ApplyPartitions();
  // Hands the whole-run storage settings, plus whether storage is down now,
  // to the sink.
  void ApplyStorage();

  World& world_;
  Network& network_;
  FaultPlan plan_;
  StorageFaultSink* storage_;
  std::vector<Step> steps_;
  std::vector<bool> active_;  // per timed fault: its window is open
  // Per pause fault: the incarnation it paused, or 0 if it was skipped.
  std::vector<uint32_t> paused_incarnation_;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_NEMESIS_H_
