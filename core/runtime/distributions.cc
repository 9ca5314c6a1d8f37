#include "core/runtime/distributions.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/numeric/int128.h"
#include "core/base/check.h"
#include "core/runtime/portable_math.h"
#include "core/runtime/random.h"

namespace clustersim {

uint64_t UniformU64(Random& rng, uint64_t bound) {
  CHECK(bound > 0, "UniformU64 needs a positive bound");
  // The high word of draw * bound is uniform in [0, bound) once the draws
  // whose low word falls below 2^64 mod bound are rejected (Lemire 2019).
  absl::uint128 product = absl::uint128(rng.NextU64()) * bound;
  if (absl::Uint128Low64(product) < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (absl::Uint128Low64(product) < threshold) {
      product = absl::uint128(rng.NextU64()) * bound;
    }
  }
  return absl::Uint128High64(product);
}

int64_t UniformInt(Random& rng, int64_t lo, int64_t hi) {
  CHECK(lo <= hi, "UniformInt needs lo <= hi");
  // Unsigned arithmetic wraps, so the span and the sum are exact for any
  // range; C++20 defines the conversion back to int64_t as modular.
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset = span == std::numeric_limits<uint64_t>::max()
                              ? rng.NextU64()
                              : UniformU64(rng, span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

double UniformReal01(Random& rng) {
  return static_cast<double>(rng.NextU64() >> 11) * 0x1.0p-53;
}

double UniformReal(Random& rng, double lo, double hi) {
  CHECK(lo < hi && std::isfinite(hi - lo),
        "UniformReal needs finite lo < hi with a finite width");
  const double value = lo + (hi - lo) * UniformReal01(rng);
  // Rounding can land on hi; keep the interval half-open.
  return value < hi ? value : std::nextafter(hi, lo);
}

bool Bernoulli(Random& rng, double p) {
  CHECK(p >= 0.0 && p <= 1.0, "Bernoulli needs 0 <= p <= 1");
  return UniformReal01(rng) < p;
}

double Exponential(Random& rng, double mean) {
  CHECK(mean > 0.0 && std::isfinite(mean),
        "Exponential needs a finite positive mean");
  // -log(1 - u) for u in [0, 1): finite (at most 53 ln 2), and +0 at u = 0.
  return mean * -PortableLog1p(-UniformReal01(rng));
}

double Normal(Random& rng, double mean, double stddev) {
  CHECK(stddev >= 0.0 && std::isfinite(stddev) && std::isfinite(mean),
        "Normal needs a finite mean and a finite stddev >= 0");
  double u;
  double v;
  double s;
  do {
    u = 2.0 * UniformReal01(rng) - 1.0;
    v = 2.0 * UniformReal01(rng) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return mean + stddev * u * std::sqrt(-2.0 * PortableLog(s) / s);
}

double LogNormal(Random& rng, double mu, double sigma) {
  return PortableExp(Normal(rng, mu, sigma));
}

double Pareto(Random& rng, double scale, double shape) {
  CHECK(scale > 0.0 && std::isfinite(scale) && shape > 0.0 &&
            std::isfinite(shape),
        "Pareto needs finite positive scale and shape");
  // If E ~ Exponential(1) then scale * exp(E / shape) is Pareto.
  return scale * PortableExp(Exponential(rng, 1.0) / shape);
}

}  // namespace clustersim
