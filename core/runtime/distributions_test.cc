#include "core/runtime/distributions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "core/runtime/random.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "sim/prng.h"

namespace clustersim {
namespace {

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int kDraws = 100'000;

sim::Prng Stream(std::string_view name) {
  return sim::Prng::ForStream(1, name);
}

// Returns the given draws in order, to reach exact corner cases.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> draws)
      : draws_(std::move(draws)) {}

  uint64_t NextU64() override {
    CHECK(next_ < draws_.size(), "script exhausted");
    return draws_[next_++];
  }

  size_t used() const { return next_; }

 private:
  std::vector<uint64_t> draws_;
  size_t next_ = 0;
};

template <typename F>
auto Draw(F draw, int count) {
  std::vector<decltype(draw())> out;
  for (int i = 0; i < count; ++i) out.push_back(draw());
  return out;
}

// Pinned values for the stream (seed 1, "distributions"); cross-checked
// against an independent implementation of the same algorithms.
TEST(DistributionsTest, SequencesArePinned) {
  sim::Prng rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return UniformInt(rng, 1, 6); }, 10),
            (std::vector<int64_t>{5, 1, 3, 4, 3, 3, 3, 3, 6, 5}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return UniformU64(rng, 1000); }, 5),
            (std::vector<uint64_t>{791, 48, 438, 534, 350}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return UniformInt(rng, kI64Min, kI64Max); }, 3),
            (std::vector<int64_t>{5378495595631427283, -8334005916205335019,
                                  -1137986777516179245}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return UniformReal01(rng); }, 3),
            (std::vector<double>{0x1.9548827ed73a7p-1, 0x1.8af538ca12770p-5,
                                 0x1.c0d43c387c3a0p-2}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return Exponential(rng, 2.0); }, 3),
            (std::vector<double>{0x1.91720b1d4b532p+1, 0x1.94cbe17b9fd82p-4,
                                 0x1.2752eb2c0b3abp+0}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return Normal(rng, 0.0, 1.0); }, 3),
            (std::vector<double>{-0x1.376233af1ddd3p+1, -0x1.5dffc4799881ap+0,
                                 -0x1.269a18cdf719ap+1}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return LogNormal(rng, 0.0, 1.0); }, 3),
            (std::vector<double>{0x1.67a1d673db172p-4, 0x1.04f076a799665p-2,
                                 0x1.9a034a31907e8p-4}));
  rng = Stream("distributions");
  EXPECT_EQ(Draw([&] { return Pareto(rng, 1.0, 2.0); }, 3),
            (std::vector<double>{0x1.185e3d6d75295p+1, 0x1.06675a95e8369p+0,
                                 0x1.5594492aff471p+0}));
  rng = Stream("distributions");
  std::vector<int> items(10);
  std::iota(items.begin(), items.end(), 0);
  Shuffle(rng, std::span(items));
  EXPECT_EQ(items, (std::vector<int>{8, 5, 6, 4, 1, 2, 9, 3, 0, 7}));
}

TEST(DistributionsTest, UniformU64RejectsTheBiasedDraws) {
  // bound = 3 * 2^62: 2^64 mod bound = 2^62, so a draw whose product has a
  // low word below 2^62 is rejected. Draw 0 is; draw 1 gives 0.
  ScriptedRandom rng({0, 1});
  EXPECT_EQ(UniformU64(rng, uint64_t{3} << 62), 0u);
  EXPECT_EQ(rng.used(), 2u);
  ScriptedRandom top({kU64Max});
  EXPECT_EQ(UniformU64(top, 10), 9u);
  ScriptedRandom one({kU64Max});
  EXPECT_EQ(UniformU64(one, 1), 0u);
}

TEST(DistributionsTest, UniformIntHandlesEveryRangeShape) {
  sim::Prng rng = Stream("ranges");
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(UniformInt(rng, 7, 7), 7);
    EXPECT_EQ(UniformInt(rng, kI64Min, kI64Min), kI64Min);
    EXPECT_EQ(UniformInt(rng, kI64Max, kI64Max), kI64Max);
    const int64_t low_pair = UniformInt(rng, kI64Min, kI64Min + 1);
    EXPECT_TRUE(low_pair == kI64Min || low_pair == kI64Min + 1);
    const int64_t high_pair = UniformInt(rng, kI64Max - 1, kI64Max);
    EXPECT_TRUE(high_pair == kI64Max - 1 || high_pair == kI64Max);
    EXPECT_LT(UniformU64(rng, kU64Max), kU64Max);
  }
  // The full range offsets lo by the whole draw, so it reaches both ends.
  ScriptedRandom script({0, kU64Max, uint64_t{1} << 63});
  EXPECT_EQ(UniformInt(script, kI64Min, kI64Max), kI64Min);
  EXPECT_EQ(UniformInt(script, kI64Min, kI64Max), kI64Max);
  EXPECT_EQ(UniformInt(script, kI64Min, kI64Max), 0);
}

