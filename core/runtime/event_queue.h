// EventQueue: the ordered set of scheduled actions behind every executor.
//
// Entries are ordered by (time, sequence number), so actions scheduled for the
// same instant run in scheduling order and a run is a pure function of its
// inputs. Cancellation is O(1): a slot's generation is bumped and the stale
// heap entry is skipped when it surfaces. Each entry carries a caller-defined
// tag (the simulator uses the node id) so a caller can hold back, requeue or
// drop the entries of a paused or crashed node without losing their TimerIds.
// Entries due at the instant last popped (a resumed fiber, a message handed
// on) skip the heap: they go to a FIFO lane, already in (time, seq) order
// because sequence numbers only grow, and the next pop takes the smaller of
// the lane's front and the heap's top. The order is exactly the heap's.
// Nothing allocates per event once the slab, heap and lane have grown.
// Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_EVENT_QUEUE_H_
#define CLUSTERSIM_CORE_RUNTIME_EVENT_QUEUE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "core/runtime/executor.h"

namespace clustersim {

class EventQueue {
 public:
  struct Entry {
    int64_t time_us;
    uint64_t seq;
    uint32_t slot;
    uint32_t generation;
  };

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Schedules `action` at absolute time `time_us`.
  TimerId Push(int64_t time_us, uint32_t tag, Action action);
  // Cancels a scheduled (or popped but not yet taken) entry; stale ids are a
  // no-op.
  void Cancel(TimerId id);

  // Removes and returns the earliest live entry, skipping cancelled ones.
  // The entry stays allocated: Take() it to run it, or Requeue() it.
  std::optional<Entry> PopNext();
  // Time of the earliest live entry, if any (drops cancelled heap tops).
  std::optional<int64_t> PeekTime();

  // True while `entry` has been neither cancelled nor taken.
  bool Live(const Entry& entry) const;
  uint32_t Tag(const Entry& entry) const;
  // Re-inserts a popped live entry at `time_us` with a fresh sequence number;
  // its TimerId stays valid.
  void Requeue(const Entry& entry, int64_t time_us);
  // Frees a popped live entry and returns its action.
  Action Take(const Entry& entry);

  // Live entries (scheduled or popped-but-not-taken).
  size_t live() const { return live_; }
  // Entries the lane's buffer holds, consumed ones included: bounded by
  // compaction even when the lane never drains.
  size_t lane_footprint() const { return lane_.size(); }
  // Queued entries (heap and lane), including cancelled ones not yet
  // skipped.
  size_t queued_entries() const {
    return heap_.size() + (lane_.size() - lane_head_);
  }

 private:
  struct Slot {
    Action action;
    uint32_t generation = 1;
    uint32_t tag = 0;
    uint32_t next_free = kNoSlot;
    bool in_use = false;
  };
  static constexpr uint32_t kNoSlot = 0xffffffffu;
  // Consumed lane entries kept before the lane is compacted.
  static constexpr size_t kLaneCompactEntries = 4096;

  // The heap order (a function object, so the heap algorithms inline it).
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time_us != b.time_us ? a.time_us > b.time_us : a.seq > b.seq;
    }
  };
  // Queues `entry` in the lane if it is due at the instant last popped,
  // else in the heap.
  void Enqueue(const Entry& entry);
  // Whether the earliest queued entry is the lane's; not on an empty queue.
  bool FrontInLane() const;
  // The earliest queued entry (live or not); the queue must not be empty.
  const Entry& Front() const;
  Entry PopFront();
  bool Empty() const { return heap_.empty() && lane_head_ == lane_.size(); }
  void PushHeap(const Entry& entry);
  Entry PopHeap();
  void FreeSlot(uint32_t slot);
  bool LiveIds(uint32_t slot, uint32_t generation) const {
    return slot < slots_.size() && slots_[slot].in_use &&
           slots_[slot].generation == generation;
  }

  std::vector<Entry> heap_;
  // Entries due at `lane_time_us_`, in seq order; [lane_head_, size) queued.
  std::vector<Entry> lane_;
  size_t lane_head_ = 0;
  int64_t lane_time_us_ = INT64_MIN;
  std::vector<Slot> slots_;
  uint32_t free_head_ = kNoSlot;
  uint64_t next_seq_ = 0;
  size_t live_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_EVENT_QUEUE_H_
