#include "core/runtime/scope.h"

#include <algorithm>
#include <utility>

#include "core/base/check.h"

namespace clustersim {
namespace {
thread_local Fiber* current_fiber = nullptr;
}  // namespace

Fiber* CurrentFiber() { return current_fiber; }

namespace internal {

CurrentFiberGuard::CurrentFiberGuard(Fiber* fiber) : previous_(current_fiber) {
  current_fiber = fiber;
}
CurrentFiberGuard::~CurrentFiberGuard() { current_fiber = previous_; }

void OnFiberRootDone(Fiber* fiber) {
  // The root frame is suspended at its final point: destroying it is legal.
  fiber->scope_->Destroy(fiber);
}

}  // namespace internal

Executor& Fiber::executor() const { return scope_->executor(); }

Scope::Scope(Executor& executor) : executor_(executor) {}

Scope::Scope(Scope& parent)
    : executor_(parent.executor_), parent_(&parent), closed_(parent.closed_) {
  parent.children_.push_back(this);
}

Scope::~Scope() {
  Close();
  CHECK(fibers_.empty(), "a scope was destroyed by one of its own fibers");
  CHECK(children_.empty(), "a scope was destroyed before its child scopes");
  if (parent_ != nullptr) {
    auto& siblings = parent_->children_;
    siblings.erase(std::find(siblings.begin(), siblings.end(), this));
  }
}

FiberId Scope::Spawn(Task<void> task, std::string_view name) {
  CHECK(task.valid(), "spawning an empty task");
  if (closed_) return FiberId{};  // `task` is destroyed unstarted.
  auto handle = task.Release();
  FiberId id{next_fiber_id_++};
  auto fiber =
      std::unique_ptr<Fiber>(new Fiber(this, id, std::string(name), handle));
  handle.promise().root_of = fiber.get();
  fiber->pending_action_ =
      executor_.Schedule(0, Action{&StartFiber, fiber.get()});
  fibers_.emplace(id, std::move(fiber));
  return id;
}

void Scope::StartFiber(void* p) {
  auto* fiber = static_cast<Fiber*>(p);
  fiber->pending_action_ = TimerId{};
  internal::CurrentFiberGuard guard(fiber);
  fiber->root_.resume();
}

void Scope::Destroy(Fiber* fiber) {
  auto it = fibers_.find(fiber->id_);
  CHECK(it != fibers_.end());
  std::unique_ptr<Fiber> owned = std::move(it->second);
  fibers_.erase(it);
  if (owned->pending_action_) executor_.Cancel(owned->pending_action_);
  // Destroying the frame runs local destructors, which may touch this scope
  // (e.g. cancel sibling fibers); `owned` is already out of the map.
  owned->root_.destroy();
}

// Destroys a fiber that cancelled itself, once it has yielded.
void Scope::DestroyLater(void* p) {
  auto* fiber = static_cast<Fiber*>(p);
  fiber->pending_action_ = TimerId{};
  internal::OnFiberRootDone(fiber);
}

void Scope::Cancel(FiberId id) {
  auto it = fibers_.find(id);
  if (it == fibers_.end()) return;
  Fiber* fiber = it->second.get();
  if (fiber->cancelled_) return;
  fiber->cancelled_ = true;
  if (fiber == current_fiber) {
    // Its code is on the stack right now; destroy it once it yields.
    fiber->pending_action_ =
        executor_.Schedule(0, Action{&DestroyLater, fiber});
    return;
  }
  Destroy(fiber);
}

void Scope::CancelAll() {
  // Destructors may spawn or cancel; loop until this scope is quiet.
  while (!fibers_.empty()) {
    bool progressed = false;
    for (auto& [id, fiber] : fibers_) {
      if (!fiber->cancelled_) {
        Cancel(id);
        progressed = true;
        break;  // the map may have changed
      }
    }
    if (!progressed) break;  // only self-cancelled fibers remain
  }
  // Children may be added or removed while we cancel; index-based walk.
  for (size_t i = 0; i < children_.size(); ++i) children_[i]->CancelAll();
}

void Scope::Close() {
  closed_ = true;
  for (Scope* child : children_) child->closed_ = true;
  CancelAll();
  for (Scope* child : children_) child->Close();
}

}  // namespace clustersim
