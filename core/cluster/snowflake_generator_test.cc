#include "core/cluster/snowflake_generator.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

constexpr int64_t kEpoch = kSnowflakeEpochMs;

class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_; }
  void Set(int64_t now_ms) { now_ms_ = now_ms; }

 private:
  int64_t now_ms_;
};

class FixedRandom : public Random {
 public:
  explicit FixedRandom(uint64_t value) : value_(value) {}
  uint64_t NextU64() override { return value_; }

 private:
  uint64_t value_;
};

// The expected ids below come from Effect 4.1.0's makeGenerator run under
// node with a scripted Clock service.

TEST(SnowflakeGeneratorTest, CountsWithinAMillisecondAndResetsOnTheNext) {
  ManualClock clock(kEpoch + 10);
  SnowflakeGenerator generator(clock, MachineId(3));
  std::vector<int64_t> ids;
  for (int64_t now :
       {kEpoch + 10, kEpoch + 10, kEpoch + 11, kEpoch + 11, kEpoch + 20}) {
    clock.Set(now);
    ids.push_back(generator.Next().value());
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{41955328, 41955329, 46149632, 46149633,
                                       83898368}));
}

TEST(SnowflakeGeneratorTest, ClockBehindKeepsTheLastMillisecond) {
  ManualClock clock(kEpoch + 100);
  SnowflakeGenerator generator(clock, MachineId(1));
  std::vector<int64_t> ids;
  const int64_t times[] = {kEpoch + 100, kEpoch + 100, kEpoch + 95, kEpoch + 95,
                           kEpoch + 101, kEpoch + 102, kEpoch + 50};
  for (int i = 0; i < 7; ++i) {
    if (i == 3) generator.SetMachineId(MachineId(700));
    clock.Set(times[i]);
    ids.push_back(generator.Next().value());
  }
  EXPECT_EQ(ids,
            (std::vector<int64_t>{419434496, 419434497, 419434498, 422297603,
                                  426491904, 430686208, 430686209}));
  EXPECT_EQ(generator.machine_id(), MachineId(700));
}

TEST(SnowflakeGeneratorTest, FrozenClockBorrowsTheNextMillisecondEvery4096) {
  ManualClock clock(kEpoch + 5);
  SnowflakeGenerator generator(clock, MachineId(9));
  std::vector<std::pair<int, int64_t>> picked;
  for (int k = 0; k < 8200; ++k) {
    const int64_t id = generator.Next().value();
    if (k == 0 || k == 4095 || k == 4096 || k == 4097 || k == 8191 ||
        k == 8192 || k == 8199) {
      picked.emplace_back(k, id);
    }
  }
  EXPECT_EQ(picked, (std::vector<std::pair<int, int64_t>>{{0, 21008384},
                                                          {4095, 21012479},
                                                          {4096, 25202688},
                                                          {4097, 25202689},
                                                          {8191, 25206783},
                                                          {8192, 29396992},
                                                          {8199, 29396999}}));
}

TEST(SnowflakeGeneratorTest, BackwardStepThenBurstDoesNotRepeat) {
  // One id at T, then 4097 ids with the clock at T-5: Effect 4.0 repeated
  // the first id here; 4.1.0 moves on to T+1.
  ManualClock clock(kEpoch + 100);
  SnowflakeGenerator generator(clock, MachineId(2));
  std::vector<int64_t> ids{generator.Next().value()};
  clock.Set(kEpoch + 95);
  for (int k = 0; k < 4097; ++k) ids.push_back(generator.Next().value());
  EXPECT_EQ(ids[0], 419438592);
  EXPECT_EQ(ids[1], 419438593);
  EXPECT_EQ(ids[4095], 419442687);
  EXPECT_EQ(ids[4096], 423632896);
  EXPECT_EQ(ids[4097], 423632897);
}

// The mutant snowflake-wrap is Effect 4.0's generator (effect-semantics.md
// §3): 1 id at T, the clock held at T-5, and call 4097 repeats call 1.
TEST(SnowflakeGeneratorTest, WrapMutantRepeatsTheFirstIdAfter4096Behind) {
  for (bool strict : {false, true}) {
    ManualClock clock(kEpoch + 100);
    SnowflakeGenerator generator(clock, MachineId(1), strict,
                                 Mutant::kSnowflakeWrap);
    const Snowflake first = generator.Next();
    clock.Set(kEpoch + 95);
    Snowflake last = first;
    for (int i = 0; i < 4096; ++i) last = generator.Next();
    EXPECT_EQ(last, first) << "strict=" << strict;
  }
}

