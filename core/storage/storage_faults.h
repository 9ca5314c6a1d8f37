// StorageFaults: how the simulated storage server misbehaves (SPEC §5:
// errors, latency spikes, unavailability, applied-but-timed-out), and the
// per-request draw that applies them.
//
// The settings live in the storage node's StorageBackend
// (storage_server.h), where the simulator's nemesis may change them at any
// instant; each request reads them when it arrives (and `unavailable` is read
// again when a response leaves). Every random choice comes from the storage
// node's Random; a setting of zero draws nothing.
// Value types and pure functions; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_FAULTS_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_FAULTS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/runtime/random.h"

namespace clustersim::storage {

struct StorageFaults {
  // Probability that a request is answered with a PersistenceError and not
  // applied (a failed statement, a rolled-back transaction).
  double error_rate = 0;
  // Probability that a request is slowed by a spike drawn uniformly from
  // [latency_spike_min_ms, latency_spike_max_ms]; the spike comes before the
  // operation applies or after (even odds), as both happen in a real
  // database (a lock wait; a slow commit acknowledgement).
  double latency_spike_rate = 0;
  int64_t latency_spike_min_ms = 0;
  int64_t latency_spike_max_ms = 0;
  // The node is silent: arriving requests are dropped unapplied, and so are
  // responses leaving it. Callers time out.
  bool unavailable = false;
  // Probability that a request is applied and then its response dropped: the
  // caller times out although the write landed.
  double apply_then_drop_rate = 0;

  // OK if the probabilities are in [0, 1] and 0 <= min <= max; otherwise
  // InvalidArgument naming the bad setting.
  absl::Status Validate() const;
  // "none", or e.g. "error=0.1,spike=0.05:20ms..500ms,unavailable,drop=0.01".
  std::string ToString() const;

  friend bool operator==(const StorageFaults&, const StorageFaults&) = default;
};

// What happens to one request.
struct StorageFaultDraw {
  bool fail = false;            // answer PersistenceError, apply nothing
  int64_t delay_before_ms = 0;  // sleep before applying
  int64_t delay_after_ms = 0;   // sleep after applying
  bool drop_response = false;   // applied, response dropped (never with fail)

  friend bool operator==(const StorageFaultDraw&,
                         const StorageFaultDraw&) = default;
};

// Draws the fate of one request. Requires faults.Validate() to be OK.
StorageFaultDraw DrawStorageFaults(const StorageFaults& faults, Random& rng);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_FAULTS_H_
