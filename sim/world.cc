#include "sim/world.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"

namespace clustersim::sim {

std::string_view NodeStateName(NodeState state) {
  switch (state) {
    case NodeState::kDown:
      return "down";
    case NodeState::kUp:
      return "up";
    case NodeState::kPaused:
      return "paused";
  }
  return "?";
}

// The node's Executor: timers run on its local (drifting) clock, and every
// action is tagged with the node and incarnation.
class World::NodeExecutor : public Executor {
 public:
  NodeExecutor(World* world, Node* node) : world_(world), node_(node) {}
  int64_t NowMs() const override;
  int64_t MonotonicUs() const override;
  TimerId Schedule(int64_t delay_us, Action action) override;
  void Cancel(TimerId id) override { world_->queue_.Cancel(id); }

 private:
  World* world_;
  Node* node_;
};

class World::NodeTransport : public Transport {
 public:
  NodeTransport(World* world, NodeId self) : world_(world), self_(self) {}
  void Send(NodeId to, std::string bytes) override {
    if (world_->router_ == nullptr) {
      world_->trace_.Record(world_->now_us_, self_.value, "net.drop",
                            "no network");
      return;
    }
    world_->router_->Route(self_, to, std::move(bytes));
  }

 private:
  World* world_;
  NodeId self_;
};

class World::NodeTraceSink : public TraceSink {
 public:
  NodeTraceSink(World* world, NodeId self) : world_(world), self_(self) {}
  void Record(std::string_view kind, std::string_view detail) override {
    world_->trace_.Record(world_->now_us_, self_.value, kind, detail);
  }

