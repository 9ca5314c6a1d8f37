// FaultPlan: what goes wrong in a run, parsed from `--faults SPEC` or drawn
// at random per seed (swarm mode). The Nemesis (nemesis.h) applies it.
//
// Grammar. A spec is a comma-separated list of items; "none" or "" is the
// empty plan. A comma followed by something without '=' continues the
// previous item's node list ("partition@1s..2s=1|2,3" cuts {1} from {2,3}).
// Times are from the start of the run; durations take a unit (us ms s m h);
// N is a node number (1..nodes); SET is N[,N...].
//
//   whole-run network behaviour, on every link:
//     loss=P                 drop each message with probability P (0..1)
//     dup=P                  duplicate it with probability P
//     reorder=P              hold it back an extra [0, max latency]
//     corrupt=P              flip one random bit with probability P
//     delay=A..B             latency from A to B (min + exponential tail of
//                            mean (B-A)/4, capped at B); delay=A: fixed
//   timed faults, over a window T1..T2 (they end by themselves):
//     partition@T1..T2=SET|SET[|SET...]  cut every pair of groups, both ways
//     partition@T1..T2=SET>SET           cut the first set's messages to the
//                                        second only (asymmetric)
//     isolate@T1..T2=N       cut N off from every other node
//     clog@T1..T2=N          stall every link of N, then drain in order
//     clog@T1..T2=N>M        stall the link N->M
//     pause@T1..T2=N         stop the world on N (its clock keeps running)
//   instant faults:
//     crash@T=N              kill -9 (stays down unless restarted)
//     restart@T=N            crash if up, then start a new incarnation
//     step@T=N:+D            step N's wall clock by the signed duration D
//   clocks from the start:
//     skew=N:+D              N's wall clock is off by the signed duration D
//     drift=N:+Kppm          N's clock runs K parts per million fast (-: slow),
//                            |K| <= 10000 (kMaxClockDriftPpm)
//   storage (only for scenarios with a storage node), whole run:
//     storage-errors=P       fail a request (unapplied) with probability P
//     storage-drop=P         apply a request, then drop its response
//     storage-spike=P:A..B   slow a request by a spike from A to B (whole ms)
//   storage, over a window:
//     storage-down@T1..T2    storage is unavailable (requests and responses
//                            are dropped)
//
// Example: loss=0.05,dup=0.01,delay=1ms..50ms,reorder=0.1,
//          partition@10s..20s=1|2,3,clog@5s..6s=2,crash@15s=3,restart@17s=3,
//          pause@20s..45s=2,skew=2:+500ms,drift=3:+200ppm,step@30s=1:-2s,
//          storage-errors=0.1,storage-down@40s..42s
//
// ToString() prints the canonical spec, which parses back to an equal plan.
// Value types; pure functions.
#ifndef CLUSTERSIM_SIM_FAULTS_H_
#define CLUSTERSIM_SIM_FAULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/runtime/random.h"
#include "core/runtime/transport.h"
#include "sim/network.h"
#include "sim/node_clock.h"

namespace clustersim::sim {

enum class FaultKind {
  kPartition,        // groups: >= 2 sets, cut pairwise both ways
  kPartitionOneWay,  // groups: {from set, to set}
  kIsolate,          // groups: {{node}}
  kClogNode,         // groups: {{node}}
  kClogLink,         // groups: {{from}, {to}}
  kPause,            // groups: {{node}}
  kCrash,            // groups: {{node}}, instant
  kRestart,          // groups: {{node}}, instant
  kStep,             // groups: {{node}}, instant, step_us
  kStorageDown,      // groups: {}, a window
};
std::string_view FaultKindName(FaultKind kind);

struct TimedFault {
  FaultKind kind;
  int64_t start_us = 0;
  int64_t end_us = 0;  // == start_us for instant faults
  std::vector<std::vector<NodeId>> groups;
  int64_t step_us = 0;  // kStep only

  bool instant() const;
  // This fault as one spec item ("partition@10s..20s=1|2,3").
  std::string ToString() const;
  friend bool operator==(const TimedFault&, const TimedFault&) = default;
};

// How the scenario's storage misbehaves at some instant; the Nemesis hands
// it to the scenario (StorageFaultSink in nemesis.h), which maps it onto its
// storage server.
struct StorageFaultPlan {
  double error_rate = 0;
  double drop_rate = 0;  // applied, then the response dropped
  double spike_rate = 0;
  int64_t spike_min_ms = 0;
  int64_t spike_max_ms = 0;
  bool unavailable = false;

  friend bool operator==(const StorageFaultPlan&,
                         const StorageFaultPlan&) = default;
};

struct FaultPlan {
  double loss = 0;
  double duplicate = 0;
  double reorder = 0;
  double corrupt = 0;
  std::optional<LatencyModel> latency;  // nullopt: the scenario's default
  // Initial clock offset and drift per node number.
  absl::btree_map<uint32_t, ClockConfig> clocks;
  // Whole-run storage faults (never `unavailable`: that is storage-down).
  StorageFaultPlan storage;
  std::vector<TimedFault> timed;  // in spec order

  bool empty() const;
  // The canonical spec ("none" for the empty plan).
  std::string ToString() const;
  // The instant the last timed fault ends (0 if none): from then on the
  // network is whole and no node is paused (crashed nodes stay down).
  int64_t QuietTimeUs() const;
  // Whether any item is a storage fault (needs a scenario with storage).
  bool UsesStorage() const;
  // OK if every node number is in 1..node_count; else names the item.
  absl::Status ValidateNodes(size_t node_count) const;
  // OK if every timed fault ends by `duration_us` (a fault past the end of
  // a run would silently stretch it); else names the item.
  absl::Status ValidateTimes(int64_t duration_us) const;
  // Applies the whole-run link behaviour to `base`.
  LinkConfig LinkFor(const LinkConfig& base) const;

  friend bool operator==(const FaultPlan&, const FaultPlan&) = default;
};

// Parses a spec (grammar above). A malformed spec is an InvalidArgument
// error naming the bad item and what is wrong with it.
absl::StatusOr<FaultPlan> ParseFaultPlan(std::string_view spec);

// A probability as the fault grammar writes it (shortest round-trip form).
std::string FormatProbability(double p);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_FAULTS_H_
