// NodeClock: one node's view of time in the simulation.
//
// Local elapsed time runs at (1 + drift_ppm / 1e6) times global virtual time,
// piecewise (changing the drift re-anchors at the current instant). The wall
// clock is epoch + offset + steps + local elapsed time, so it can jump
// forward or backward (Step) while local elapsed time, which drives sleeps and
// timers, stays monotonic, as a real host's monotonic clock does. All math is
// integer (no floating point), so results are exact and portable.
// Value type; single-threaded.
#ifndef CLUSTERSIM_SIM_NODE_CLOCK_H_
#define CLUSTERSIM_SIM_NODE_CLOCK_H_

#include <cstdint>

namespace clustersim::sim {

// Virtual time zero is this wall-clock instant (2025-06-01T00:00:00Z), after
// Effect's snowflake epoch, so generated ids are positive.
inline constexpr int64_t kSimEpochMs = 1748736000000;

// Drift beyond this is not a clock, it's a bug in the fault plan.
inline constexpr int64_t kMaxDriftPpm = 500'000;

struct ClockConfig {
  int64_t offset_ms = 0;  // initial wall-clock offset from global time
  int64_t drift_ppm = 0;  // local rate error, parts per million
  friend bool operator==(const ClockConfig&, const ClockConfig&) = default;
};

class NodeClock {
 public:
  NodeClock() = default;
  NodeClock(const ClockConfig& config, int64_t global_now_us);

  // Local monotonic elapsed time at global time `global_us`.
  int64_t LocalUs(int64_t global_us) const;
  // The node's wall clock in ms since the Unix epoch at `global_us`.
  int64_t WallMs(int64_t global_us) const;
  // Global time that passes while `local_delay_us` of local time passes
  // (rounded up, so a timer never fires early by the local clock).
  int64_t GlobalDelayUs(int64_t local_delay_us) const;

  // Jumps the wall clock by `delta_ms` (negative: backwards).
  void Step(int64_t delta_ms) { offset_us_ += delta_ms * 1000; }
  // Changes the drift from `global_now_us` on.
  void SetDriftPpm(int64_t drift_ppm, int64_t global_now_us);

  int64_t drift_ppm() const { return drift_ppm_; }
  int64_t offset_ms() const { return offset_us_ / 1000; }

 private:
  int64_t anchor_global_us_ = 0;
  int64_t anchor_local_us_ = 0;
  int64_t drift_ppm_ = 0;
  int64_t offset_us_ = 0;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_NODE_CLOCK_H_