// Chi-square goodness of fit; 27.88 is the 99.9% point for 9 degrees of
// freedom, 13.82 for 2.
double ChiSquare(const std::vector<int64_t>& counts, double expected) {
  double chi = 0;
  for (int64_t count : counts) {
    chi += (count - expected) * (count - expected) / expected;
  }
  return chi;
}

TEST(DistributionsTest, UniformIntIsUniform) {
  sim::Prng rng = Stream("chi-square");
  std::vector<int64_t> counts(10, 0);
  for (int i = 0; i < kDraws; ++i) ++counts[UniformInt(rng, -5, 4) + 5];
  EXPECT_LT(ChiSquare(counts, kDraws / 10.0), 27.88);
}

TEST(DistributionsTest, LargeBoundsHaveNoModuloBias) {
  // With draw % bound, the first third of [0, 3 * 2^62) would be hit twice as
  // often as the others.
  sim::Prng rng = Stream("bias");
  const uint64_t bound = uint64_t{3} << 62;
  std::vector<int64_t> thirds(3, 0);
  for (int i = 0; i < kDraws; ++i) ++thirds[UniformU64(rng, bound) >> 62];
  EXPECT_LT(ChiSquare(thirds, kDraws / 3.0), 13.82);
}

struct Moments {
  double mean;
  double variance;
};

template <typename F>
Moments Measure(F draw) {
  double sum = 0;
  double sum_squares = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = draw();
    sum += x;
    sum_squares += x * x;
  }
  const double mean = sum / kDraws;
  return {mean, sum_squares / kDraws - mean * mean};
}

// Tolerances are about six standard errors for 100k draws.
TEST(DistributionsTest, UniformRealMoments) {
  sim::Prng rng = Stream("uniform-real");
  const Moments unit = Measure([&] { return UniformReal01(rng); });
  EXPECT_NEAR(unit.mean, 0.5, 0.006);
  EXPECT_NEAR(unit.variance, 1.0 / 12, 0.002);
  const Moments wide = Measure([&] { return UniformReal(rng, -3.0, 5.0); });
  EXPECT_NEAR(wide.mean, 1.0, 0.05);
  EXPECT_NEAR(wide.variance, 64.0 / 12, 0.1);
}

TEST(DistributionsTest, UniformRealStaysHalfOpen) {
  ScriptedRandom top({kU64Max, kU64Max, 0});
  EXPECT_EQ(UniformReal01(top), 1.0 - 0x1.0p-53);
  // One ulp wide: lo + width * (1 - 2^-53) rounds to hi, which is excluded.
  const double lo = 1.0;
  const double hi = std::nextafter(1.0, 2.0);
  EXPECT_EQ(UniformReal(top, lo, hi), lo);
  EXPECT_EQ(UniformReal(top, lo, hi), lo);
}

TEST(DistributionsTest, BernoulliFrequencyAndCertainties) {
  sim::Prng rng = Stream("bernoulli");
  int hits = 0;
  for (int i = 0; i < kDraws; ++i) hits += Bernoulli(rng, 0.3) ? 1 : 0;
  EXPECT_NEAR(hits / double{kDraws}, 0.3, 0.01);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(Bernoulli(rng, 0.0));
    EXPECT_TRUE(Bernoulli(rng, 1.0));
  }
  ScriptedRandom extremes({0, kU64Max});
  EXPECT_FALSE(Bernoulli(extremes, 0.0));
  EXPECT_TRUE(Bernoulli(extremes, 1.0));
}

TEST(DistributionsTest, ExponentialMoments) {
  sim::Prng rng = Stream("exponential");
  const Moments m = Measure([&] { return Exponential(rng, 3.0); });
  EXPECT_NEAR(m.mean, 3.0, 0.06);
  EXPECT_NEAR(m.variance, 9.0, 0.5);
  ScriptedRandom extremes({0, kU64Max});
  EXPECT_EQ(Exponential(extremes, 3.0), 0.0);
  ScriptedRandom zero({0});
  EXPECT_FALSE(std::signbit(Exponential(zero, 3.0)));
  const double largest = Exponential(extremes, 3.0);
  EXPECT_NEAR(largest, 3.0 * 53 * std::log(2.0), 1e-9);
}

TEST(DistributionsTest, NormalMoments) {
  sim::Prng rng = Stream("normal");
  const Moments m = Measure([&] { return Normal(rng, 10.0, 2.0); });
  EXPECT_NEAR(m.mean, 10.0, 0.05);
  EXPECT_NEAR(m.variance, 4.0, 0.15);
  EXPECT_EQ(Normal(rng, 4.0, 0.0), 4.0);
}

