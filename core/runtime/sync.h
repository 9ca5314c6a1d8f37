// Coordination primitives for fibers: sleeping, latches, one-shot deferred
// values, queues and semaphores. They are the C++ counterparts of Effect's
// `Effect.sleep`, `Latch`, `Deferred`, `Queue` and `Semaphore`.
//
// Every wake-up is scheduled on the executor (never resumed inline) and every
// waiter unregisters itself when its fiber is cancelled, so a cancelled fiber
// leaves no dangling timer or waiter behind. Values handed to a waiter that is
// cancelled before it runs are given back (a queue item returns to the front,
// a permit is released), so cancellation never loses an item or a permit.
// A primitive destroyed while fibers wait on it detaches them: they never
// resume (their scope's cancellation reclaims them). Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_SYNC_H_
#define CLUSTERSIM_CORE_RUNTIME_SYNC_H_

#include <coroutine>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "core/base/check.h"
#include "core/runtime/resumption.h"
#include "core/runtime/task.h"

namespace clustersim {

namespace internal {

// An intrusive, FIFO list of suspended waiters.
struct WaitNode {
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  bool linked = false;
  bool detached = false;  // its list was destroyed; never woken
  Resumption resumption;
};

class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;
  ~WaitList() {
    while (!empty()) {
      WaitNode* node = head_;
      Remove(node);
      node->detached = true;
    }
  }

  bool empty() const { return head_ == nullptr; }
  WaitNode* front() const { return head_; }

  void PushBack(WaitNode* node) {
    CHECK(!node->linked);
    node->prev = tail_;
    node->next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = node;
    tail_ = node;
    node->linked = true;
  }
  void Remove(WaitNode* node) {
    CHECK(node->linked);
    (node->prev != nullptr ? node->prev->next : head_) = node->next;
    (node->next != nullptr ? node->next->prev : tail_) = node->prev;
    node->prev = node->next = nullptr;
    node->linked = false;
  }
  // Unlinks the first waiter and schedules its resumption.
  WaitNode* WakeFront() {
    WaitNode* node = head_;
    Remove(node);
    node->resumption.ScheduleNow();
    return node;
  }

 private:
  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
};

// Suspends for a fixed delay; the base of SleepMs/Yield.
struct SleepAwaiter {
  int64_t delay_us;
  Resumption resumption;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    resumption.Capture(h);
    resumption.ScheduleAfterUs(delay_us);
  }
  void await_resume() const noexcept {}
};

// Waits on a WaitList, optionally with a timeout. `await_resume` returns true
// when woken by the list, false on timeout.
struct ListAwaiter {
  WaitList* list;
  std::optional<int64_t> timeout_us;
  bool ready;
  WaitNode node;

  ListAwaiter(WaitList* l, std::optional<int64_t> t, bool r)
      : list(l), timeout_us(t), ready(r) {}
  ListAwaiter(const ListAwaiter&) = delete;
  ~ListAwaiter() {
    if (node.linked) list->Remove(&node);
  }
  bool await_ready() const noexcept { return ready; }
  void await_suspend(std::coroutine_handle<> h) {
    node.resumption.Capture(h);
    list->PushBack(&node);
    if (timeout_us.has_value()) node.resumption.ScheduleAfterUs(*timeout_us);
  }
  bool await_resume() {
    if (ready) return true;
    if (node.detached) return false;
    if (node.linked) {  // the timer fired first
      list->Remove(&node);
      return false;
    }
    return true;
  }
};

}  // namespace internal

// Suspends the current fiber for `ms` milliseconds of local time. A zero or
// negative delay still yields to everything already scheduled for now.
inline internal::SleepAwaiter SleepMs(int64_t ms) {
  return internal::SleepAwaiter{ms > 0 ? ms * 1000 : 0, {}};
}
inline internal::SleepAwaiter SleepUs(int64_t us) {
  return internal::SleepAwaiter{us > 0 ? us : 0, {}};
}
// Lets every action already scheduled for the current instant run first.
inline internal::SleepAwaiter Yield() { return internal::SleepAwaiter{0, {}}; }

// A level-triggered gate: Wait() passes while it is open; Open() releases
// every waiter. Effect's Latch.
class Latch {
 public:
  explicit Latch(bool open = false) : open_(open) {}

  void Open() {
    open_ = true;
    while (!waiters_.empty()) waiters_.WakeFront();
  }
  void Close() { open_ = false; }
  bool is_open() const { return open_; }

  internal::ListAwaiter Wait() { return {&waiters_, std::nullopt, open_}; }
  // Resumes with true when opened, false after `timeout_ms`.
  internal::ListAwaiter WaitFor(int64_t timeout_ms) {
    return {&waiters_, timeout_ms * 1000, open_};
  }
  internal::ListAwaiter WaitForUs(int64_t timeout_us) {
    return {&waiters_, timeout_us, open_};
  }

 private:
  bool open_;
  internal::WaitList waiters_;
};

// Waits forever: only cancelling its fiber ends it. Effect.never.
inline Task<void> Never() {
  Latch never;
  co_await never.Wait();
}

// A value set once; any number of fibers can wait for it. Effect's Deferred.
template <typename T>
class Deferred {
 public:
  // Returns false (and changes nothing) if a value was already set.
  bool Set(T value) {
    if (value_.has_value()) return false;
    value_.emplace(std::move(value));
    while (!waiters_.empty()) waiters_.WakeFront();
    return true;
  }
  bool is_set() const { return value_.has_value(); }
  // Precondition: is_set().
  const T& value() const {
    CHECK(value_.has_value());
    return *value_;
  }

