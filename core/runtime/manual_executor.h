// ManualExecutor: a single-node Executor over an EventQueue whose virtual
// time moves only when the test (or tool) runs it. For unit tests of the core
// in isolation; multi-node runs use the simulator's World instead.
// The clock reads `start_ms` plus elapsed virtual time. Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_MANUAL_EXECUTOR_H_
#define CLUSTERSIM_CORE_RUNTIME_MANUAL_EXECUTOR_H_

#include <cstdint>

#include "core/runtime/event_queue.h"
#include "core/runtime/executor.h"

namespace clustersim {

class ManualExecutor : public Executor {
 public:
  explicit ManualExecutor(int64_t start_ms = 0) : start_ms_(start_ms) {}

  int64_t NowMs() const override { return start_ms_ + now_us_ / 1000; }
  int64_t MonotonicUs() const override { return now_us_; }
  TimerId Schedule(int64_t delay_us, Action action) override;
  void Cancel(TimerId id) override { queue_.Cancel(id); }

  // Runs every action due at or before now + `duration_us`, then sets the
  // time to exactly that instant. Returns the number of actions run.
  int64_t RunForUs(int64_t duration_us);
  int64_t RunForMs(int64_t duration_ms) { return RunForUs(duration_ms * 1000); }
  // Runs until nothing is scheduled or `max_actions` ran (a guard against
  // livelock). Returns the number of actions run.
  int64_t RunUntilIdle(int64_t max_actions = 10'000'000);
  // Moves the clock on by `duration_us` without running anything, as if the
  // process were paused; actions that came due meanwhile run late, at the
  // time of the next Run call. A test seam for pauses (stall detection).
  void PauseUs(int64_t duration_us);

  int64_t now_us() const { return now_us_; }
  size_t pending() const { return queue_.live(); }

 private:
  bool RunOne(int64_t limit_us);

  EventQueue queue_;
  int64_t start_ms_;
  int64_t now_us_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_MANUAL_EXECUTOR_H_
