// Prng: the simulator's seeded random streams.
//
// Generator: xoshiro256** (Blackman & Vigna, 2018): 256 bits of state,
// period 2^256 - 1, passes BigCrush, about a nanosecond per output. Its state
// is filled from SplitMix64 seeded with the stream's 64-bit key, as the
// authors recommend (never all zero).
//
// Streams: every consumer of randomness (each node, the network, the nemesis)
// draws from its own stream, named, so adding draws in one place does not
// shift the values seen in another. ForStream(seed, name) keys a stream by
// Mix(seed ^ Mix(FNV-1a-64(name))), where Mix is SplitMix64's finalizer; the
// name hash is ours, so streams are identical across processes, builds and
// standard libraries. Fork(name) keys a child the same way from its parent's
// key, so a child depends on the parent's identity, not on how much the
// parent has drawn.
//
// Copyable (a copy continues the same sequence independently). Not
// thread-safe; each stream is owned by one consumer.
#ifndef CLUSTERSIM_SIM_PRNG_H_
#define CLUSTERSIM_SIM_PRNG_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "core/runtime/random.h"

namespace clustersim::sim {

class Prng final : public Random {
 public:
  static Prng ForStream(uint64_t seed, std::string_view stream_name);

  Prng Fork(std::string_view child_name) const;

  uint64_t NextU64() override;

 private:
  explicit Prng(uint64_t stream_key);

  uint64_t stream_key_;
  std::array<uint64_t, 4> state_;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_PRNG_H_
