// Mix64: SplitMix64's output function, a bijective 64-bit avalanche mixer.
// Used to derive PRNG streams and to fold events into trace hashes; both
// depend on its exact values, so it must never change. Pure function.
#ifndef CLUSTERSIM_CORE_BASE_MIX64_H_
#define CLUSTERSIM_CORE_BASE_MIX64_H_

#include <cstdint>

namespace clustersim {

constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_BASE_MIX64_H_
