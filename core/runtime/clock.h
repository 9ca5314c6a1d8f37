// Clock: the wall clock a node reads, in whole milliseconds since the Unix
// epoch. In the simulator it is virtual time plus the node's offset, drift and
// steps, so it may jump backwards. Core code reads time only through this.
// Not thread-safe; owned by the node's environment, which outlives its users.
#ifndef CLUSTERSIM_CORE_RUNTIME_CLOCK_H_
#define CLUSTERSIM_CORE_RUNTIME_CLOCK_H_

#include <cstdint>

namespace clustersim {

// The largest rate error of a node's clocks (wall and monotonic) against
// true time, in parts per million. Lease arithmetic relies on it (a lease
// cannot be judged on clocks of unbounded rate error); the simulator's fault
// grammar admits no larger drift. Real oscillators stay within about 100 ppm.
inline constexpr int64_t kMaxClockDriftPpm = 10'000;

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since 1970-01-01T00:00:00Z on this node's clock.
  virtual int64_t NowMs() const = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_CLOCK_H_
