// Async helpers the sharding code needs on top of core/runtime: a fiber
// others can await (Effect's Fiber.join / Fiber.await), and a timeout on a
// task (Effect's Effect.timeoutOption).
//
// Both spawn the work as a fiber of a caller-chosen scope, so cancelling that
// scope (or, for WithTimeout, the caller) cancels the work too. A fiber that
// ends by cancellation counts as ended: its joiners are released, because a
// guard in its root frame opens the completion latch when the frame is
// destroyed. Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_ASYNC_H_
#define CLUSTERSIM_CORE_SHARDING_ASYNC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"

namespace clustersim::sharding {

namespace internal {

// Opens a latch when destroyed: at the end of the frame that holds it,
// whether the frame returned or was destroyed by cancellation.
struct OpenOnExit {
  std::shared_ptr<Latch> latch;
  ~OpenOnExit() { latch->Open(); }
};

inline Task<void> RunThenOpen(Task<void> task, std::shared_ptr<Latch> done) {
  OpenOnExit guard{std::move(done)};
  co_await task;
}

// Sets nullopt when destroyed unless a value was set first.
template <typename T>
struct SetEmptyOnExit {
  std::shared_ptr<Deferred<std::optional<T>>> result;
  ~SetEmptyOnExit() { result->Set(std::nullopt); }
};

template <typename T>
Task<void> RunInto(Task<T> task,
                   std::shared_ptr<Deferred<std::optional<T>>> result) {
  SetEmptyOnExit<T> guard{result};
  result->Set(co_await task);
}

// Cancels a fiber when destroyed (a no-op once it has finished).
struct CancelOnExit {
  Scope* scope;
  FiberId id;
  ~CancelOnExit() { scope->Cancel(id); }
};

}  // namespace internal

// A fiber that can be joined. Default-constructed or moved-from handles are
// already done.
class FiberHandle {
 public:
  FiberHandle() : done_(std::make_shared<Latch>(true)) {}

  bool done() const { return done_->is_open(); }
  // Completes when the fiber has ended (returned or was cancelled).
  ::clustersim::internal::ListAwaiter Join() const { return done_->Wait(); }
  // Cancels the fiber; joiners are released.
  void Cancel() const {
    if (scope_ != nullptr) scope_->Cancel(id_);
  }

 private:
  friend FiberHandle SpawnJoinable(Scope&, Task<void>, std::string_view);
  Scope* scope_ = nullptr;
  FiberId id_;
  std::shared_ptr<Latch> done_;
};

// Spawns `task` into `scope`. If the scope is closed the task is dropped and
// the handle is done at once.
inline FiberHandle SpawnJoinable(Scope& scope, Task<void> task,
                                 std::string_view name) {
  FiberHandle handle;
  handle.done_ = std::make_shared<Latch>(false);
  handle.scope_ = &scope;
  handle.id_ =
      scope.Spawn(internal::RunThenOpen(std::move(task), handle.done_), name);
  if (!handle.id_) handle.done_->Open();
  return handle;
}

// Runs `task` in a fiber of `scope` and waits at most `timeout_ms` for its
// result: nullopt on timeout (the task is then cancelled), when the scope is
// closed, or when the task is cancelled. Cancelling the caller cancels the
// task. T must be copyable.
template <typename T>
Task<std::optional<T>> WithTimeout(Scope& scope, Task<T> task,
                                   int64_t timeout_ms) {
  auto result = std::make_shared<Deferred<std::optional<T>>>();
  const FiberId id =
      scope.Spawn(internal::RunInto<T>(std::move(task), result), "timeout");
  if (!id) co_return std::nullopt;
  internal::CancelOnExit guard{&scope, id};
  std::optional<std::optional<T>> outcome =
      co_await result->WaitFor(timeout_ms > 0 ? timeout_ms : 0);
  if (!outcome.has_value()) co_return std::nullopt;
  co_return std::move(*outcome);
}

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ASYNC_H_
