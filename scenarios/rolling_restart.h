// RollingRestart: a workload event (not a fault) that restarts one runner
// the way an operator rolls a deployment. At `at_us` the node shuts down
// gracefully (Effect's shutdown: entities stop, shards are handed off);
// once the shutdown completed, or after kShutdownLimitUs, the node stops,
// and it starts again kRestartDelayUs later, when the other runners have
// taken its shards over. Skipped if a fault has the node down or paused at
// that instant, and abandoned if a fault restarts it meanwhile.
//
// An optional observer is told when the shutdown begins and when it ends
// (the node stopped, or a fault took it over), so that a scenario can act
// on the window (slow the node's links) and checkers can scope by it: the
// core's own `sharding.shutdown` event marks only the end of a shutdown.
//
// The node's process must implement GracefulShutdown. Owned by the
// scenario run; single-threaded, on the simulator's thread.
#ifndef CLUSTERSIM_SCENARIOS_ROLLING_RESTART_H_
#define CLUSTERSIM_SCENARIOS_ROLLING_RESTART_H_

#include <cstdint>
#include <functional>

#include "core/runtime/transport.h"
#include "sim/world.h"

namespace clustersim::scenarios {

// A node process that can shut down gracefully.
class GracefulShutdown {
 public:
  virtual ~GracefulShutdown() = default;
  virtual void Shutdown() = 0;
  virtual bool shutdown_complete() const = 0;
};

class RollingRestart {
 public:
  static constexpr int64_t kShutdownPollUs = 100'000;
  static constexpr int64_t kShutdownLimitUs = 10'000'000;
  static constexpr int64_t kRestartDelayUs = 5'000'000;

  // Called with true when the node's graceful shutdown begins, and with
  // false when that shutdown is over: the node was stopped, or a fault
  // crashed or restarted it first.
  using Observer = std::function<void(NodeId node, bool shutting_down)>;

  RollingRestart(sim::World& world, NodeId node, int64_t at_us,
                 Observer observer = nullptr);
  RollingRestart(const RollingRestart&) = delete;
  RollingRestart& operator=(const RollingRestart&) = delete;

  int64_t restarts() const { return restarts_; }

 private:
  static void Begin(void* self);
  static void Poll(void* self);
  static void StartAgain(void* self);

  // The incarnation shut down is still the node's, and not down.
  bool Unchanged() const;
  GracefulShutdown* Node();
  void Tell(bool shutting_down);

  sim::World& world_;
  const NodeId node_;
  const Observer observer_;
  uint32_t incarnation_ = 0;
  int64_t deadline_us_ = 0;
  int64_t restarts_ = 0;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_ROLLING_RESTART_H_
