// StallDetector: notices that a node's process was stopped — a
// stop-the-world pause, a suspended VM, a process swapped out — and lets
// registered handlers act before the node runs any other work.
//
// The node's event loop calls BeforeWork with its local monotonic clock
// before it runs each unit of work (a timer, a delivered message). When the
// clock moved by more than `threshold_us` since the previous call, the
// registered handlers run first, in registration order, with the gap's
// length. A real event loop makes the same call around its poll: a long gap
// between two iterations means the process did not run, whatever stopped it.
// An idle loop also shows long gaps; handlers must therefore check their own
// deadlines rather than trust the gap (a false alarm costs one check).
//
// Why it exists: a lease holder that was frozen past its lease must stop the
// work the lease protects before it does anything else (hardened mode; see
// core/sharding/shard_locks.h). A timer cannot do that: after a pause, timers
// and messages that came due run in their own order.
//
// Single-threaded. Owned by the node's environment; a handler's owner
// unregisters it before it goes away. Handlers must not call BeforeWork.
#ifndef CLUSTERSIM_CORE_RUNTIME_STALL_DETECTOR_H_
#define CLUSTERSIM_CORE_RUNTIME_STALL_DETECTOR_H_

#include <cstdint>
#include <functional>
#include <map>

namespace clustersim {

class StallDetector {
 public:
  using Handler = std::function<void(int64_t stall_us)>;

  // Gaps longer than this count as stalls (and run the handlers).
  static constexpr int64_t kDefaultThresholdUs = 50'000;

  explicit StallDetector(int64_t threshold_us = kDefaultThresholdUs);
  StallDetector(const StallDetector&) = delete;
  StallDetector& operator=(const StallDetector&) = delete;

  int64_t threshold_us() const { return threshold_us_; }

  // Returns an id for Unregister (never 0).
  uint64_t Register(Handler handler);
  void Unregister(uint64_t id);

  // Called by the event loop before each unit of work, with the node's local
  // monotonic time (non-decreasing). Runs the handlers on a stall.
  void BeforeWork(int64_t now_us);

  // Stalls seen so far.
  int64_t stalls() const { return stalls_; }

 private:
  const int64_t threshold_us_;
  // Ordered by registration, so handlers run in a fixed order.
  std::map<uint64_t, Handler> handlers_;
  uint64_t next_id_ = 1;
  bool started_ = false;
  bool running_ = false;
  int64_t last_us_ = 0;
  int64_t stalls_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_STALL_DETECTOR_H_
