// Distributions over a Random source, implemented here rather than taken
// from <random>, whose distributions give different values on different
// standard libraries; ours give the same values everywhere for the same
// stream. Integer and uniform results depend only on the 64-bit draws. The
// real-valued shapes (Exponential, Normal, LogNormal, Pareto) also take
// logarithms and exponentials, from portable_math.h rather than libm, whose
// results depend on the CPU; and std::sqrt, which IEEE 754 rounds exactly.
// So a stream gives the same values on every machine.
//
// Parameters out of range are programming errors and fail a CHECK. Each call
// consumes draws from `rng` and nothing else; stateless and thread-compatible.
#ifndef CLUSTERSIM_CORE_RUNTIME_DISTRIBUTIONS_H_
#define CLUSTERSIM_CORE_RUNTIME_DISTRIBUTIONS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "core/base/check.h"
#include "core/runtime/random.h"

namespace clustersim {

// Uniform in [0, bound), bound > 0, without modulo bias (Lemire's
// multiply-shift with rejection; usually one draw).
uint64_t UniformU64(Random& rng, uint64_t bound);

// Uniform in [lo, hi], inclusive; any lo <= hi including the full int64 range.
int64_t UniformInt(Random& rng, int64_t lo, int64_t hi);

// Uniform in [0, 1): a multiple of 2^-53, from the top 53 bits of one draw.
double UniformReal01(Random& rng);

// Uniform in [lo, hi) for finite lo < hi with hi - lo finite.
double UniformReal(Random& rng, double lo, double hi);

// True with probability p, 0 <= p <= 1 (p == 0 never, p == 1 always).
bool Bernoulli(Random& rng, double p);

// Exponential with the given mean > 0 (inverse CDF, one draw); result >= 0.
double Exponential(Random& rng, double mean);

// Normal (Gaussian) with stddev >= 0 (Marsaglia's polar method, which needs
// no trigonometry; the pair's second value is discarded so calls stay
// stateless).
double Normal(Random& rng, double mean, double stddev);

// exp(Normal(mu, sigma)): a right-skewed latency shape; median exp(mu).
double LogNormal(Random& rng, double mu, double sigma);

// Pareto with minimum `scale` > 0 and tail index `shape` > 0: a heavy tail
// (P(X > x) = (scale / x)^shape), for rare very slow messages.
double Pareto(Random& rng, double scale, double shape);

// A uniformly chosen element of a non-empty span (e.g. std::span(vec)).
template <typename T, size_t N>
T& Choice(Random& rng, std::span<T, N> items) {
  CHECK(!items.empty(), "Choice from an empty span");
  return items[UniformU64(rng, items.size())];
}

// Uniform random permutation in place (Fisher-Yates, from the back).
template <typename T, size_t N>
void Shuffle(Random& rng, std::span<T, N> items) {
  for (size_t i = items.size(); i > 1; --i) {
    using std::swap;
    swap(items[i - 1], items[UniformU64(rng, i)]);
  }
}

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_DISTRIBUTIONS_H_
