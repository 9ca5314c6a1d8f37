#include "core/storage/storage_faults.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

// SplitMix64, counting its draws.
class TestRandom : public Random {
 public:
  uint64_t NextU64() override {
    ++draws;
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t state = 1;
  int draws = 0;
};

TEST(StorageFaultsTest, ValidateNamesTheBadSetting) {
  EXPECT_TRUE(StorageFaults{}.Validate().ok());
  EXPECT_TRUE((StorageFaults{.error_rate = 1,
                             .latency_spike_rate = 0.5,
                             .latency_spike_min_ms = 3,
                             .latency_spike_max_ms = 3,
                             .unavailable = true,
                             .apply_then_drop_rate = 0})
                  .Validate()
                  .ok());
  EXPECT_NE(StorageFaults{.error_rate = 1.5}.Validate().message().find(
                "error rate 1.5"),
            absl::string_view::npos);
  EXPECT_FALSE(StorageFaults{.latency_spike_rate = -0.1}.Validate().ok());
  EXPECT_FALSE(StorageFaults{.apply_then_drop_rate = 2}.Validate().ok());
  EXPECT_NE(
      (StorageFaults{.latency_spike_min_ms = 5, .latency_spike_max_ms = 4})
          .Validate()
          .message()
          .find("5..4 ms"),
      absl::string_view::npos);
  EXPECT_FALSE(StorageFaults{.latency_spike_min_ms = -1}.Validate().ok());
}

TEST(StorageFaultsTest, ToStringListsWhatIsOn) {
  EXPECT_EQ(StorageFaults{}.ToString(), "none");
  EXPECT_EQ((StorageFaults{.error_rate = 0.1,
                           .latency_spike_rate = 0.05,
                           .latency_spike_min_ms = 20,
                           .latency_spike_max_ms = 500,
                           .unavailable = true,
                           .apply_then_drop_rate = 0.01})
                .ToString(),
            "error=0.1,spike=0.05:20ms..500ms,unavailable,drop=0.01");
}

TEST(StorageFaultsTest, NoFaultsDrawNothing) {
  TestRandom rng;
  EXPECT_EQ(DrawStorageFaults(StorageFaults{.unavailable = true}, rng),
            StorageFaultDraw{});
  EXPECT_EQ(rng.draws, 0);
}

TEST(StorageFaultsTest, CertainFaultsAlwaysHappen) {
  TestRandom rng;
  for (int i = 0; i < 100; ++i) {
    const StorageFaultDraw error =
        DrawStorageFaults(StorageFaults{.error_rate = 1}, rng);
    EXPECT_TRUE(error.fail);
    const StorageFaultDraw both = DrawStorageFaults(
        StorageFaults{.error_rate = 1, .apply_then_drop_rate = 1}, rng);
    EXPECT_TRUE(both.fail);
    EXPECT_FALSE(both.drop_response);  // nothing applied, nothing to drop
    EXPECT_TRUE(DrawStorageFaults(StorageFaults{.apply_then_drop_rate = 1}, rng)
                    .drop_response);
  }
}

TEST(StorageFaultsTest, SpikesFallInRangeOnEitherSide) {
  TestRandom rng;
  const StorageFaults faults{.latency_spike_rate = 1,
                             .latency_spike_min_ms = 10,
                             .latency_spike_max_ms = 20};
  int before = 0, after = 0;
  for (int i = 0; i < 1000; ++i) {
    const StorageFaultDraw draw = DrawStorageFaults(faults, rng);
    EXPECT_TRUE((draw.delay_before_ms == 0) != (draw.delay_after_ms == 0));
    const int64_t spike = draw.delay_before_ms + draw.delay_after_ms;
    EXPECT_GE(spike, 10);
    EXPECT_LE(spike, 20);
    before += draw.delay_before_ms > 0;
    after += draw.delay_after_ms > 0;
    EXPECT_FALSE(draw.fail);
    EXPECT_FALSE(draw.drop_response);
  }
  EXPECT_NEAR(before, 500, 60);
  EXPECT_NEAR(after, 500, 60);
}

TEST(StorageFaultsTest, RatesMatchFrequencies) {
  TestRandom rng;
  const StorageFaults faults{.error_rate = 0.2, .apply_then_drop_rate = 0.5};
  int failed = 0, dropped = 0;
  for (int i = 0; i < 10'000; ++i) {
    const StorageFaultDraw draw = DrawStorageFaults(faults, rng);
    failed += draw.fail;
    dropped += draw.drop_response;
  }
  EXPECT_NEAR(failed, 2000, 150);
  EXPECT_NEAR(dropped, 4000, 200);  // half of the 80% that did not fail
}

}  // namespace
}  // namespace clustersim::storage
