#include "core/runtime/scope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/sync.h"

namespace clustersim {
namespace {

// Records into `log` when its frame is destroyed (the fiber's "finalizer").
struct Tracker {
  std::vector<std::string>* log;
  std::string name;
  ~Tracker() { log->push_back(name + ":destroyed"); }
};

Task<void> SleepForever(std::vector<std::string>* log, std::string name) {
  Tracker tracker{log, name};
  for (;;) {
    co_await SleepMs(100);
    log->push_back(name + ":tick");
  }
}

TEST(ScopeTest, CancelDestroysFrameAndItsTimer) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope scope(ex);
  FiberId a = scope.Spawn(SleepForever(&log, "a"));
  ex.RunForMs(150);
  EXPECT_EQ(log, (std::vector<std::string>{"a:tick"}));
  scope.Cancel(a);
  EXPECT_EQ(log.back(), "a:destroyed");
  EXPECT_EQ(ex.pending(), 0u);  // the pending sleep was cancelled
  ex.RunForMs(1000);
  EXPECT_EQ(log.size(), 2u);  // nothing of it ran again
  scope.Cancel(a);            // unknown id: no-op
}

TEST(ScopeTest, CancelBeforeStartNeverRuns) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope scope(ex);
  FiberId a = scope.Spawn(SleepForever(&log, "a"));
  scope.Cancel(a);
  ex.RunUntilIdle();
  EXPECT_TRUE(log.empty());  // its body never started
  EXPECT_EQ(ex.pending(), 0u);
}

TEST(ScopeTest, CancelAllReachesChildScopesInOrder) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope root(ex);
  Scope child(root);
  Scope grandchild(child);
  grandchild.Spawn(SleepForever(&log, "g"));
  root.Spawn(SleepForever(&log, "r1"));
  child.Spawn(SleepForever(&log, "c"));
  root.Spawn(SleepForever(&log, "r2"));
  ex.RunForMs(10);
  root.CancelAll();
  EXPECT_EQ(log, (std::vector<std::string>{"r1:destroyed", "r2:destroyed",
                                           "c:destroyed", "g:destroyed"}));
  EXPECT_EQ(ex.pending(), 0u);
  // Still open: new fibers run.
  child.Spawn(SleepForever(&log, "c2"));
  ex.RunForMs(100);
  EXPECT_EQ(log.back(), "c2:tick");
}

TEST(ScopeTest, ClosedScopeDropsNewFibersUnstarted) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope root(ex);
  Scope child(root);
  root.Close();
  EXPECT_TRUE(child.closed());
  EXPECT_FALSE(child.Spawn(SleepForever(&log, "x")));
  ex.RunUntilIdle();
  EXPECT_TRUE(log.empty());  // the frame never started, so no Tracker
}

Task<void> CancelSelf(Scope* scope, std::vector<std::string>* log) {
  Tracker tracker{log, "self"};
  scope->Cancel(CurrentFiber()->id());
  log->push_back("still running until it yields");
  co_await Yield();
  log->push_back("must not run");
}

TEST(ScopeTest, SelfCancelTakesEffectAtNextYield) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope scope(ex);
  scope.Spawn(CancelSelf(&scope, &log));
  ex.RunUntilIdle();
  EXPECT_EQ(log, (std::vector<std::string>{"still running until it yields",
                                           "self:destroyed"}));
  EXPECT_EQ(scope.fiber_count(), 0u);
}

Task<void> FinishAfterSelfCancel(Scope* scope, std::vector<std::string>* log) {
  Tracker tracker{log, "done"};
  scope->Cancel(CurrentFiber()->id());
  co_return;  // finishes before the deferred destruction runs
}

TEST(ScopeTest, SelfCancelThenReturnIsSafe) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope scope(ex);
  scope.Spawn(FinishAfterSelfCancel(&scope, &log));
  ex.RunUntilIdle();
  EXPECT_EQ(log, (std::vector<std::string>{"done:destroyed"}));
  EXPECT_EQ(ex.pending(), 0u);
}

Task<void> Child(std::vector<std::string>* log) {
  Tracker tracker{log, "child"};
  co_await SleepMs(1000);
  log->push_back("child:woke");
}

Task<void> Parent(std::vector<std::string>* log) {
  Tracker tracker{log, "parent"};
  co_await Child(log);
  log->push_back("parent:after");
}

TEST(ScopeTest, CancellingAFiberDestroysItsWholeAwaitChain) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope scope(ex);
  FiberId id = scope.Spawn(Parent(&log));
  ex.RunForMs(10);
  scope.Cancel(id);
  EXPECT_EQ(log,
            (std::vector<std::string>{"child:destroyed", "parent:destroyed"}));
  ex.RunForMs(5000);
  EXPECT_EQ(log.size(), 2u);
}

TEST(ScopeTest, DestroyingAScopeCancelsItsFibers) {
  std::vector<std::string> log;  // outlives the fibers
  ManualExecutor ex;
  Scope root(ex);
  {
    Scope child(root);
    child.Spawn(SleepForever(&log, "c"));
    ex.RunForMs(1);
  }
  EXPECT_EQ(log, (std::vector<std::string>{"c:destroyed"}));
  EXPECT_EQ(ex.pending(), 0u);
}

}  // namespace
}  // namespace clustersim
