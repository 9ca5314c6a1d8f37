#include "core/sharding/async.h"

#include <gtest/gtest.h>

#include <optional>

#include "core/runtime/manual_executor.h"

namespace clustersim::sharding {
namespace {

Task<void> SleepThenSet(int64_t ms, bool* done) {
  co_await SleepMs(ms);
  *done = true;
}

Task<void> JoinThenSet(FiberHandle handle, bool* joined) {
  co_await handle.Join();
  *joined = true;
}

TEST(FiberHandleTest, JoinWaitsForTheFiberToReturn) {
  ManualExecutor ex;
  Scope scope(ex);
  bool done = false, joined = false;
  FiberHandle handle = SpawnJoinable(scope, SleepThenSet(100, &done), "work");
  scope.Spawn(JoinThenSet(handle, &joined));
  ex.RunForMs(99);
  EXPECT_FALSE(joined);
  EXPECT_FALSE(handle.done());
  ex.RunForMs(2);
  EXPECT_TRUE(done);
  EXPECT_TRUE(joined);
  EXPECT_TRUE(handle.done());
}

TEST(FiberHandleTest, CancellationReleasesJoiners) {
  ManualExecutor ex;
  Scope scope(ex);
  bool done = false, joined = false;
  FiberHandle handle = SpawnJoinable(scope, SleepThenSet(100, &done), "work");
  scope.Spawn(JoinThenSet(handle, &joined));
  ex.RunForMs(10);
  handle.Cancel();
  ex.RunForMs(1);
  EXPECT_FALSE(done);
  EXPECT_TRUE(joined);
}

TEST(FiberHandleTest, ClosedScopeGivesADoneHandle) {
  ManualExecutor ex;
  Scope scope(ex);
  scope.Close();
  bool done = false;
  FiberHandle handle = SpawnJoinable(scope, SleepThenSet(1, &done), "work");
  EXPECT_TRUE(handle.done());
  EXPECT_TRUE(FiberHandle().done());
}

Task<int> ValueAfter(int64_t ms, int value) {
  co_await SleepMs(ms);
  co_return value;
}

Task<void> TimeoutInto(Scope* work, int64_t work_ms, int64_t timeout_ms,
                       std::optional<std::optional<int>>* out) {
  *out = co_await WithTimeout(*work, ValueAfter(work_ms, 7), timeout_ms);
}

TEST(WithTimeoutTest, ReturnsTheValueInTime) {
  ManualExecutor ex;
  Scope scope(ex);
  std::optional<std::optional<int>> out;
  scope.Spawn(TimeoutInto(&scope, 50, 100, &out));
  ex.RunForMs(51);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, 7);
  EXPECT_EQ(scope.fiber_count(), 0u);
  EXPECT_EQ(ex.pending(), 0u);
}

TEST(WithTimeoutTest, TimesOutAndCancelsTheWork) {
  ManualExecutor ex;
  Scope scope(ex);
  std::optional<std::optional<int>> out;
  scope.Spawn(TimeoutInto(&scope, 500, 100, &out));
  ex.RunForMs(100);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, std::nullopt);
  EXPECT_EQ(scope.fiber_count(), 0u);
  EXPECT_EQ(ex.pending(), 0u);
}

TEST(WithTimeoutTest, CancellingTheCallerCancelsTheWork) {
  ManualExecutor ex;
  Scope caller(ex);
  Scope work(ex);
  std::optional<std::optional<int>> out;
  caller.Spawn(TimeoutInto(&work, 500, 1000, &out));
  ex.RunForMs(10);
  EXPECT_EQ(work.fiber_count(), 1u);
  caller.CancelAll();
  EXPECT_EQ(work.fiber_count(), 0u);
  EXPECT_FALSE(out.has_value());
}

TEST(WithTimeoutTest, CancelledWorkEndsTheWaitAtOnce) {
  ManualExecutor ex;
  Scope caller(ex);
  Scope work(ex);
  std::optional<std::optional<int>> out;
  caller.Spawn(TimeoutInto(&work, 500, 1000, &out));
  ex.RunForMs(10);
  work.CancelAll();
  ex.RunForMs(1);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, std::nullopt);
}

TEST(WithTimeoutTest, ClosedScopeReturnsNothingAtOnce) {
  ManualExecutor ex;
  Scope caller(ex);
  Scope work(ex);
  work.Close();
  std::optional<std::optional<int>> out;
  caller.Spawn(TimeoutInto(&work, 5, 1000, &out));
  ex.RunForMs(1);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, std::nullopt);
}

}  // namespace
}  // namespace clustersim::sharding
