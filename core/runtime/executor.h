// Executor: schedules work on one node. The core never runs anything except
// through it, so the environment (the simulator, or a real event loop)
// decides when and in what order things happen.
//
// Delays are measured on the node's local elapsed time: monotonic, unaffected
// by clock steps, but subject to the node's clock drift. Actions scheduled for
// the same instant run in the order they were scheduled. A paused node runs
// nothing until resumed; a crashed node's executor runs nothing again.
// Single-threaded; owned by the node's environment, which outlives the node's
// fibers.
#ifndef CLUSTERSIM_CORE_RUNTIME_EXECUTOR_H_
#define CLUSTERSIM_CORE_RUNTIME_EXECUTOR_H_

#include <cstdint>

#include "core/runtime/clock.h"

namespace clustersim {

// A unit of scheduled work: a function pointer and its context. Kept to two
// words so that scheduling allocates nothing on the hot path.
struct Action {
  void (*fn)(void* ctx) = nullptr;
  void* ctx = nullptr;
};

// Identifies a scheduled action so it can be cancelled. Zero means "none".
struct TimerId {
  uint64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend bool operator==(TimerId, TimerId) = default;
};

class Executor : public Clock {
 public:
  // The node's local monotonic time in microseconds (arbitrary origin): it
  // never steps, but runs at the node's drifting rate, within
  // kMaxClockDriftPpm of true time. Delays are measured on it.
  virtual int64_t MonotonicUs() const = 0;
  // Runs `action` once `delay_us` (>= 0) of local elapsed time has passed.
  virtual TimerId Schedule(int64_t delay_us, Action action) = 0;
  // Cancels a scheduled action. Cancelling one that already ran, or was
  // already cancelled, is a no-op.
  virtual void Cancel(TimerId id) = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_EXECUTOR_H_
