#include "core/runtime/stall_detector.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(StallDetectorTest, GapsUpToTheThresholdAreNotStalls) {
  StallDetector detector(100);
  std::vector<int64_t> seen;
  detector.Register([&](int64_t stall_us) { seen.push_back(stall_us); });
  detector.BeforeWork(1'000);  // the first call only starts the clock
  detector.BeforeWork(1'100);
  detector.BeforeWork(1'100);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(detector.stalls(), 0);
}

TEST(StallDetectorTest, ALongerGapRunsEveryHandlerFirstInRegistrationOrder) {
  StallDetector detector(100);
  std::vector<int> order;
  int64_t gap = 0;
  detector.Register([&](int64_t stall_us) {
    order.push_back(1);
    gap = stall_us;
  });
  detector.Register([&](int64_t) { order.push_back(2); });
  detector.BeforeWork(0);
  detector.BeforeWork(5'000);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(gap, 5'000);
  EXPECT_EQ(detector.stalls(), 1);
  // The gap is measured from the previous call, not from the last stall.
  detector.BeforeWork(5'050);
  EXPECT_EQ(detector.stalls(), 1);
}

TEST(StallDetectorTest, AHandlerMayUnregisterItselfAndOthers) {
  StallDetector detector(10);
  int first = 0;
  int second = 0;
  uint64_t second_id = 0;
  uint64_t first_id = 0;
  first_id = detector.Register([&](int64_t) {
    ++first;
    detector.Unregister(first_id);
    detector.Unregister(second_id);
  });
  second_id = detector.Register([&](int64_t) { ++second; });
  detector.BeforeWork(0);
  detector.BeforeWork(100);
  detector.BeforeWork(200);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);
}

TEST(StallDetectorDeathTest, TheMonotonicClockNeverGoesBack) {
  StallDetector detector(10);
  detector.BeforeWork(100);
  EXPECT_DEATH(detector.BeforeWork(99), "backwards");
}

}  // namespace
}  // namespace clustersim
