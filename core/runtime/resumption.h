// Resumption: how a suspended coroutine gets resumed, safely.
//
// An awaiter embeds a Resumption. On suspend it captures the current fiber and
// the coroutine handle; whoever wakes it asks for the resumption to be
// scheduled on the fiber's executor (never resumed inline, so wake-ups never
// reenter the waker). The Resumption's destructor cancels a scheduled
// resumption: when a cancelled fiber's frame is destroyed, its pending timers
// and wake-ups vanish with it. A resumption whose fiber was cancelled but not
// yet destroyed is skipped. Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_RESUMPTION_H_
#define CLUSTERSIM_CORE_RUNTIME_RESUMPTION_H_

#include <coroutine>
#include <cstdint>

#include "core/base/check.h"
#include "core/runtime/executor.h"
#include "core/runtime/scope.h"

namespace clustersim {

class Resumption {
 public:
  Resumption() = default;
  Resumption(const Resumption&) = delete;
  Resumption& operator=(const Resumption&) = delete;
  ~Resumption() { CancelScheduled(); }

  // Records who to resume. Must be called from inside a fiber.
  void Capture(std::coroutine_handle<> handle) {
    fiber_ = CurrentFiber();
    CHECK(fiber_ != nullptr, "awaiting outside of a fiber");
    handle_ = handle;
  }

  // Schedules the resumption after `delay_us` of local time (replacing any
  // resumption already scheduled).
  void ScheduleAfterUs(int64_t delay_us) {
    CHECK(fiber_ != nullptr);
    CancelScheduled();
    timer_ = fiber_->executor().Schedule(delay_us, Action{&Run, this});
  }
  void ScheduleNow() { ScheduleAfterUs(0); }

  void CancelScheduled() {
    if (timer_) fiber_->executor().Cancel(std::exchange(timer_, TimerId{}));
  }
  bool scheduled() const { return static_cast<bool>(timer_); }
  Executor& executor() const { return fiber_->executor(); }

 private:
  static void Run(void* p) {
    auto* self = static_cast<Resumption*>(p);
    self->timer_ = TimerId{};
    if (self->fiber_->cancelled()) return;
    internal::CurrentFiberGuard guard(self->fiber_);
    self->handle_.resume();  // may destroy *self
  }

  Fiber* fiber_ = nullptr;
  std::coroutine_handle<> handle_;
  TimerId timer_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_RESUMPTION_H_
