#include "core/runtime/event_queue.h"

#include <algorithm>
#include <cstddef>

#include "core/base/check.h"

namespace clustersim {
namespace {

TimerId MakeId(uint32_t slot, uint32_t generation) {
  return TimerId{(static_cast<uint64_t>(generation) << 32) | slot};
}

}  // namespace

TimerId EventQueue::Push(int64_t time_us, uint32_t tag, Action action) {
  CHECK(action.fn != nullptr);
  uint32_t slot;
  if (free_head_ != kNoSlot) {
    slot = free_head_;
    free_head_ = slots_[slot].next_free;
  } else {
    CHECK(slots_.size() < kNoSlot, "event slab exhausted");
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.action = action;
  s.tag = tag;
  s.in_use = true;
  ++live_;
  Enqueue(Entry{time_us, next_seq_++, slot, s.generation});
  return MakeId(slot, s.generation);
}

void EventQueue::Cancel(TimerId id) {
  uint32_t slot = static_cast<uint32_t>(id.value & 0xffffffffu);
  uint32_t generation = static_cast<uint32_t>(id.value >> 32);
  if (!LiveIds(slot, generation)) return;
  FreeSlot(slot);
}

std::optional<EventQueue::Entry> EventQueue::PopNext() {
  while (!Empty()) {
    Entry top = PopFront();
    if (Live(top)) return top;
  }
  return std::nullopt;
}

std::optional<int64_t> EventQueue::PeekTime() {
  while (!Empty()) {
    const Entry& front = Front();
    if (Live(front)) return front.time_us;
    PopFront();
  }
  return std::nullopt;
}

bool EventQueue::Live(const Entry& entry) const {
  return LiveIds(entry.slot, entry.generation);
}

uint32_t EventQueue::Tag(const Entry& entry) const {
  CHECK(Live(entry));
  return slots_[entry.slot].tag;
}

void EventQueue::Requeue(const Entry& entry, int64_t time_us) {
  CHECK(Live(entry));
  Enqueue(Entry{time_us, next_seq_++, entry.slot, entry.generation});
}

Action EventQueue::Take(const Entry& entry) {
  CHECK(Live(entry));
  Action action = slots_[entry.slot].action;
  FreeSlot(entry.slot);
  return action;
}

void EventQueue::FreeSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  CHECK(s.in_use);
  s.in_use = false;
  s.action = Action{};
  ++s.generation;
  if (s.generation == 0) s.generation = 1;  // keep ids non-zero
  s.next_free = free_head_;
  free_head_ = slot;
  --live_;
}

void EventQueue::Enqueue(const Entry& entry) {
  // The lane holds one instant's entries; a new entry's seq is the largest
  // yet, so appending keeps it in (time, seq) order.
  if (entry.time_us == lane_time_us_) {
    lane_.push_back(entry);
  } else {
    PushHeap(entry);
  }
}

bool EventQueue::FrontInLane() const {
  CHECK(!Empty());
  if (lane_head_ == lane_.size()) return false;
  return heap_.empty() || !Later{}(lane_[lane_head_], heap_.front());
}

const EventQueue::Entry& EventQueue::Front() const {
  return FrontInLane() ? lane_[lane_head_] : heap_.front();
}

EventQueue::Entry EventQueue::PopFront() {
  Entry e;
  if (FrontInLane()) {
    e = lane_[lane_head_++];
    if (lane_head_ == lane_.size()) {
      lane_.clear();
      lane_head_ = 0;
    } else if (lane_head_ >= kLaneCompactEntries &&
               2 * lane_head_ >= lane_.size()) {
      // A lane that never drains (everything due at one instant, as in an
      // in-process benchmark) drops its consumed half: amortized O(1) per
      // pop, and at most twice the queued entries are kept.
      lane_.erase(lane_.begin(),
                  lane_.begin() + static_cast<std::ptrdiff_t>(lane_head_));
      lane_head_ = 0;
    }
  } else {
    e = PopHeap();
  }
  // Entries pushed for this instant from now on take the lane (unless the
  // lane still holds a later instant's entries: one pushed for an earlier
  // time than the last popped surfaced first).
  if (lane_head_ == lane_.size()) lane_time_us_ = e.time_us;
  return e;
}

void EventQueue::PushHeap(const Entry& entry) {
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

EventQueue::Entry EventQueue::PopHeap() {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  Entry e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace clustersim
