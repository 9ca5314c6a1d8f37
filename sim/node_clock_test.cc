#include "sim/node_clock.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kSecondUs = 1'000'000;

TEST(NodeClockTest, OffsetShiftsTheWallClockOnly) {
  NodeClock clock(ClockConfig{.offset_ms = 500}, 0);
  EXPECT_EQ(clock.WallMs(0), kSimEpochMs + 500);
  EXPECT_EQ(clock.WallMs(kSecondUs), kSimEpochMs + 1500);
  EXPECT_EQ(clock.LocalUs(kSecondUs), kSecondUs);
  EXPECT_EQ(clock.offset_ms(), 500);
}

TEST(NodeClockTest, NegativeOffsetRoundsTowardsMinusInfinity) {
  NodeClock clock(ClockConfig{.offset_ms = -1}, 0);
  // -1000 us + 500 us = -0.5 ms: the wall clock reads the millisecond before.
  EXPECT_EQ(clock.WallMs(500), kSimEpochMs - 1);
}

TEST(NodeClockTest, FastClockRunsAheadAndShortensDelays) {
  NodeClock clock(ClockConfig{.drift_ppm = 100'000}, 0);
  EXPECT_EQ(clock.LocalUs(kSecondUs), 1'100'000);
  EXPECT_EQ(clock.WallMs(kSecondUs), kSimEpochMs + 1100);
  // 1 s of local time passes in 1/1.1 s of global time, rounded up.
  EXPECT_EQ(clock.GlobalDelayUs(kSecondUs), 909'091);
}

TEST(NodeClockTest, SlowClockLagsAndLengthensDelays) {
  NodeClock clock(ClockConfig{.drift_ppm = -200'000}, 0);
  EXPECT_EQ(clock.LocalUs(kSecondUs), 800'000);
  EXPECT_EQ(clock.GlobalDelayUs(800'000), kSecondUs);
}

TEST(NodeClockTest, ClockStartsAtTheGlobalTimeItIsCreatedAt) {
  NodeClock clock(ClockConfig{.drift_ppm = 100'000}, 10 * kSecondUs);
  EXPECT_EQ(clock.LocalUs(10 * kSecondUs), 10 * kSecondUs);
  EXPECT_EQ(clock.LocalUs(11 * kSecondUs), 11 * kSecondUs + 100'000);
}

TEST(NodeClockTest, StepMovesTheWallClockButNotLocalTime) {
  NodeClock clock(ClockConfig{}, 0);
  clock.Step(-2000);
  EXPECT_EQ(clock.WallMs(kSecondUs), kSimEpochMs - 1000);
  EXPECT_EQ(clock.LocalUs(kSecondUs), kSecondUs);
  clock.Step(+5000);
  EXPECT_EQ(clock.WallMs(kSecondUs), kSimEpochMs + 4000);
  EXPECT_EQ(clock.offset_ms(), 3000);
  EXPECT_EQ(clock.GlobalDelayUs(kSecondUs), kSecondUs);
}

TEST(NodeClockTest, ChangingDriftReanchorsWithoutAJump) {
  NodeClock clock(ClockConfig{.drift_ppm = 100'000}, 0);
  clock.SetDriftPpm(0, kSecondUs);
  EXPECT_EQ(clock.LocalUs(kSecondUs), 1'100'000);
  EXPECT_EQ(clock.LocalUs(2 * kSecondUs), 2'100'000);
  EXPECT_EQ(clock.drift_ppm(), 0);
  clock.SetDriftPpm(-500'000 + 1, 2 * kSecondUs);
  EXPECT_GT(clock.LocalUs(3 * kSecondUs), clock.LocalUs(2 * kSecondUs));
}

// A timer set for d of local time never fires early by the local clock,
// whatever the drift and the instant it was set at.
TEST(NodeClockTest, GlobalDelayNeverFiresEarly) {
  for (int64_t drift : {-499'999, -123'457, -1, 0, 1, 7, 99'999, 499'999}) {
    NodeClock clock(ClockConfig{.drift_ppm = drift}, 3);
    for (int64_t start = 0; start < 2000; start += 37) {
      for (int64_t delay : {0, 1, 2, 999, 1000, 123'457, 10'000'000}) {
        int64_t fire = start + clock.GlobalDelayUs(delay);
        EXPECT_GE(clock.LocalUs(fire) - clock.LocalUs(start), delay)
            << "drift=" << drift << " start=" << start << " delay=" << delay;
        // ...and not a microsecond of global time later than needed.
        if (delay > 0) {
          EXPECT_LE(clock.LocalUs(fire - 1) - clock.LocalUs(start), delay)
              << "drift=" << drift;
        }
      }
    }
  }
}

}  // namespace
}  // namespace clustersim::sim
