// SingleActivationChecker: the single-activation invariant (SPEC.md §4),
// stated so that it can hold:
//
//   An entity is active on a runner from its start to its stop, except while
//   the runner's node is paused (it executes nothing then). Violations:
//   (1) an entity active on two runners at one instant; (2) a runner that,
//   after a pause during which another runner started the entity, runs any
//   step of it, or keeps it active past the instant it resumed, before it
//   stops it.
//
// A paused node cannot stop anything, so its entities must be stopped at the
// instant it resumes, before it runs any other work: hardened mode's stall
// detector and lease self-stop do exactly that (core/sharding/shard_locks.h),
// while Effect (reference mode) runs on and shows the violation.
//
// It reads the trace online, event by event:
//   entity.start  "<EntityAddress> runner=<host>:<port>"  the entity is alive
//                 on that runner from now (core/sharding/entity_manager.h);
//   entity.stop   (same detail)                           ... until now;
//   entity.step   (same detail)    the runner ran a step of the entity (a
//                 request handed to its handler, or a handler's exit);
//   node.crash                     every entity of that node dies at once
//                                  (kill -9 runs no stop);
//   node.pause / node.resume       the node's entities are frozen between.
// A start while another runner holds the same address active is violation
// (1), naming the address, both runners and since when the first was alive.
// A start while the other holder's node is paused only supersedes that
// holder: it is counted (overlaps_with_paused), and the holder must stop the
// entity at its resume instant, before any step (violation (2) otherwise;
// reported at the step, or at the first event after the resume instant
// while another runner still holds the entity).
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
  // Starts while another holder's node was paused (superseding it).
  int64_t overlaps_with_paused() const { return overlaps_with_paused_; }
  // Starts while the same runner still had the address alive.
  int64_t same_runner_overlaps() const { return same_runner_overlaps_; }
  // Starts or stops whose detail does not parse.
  int64_t malformed() const { return malformed_; }
  // Whether `address` is alive now on some runner.
  bool IsAlive(const std::string& address) const {
    return alive_.contains(address);
  }
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
    // Started elsewhere while this node was paused: where and when.
    std::string superseded_by;
    int64_t superseded_at_us = 0;
    bool reported = false;  // violation (2) reported once per activation
  };

  void Start(int64_t time_us, uint32_t node, std::string address,
             std::string runner);
  void Stop(uint32_t node, const std::string& address,
            const std::string& runner);
  void Step(int64_t time_us, uint32_t node, const std::string& address,
            const std::string& runner);
  void Crash(uint32_t node);
  // Violation (2) for superseded holders on nodes resumed before `time_us`
  // that still hold an entity another runner holds.
  void CheckResumed(int64_t time_us);
  Activation* Find(const std::string& address, uint32_t node,
                   const std::string& runner);

  FindingSink sink_;
  absl::btree_map<std::string, std::vector<Activation>> alive_;
  // Paused nodes, and since when.
  absl::btree_map<uint32_t, int64_t> paused_since_us_;
  // Nodes resumed, and when, until the first event after that instant.
  absl::btree_map<uint32_t, int64_t> resumed_at_us_;
  int64_t overlaps_with_paused_ = 0;
  int64_t activations_ = 0;
  int64_t same_runner_overlaps_ = 0;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_SINGLE_ACTIVATION_H_
