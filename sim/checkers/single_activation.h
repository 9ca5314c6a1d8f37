// SingleActivationChecker: the single-activation invariant (SPEC.md §4) —
// no entity address is alive on two runners at the same virtual instant.
//
// It reads the trace online, event by event:
//   entity.start  "<EntityAddress> runner=<host>:<port>"  the entity is alive
//                 on that runner from now (core/sharding/entity_manager.h);
//   entity.stop   (same detail)                           ... until now;
//   node.crash                                            every entity of
//                 that node dies at once (kill -9 runs no stop);
//   node.pause / node.resume                              noted, to tell
//                 frozen holders apart.
// A start while another runner holds the same address alive is a finding
// naming the address, both runners and since when the first was alive. An
// entity on a paused node is still alive (it has not terminated, and runs
// on as soon as its node resumes); the finding says so.
// Overlapping activations on one runner (a retired entity still draining
// while a new one spawns) are not a violation of this invariant; they are
// counted separately. Other events are ignored.
//
// Single-threaded; feed it events in trace order.
#ifndef CLUSTERSIM_SIM_CHECKERS_SINGLE_ACTIVATION_H_
#define CLUSTERSIM_SIM_CHECKERS_SINGLE_ACTIVATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kSingleActivation[] = "single-activation";

class SingleActivationChecker {
 public:
  explicit SingleActivationChecker(FindingSink sink);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);

  // Entity starts seen.
  int64_t activations() const { return activations_; }
  // Findings whose earlier holder's node was paused at the time.
  int64_t overlaps_with_paused() const { return overlaps_with_paused_; }
  // Starts while the same runner still had the address alive.
  int64_t same_runner_overlaps() const { return same_runner_overlaps_; }
  // Starts or stops whose detail does not parse.
  int64_t malformed() const { return malformed_; }
  // Addresses alive now (on any runner).
  int64_t alive_addresses() const {
    return static_cast<int64_t>(alive_.size());
  }

 private:
  // One runner's hold on an address.
  struct Activation {
    uint32_t node = 0;
    std::string runner;
    int64_t since_us = 0;
    int count = 0;  // > 1 while activations overlap on this runner
  };

  void Start(int64_t time_us, uint32_t node, std::string address,
             std::string runner);
  void Stop(uint32_t node, const std::string& address,
            const std::string& runner);
  void Crash(uint32_t node);

  FindingSink sink_;
  absl::btree_map<std::string, std::vector<Activation>> alive_;
  // Paused nodes, and since when.
  absl::btree_map<uint32_t, int64_t> paused_since_us_;
  int64_t overlaps_with_paused_ = 0;
  int64_t activations_ = 0;
  int64_t same_runner_overlaps_ = 0;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_SINGLE_ACTIVATION_H_