TEST(RandomMachineIdTest, TakesTheTopTenBits) {
  FixedRandom zero(0);
  FixedRandom all_ones(~uint64_t{0});
  FixedRandom one(uint64_t{1} << 54);
  FixedRandom just_below_one((uint64_t{1} << 54) - 1);
  EXPECT_EQ(RandomMachineId(zero), MachineId(0));
  EXPECT_EQ(RandomMachineId(all_ones), MachineId(1023));
  EXPECT_EQ(RandomMachineId(one), MachineId(1));
  EXPECT_EQ(RandomMachineId(just_below_one), MachineId(0));
}

// A generator driven by an arbitrary clock — steps back and forth, bursts
// of up to twice the per-millisecond limit — never repeats or decreases,
// and never stamps an id earlier than the clock reading.
RC_GTEST_PROP(SnowflakeGeneratorTest, NeverRepeatsOrDecreases, ()) {
  const auto steps = *rc::gen::container<std::vector<std::pair<int64_t, int>>>(
      rc::gen::pair(rc::gen::oneOf(rc::gen::inRange<int64_t>(-3, 4),
                                   rc::gen::inRange<int64_t>(-5000, 5001)),
                    rc::gen::oneOf(rc::gen::inRange(0, 10),
                                   rc::gen::inRange(4090, 8200))));
  ManualClock clock(kEpoch + 1'000'000);
  SnowflakeGenerator generator(clock,
                               MachineId(*rc::gen::inRange<int32_t>(0, 1024)));
  int64_t previous = INT64_MIN;
  for (const auto& [delta_ms, burst] : steps) {
    clock.Set(clock.NowMs() + delta_ms);
    for (int k = 0; k < burst; ++k) {
      const Snowflake id = generator.Next();
      RC_ASSERT(id.value() > previous);
      RC_ASSERT(id.timestamp_ms() >= clock.NowMs());
      previous = id.value();
    }
  }
}

// Effect (reference): after SetMachineId to a smaller id, the next id in the
// same millisecond is smaller than the last one. Strict mode (hardened)
// moves to the next millisecond, so ids keep increasing.
TEST(SnowflakeGeneratorTest, StrictMachineIdChangeMovesToTheNextMillisecond) {
  for (bool strict : {false, true}) {
    ManualClock clock(kEpoch + 100);
    SnowflakeGenerator generator(clock, MachineId(700), strict);
    const Snowflake before = generator.Next();
    generator.SetMachineId(MachineId(3));
    const Snowflake after = generator.Next();
    EXPECT_EQ(after.machine_id(), MachineId(3));
    if (strict) {
      EXPECT_GT(after.value(), before.value());
      EXPECT_EQ(after.timestamp_ms(), kEpoch + 101);
      EXPECT_EQ(after.sequence(), 0);
    } else {
      EXPECT_LT(after.value(), before.value());
      EXPECT_EQ(after.timestamp_ms(), kEpoch + 100);
      EXPECT_EQ(after.sequence(), 1);
    }
  }
}

// Strict mode borrows a millisecond only when it must: setting the same id,
// or a new id before any id was given at this millisecond, changes nothing.
TEST(SnowflakeGeneratorTest, StrictModeKeepsTheMillisecondWhenNothingWasGiven) {
  ManualClock clock(kEpoch + 100);
  SnowflakeGenerator generator(clock, MachineId(5), /*strict=*/true);
  generator.SetMachineId(MachineId(6));
  EXPECT_EQ(generator.Next().timestamp_ms(), kEpoch + 100);
  generator.SetMachineId(MachineId(6));
  const Snowflake same = generator.Next();
  EXPECT_EQ(same.timestamp_ms(), kEpoch + 100);
  EXPECT_EQ(same.sequence(), 1);
}

// A strict generator whose machine id changes at arbitrary points still
// never repeats or decreases.
RC_GTEST_PROP(SnowflakeGeneratorTest,
              StrictNeverDecreasesAcrossMachineIdChanges, ()) {
  const auto steps = *rc::gen::container<std::vector<std::pair<int64_t, int>>>(
      rc::gen::pair(rc::gen::inRange<int64_t>(-3, 4), rc::gen::inRange(0, 10)));
  ManualClock clock(kEpoch + 1'000'000);
  SnowflakeGenerator generator(clock, MachineId(1023), /*strict=*/true);
  int64_t previous = INT64_MIN;
  for (const auto& [delta_ms, burst] : steps) {
    clock.Set(clock.NowMs() + delta_ms);
    generator.SetMachineId(MachineId(*rc::gen::inRange<int32_t>(0, 1024)));
    for (int k = 0; k < burst; ++k) {
      const Snowflake id = generator.Next();
      RC_ASSERT(id.value() > previous);
      previous = id.value();
    }
  }
}

}  // namespace
}  // namespace clustersim