  struct WaitAwaiter : internal::ListAwaiter {
    Deferred* deferred;
    WaitAwaiter(Deferred* d, std::optional<int64_t> timeout_us)
        : ListAwaiter(&d->waiters_, timeout_us, d->value_.has_value()),
          deferred(d) {}
    std::optional<T> await_resume() {
      if (!ListAwaiter::await_resume()) return std::nullopt;
      return *deferred->value_;
    }
  };
  // Resumes with a copy of the value (always engaged).
  WaitAwaiter Wait() { return WaitAwaiter(this, std::nullopt); }
  // Resumes with the value, or nullopt after `timeout_ms`.
  WaitAwaiter WaitFor(int64_t timeout_ms) {
    return WaitAwaiter(this, timeout_ms * 1000);
  }
  WaitAwaiter WaitForUs(int64_t timeout_us) {
    return WaitAwaiter(this, timeout_us);
  }

 private:
  std::optional<T> value_;
  internal::WaitList waiters_;
};

// An unbounded FIFO queue with suspending Receive(). Items are handed directly
// to the longest-waiting receiver. After Close(), receivers get nullopt once
// the queue is drained and Push() is refused. Effect's Queue.
template <typename T>
class Queue {
 public:
  Queue() = default;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Returns false if the queue is closed (the item is dropped).
  bool Push(T item) {
    if (closed_) return false;
    if (!receivers_.empty()) {
      auto* node = static_cast<ReceiveNode*>(receivers_.WakeFront());
      node->item.emplace(std::move(item));
      return true;
    }
    items_.push_back(std::move(item));
    return true;
  }
  std::optional<T> TryReceive() {
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  void Close() {
    closed_ = true;
    while (!receivers_.empty()) receivers_.WakeFront();
  }
  bool closed() const { return closed_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  struct ReceiveNode : internal::WaitNode {
    std::optional<T> item;
  };
  struct ReceiveAwaiter {
    Queue* queue;
    ReceiveNode node;
    bool resumed = false;
    explicit ReceiveAwaiter(Queue* q) : queue(q) {}
    ReceiveAwaiter(const ReceiveAwaiter&) = delete;
    ~ReceiveAwaiter() {
      if (node.detached) return;
      if (node.linked) queue->receivers_.Remove(&node);
      // Handed an item but cancelled before running: give it back.
      if (!resumed && node.item.has_value())
        queue->Return(std::move(*node.item));
    }
    bool await_ready() const noexcept {
      return !queue->items_.empty() || queue->closed_;
    }
    void await_suspend(std::coroutine_handle<> h) {
      node.resumption.Capture(h);
      queue->receivers_.PushBack(&node);
    }
    std::optional<T> await_resume() {
      resumed = true;
      if (node.item.has_value()) return std::move(node.item);
      return queue->TryReceive();
    }
  };
  ReceiveAwaiter Receive() { return ReceiveAwaiter(this); }

 private:
  void Return(T item) {
    if (!receivers_.empty()) {
      auto* node = static_cast<ReceiveNode*>(receivers_.WakeFront());
      node->item.emplace(std::move(item));
      return;
    }
    items_.push_front(std::move(item));
  }

  std::deque<T> items_;
  internal::WaitList receivers_;
  bool closed_ = false;
};

// A counting semaphore with FIFO fairness. Acquire() resumes with a Permit
// that releases on destruction. Effect's Semaphore.
class Semaphore {
 public:
  explicit Semaphore(int64_t permits) : available_(permits) {
    CHECK(permits >= 0);
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  class Permit {
   public:
    Permit() = default;
    explicit Permit(Semaphore* s) : semaphore_(s) {}
    Permit(Permit&& o) noexcept
        : semaphore_(std::exchange(o.semaphore_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        Reset();
        semaphore_ = std::exchange(o.semaphore_, nullptr);
      }
      return *this;
    }
    ~Permit() { Reset(); }
    void Reset() {
      if (semaphore_ != nullptr) std::exchange(semaphore_, nullptr)->Release();
    }
    bool held() const { return semaphore_ != nullptr; }

   private:
    Semaphore* semaphore_ = nullptr;
  };

  std::optional<Permit> TryAcquire() {
    if (available_ <= 0 || !waiters_.empty()) return std::nullopt;
    --available_;
    return Permit(this);
  }

  struct AcquireNode : internal::WaitNode {
    bool granted = false;
  };
  struct AcquireAwaiter {
    Semaphore* semaphore;
    AcquireNode node;
    bool resumed = false;
    explicit AcquireAwaiter(Semaphore* s) : semaphore(s) {}
    AcquireAwaiter(const AcquireAwaiter&) = delete;
    ~AcquireAwaiter() {
      if (node.detached) return;
      if (node.linked) semaphore->waiters_.Remove(&node);
      if (!resumed && node.granted) semaphore->Release();
    }
    bool await_ready() {
      if (semaphore->available_ > 0 && semaphore->waiters_.empty()) {
        --semaphore->available_;
        node.granted = true;
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) {
      node.resumption.Capture(h);
      semaphore->waiters_.PushBack(&node);
    }
    Permit await_resume() {
      resumed = true;
      CHECK(node.granted);
      return Permit(semaphore);
    }
  };
  AcquireAwaiter Acquire() { return AcquireAwaiter(this); }

  int64_t available() const { return available_; }

 private:
  void Release() {
    if (!waiters_.empty()) {
      auto* node = static_cast<AcquireNode*>(waiters_.WakeFront());
      node->granted = true;  // hand the permit over directly
      return;
    }
    ++available_;
  }

  int64_t available_;
  internal::WaitList waiters_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_SYNC_H_
