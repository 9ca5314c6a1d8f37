#include "sim/prng.h"

#include <bit>
#include <cstdint>
#include <string_view>

#include "core/base/mix64.h"

namespace clustersim::sim {
namespace {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15;

// FNV-1a, 64-bit: a fixed, portable hash of the stream name's bytes.
uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325;
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3;
  }
  return hash;
}

uint64_t DeriveKey(uint64_t parent, std::string_view name) {
  return Mix64(parent ^ Mix64(Fnv1a64(name)));
}

}  // namespace

Prng::Prng(uint64_t stream_key) : stream_key_(stream_key) {
  // Four consecutive SplitMix64 outputs: Mix64 is a bijection applied to four
  // distinct inputs, so at most one word is zero and the state never is.
  uint64_t splitmix_state = stream_key;
  for (uint64_t& word : state_) {
    splitmix_state += kGoldenGamma;
    word = Mix64(splitmix_state);
  }
}

Prng Prng::ForStream(uint64_t seed, std::string_view stream_name) {
  return Prng(DeriveKey(seed, stream_name));
}

Prng Prng::Fork(std::string_view child_name) const {
  return Prng(DeriveKey(stream_key_, child_name));
}

uint64_t Prng::NextU64() {
  const uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = std::rotl(state_[3], 45);
  return result;
}

}  // namespace clustersim::sim
