// StepFreeClock: wall-clock milliseconds that never step. It reads the
// node's wall clock once, when made, and from then on advances it by the
// node's monotonic clock (core/runtime/executor.h), as a host whose time
// daemon slews instead of stepping would. Steps of the wall clock after the
// anchor are not seen; drift is (within kMaxClockDriftPpm).
//
// Why: hardened mode judges leases, claims, delivery times and snowflake
// timestamps on it, so a clock step can neither expire every lease at once
// nor make ids repeat (effect-semantics.md §14.2, §14.7).
//
// Not thread-safe; the executor must outlive it.
#ifndef CLUSTERSIM_CORE_RUNTIME_STEP_FREE_CLOCK_H_
#define CLUSTERSIM_CORE_RUNTIME_STEP_FREE_CLOCK_H_

#include <cstdint>

#include "core/runtime/clock.h"
#include "core/runtime/executor.h"

namespace clustersim {

class StepFreeClock : public Clock {
 public:
  // The anchor: a wall-clock reading and the monotonic time it was taken at.
  struct Anchor {
    int64_t wall_ms = 0;
    int64_t monotonic_us = 0;
  };

  explicit StepFreeClock(const Executor& executor)
      : executor_(executor), anchor_(AnchorNow(executor)) {}

  static Anchor AnchorNow(const Executor& executor) {
    return Anchor{executor.NowMs(), executor.MonotonicUs()};
  }
  // The step-free time at monotonic time `monotonic_us`.
  static int64_t At(const Anchor& anchor, int64_t monotonic_us) {
    return anchor.wall_ms + (monotonic_us - anchor.monotonic_us) / 1000;
  }

  int64_t NowMs() const override {
    return At(anchor_, executor_.MonotonicUs());
  }

 private:
  const Executor& executor_;
  const Anchor anchor_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_STEP_FREE_CLOCK_H_
