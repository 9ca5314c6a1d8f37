// Scope and Fiber: structured ownership of concurrently running tasks.
//
// A Fiber is a root Task spawned into a Scope; it runs until its task returns
// or until it is cancelled. Cancelling destroys the fiber's coroutine frames
// at once, running the destructors of its locals (which unregister pending
// wake-ups), so none of its code runs again. A fiber that cancels itself is
// marked cancelled immediately (no further wake-up resumes it) and destroyed
// once it yields back to the executor.
//
// Scopes nest: a node owns a root scope; components own child scopes (an
// entity's handlers, a shard's fibers). Cancelling a scope cancels its fibers
// and those of every descendant scope, in a deterministic order (spawn order,
// children after parents). A Scope must outlive its child scopes' fibers;
// destroying a Scope cancels everything in it and detaches it from its parent.
// A scope must not be destroyed by one of its own fibers.
// After Close(), Spawn() drops new tasks without running them, so teardown
// code can never start new work.
//
// The fiber currently running is available as CurrentFiber(); awaiters use it
// to find the executor. Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_SCOPE_H_
#define CLUSTERSIM_CORE_RUNTIME_SCOPE_H_

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/runtime/executor.h"
#include "core/runtime/task.h"

namespace clustersim {

class Scope;

// Identifies a fiber within its scope; zero means "none".
struct FiberId {
  uint64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend auto operator<=>(FiberId, FiberId) = default;
};

class Fiber {
 public:
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  FiberId id() const { return id_; }
  const std::string& name() const { return name_; }
  Scope& scope() const { return *scope_; }
  Executor& executor() const;
  bool cancelled() const { return cancelled_; }

 private:
  friend class Scope;
  friend void internal::OnFiberRootDone(Fiber* fiber);
  Fiber(Scope* scope, FiberId id, std::string name,
        std::coroutine_handle<> root)
      : scope_(scope), id_(id), name_(std::move(name)), root_(root) {}

  Scope* scope_;
  FiberId id_;
  std::string name_;
  std::coroutine_handle<> root_;
  // The scheduled start, or the deferred destruction of a fiber that
  // cancelled itself; cancelled if the fiber is destroyed first.
  TimerId pending_action_;
  bool cancelled_ = false;
};

class Scope {
 public:
  // A root scope on `executor`.
  explicit Scope(Executor& executor);
  // A child scope of `parent` (same executor).
  explicit Scope(Scope& parent);
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope();

  // Starts `task` as a new fiber: it begins running at the current instant,
  // after the actions already scheduled for it. Returns a zero id (and drops
  // the task) if the scope is closed.
  FiberId Spawn(Task<void> task, std::string_view name = "");

  // Cancels one fiber of this scope; unknown or finished ids are a no-op.
  void Cancel(FiberId id);
  // Cancels every fiber of this scope and its descendants. The scope stays
  // open for new fibers.
  void CancelAll();
  // CancelAll, then refuse new fibers in this scope and its descendants.
  void Close();

  bool closed() const { return closed_; }
  Executor& executor() const { return executor_; }
  // Live fibers in this scope (not counting descendants).
  size_t fiber_count() const { return fibers_.size(); }

 private:
  friend void internal::OnFiberRootDone(Fiber* fiber);
  static void StartFiber(void* fiber);
  static void DestroyLater(void* fiber);
  void Destroy(Fiber* fiber);

  Executor& executor_;
  Scope* parent_ = nullptr;
  std::vector<Scope*> children_;
  absl::btree_map<FiberId, std::unique_ptr<Fiber>> fibers_;
  uint64_t next_fiber_id_ = 1;
  bool closed_ = false;
};

// The fiber whose code is running now, or nullptr outside any fiber.
Fiber* CurrentFiber();

namespace internal {
// Makes `fiber` current for the lifetime of the guard.
class CurrentFiberGuard {
 public:
  explicit CurrentFiberGuard(Fiber* fiber);
  ~CurrentFiberGuard();
  CurrentFiberGuard(const CurrentFiberGuard&) = delete;
  CurrentFiberGuard& operator=(const CurrentFiberGuard&) = delete;

 private:
  Fiber* previous_;
};
}  // namespace internal

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_SCOPE_H_
