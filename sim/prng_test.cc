#include "sim/prng.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "core/runtime/random.h"
#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

std::vector<uint64_t> Draw(Random& rng, int count) {
  std::vector<uint64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(rng.NextU64());
  return out;
}

std::vector<uint64_t> First(uint64_t seed, std::string_view name, int count) {
  Prng rng = Prng::ForStream(seed, name);
  return Draw(rng, count);
}

// Pinned outputs: streams must be identical in every process and build. They
// were cross-checked against an independent implementation of the reference
// algorithms, itself checked against the published vectors (xoshiro256** from
// state {1,2,3,4}: 11520, 0, 1509978240, ...; SplitMix64 from 1234567:
// 6457827717110365317, ...; FNV-1a-64("foobar") = 0x85944171f73967e8).
TEST(PrngTest, StreamsArePinned) {
  EXPECT_EQ(First(1, "net", 4),
            (std::vector<uint64_t>{0xc71a90842b086cc0, 0xfecfee38db55f65e,
                                   0x85e8fc75ae574efd, 0x71b8e71abf3907a3}));
  EXPECT_EQ(First(1, "node/1", 4),
            (std::vector<uint64_t>{0x342b52e3b500728b, 0x3085b6d91ab580f5,
                                   0x9a03880099302753, 0xc4be00da2a49ad8a}));
  EXPECT_EQ(First(2, "net", 4),
            (std::vector<uint64_t>{0x40436186d4ea432f, 0x29b3dd97845419c7,
                                   0x59ea4e757678d31c, 0x1d96ae1ea2dc2d96}));
  EXPECT_EQ(First(0, "", 4),
            (std::vector<uint64_t>{0x2f84d9e8ac422d42, 0x52602ccc06917c66,
                                   0x845ccb59ffb02570, 0x66b050edc69702ba}));
  EXPECT_EQ(First(42, "storage", 4),
            (std::vector<uint64_t>{0xcd5082b8fb548a65, 0x0ba725c87c34ab57,
                                   0x1bac1e557f03480d, 0x0252c257cca7fcaf}));
}

TEST(PrngTest, ForkIsPinned) {
  Prng child = Prng::ForStream(1, "net").Fork("child");
  EXPECT_EQ(Draw(child, 3),
            (std::vector<uint64_t>{0x57ea60b6513298b9, 0x9b61c73b7d4503b1,
                                   0x0f93673dac0ce2c0}));
}

TEST(PrngTest, SameSeedAndNameGiveTheSameStream) {
  EXPECT_EQ(First(7, "nemesis", 1000), First(7, "nemesis", 1000));
}

TEST(PrngTest, CopyContinuesTheSameSequenceIndependently) {
  Prng original = Prng::ForStream(3, "net");
  original.NextU64();
  Prng copy = original;
  const std::vector<uint64_t> from_original = Draw(original, 10);
  EXPECT_EQ(Draw(copy, 10), from_original);
}

TEST(PrngTest, ForkDependsOnlyOnTheParentsIdentity) {
  Prng parent = Prng::ForStream(5, "node/3");
  Prng before = parent.Fork("timers");
  Draw(parent, 100);
  Prng after = parent.Fork("timers");
  EXPECT_EQ(Draw(before, 10), Draw(after, 10));
  Prng sibling = parent.Fork("mailbox");
  EXPECT_NE(Draw(sibling, 10), Draw(after, 10));
}

TEST(PrngTest, NearbySeedsAndNamesGiveDistinctStreams) {
  std::vector<uint64_t> firsts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    for (int node = 0; node < 500; ++node) {
      firsts.push_back(First(seed, "node/" + std::to_string(node), 1)[0]);
    }
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(std::adjacent_find(firsts.begin(), firsts.end()), firsts.end());
}

// Coarse sanity, not a randomness test suite (xoshiro256** passes BigCrush):
// each output bit is set half the time, and neighbouring streams are
// uncorrelated bit by bit. The tolerances are > 6 standard deviations.
TEST(PrngTest, BitsAreBalancedWithinAndAcrossStreams) {
  constexpr int kDraws = 100'000;
  Prng a = Prng::ForStream(1, "node/1");
  Prng b = Prng::ForStream(1, "node/2");
  Prng c = Prng::ForStream(2, "node/1");
  std::vector<int> ones(64, 0);
  int64_t differing_ab = 0;
  int64_t differing_ac = 0;
  for (int i = 0; i < kDraws; ++i) {
    const uint64_t x = a.NextU64();
    for (int bit = 0; bit < 64; ++bit) ones[bit] += (x >> bit) & 1;
    differing_ab += std::popcount(x ^ b.NextU64());
    differing_ac += std::popcount(x ^ c.NextU64());
  }
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_NEAR(ones[bit], kDraws / 2, 1000) << "bit " << bit;
  }
  EXPECT_NEAR(differing_ab, int64_t{kDraws} * 32, 8000);
  EXPECT_NEAR(differing_ac, int64_t{kDraws} * 32, 8000);
}

}  // namespace
}  // namespace clustersim::sim
