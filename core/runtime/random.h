// Random: the source of randomness a node reads. In the simulator each node
// gets its own PRNG stream derived from (seed, stream name), so runs are
// reproducible. Distributions over it live in core/runtime/distributions.h.
// Not thread-safe; owned by the node's environment.
#ifndef CLUSTERSIM_CORE_RUNTIME_RANDOM_H_
#define CLUSTERSIM_CORE_RUNTIME_RANDOM_H_

#include <cstdint>

namespace clustersim {

class Random {
 public:
  virtual ~Random() = default;
  // 64 uniformly distributed random bits.
  virtual uint64_t NextU64() = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_RANDOM_H_
