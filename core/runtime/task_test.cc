#include "core/runtime/task.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"

namespace clustersim {
namespace {

Task<int> Add(int a, int b) { co_return a + b; }

Task<int> Nested(int depth) {
  if (depth == 0) co_return 0;
  int below = co_await Nested(depth - 1);
  co_return below + 1;
}

Task<std::unique_ptr<std::string>> MoveOnly() {
  co_return std::make_unique<std::string>("moved");
}

struct Results {
  int sum = 0;
  int depth = 0;
  std::string moved;
};

Task<void> AwaitAll(Results* r) {
  r->sum = co_await Add(2, 3);
  r->depth = co_await Nested(1000);
  r->moved = *co_await MoveOnly();
}

TEST(TaskTest, AwaitsValuesThroughNestedTasks) {
  ManualExecutor ex;
  Scope scope(ex);
  Results r;
  scope.Spawn(AwaitAll(&r));
  ex.RunUntilIdle();
  EXPECT_EQ(r.sum, 5);
  EXPECT_EQ(r.depth, 1000);
  EXPECT_EQ(r.moved, "moved");
  EXPECT_EQ(scope.fiber_count(), 0u);
}

Task<void> SetFlag(bool* flag) {
  *flag = true;
  co_return;
}

TEST(TaskTest, UnstartedTaskIsDestroyedWithoutRunning) {
  bool ran = false;
  { Task<void> t = SetFlag(&ran); }
  EXPECT_FALSE(ran);
}

Task<void> SleepThenRecord(Executor* ex, int64_t ms, int64_t* woke_at) {
  co_await SleepMs(ms);
  *woke_at = ex->NowMs();
}

TEST(TaskTest, SleepAdvancesVirtualTime) {
  ManualExecutor ex(/*start_ms=*/1000);
  Scope scope(ex);
  int64_t woke_at = -1;
  scope.Spawn(SleepThenRecord(&ex, 250, &woke_at));
  ex.RunForMs(249);
  EXPECT_EQ(woke_at, -1);
  ex.RunForMs(1);
  EXPECT_EQ(woke_at, 1250);
}

}  // namespace
}  // namespace clustersim
