// Task<T>: a lazily started C++20 coroutine returning T.
//
// A Task owns its coroutine frame: destroying the Task destroys the frame and,
// transitively, every Task it is awaiting. That is how cancellation works in
// the core: destroying a fiber's root frame tears down its whole call stack,
// and the awaiters' destructors unregister any pending wake-ups (see
// resumption.h), so nothing of it runs again.
//
// A Task starts when awaited (`co_await task`, which transfers control
// symmetrically and resumes the awaiter when the task returns) or when spawned
// as a fiber into a Scope (scope.h). Never write a coroutine lambda with
// captures: the closure dies before the frame does. Pass state as parameters
// (they are copied into the frame). Exceptions are not used: an exception
// escaping a task terminates the process. Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_TASK_H_
#define CLUSTERSIM_CORE_RUNTIME_TASK_H_

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/base/check.h"

namespace clustersim {

class Fiber;

namespace internal {

// Called when a fiber's root task finishes; defined in scope.cc.
void OnFiberRootDone(Fiber* fiber);

struct PromiseBase {
  std::coroutine_handle<> continuation;
  Fiber* root_of = nullptr;  // set when this frame is a fiber's root

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      if (p.continuation) return p.continuation;
      if (p.root_of != nullptr) OnFiberRootDone(p.root_of);  // destroys h
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
};

}  // namespace internal

template <typename T>
class Task;

namespace internal {

template <typename T>
struct TaskPromise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object();
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct TaskPromise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() {}
};

}  // namespace internal

template <typename T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::TaskPromise<T>;

  Task() = default;
  Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Reset();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  bool valid() const { return static_cast<bool>(h_); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) {
    CHECK(h_ && !h_.done(), "awaiting an empty or finished task");
    h_.promise().continuation = awaiter;
    return h_;
  }
  T await_resume() {
    if constexpr (!std::is_void_v<T>) {
      CHECK(h_.promise().value.has_value());
      return std::move(*h_.promise().value);
    }
  }

  // Gives up ownership of the frame (used by Scope::Spawn).
  std::coroutine_handle<promise_type> Release() {
    return std::exchange(h_, {});
  }

 private:
  friend promise_type;
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  void Reset() {
    if (h_) std::exchange(h_, {}).destroy();
  }
  std::coroutine_handle<promise_type> h_;
};

namespace internal {

template <typename T>
Task<T> TaskPromise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() {
  return Task<void>(
      std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

}  // namespace internal

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_TASK_H_
