// World: the deterministic simulated world that drives every node.
//
// One thread, one EventQueue ordered by (virtual time, sequence number);
// virtual time jumps to the next event. Each node has its own executor (whose
// timers run on the node's drifting local clock), its own PRNG stream, its own
// trace sink, and a lifecycle: a node is started (a fresh Process and root
// scope: a new incarnation), crashed (its scope is closed, so every fiber is
// destroyed and nothing of it runs again, then its Process is destroyed),
// restarted (a new incarnation), paused (no action of it runs and arriving
// messages queue, while its clock keeps moving) and resumed (held actions run,
// then queued messages are delivered, in their original order).
//
// Scheduled actions carry the node and incarnation that scheduled them, so an
// action left behind by a crashed incarnation is dropped rather than run.
// Messages between nodes go through a Router (the simulated network, see
// network.h), which calls Deliver() when a message arrives.
//
// A run is a pure function of (seed, the calls made on the World, the code):
// everything observable is folded into trace(). Single-threaded; the World
// outlives every node it runs.
#ifndef CLUSTERSIM_SIM_WORLD_H_
#define CLUSTERSIM_SIM_WORLD_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/runtime/event_queue.h"
#include "core/runtime/process.h"
#include "sim/node_clock.h"
#include "sim/prng.h"
#include "sim/trace.h"

namespace clustersim::sim {

enum class NodeState { kDown, kUp, kPaused };
std::string_view NodeStateName(NodeState state);

// Carries bytes between nodes; implemented by the simulated network.
class Router {
 public:
  virtual ~Router() = default;
  virtual void Route(NodeId from, NodeId to, std::string bytes) = 0;
};

enum class DeliveryResult { kDelivered, kQueued, kNodeDown };

struct WorldOptions {
  uint64_t seed = 0;
  bool keep_trace_events = false;  // keep full events, not just the hash
};

class World {
 public:
  // Limits: node ids and incarnations are packed into 16 bits each.
  static constexpr uint32_t kMaxNodes = 0xfffe;
  static constexpr uint32_t kMaxIncarnations = 0xffff;

  explicit World(const WorldOptions& options);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  // --- Nodes -------------------------------------------------------------
  // Adds a node (down until Start). Ids are 1, 2, 3, ... in order of adding.
  NodeId AddNode(std::string name, ProcessFactory factory,
                 ClockConfig clock = {});
  void Start(NodeId node);    // precondition: down
  void Crash(NodeId node);    // kill -9; a no-op if already down
  void Restart(NodeId node);  // crash if needed, then start
  void Pause(NodeId node);    // precondition: up
  void Resume(NodeId node);   // precondition: paused

  NodeState state(NodeId node) const;
  uint32_t incarnation(NodeId node) const;
  const std::string& name(NodeId node) const;
  // The running Process of an up or paused node, else nullptr.
  Process* process(NodeId node) const;
  NodeClock& clock(NodeId node);
  const NodeClock& clock(NodeId node) const;
  // The node's wall clock now.
  int64_t NodeNowMs(NodeId node) const;
  size_t node_count() const { return nodes_.size(); }

  // --- Messages ----------------------------------------------------------
  // The network installs itself; without one, sends are dropped (traced).
  void SetRouter(Router* router) { router_ = router; }
  // Hands bytes that arrived at `to` to its process (or queues/drops them).
  DeliveryResult Deliver(NodeId from, NodeId to, std::string bytes);

  // --- World-level events (network deliveries, faults) --------------------
  TimerId ScheduleAt(int64_t time_us, Action action);
  TimerId ScheduleAfter(int64_t delay_us, Action action) {
    return ScheduleAt(now_us_ + delay_us, action);
  }
  void Cancel(TimerId id) { queue_.Cancel(id); }

  // --- Running -----------------------------------------------------------
  // Runs the next event; false when nothing is scheduled.
  bool Step();
  // Runs every event due at or before `time_us`, then sets now to it.
  // With `max_trace_events`, stops early once the trace holds that many
  // events (returning false, with now at the last event run).
  bool RunUntil(int64_t time_us, uint64_t max_trace_events = UINT64_MAX);
  void RunFor(int64_t duration_us) { RunUntil(now_us_ + duration_us); }

  int64_t now_us() const { return now_us_; }
  uint64_t seed() const { return seed_; }
  uint64_t events_run() const { return events_run_; }
  size_t pending_events() const { return queue_.live(); }
  TraceRecorder& trace() { return trace_; }
  // A PRNG stream of the world, derived from (seed, name); created on first
  // use and kept for the run.
  Random& Stream(std::string_view name);

 private:
  struct Node;
  class NodeExecutor;
  class NodeTransport;
  class NodeTraceSink;

  Node& Get(NodeId node) const;
  void RunEntry(const EventQueue::Entry& entry);
  // The node's stall check, before any of its work runs.
  void BeforeWork(Node& node);
  static void DrainInbox(void* node);
  uint32_t TagFor(const Node& node) const;

  uint64_t seed_;
  int64_t now_us_ = 0;
  uint64_t events_run_ = 0;
  EventQueue queue_;
  TraceRecorder trace_;
  Router* router_ = nullptr;
  std::vector<std::unique_ptr<Node>> nodes_;
  absl::btree_map<std::string, std::unique_ptr<Prng>, std::less<>> streams_;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_WORLD_H_
