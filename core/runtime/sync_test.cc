#include "core/runtime/sync.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"

namespace clustersim {
namespace {

using Log = std::vector<std::string>;

Task<void> WaitLatch(Latch* latch, Log* log, std::string name) {
  co_await latch->Wait();
  log->push_back(name);
}

TEST(LatchTest, OpenReleasesAllWaitersInOrder) {
  ManualExecutor ex;
  Scope scope(ex);
  Latch latch;
  Log log;
  scope.Spawn(WaitLatch(&latch, &log, "a"));
  scope.Spawn(WaitLatch(&latch, &log, "b"));
  ex.RunForMs(10);
  EXPECT_TRUE(log.empty());
  latch.Open();
  EXPECT_TRUE(log.empty());  // wake-ups are scheduled, not inline
  ex.RunUntilIdle();
  EXPECT_EQ(log, (Log{"a", "b"}));
  scope.Spawn(WaitLatch(&latch, &log, "c"));  // open: passes at once
  ex.RunUntilIdle();
  EXPECT_EQ(log.back(), "c");
}

Task<void> WaitLatchFor(Latch* latch, int64_t ms, std::optional<bool>* out) {
  *out = co_await latch->WaitFor(ms);
}

TEST(LatchTest, WaitForTimesOutOrOpens) {
  ManualExecutor ex;
  Scope scope(ex);
  Latch latch;
  std::optional<bool> first, second;
  scope.Spawn(WaitLatchFor(&latch, 100, &first));
  ex.RunForMs(100);
  EXPECT_EQ(first, false);
  scope.Spawn(WaitLatchFor(&latch, 100, &second));
  ex.RunForMs(50);
  latch.Open();
  ex.RunForMs(1);
  EXPECT_EQ(second, true);
  EXPECT_EQ(ex.pending(), 0u);  // the timeout timer was cancelled
}

Task<void> WaitDeferred(Deferred<int>* d, std::optional<int>* out) {
  *out = co_await d->Wait();
}
Task<void> WaitDeferredFor(Deferred<int>* d, int64_t ms,
                           std::optional<int>* out) {
  *out = co_await d->WaitFor(ms);
}

TEST(DeferredTest, SetOnceWakesWaitersWithTheValue) {
  ManualExecutor ex;
  Scope scope(ex);
  Deferred<int> d;
  std::optional<int> a, b, late;
  scope.Spawn(WaitDeferred(&d, &a));
  scope.Spawn(WaitDeferredFor(&d, 1000, &b));
  ex.RunForMs(10);
  EXPECT_TRUE(d.Set(7));
  EXPECT_FALSE(d.Set(8));
  ex.RunUntilIdle();
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 7);
  scope.Spawn(WaitDeferred(&d, &late));
  ex.RunUntilIdle();
  EXPECT_EQ(late, 7);
}

TEST(DeferredTest, WaitForTimesOut) {
  ManualExecutor ex;
  Scope scope(ex);
  Deferred<int> d;
  std::optional<int> out = 1;
  scope.Spawn(WaitDeferredFor(&d, 30, &out));
  ex.RunForMs(30);
  EXPECT_EQ(out, std::nullopt);
}

TEST(DeferredTest, DestroyedWhileWaitedOnDetachesWaiters) {
  ManualExecutor ex;
  Scope scope(ex);
  std::optional<int> out = 1;
  {
    Deferred<int> d;
    scope.Spawn(WaitDeferredFor(&d, 30, &out));
    ex.RunForMs(1);
  }
  ex.RunForMs(100);  // the timeout fires against a detached waiter
  EXPECT_EQ(out, std::nullopt);
}

Task<void> ReceiveAll(Queue<int>* q, std::vector<int>* out) {
  while (std::optional<int> item = co_await q->Receive()) {
    out->push_back(*item);
  }
  out->push_back(-1);  // closed
}

TEST(QueueTest, DeliversInOrderAndEndsOnClose) {
  ManualExecutor ex;
  Scope scope(ex);
  Queue<int> q;
  std::vector<int> out;
  q.Push(1);
  scope.Spawn(ReceiveAll(&q, &out));
  ex.RunUntilIdle();
  q.Push(2);
  q.Push(3);
  ex.RunUntilIdle();
  q.Close();
  EXPECT_FALSE(q.Push(4));
  ex.RunUntilIdle();
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, -1}));
}

Task<void> ReceiveOne(Queue<int>* q, std::vector<int>* out) {
  std::optional<int> item = co_await q->Receive();
  out->push_back(item.value_or(-1));
}

TEST(QueueTest, ItemHandedToACancelledReceiverIsNotLost) {
  ManualExecutor ex;
  Scope scope(ex);
  Queue<int> q;
  std::vector<int> a_out, b_out;
  FiberId a = scope.Spawn(ReceiveOne(&q, &a_out));
  scope.Spawn(ReceiveOne(&q, &b_out));
  ex.RunUntilIdle();
  q.Push(42);       // handed to a, whose resumption is now scheduled
  scope.Cancel(a);  // cancelled before it ran: 42 goes to b
  ex.RunUntilIdle();
  EXPECT_TRUE(a_out.empty());
  EXPECT_EQ(b_out, (std::vector<int>{42}));
}

Task<void> HoldPermit(Semaphore* s, Log* log, std::string name,
                      int64_t hold_ms) {
  Semaphore::Permit permit = co_await s->Acquire();
  log->push_back(name + ":in");
  co_await SleepMs(hold_ms);
  log->push_back(name + ":out");
}

TEST(SemaphoreTest, FifoAndBoundedConcurrency) {
  ManualExecutor ex;
  Scope scope(ex);
  Semaphore s(1);
  Log log;
  scope.Spawn(HoldPermit(&s, &log, "a", 10));
  scope.Spawn(HoldPermit(&s, &log, "b", 10));
  scope.Spawn(HoldPermit(&s, &log, "c", 10));
  ex.RunUntilIdle();
  EXPECT_EQ(log, (Log{"a:in", "a:out", "b:in", "b:out", "c:in", "c:out"}));
  EXPECT_EQ(s.available(), 1);
}

TEST(SemaphoreTest, PermitsOfCancelledFibersAreReturned) {
  ManualExecutor ex;
  Scope scope(ex);
  Semaphore s(1);
  Log log;
  FiberId a = scope.Spawn(HoldPermit(&s, &log, "a", 1000));
  FiberId b = scope.Spawn(HoldPermit(&s, &log, "b", 10));
  scope.Spawn(HoldPermit(&s, &log, "c", 10));
  ex.RunForMs(1);
  scope.Cancel(a);  // held permit released by the Permit destructor
  scope.Cancel(b);  // b was granted a but never ran: permit passes on to c
  ex.RunUntilIdle();
  EXPECT_EQ(log, (Log{"a:in", "c:in", "c:out"}));
  EXPECT_EQ(s.available(), 1);
}

}  // namespace
}  // namespace clustersim
