#include "core/runtime/step_free_clock.h"

#include "core/runtime/manual_executor.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

// A wall clock that can be stepped, over a manual executor's time.
class SteppingExecutor : public ManualExecutor {
 public:
  using ManualExecutor::ManualExecutor;
  int64_t NowMs() const override { return ManualExecutor::NowMs() + step_ms; }
  int64_t step_ms = 0;
};

TEST(StepFreeClockTest, FollowsElapsedTimeAndIgnoresLaterSteps) {
  SteppingExecutor executor(1'000'000);
  executor.RunForMs(5);
  StepFreeClock clock(executor);
  EXPECT_EQ(clock.NowMs(), 1'000'005);
  executor.RunForMs(10);
  executor.step_ms = -60'000;  // the wall clock jumps back a minute
  EXPECT_EQ(executor.NowMs(), 940'015);
  EXPECT_EQ(clock.NowMs(), 1'000'015);
  executor.step_ms = +60'000;
  executor.RunForMs(1);
  EXPECT_EQ(clock.NowMs(), 1'000'016);
}

TEST(StepFreeClockTest, AnchorsAreExplicitForStateThatOutlivesAProcess) {
  const StepFreeClock::Anchor anchor{.wall_ms = 50'000, .monotonic_us = 7'000};
  EXPECT_EQ(StepFreeClock::At(anchor, 7'000), 50'000);
  EXPECT_EQ(StepFreeClock::At(anchor, 9'999), 50'002);
}

}  // namespace
}  // namespace clustersim
