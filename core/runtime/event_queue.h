// EventQueue: the ordered set of scheduled actions behind every executor.
//
// Entries are ordered by (time, sequence number), so actions scheduled for the
// same instant run in scheduling order and a run is a pure function of its
// inputs. Cancellation is O(1): a slot's generation is bumped and the stale
// heap entry is skipped when it surfaces. Each entry carries a caller-defined
// tag (the simulator uses the node id) so a caller can hold back, requeue or
// drop the entries of a paused or crashed node without losing their TimerIds.
// Nothing allocates per event once the slab and heap have grown.
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
  // Heap entries, including cancelled ones not yet skipped.
  size_t heap_size() const { return heap_.size(); }

 private:
  struct Slot {
    Action action;
    uint32_t generation = 1;
    uint32_t tag = 0;
    uint32_t next_free = kNoSlot;
    bool in_use = false;
  };
  static constexpr uint32_t kNoSlot = 0xffffffffu;

  // The heap order (a function object, so the heap algorithms inline it).
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time_us != b.time_us ? a.time_us > b.time_us : a.seq > b.seq;
    }
  };
  void PushHeap(const Entry& entry);
  Entry PopHeap();
  void FreeSlot(uint32_t slot);
  bool LiveIds(uint32_t slot, uint32_t generation) const {
    return slot < slots_.size() && slots_[slot].in_use &&
           slots_[slot].generation == generation;
  }

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  uint32_t free_head_ = kNoSlot;
  uint64_t next_seq_ = 0;
  size_t live_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_EVENT_QUEUE_H_
