#include "core/runtime/manual_executor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace clustersim {
namespace {

// Records the executor's time whenever one of its actions runs.
struct Recorder {
  ManualExecutor* ex;
  std::vector<std::pair<int, int64_t>> ran;  // (action, time in us)
};
struct Tagged {
  Recorder* recorder;
  int tag;
};
void Record(void* ctx) {
  auto* t = static_cast<Tagged*>(ctx);
  t->recorder->ran.emplace_back(t->tag, t->recorder->ex->MonotonicUs());
}

TEST(ManualExecutorTest, RunsActionsAtTheirTimes) {
  ManualExecutor ex(1'000);
  Recorder recorder{&ex, {}};
  Tagged a{&recorder, 1}, b{&recorder, 2};
  ex.Schedule(20'000, Action{&Record, &b});
  ex.Schedule(10'000, Action{&Record, &a});
  EXPECT_EQ(ex.RunForMs(15), 1);
  EXPECT_EQ(ex.now_us(), 15'000);
  EXPECT_EQ(ex.RunUntilIdle(), 1);
  EXPECT_EQ(recorder.ran,
            (std::vector<std::pair<int, int64_t>>{{1, 10'000}, {2, 20'000}}));
  EXPECT_EQ(ex.NowMs(), 1'020);
}

// A pause moves the clock without running anything; what came due runs
// late, in its order, and the clock never goes back.
TEST(ManualExecutorTest, PauseRunsNothingAndDueActionsRunLate) {
  ManualExecutor ex;
  Recorder recorder{&ex, {}};
  Tagged a{&recorder, 1}, b{&recorder, 2}, c{&recorder, 3};
  ex.Schedule(10'000, Action{&Record, &a});
  ex.Schedule(20'000, Action{&Record, &b});
  ex.Schedule(90'000, Action{&Record, &c});
  ex.PauseUs(50'000);
  EXPECT_TRUE(recorder.ran.empty());
  EXPECT_EQ(ex.MonotonicUs(), 50'000);
  EXPECT_EQ(ex.RunForMs(0), 2);
  EXPECT_EQ(recorder.ran,
            (std::vector<std::pair<int, int64_t>>{{1, 50'000}, {2, 50'000}}));
  ex.RunUntilIdle();
  EXPECT_EQ(recorder.ran.back(), (std::pair<int, int64_t>{3, 90'000}));
}

}  // namespace
}  // namespace clustersim
