#include "core/runtime/manual_executor.h"

#include <algorithm>

#include "core/base/check.h"

namespace clustersim {

TimerId ManualExecutor::Schedule(int64_t delay_us, Action action) {
  CHECK(delay_us >= 0);
  return queue_.Push(now_us_ + delay_us, 0, action);
}

bool ManualExecutor::RunOne(int64_t limit_us) {
  std::optional<int64_t> next = queue_.PeekTime();
  if (!next.has_value() || *next > limit_us) return false;
  EventQueue::Entry entry = *queue_.PopNext();
  // After a pause, actions that came due meanwhile run late, at now.
  now_us_ = std::max(now_us_, entry.time_us);
  Action action = queue_.Take(entry);
  action.fn(action.ctx);
  return true;
}

int64_t ManualExecutor::RunForUs(int64_t duration_us) {
  CHECK(duration_us >= 0);
  const int64_t limit = now_us_ + duration_us;
  int64_t ran = 0;
  while (RunOne(limit)) ++ran;
  now_us_ = limit;
  return ran;
}

void ManualExecutor::PauseUs(int64_t duration_us) {
  CHECK(duration_us >= 0);
  now_us_ += duration_us;
}

int64_t ManualExecutor::RunUntilIdle(int64_t max_actions) {
  int64_t ran = 0;
  while (ran < max_actions && RunOne(INT64_MAX)) ++ran;
  return ran;
}

}  // namespace clustersim