 private:
  World* world_;
  NodeId self_;
};

struct World::Node {
  NodeId id;
  std::string name;
  ProcessFactory factory;
  ClockConfig clock_config;
  NodeClock clock;
  NodeState state = NodeState::kDown;
  uint32_t incarnation = 0;
  std::unique_ptr<NodeExecutor> executor;
  std::unique_ptr<NodeTransport> transport;
  std::unique_ptr<NodeTraceSink> trace_sink;
  std::unique_ptr<Prng> random;
  std::unique_ptr<Scope> scope;
  // Per incarnation, as a real process's own detector would be.
  std::unique_ptr<StallDetector> stall;
  std::unique_ptr<Process> process;
  // While paused: actions that came due, and messages that arrived.
  std::vector<EventQueue::Entry> held;
  std::deque<std::pair<NodeId, std::string>> inbox;
  World* world = nullptr;
};

int64_t World::NodeExecutor::NowMs() const {
  return node_->clock.WallMs(world_->now_us_);
}

int64_t World::NodeExecutor::MonotonicUs() const {
  return node_->clock.LocalUs(world_->now_us_);
}

TimerId World::NodeExecutor::Schedule(int64_t delay_us, Action action) {
  CHECK(delay_us >= 0);
  CHECK(node_->state != NodeState::kDown, "scheduling on a crashed node");
  int64_t at = world_->now_us_ + node_->clock.GlobalDelayUs(delay_us);
  return world_->queue_.Push(at, world_->TagFor(*node_), action);
}

World::World(const WorldOptions& options)
    : seed_(options.seed), trace_(options.keep_trace_events) {}

World::~World() {
  // Destroy every node's fibers before the queue and the nodes go away.
  for (auto& node : nodes_) {
    if (node->state != NodeState::kDown) Crash(node->id);
  }
}

World::Node& World::Get(NodeId node) const {
  CHECK(node.value >= 1 && node.value <= nodes_.size(), "unknown node id");
  return *nodes_[node.value - 1];
}

NodeState World::state(NodeId node) const { return Get(node).state; }
uint32_t World::incarnation(NodeId node) const { return Get(node).incarnation; }
const std::string& World::name(NodeId node) const { return Get(node).name; }
Process* World::process(NodeId node) const { return Get(node).process.get(); }
NodeClock& World::clock(NodeId node) { return Get(node).clock; }
const NodeClock& World::clock(NodeId node) const { return Get(node).clock; }

uint32_t World::TagFor(const Node& node) const {
  return node.id.value | (node.incarnation << 16);
}

NodeId World::AddNode(std::string name, ProcessFactory factory,
                      ClockConfig clock) {
  CHECK(nodes_.size() < kMaxNodes, "too many nodes");
  CHECK(factory != nullptr);
  auto node = std::make_unique<Node>();
  node->id = NodeId{static_cast<uint32_t>(nodes_.size() + 1)};
  node->name = std::move(name);
  node->factory = std::move(factory);
  node->clock_config = clock;
  node->clock = NodeClock(clock, now_us_);
  node->world = this;
  node->executor = std::make_unique<NodeExecutor>(this, node.get());
  node->transport = std::make_unique<NodeTransport>(this, node->id);
  node->trace_sink = std::make_unique<NodeTraceSink>(this, node->id);
  NodeId id = node->id;
  nodes_.push_back(std::move(node));
  trace_.Record(now_us_, id.value, "node.add", Get(id).name);
  return id;
}

void World::Start(NodeId id) {
  Node& node = Get(id);
  CHECK(node.state == NodeState::kDown, "starting a node that is not down");
  CHECK(node.incarnation < kMaxIncarnations, "too many incarnations");
  ++node.incarnation;
  node.state = NodeState::kUp;
  node.random = std::make_unique<Prng>(Prng::ForStream(
      seed_, absl::StrCat("node/", node.name, "/", node.incarnation)));
  node.scope = std::make_unique<Scope>(*node.executor);
  node.stall = std::make_unique<StallDetector>();
  trace_.Record(now_us_, id.value, "node.start",
                absl::StrCat("incarnation=", node.incarnation));
  NodeEnv env{id,
              node.incarnation,
              node.executor.get(),
              node.random.get(),
              node.transport.get(),
              node.trace_sink.get(),
              node.scope.get(),
              node.stall.get()};
  node.process = node.factory(env);
  CHECK(node.process != nullptr, "process factory returned null");
}

void World::Crash(NodeId id) {
  CHECK(CurrentFiber() == nullptr, "a node cannot be crashed from a fiber");
  Node& node = Get(id);
  if (node.state == NodeState::kDown) return;
  trace_.Record(now_us_, id.value, "node.crash",
                absl::StrCat("incarnation=", node.incarnation));
  // Fibers first (their destructors may still touch the process), then the
  // process and its volatile state.
  node.scope->Close();
  node.process.reset();
  node.scope.reset();
  node.stall.reset();
  for (const EventQueue::Entry& entry : node.held) {
    if (queue_.Live(entry)) queue_.Take(entry);
  }
  node.held.clear();
  node.inbox.clear();
  node.state = NodeState::kDown;
}

void World::Restart(NodeId id) {
  Crash(id);
  Start(id);
}

void World::Pause(NodeId id) {
  Node& node = Get(id);
  CHECK(node.state == NodeState::kUp, "pausing a node that is not up");
  node.state = NodeState::kPaused;
  trace_.Record(now_us_, id.value, "node.pause", "");
}

void World::Resume(NodeId id) {
  Node& node = Get(id);
  CHECK(node.state == NodeState::kPaused, "resuming a node that is not paused");
  node.state = NodeState::kUp;
  trace_.Record(
      now_us_, id.value, "node.resume",
      absl::StrCat("held=", node.held.size(), " inbox=", node.inbox.size()));
  for (const EventQueue::Entry& entry : node.held) {
    if (queue_.Live(entry)) queue_.Requeue(entry, now_us_);
  }
  node.held.clear();
  if (!node.inbox.empty()) {
    queue_.Push(now_us_, TagFor(node), Action{&World::DrainInbox, &node});
  }
}

void World::BeforeWork(Node& node) {
  node.stall->BeforeWork(node.executor->MonotonicUs());
}

void World::DrainInbox(void* p) {
  auto* node = static_cast<Node*>(p);
  while (!node->inbox.empty() && node->state == NodeState::kUp) {
    auto [from, bytes] = std::move(node->inbox.front());
    node->inbox.pop_front();
    node->world->BeforeWork(*node);
    node->process->OnMessage(from, bytes);
  }
}

int64_t World::NodeNowMs(NodeId id) const {
  return Get(id).clock.WallMs(now_us_);
}

DeliveryResult World::Deliver(NodeId from, NodeId to, std::string bytes) {
  Node& node = Get(to);
  switch (node.state) {
    case NodeState::kDown:
      return DeliveryResult::kNodeDown;
    case NodeState::kPaused:
      node.inbox.emplace_back(from, std::move(bytes));
      return DeliveryResult::kQueued;
    case NodeState::kUp:
      BeforeWork(node);
      node.process->OnMessage(from, bytes);
      return DeliveryResult::kDelivered;
  }
  return DeliveryResult::kNodeDown;
}

TimerId World::ScheduleAt(int64_t time_us, Action action) {
  CHECK(time_us >= now_us_, "scheduling in the past");
  return queue_.Push(time_us, kWorldNode, action);
}

void World::RunEntry(const EventQueue::Entry& entry) {
  now_us_ = entry.time_us;
  const uint32_t tag = queue_.Tag(entry);
  const uint32_t node_value = tag & 0xffff;
  if (node_value != kWorldNode) {
    Node& node = *nodes_[node_value - 1];
    if (node.state == NodeState::kDown || (tag >> 16) != node.incarnation) {
      queue_.Take(entry);  // left behind by a dead incarnation
      return;
    }
    if (node.state == NodeState::kPaused) {
      node.held.push_back(entry);
      return;
    }
  }
  if (node_value != kWorldNode) {
    // Stall handlers run before the action, and may cancel it (a timer of a
    // fiber they stopped).
    BeforeWork(*nodes_[node_value - 1]);
    if (!queue_.Live(entry)) return;
  }
  Action action = queue_.Take(entry);
  ++events_run_;
  trace_.RecordRun(now_us_, node_value);
  action.fn(action.ctx);
}

bool World::Step() {
  std::optional<EventQueue::Entry> entry = queue_.PopNext();
  if (!entry.has_value()) return false;
  RunEntry(*entry);
  return true;
}

bool World::RunUntil(int64_t time_us, uint64_t max_trace_events) {
  CHECK(time_us >= now_us_);
  for (;;) {
    if (trace_.count() >= max_trace_events) return false;
    std::optional<int64_t> next = queue_.PeekTime();
    if (!next.has_value() || *next > time_us) break;
    RunEntry(*queue_.PopNext());
  }
  now_us_ = time_us;
  return true;
}

Random& World::Stream(std::string_view name) {
  auto it = streams_.find(name);
  if (it == streams_.end()) {
    it = streams_
             .emplace(std::string(name),
                      std::make_unique<Prng>(Prng::ForStream(seed_, name)))
             .first;
  }
  return *it->second;
}

}  // namespace clustersim::sim