TEST(DistributionsTest, LogNormalMoments) {
  sim::Prng rng = Stream("lognormal");
  const Moments logs =
      Measure([&] { return std::log(LogNormal(rng, 1.0, 0.5)); });
  EXPECT_NEAR(logs.mean, 1.0, 0.01);
  EXPECT_NEAR(logs.variance, 0.25, 0.01);
  const Moments m = Measure([&] { return LogNormal(rng, 0.0, 0.5); });
  EXPECT_NEAR(m.mean, std::exp(0.125), 0.012);
}

TEST(DistributionsTest, ParetoTail) {
  sim::Prng rng = Stream("pareto");
  int below_median = 0;
  int beyond_ten = 0;
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = Pareto(rng, 2.0, 3.0);
    ASSERT_GE(x, 2.0);
    sum += x;
    below_median += x < 2.0 * std::cbrt(2.0) ? 1 : 0;
    beyond_ten += x > 10.0 ? 1 : 0;
  }
  EXPECT_NEAR(below_median / double{kDraws}, 0.5, 0.01);
  EXPECT_NEAR(beyond_ten / double{kDraws}, 0.008, 0.002);  // (2/10)^3
  EXPECT_NEAR(sum / kDraws, 3.0, 0.05);  // shape * scale / (shape - 1)
}

TEST(DistributionsTest, ChoiceIsUniformOverTheSpan) {
  sim::Prng rng = Stream("choice");
  const std::array<char, 4> letters = {'a', 'b', 'c', 'd'};
  std::vector<int64_t> counts(4, 0);
  for (int i = 0; i < kDraws; ++i) {
    const char& chosen = Choice(rng, std::span(letters));
    ++counts[&chosen - letters.data()];
  }
  EXPECT_LT(ChiSquare(counts, kDraws / 4.0), 16.27);  // 99.9%, 3 dof
  std::vector<int> single = {42};
  Choice(rng, std::span(single)) = 7;
  EXPECT_EQ(single[0], 7);
}

TEST(DistributionsTest, ShuffleVisitsEveryPermutationEvenly) {
  sim::Prng rng = Stream("shuffle");
  std::vector<int64_t> counts(6, 0);
  constexpr int kShuffles = 60'000;
  for (int i = 0; i < kShuffles; ++i) {
    std::array<int, 3> items = {0, 1, 2};
    Shuffle(rng, std::span(items));
    // Lexicographic rank of the permutation of {0, 1, 2}.
    const int rank = items[0] * 2 + (items[1] > items[2] ? 1 : 0);
    ++counts[rank];
  }
  EXPECT_LT(ChiSquare(counts, kShuffles / 6.0), 20.52);  // 99.9%, 5 dof
  std::vector<int> empty;
  Shuffle(rng, std::span(empty));
  std::vector<int> one = {9};
  Shuffle(rng, std::span(one));
  EXPECT_EQ(one, std::vector<int>{9});
}

RC_GTEST_PROP(DistributionsProperty, UniformIntStaysInBounds,
              (uint64_t seed, int64_t a, int64_t b)) {
  const int64_t lo = std::min(a, b);
  const int64_t hi = std::max(a, b);
  sim::Prng rng = sim::Prng::ForStream(seed, "bounds");
  for (int i = 0; i < 20; ++i) {
    const int64_t x = UniformInt(rng, lo, hi);
    RC_ASSERT(lo <= x);
    RC_ASSERT(x <= hi);
  }
}

RC_GTEST_PROP(DistributionsProperty, UniformU64StaysBelowBound,
              (uint64_t seed, uint64_t raw_bound)) {
  const uint64_t bound = raw_bound == 0 ? 1 : raw_bound;
  sim::Prng rng = sim::Prng::ForStream(seed, "bounds");
  for (int i = 0; i < 20; ++i) RC_ASSERT(UniformU64(rng, bound) < bound);
}

RC_GTEST_PROP(DistributionsProperty, UniformRealStaysInBounds,
              (uint64_t seed)) {
  const double a = *rc::gen::inRange(-1'000'000, 1'000'000) / 7.0;
  const double b = *rc::gen::inRange(-1'000'000, 1'000'000) / 7.0;
  RC_PRE(a != b);
  const double lo = std::min(a, b);
  const double hi = std::max(a, b);
  sim::Prng rng = sim::Prng::ForStream(seed, "bounds");
  for (int i = 0; i < 20; ++i) {
    const double x = UniformReal(rng, lo, hi);
    RC_ASSERT(lo <= x);
    RC_ASSERT(x < hi);
  }
}

RC_GTEST_PROP(DistributionsProperty, ShuffleIsAPermutation,
              (uint64_t seed, std::vector<int> items)) {
  std::vector<int> shuffled = items;
  sim::Prng rng = sim::Prng::ForStream(seed, "shuffle");
  Shuffle(rng, std::span(shuffled));
  std::sort(items.begin(), items.end());
  std::sort(shuffled.begin(), shuffled.end());
  RC_ASSERT(shuffled == items);
}

}  // namespace
}  // namespace clustersim
