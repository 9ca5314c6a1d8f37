// Clock: the wall clock a node reads, in whole milliseconds since the Unix
// epoch. In the simulator it is virtual time plus the node's offset, drift and
// steps, so it may jump backwards. Core code reads time only through this.
// Not thread-safe; owned by the node's environment, which outlives its users.
#ifndef CLUSTERSIM_CORE_RUNTIME_CLOCK_H_
#define CLUSTERSIM_CORE_RUNTIME_CLOCK_H_

#include <cstdint>

namespace clustersim {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since 1970-01-01T00:00:00Z on this node's clock.
  virtual int64_t NowMs() const = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_CLOCK_H_
